"""A stream mapping discards failed records without an on-failure destination.

## What it does
Reports Kinesis, DynamoDB Streams, Amazon MSK and self-managed Kafka mappings that bound
retries (`MaximumRetryAttempts` ≥ 0) or record age (`MaximumRecordAgeInSeconds` ≠ −1)
but have no `DestinationConfig.OnFailure`.

EventBridge pipes reading a Kinesis or DynamoDB stream (with a Lambda enrichment or
target) are reported the same way when they bound retries or record age in their source
parameters but have no `DeadLetterConfig`.

## Why is this bad?
When the retries or the age run out, "Lambda discards the records and continues
processing". Without an on-failure destination nothing records what was dropped.

## Example
```yaml
Type: AWS::Lambda::EventSourceMapping
Properties:
  EventSourceArn: !GetAtt Table.StreamArn
  StartingPosition: LATEST
  MaximumRetryAttempts: 2
```

## Fix
Add `DestinationConfig: {OnFailure: {Destination: <queue, topic or bucket ARN>}}` and give
the execution role permission to send to it (ESM203).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors
- https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceKinesisStreamParameters.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.4.

from esmlint.model import STREAM_KINDS
from esmlint.rule import Severity, report, source_label, where

ID = "ESM110"
NAME = "stream-failures-discarded"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "streams")


def check(model, options):
    for fn, source in model.pollers(STREAM_KINDS):
        pipe = source.extra.get("pipe")
        if pipe and source.kind not in ("kinesis", "dynamodb"):
            continue  # MSK pipes have no retry settings
        retries = source.setting("MaximumRetryAttempts")
        age = source.setting("MaximumRecordAgeInSeconds")
        bounded = []
        if retries.int() is not None and retries.int() >= 0:
            bounded.append(f"MaximumRetryAttempts {retries.int()}")
        if age.int() is not None and age.int() != -1:
            bounded.append(f"MaximumRecordAgeInSeconds {age.int()}")
        if not bounded:
            continue
        if not source.setting("DestinationConfig.OnFailure").absent:
            continue  # set, or hidden behind a condition
        if pipe:
            invokes = ", ".join(source.extra.get("functions") or [fn.id])
            yield report(
                source.loc,
                f"pipe {pipe} (which invokes {invokes}) sets {' and '.join(bounded)} but "
                f"has no DeadLetterConfig: records that exhaust them are discarded without "
                f"a trace. Add a DeadLetterConfig (an SQS queue or SNS topic) to the pipe's "
                f"source parameters and allow the pipe's role to send to it.",
                resource=pipe,
                function=fn.id,
                key=f"{pipe}:{source.kind}",
            )
            continue
        yield report(
            source.loc,
            f"{source_label(source)} of function {fn.id} sets {' and '.join(bounded)} but has "
            f"no DestinationConfig.OnFailure: records that exhaust them are discarded "
            f"without a trace. Add an OnFailure destination (SQS queue, SNS topic or S3 "
            f"bucket) and allow the role to send to it.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.id}",
        )
