"""StartingPosition is missing, not allowed, or incomplete for the source.

## What it does
Checks `StartingPosition` (and `StartingPositionTimestamp`) against the mapping's source:

| source | reported |
|---|---|
| Kinesis, DynamoDB Streams, Amazon MSK, self-managed Kafka | `StartingPosition` missing |
| SQS, Amazon MQ | `StartingPosition` set |
| DynamoDB Streams | `StartingPosition: AT_TIMESTAMP` (only `TRIM_HORIZON` or `LATEST`) |
| any | `AT_TIMESTAMP` without `StartingPositionTimestamp` |

The source type comes from the SAM event type, the resource the ARN refers to, or the
ARN itself. Each branch of an `Fn::If` is checked, and the finding names the condition.

## Why is this bad?
`StartingPosition` is "required for Amazon Kinesis and Amazon DynamoDB Stream event
sources" (and SAM requires it for Kinesis, DynamoDB and MSK events); for SQS Lambda
answers *"StartingPosition is not valid for SQS event sources"*. "AT_TIMESTAMP is
supported only for Amazon Kinesis streams, Amazon DocumentDB, Amazon MSK, and
self-managed Apache Kafka", and it needs the timestamp to start from. Each of these
makes the deploy fail. (cfn-lint E3633/E3634 cover parts of this for plain
CloudFormation.)

## Example
```yaml
Mapping:
  Type: AWS::Lambda::EventSourceMapping
  Properties:
    FunctionName: !Ref Worker
    EventSourceArn: !GetAtt Queue.Arn
    StartingPosition: LATEST          # not valid for SQS
```

## Fix
Add `StartingPosition: TRIM_HORIZON` (or `LATEST`) to stream and Kafka mappings; remove
it from SQS and Amazon MQ mappings; use `TRIM_HORIZON` or `LATEST` for DynamoDB; give
`StartingPositionTimestamp` (Unix seconds) with `AT_TIMESTAMP`.

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#lambda-CreateEventSourceMapping-request-StartingPosition
- https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.0, A.3.

from esmlint.model import KIND_LABELS
from esmlint.rule import Severity, conditions, report, source_label, where
from esmlint.values import branches

ID = "ESM106"
NAME = "starting-position"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "event-source-mapping")

REQUIRED = ("kinesis", "dynamodb", "dynamodb-table", "msk", "kafka")
FORBIDDEN = ("sqs", "mq")
REJECTED = {
    "sqs": "Lambda rejects the mapping (\"StartingPosition is not valid for SQS event "
           "sources\") and the deploy fails",
    "mq": "Lambda does not take a starting position for Amazon MQ brokers",
}


def check(model, options):
    for fn, source in model.poll_sources():
        kind = source.kind
        if kind not in REQUIRED and kind not in FORBIDDEN and kind != "documentdb":
            continue
        label = KIND_LABELS[kind]
        where_text = f"{source_label(source)} of function {fn.id}"
        for when, position in branches(source.setting("StartingPosition")):
            if position.absent:
                if kind in REQUIRED:
                    yield report(
                        source.loc,
                        f"{where_text} reads from {label} but sets no StartingPosition"
                        f"{conditions(when)}: it is required for this source and the deploy "
                        f"fails. Add StartingPosition: TRIM_HORIZON (from the oldest record) or "
                        f"LATEST.",
                        resource=where(source),
                        function=fn.id,
                        key=f"{fn.id}:{source.id}:missing",
                    )
                continue
            if kind in FORBIDDEN:
                yield report(
                    position.loc or source.loc,
                    f"{where_text} sets StartingPosition {position.text()}"
                    f"{conditions(when)}, but its source is {label}, which has no stream position: "
                    f"{REJECTED[kind]}. Remove StartingPosition.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}:forbidden",
                )
                continue
            if not (position.known and position.value == "AT_TIMESTAMP"):
                continue
            if kind in ("dynamodb", "dynamodb-table"):
                yield report(
                    position.loc or source.loc,
                    f"{where_text} sets StartingPosition AT_TIMESTAMP{conditions(when)} on a "
                    f"DynamoDB stream, which only supports TRIM_HORIZON and LATEST: the deploy "
                    f"fails. Use TRIM_HORIZON or LATEST.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}:dynamodb-timestamp",
                )
                continue
            for stamp_when, stamp in branches(source.setting("StartingPositionTimestamp")):
                if not stamp.absent:
                    continue
                yield report(
                    position.loc or source.loc,
                    f"{where_text} sets StartingPosition AT_TIMESTAMP without "
                    f"StartingPositionTimestamp{conditions(when, stamp_when)}: Lambda has no "
                    f"time to start reading from and the deploy fails. Add "
                    f"StartingPositionTimestamp (Unix time in seconds, not in the future).",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}:timestamp",
                )
