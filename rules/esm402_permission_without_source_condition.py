"""A Lambda permission for an AWS service does not say which resource or account may use it.

## What it does
Reports an `AWS::Lambda::Permission` whose principal is an AWS service
(`*.amazonaws.com`, `*.amazon.com`) and that sets neither `SourceArn` nor
`SourceAccount` (nor, for Alexa, `EventSourceToken`); and a permission for
`s3.amazonaws.com` without `SourceAccount`, even when it has a `SourceArn`.

Permissions SAM creates for its events are not reported (SAM writes them, and scopes them
the way the service allows). A `SourceArn` or `SourceAccount` that esmlint cannot resolve
counts as set.

Which condition is enough was checked against the AWS documentation: the Lambda API
reference of `AddPermission` says of `Principal`: *"If you specify a service, use
SourceArn or SourceAccount to limit who can invoke the function through that service"*
(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html#lambda-AddPermission-request-Principal),
and of `SourceAccount`: *"the ID of the AWS account that owns the resource. Use this
together with SourceArn to ensure that the specified account owns the resource. It is
possible for an Amazon S3 bucket to be deleted by its owner and recreated by another
account."* So for a service principal other than S3, `SourceAccount` alone (only
resources of that account may invoke) is accepted, as is `SourceArn` alone; for S3 the
account is what matters. The rule catalogue's one-line summary ("has no SourceArn")
is narrower than this; this page is the rule's definition: a non-S3 service
permission is reported when it has neither `SourceArn` nor `SourceAccount`.

## Why is this bad?
Without a source condition, the permission lets that service invoke the function on
behalf of *any* account: someone else's bucket, topic, rule or API can be pointed at the
function (the "confused deputy" problem). AWS: *"If you grant permission to a service
principal without specifying the source, other accounts could potentially configure
resources in their account to invoke your Lambda function."* For S3, a `SourceArn` alone
is not enough: bucket names are global, and a bucket deleted by its owner can be
re-created by another account; `SourceAccount` pins the owner.

## Example
```yaml
InvokeFromS3:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !GetAtt Thumbnailer.Arn
    Action: lambda:InvokeFunction
    Principal: s3.amazonaws.com
    SourceArn: !Sub arn:${AWS::Partition}:s3:::${BucketName}
```

## Fix
Add `SourceAccount: !Ref AWS::AccountId`, and `SourceArn` with the ARN of the bucket,
topic, rule, API (`arn:aws:execute-api:<region>:<account>:<api-id>/*`), log group or
user pool that invokes the function. Where `SourceArn` would create a circular
dependency (a bucket that `DependsOn` the permission), `SourceAccount` alone keeps other
accounts out.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
- https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
- https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections C.

from esmlint.rule import Severity, principal_text, report
from esmlint.values import branches

ID = "ESM402"
NAME = "permission-without-source-condition"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("security", "permissions", "confused-deputy")
#: SARIF security-severity (0-10, as CVSS), medium: another account's resource can invoke the function, not read or change it.
SECURITY_SEVERITY = "5.4"


def service_principal(value) -> str:
    """The service principal a permission names, "" when it is not a service."""
    text = principal_text(value) or ""
    if text.endswith((".amazonaws.com", ".amazonaws.com.cn", ".amazon.com")):
        return text
    return ""


def missing_when(value) -> str | None:
    """None when the property is set; "" when it is absent; the condition label when
    only some ``Fn::If`` branch leaves it out."""
    if value.absent:
        return ""
    for label, branch in branches(value):
        if label and branch.absent:
            return label
    return None


def function_text(perm) -> str:
    if perm.resolved is not None:
        return perm.resolved.id
    return perm.function.text()


def check(model, options):
    cfn = model.format in ("cloudformation", "sam")
    arn_key, account_key = ("SourceArn", "SourceAccount") if cfn else ("source_arn",
                                                                         "source_account")
    account = "SourceAccount: !Ref AWS::AccountId" if cfn else (
        "source_account = data.aws_caller_identity.current.account_id")
    for perm in model.permissions:
        if perm.origin:
            continue  # SAM creates it for an event
        principal = service_principal(perm.principal)
        if not principal:
            continue
        arn_when = missing_when(perm.source_arn)
        account_when = missing_when(perm.source_account)
        no_arn = arn_when is not None
        no_account = account_when is not None
        when = ""
        if principal.startswith("s3."):
            if not no_account:
                continue
            when = account_when
            missing = account_key + (f" nor {arn_key}" if no_arn else "")
            why = ("any account's bucket can invoke the function, and a bucket name freed by "
                   "its owner can be taken by another account")
            fix = f"Add {account}" + (f" and {arn_key} with the bucket ARN" if no_arn else "")
        else:
            if not (no_arn and no_account and perm.event_source_token.absent
                    and perm.principal_org_id.absent) or (arn_when and account_when):
                continue  # (both conditional: which branches combine is not followed)
            when = arn_when or account_when
            missing = f"{arn_key} nor {account_key}"
            why = (f"resources of {principal.split('.')[0]} in any account can be set up "
                   f"to invoke the function")
            fix = (f"Add {arn_key} with the ARN of the resource that invokes the function "
                   f"(or at least {account})")
        yield report(
            perm.loc,
            f"permission {perm.id} lets {principal} invoke function {function_text(perm)} "
            f"but sets no {missing}{f' {when}' if when else ''}: {why}. {fix}.",
            resource=perm.id,
            function=perm.resolved.id if perm.resolved is not None else "",
            key=f"{perm.id}:{principal}",
        )
