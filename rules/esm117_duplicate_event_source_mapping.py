"""Two event source mappings join the same source to the same function.

## What it does
Reports a mapping that repeats an earlier one: same SQS queue, Kinesis stream (or
consumer) or DynamoDB stream, same function, same qualifier (alias or version). It
compares SAM events and `AWS::Lambda::EventSourceMapping` resources alike, and sources
written either way (`!GetAtt Queue.Arn` and an `Fn::Sub`'ed ARN of the same queue are the
same source). Mappings under different resource `Condition`s are not compared, since
they may never exist together; a mapping without a condition is compared with all.
Terraform mappings whose `count` / `for_each` cannot be evaluated are not compared.
Amazon MSK, self-managed Kafka, Amazon MQ and DocumentDB mappings are not checked: one
cluster or broker can feed the same function through several topics, queues or
collections. A function the template does not define is compared by its name as written
(`FunctionName: my-function` twice is one function; `my-function` and its ARN are not
compared).

## Why is this bad?
Lambda keeps one mapping per event source and function: creating the second fails with
a `ResourceConflictException` ("provided mapping already exists"), and the deploy fails.
It happens when an SQS event on a SAM function is also written out as an explicit
mapping, or when two events of one function name the same queue.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Jobs:
        Type: SQS
        Properties: {Queue: !GetAtt Queue.Arn}
Mapping:                                   # the same queue and function again
  Type: AWS::Lambda::EventSourceMapping
  Properties:
    FunctionName: !Ref Worker
    EventSourceArn: !GetAtt Queue.Arn
```

## Fix
Keep one of the two mappings, with the settings of both merged into it.

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#API_CreateEventSourceMapping_Errors
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.0, F.1.

from esmlint.rule import Severity, report, source_label, where
from esmlint.values import Sym

ID = "ESM117"
NAME = "duplicate-event-source-mapping"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "event-source-mapping")

KINDS = ("sqs", "kinesis", "dynamodb")


def source_key(source) -> str | None:
    """The source's ARN as the model spells it, or None when it is not known."""
    arn = source.arn
    if not arn.known or not isinstance(arn.value, (str, Sym)):
        return None
    return str(arn.value)


def check(model, options):
    seen: dict[tuple, list] = {}
    for fn, source in model.poll_sources(KINDS):
        key = source_key(source)
        if key is None or source.qualifier == "?" or source.extra.get("conditional"):
            continue  # unknown, or a Terraform count / for_each that was not evaluated
        # By the function itself, not its id: an external function is named as written,
        # which may spell the logical ID of another function by chance.
        seen.setdefault((id(fn), source.qualifier, key), []).append(source)
    for (_, qualifier, _), sources in seen.items():
        fid = sources[0].function.id
        for index, later in enumerate(sources[1:], start=1):
            mine = later.extra.get("condition", "")
            for earlier in sources[:index]:
                theirs = earlier.extra.get("condition", "")
                if mine and theirs and mine != theirs:
                    continue
                condition = mine or theirs
                when = f" when condition {condition} is true" if condition else ""
                resource = later.resource or earlier.resource
                named = resource.id if resource is not None else later.arn.text()
                target = f"function {fid}" + (f" (qualifier {qualifier})" if qualifier else "")
                yield report(
                    later.loc,
                    f"{source_label(later)} maps the same source as {source_label(earlier)} "
                    f"({named}) to {target}{when}: Lambda allows one mapping per source and "
                    f"function, so creating the second fails (ResourceConflictException) and "
                    f"the deploy fails. Keep one mapping and merge the settings into it.",
                    resource=where(later),
                    function=fid,
                    key=f"{fid}:{later.id}",
                )
                break
