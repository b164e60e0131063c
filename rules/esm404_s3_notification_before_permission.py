"""An S3 bucket notification can be created before the Lambda permission it needs.

## What it does
For every S3 notification to a function written in the template (a bucket's
`NotificationConfiguration.LambdaConfigurations`, or the `Custom::S3BucketNotifications`
resource CDK writes), finds the `AWS::Lambda::Permission` that lets `s3.amazonaws.com`
invoke that function and checks that the resource carrying the notification depends on
it: through `DependsOn`, or through a reference, directly or via other resources.

A permission that is missing altogether is ESM401's to report. SAM `S3` events are never
reported: SAM adds the `DependsOn` itself, nor are functions the template does not
define (a permission may exist where they are).

## Why is this bad?
S3 checks that it may invoke the function when the notification configuration is set.
CloudFormation creates resources that do not depend on each other in parallel, so the
bucket can be configured before the permission exists, and the deploy fails with
*"Unable to validate the following destination configurations"*, sometimes, depending on
timing. When the permission's `SourceArn` refers to the bucket (`!GetAtt Bucket.Arn`),
the permission depends on the bucket and the deploy fails every time; adding
`DependsOn` then makes a circular dependency.

## Example
```yaml
Bucket:
  Type: AWS::S3::Bucket
  Properties:
    NotificationConfiguration:
      LambdaConfigurations:
        - Event: s3:ObjectCreated:*
          Function: !GetAtt Thumbnailer.Arn
InvokeFromS3:
  Type: AWS::Lambda::Permission
  Properties:
    FunctionName: !Ref Thumbnailer
    Action: lambda:InvokeFunction
    Principal: s3.amazonaws.com
    SourceAccount: !Ref AWS::AccountId
    SourceArn: !GetAtt Bucket.Arn        # the permission waits for the bucket
```

## Fix
Add `DependsOn: <permission>` to the bucket. Build the permission's `SourceArn` from the
bucket's name, not from the bucket resource (`!Sub arn:${AWS::Partition}:s3:::${BucketName}`
with the name as a parameter), or scope it with `SourceAccount` alone.

## References
- https://repost.aws/knowledge-center/unable-validate-destination-s3
- https://repost.aws/knowledge-center/unable-validate-circular-dependency-cloudformation
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections C.

from esmlint.rule import Severity, report, where
from esmlint.rules.esm401_missing_invoke_permission import checked, function_label, matching

ID = "ESM404"
NAME = "s3-notification-before-permission"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "permissions", "s3")


def closure(depends: dict[str, set[str]], start: str) -> set[str]:
    """Every resource ``start`` depends on, directly or not."""
    seen: set[str] = set()
    stack = [start]
    while stack:
        for dep in depends.get(stack.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                stack.append(dep)
    return seen


def check(model, options):
    for fn, source in model.sources(kinds=("s3",)):
        if fn.external:
            continue  # a permission may exist where the function is defined
        if not checked(source):
            continue
        notification = source.id
        if notification not in model.depends:
            continue
        sure, maybe = matching(model, source, "s3.amazonaws.com")
        if not sure:
            continue  # no permission at all (ESM401), or none esmlint can be sure of
        before = closure(model.depends, notification)
        if any(perm.id in before for perm in sure + maybe):
            continue
        perm = sure[0]
        bucket = source.invoker or notification
        carrier = (f"{notification} (the notification of bucket {bucket})"
                   if notification != bucket else f"bucket {bucket}")
        if notification in closure(model.depends, perm.id):
            why = (f"{perm.id} refers to {notification} (its SourceArn or another "
                   f"reference), so CloudFormation always creates {carrier} first and the "
                   f"deploy fails with 'Unable to validate the following destination "
                   f"configurations'. Build the SourceArn from the bucket name (or keep only "
                   f"SourceAccount) and add DependsOn: {perm.id} to {notification}.")
        else:
            why = (f"{carrier} does not depend on {perm.id}, so CloudFormation may set the "
                   f"notification before the permission exists and the deploy fails with "
                   f"'Unable to validate the following destination configurations'. Add "
                   f"DependsOn: {perm.id} to {notification}.")
        yield report(
            source.loc,
            f"S3 notification to function {function_label(source)}: {why}",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{notification}:{perm.id}",
        )
