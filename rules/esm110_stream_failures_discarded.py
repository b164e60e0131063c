"""A stream mapping discards failed records without an on-failure destination.

## What it does
Reports Kinesis, DynamoDB Streams, Amazon MSK and self-managed Kafka mappings that bound
retries (`MaximumRetryAttempts` ≥ 0) or record age (`MaximumRecordAgeInSeconds` ≠ −1)
but have no `DestinationConfig.OnFailure`.

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
    for fn, source in model.poll_sources(STREAM_KINDS):
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
