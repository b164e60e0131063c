"""The function can write to the resource that triggers it: a recursive loop.

## What it does
For every trigger of a function, asks whether the function's execution role allows it to
write to that same resource:

| trigger | write checked |
|---|---|
| S3 notification (bucket `NotificationConfiguration`, SAM `S3` event, CDK) | `s3:PutObject` on the bucket's objects |
| SNS subscription (also SAM `SNS` with `SqsSubscription`) | `sns:Publish` on the topic |
| SQS event source mapping | `sqs:SendMessage` on the queue |
| Kinesis event source mapping | `kinesis:PutRecord` / `kinesis:PutRecords` on the stream |
| DynamoDB stream event source mapping | `dynamodb:PutItem` / `UpdateItem` / `BatchWriteItem` on the table |

It stays silent where filters make a loop unlikely: an S3 notification with a prefix or
suffix filter (unless the role can write only where the filter matches), an SNS
subscription with a `FilterPolicy`, a mapping with `FilterCriteria`. It fires only when
the role certainly allows the write (a `Resource: "*"` grant counts), never when it
cannot tell.

It also reports `RecursiveLoop: Allow`, which turns off Lambda's own loop detection.

## Why is this bad?
Each write triggers the function again, which writes again: the loop runs until
something fails, and every iteration is billed. Lambda stops loops through SQS, SNS and
S3 after about 16 iterations (unless `RecursiveLoop` is `Allow`), but not loops through
DynamoDB or Kinesis, which run on as long as the function writes.

## Example
```yaml
Thumbnailer:
  Type: AWS::Serverless::Function
  Properties:
    Policies:
      - S3CrudPolicy: {BucketName: !Ref PhotoBucketName}
    Events:
      Upload:
        Type: S3
        Properties:
          Bucket: !Ref Photos           # every object, thumbnails included
          Events: s3:ObjectCreated:*
```

## Fix
Write the results to another bucket, queue, topic, stream or table. Where that is not
possible, separate input and output: an S3 prefix or suffix filter the outputs do not
match, an SNS `FilterPolicy` or mapping `FilterCriteria` that the function's own messages
do not pass, and make sure the code never writes what would trigger it again. Leave
`RecursiveLoop` at `Terminate`.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html
- https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html
- https://aws.amazon.com/about-aws/whats-new/2024/10/aws-lambda-detects-stops-recursive-loops-lambda-s3/
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections E.

from esmlint.iam import Tri, allows
from esmlint.rule import Severity, report, where
from esmlint.values import Sym, Token

ID = "ESM601"
NAME = "recursive-invocation-loop"
SEVERITY = Severity.WARNING
PRECISION = "medium"
TAGS = ("reliability", "cost", "recursion")

KEY = Token("opaque", "object key")
DETECTED = ("s3", "sns", "sqs")


def _yes(role, actions, resource):
    """The first action the role certainly allows on ``resource``, with the reason."""
    for action in actions:
        answer = allows(role, action, resource)
        if answer.value is Tri.YES:
            granted = answer.reason.partition(" is allowed by ")[2] or answer.reason
            return action, f"{action} is allowed by {granted}"
    return None


def _text(value):
    if value is None or not value.known or not isinstance(value.value, str):
        return None
    return value.value


def s3_write(role, bucket, source):
    """(action, reason) when the role certainly writes objects this notification sees."""
    prefix, suffix = source.extra.get("prefix"), source.extra.get("suffix")
    if prefix is None or suffix is None:
        return None
    if prefix.absent and suffix.absent:
        return _yes(role, ("s3:PutObject",), Sym.of(bucket.arn, "/", KEY))
    p, s = _text(prefix) if not prefix.absent else "", _text(suffix) if not suffix.absent else ""
    if p is None or s is None:
        return None
    # Filtered: a loop only when every key the role may write matches the filter.
    found = _yes(role, ("s3:PutObject",), Sym.of(bucket.arn, "/", p, KEY, s))
    if found is None:
        return None
    outside = []
    if p:
        outside.append(Sym.of(bucket.arn, "/esmlint-outside-prefix/", KEY, s))
    if s:
        outside.append(Sym.of(bucket.arn, "/", p, KEY, ".esmlint-other-suffix"))
    for key in outside:
        if allows(role, "s3:PutObject", key).value is not Tri.NO:
            return None
    return found


def loops(model, fn, source):
    """(resource label, action, reason) when the role can write to the source."""
    role = fn.role
    kind = source.kind
    if kind == "s3" and source.mode == "async":
        bucket = model.resources.get(source.invoker)
        if bucket is None or bucket.kind != "s3" or bucket.arn is None:
            return None
        found = s3_write(role, bucket, source)
        return (f"S3 bucket {bucket.id}", *found) if found else None
    if source.extra.get("filtered") or not source.setting("FilterCriteria").absent:
        return None
    if kind == "sns" or source.extra.get("sqs_subscription"):
        topic = model.resources.get(source.invoker)
        if topic is not None and topic.kind == "sns" and topic.arn is not None:
            found = _yes(role, ("sns:Publish",), topic.arn)
            if found:
                return (f"SNS topic {topic.id}", *found)
    if source.mode != "poll" or source.resource is None or source.resource.arn is None:
        return None
    res = source.resource
    if kind == "sqs" and res.kind == "sqs":
        found = _yes(role, ("sqs:SendMessage",), res.arn)
        label = "SQS queue"
    elif kind == "kinesis" and res.kind == "kinesis":
        found = _yes(role, ("kinesis:PutRecord", "kinesis:PutRecords"), res.arn)
        label = "Kinesis stream"
    elif kind == "dynamodb" and res.kind == "dynamodb":
        found = _yes(role, ("dynamodb:PutItem", "dynamodb:UpdateItem",
                            "dynamodb:BatchWriteItem"), res.arn)
        label = "DynamoDB table"
    else:
        return None
    if res.origin:
        label = f"{label} {res.id} (created by SAM)"
    else:
        label = f"{label} {res.id}"
    return (label, *found) if found else None


def check(model, options):
    for fn in model.functions:
        loop = fn.recursive_loop
        allow = loop.known and str(loop.value).lower() == "allow" and not loop.is_default
        found_any = False
        if fn.role is not None:
            for source in fn.sources:
                found = loops(model, fn, source)
                if not found:
                    continue
                found_any = True
                label, action, reason = found
                detected = source.kind in DETECTED or source.extra.get("sqs_subscription")
                if allow:
                    stop = "and RecursiveLoop: Allow keeps Lambda from stopping the loop"
                elif detected:
                    stop = "Lambda stops such a loop only after about 16 invocations"
                else:
                    stop = "Lambda does not detect loops through this service"
                yield report(
                    source.loc,
                    f"function {fn.id} is triggered by {label} and its role "
                    f"{fn.role.id} may write to it ({reason}): anything it writes there "
                    f"triggers it again, a recursive loop ({stop}). Write to another "
                    f"resource, or filter the trigger so the function's own writes do not "
                    f"match.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.kind}:{label.split()[-1]}",
                )
        if allow and not found_any:
            yield report(
                loop.loc or fn.loc,
                f"function {fn.id} sets RecursiveLoop: Allow: Lambda will not stop a "
                f"recursive loop through SQS, SNS or S3, which then runs, billed, until "
                f"something breaks it. Leave RecursiveLoop at Terminate unless the loop is "
                f"intended and bounded in code.",
                resource=fn.id,
                function=fn.id,
                key=f"{fn.id}:RecursiveLoop",
            )
