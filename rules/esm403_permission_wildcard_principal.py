"""A Lambda permission lets anyone invoke the function.

## What it does
Reports an `AWS::Lambda::Permission` whose `Principal` is `*` and that is not limited by
`SourceArn`, `SourceAccount` or `PrincipalOrgID`. Function URL permissions are left to
ESM405: a `*` principal with `FunctionUrlAuthType`, or `lambda:InvokeFunction` with
`InvokedViaFunctionUrl: true`, is how a public Function URL is opened.

## Why is this bad?
Anyone on the internet who knows or guesses the function ARN can invoke it, with any
payload, as often as they like: at your cost, with your function's permissions. There is
no legitimate case for a bare `*` principal; services have their own principals, other
accounts their account IDs.

## Example
```yaml
OpenInvoke:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !Ref Worker
    Action: lambda:InvokeFunction
    Principal: "*"
```

## Fix
Name the principal that calls the function: a service principal with `SourceArn`
(`events.amazonaws.com`...), an account ID, or `*` with `PrincipalOrgID` for the accounts
of your organization. For a public HTTPS endpoint use a Function URL with
`FunctionUrlAuthType`.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
- https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections C.

from esmlint.rule import Severity, report

ID = "ESM403"
NAME = "permission-wildcard-principal"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("security", "permissions")
#: SARIF security-severity (0-10, as CVSS), high: anyone, in any account, can invoke the function.
SECURITY_SEVERITY = "8.2"


def check(model, options):
    for perm in model.permissions:
        if perm.origin:
            continue  # SAM's own (Function URL) permissions
        principal = perm.principal
        if not (principal.known and isinstance(principal.value, str)
                and principal.value.strip() == "*"):
            continue
        if not perm.url_auth_type.absent or not perm.invoked_via_url.absent:
            continue  # a Function URL permission: ESM405's
        if not (perm.source_arn.absent and perm.source_account.absent
                and perm.principal_org_id.absent):
            continue
        action = perm.action.text() if perm.action.known else "an action esmlint cannot read"
        target = perm.resolved.id if perm.resolved is not None else perm.function.text()
        yield report(
            perm.loc,
            f"permission {perm.id} grants {action} on function {target} to Principal '*' "
            f"with no SourceArn, SourceAccount or PrincipalOrgID: anyone who knows the ARN "
            f"can invoke it. Name the service or account that calls it instead.",
            resource=perm.id,
            function=perm.resolved.id if perm.resolved is not None else "",
            key=perm.id,
        )
