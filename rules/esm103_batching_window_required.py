"""BatchSize above 10 without a batching window.

## What it does
Reports SQS, Kinesis and DynamoDB Streams mappings whose `BatchSize` is above 10 while
`MaximumBatchingWindowInSeconds` is absent or 0:

| source | reported when BatchSize is | severity |
|---|---|---|
| SQS standard queue (or a queue whose type the template does not show) | above 10 | error |
| Kinesis, DynamoDB Streams | above 100 | warning |

FIFO queues are left to ESM104: their batches hold at most 10 records and they take no
batching window. For Kinesis and DynamoDB the requirement appears only in the Lambda API
reference, and Lambda's own default for these sources is 100 records without a window,
so only a `BatchSize` above that default is reported, as a warning. Each branch of an
`Fn::If` is checked, and the finding names the condition.

## Why is this bad?
"For Kinesis, DynamoDB, and Amazon SQS event sources, when you set BatchSize to a value
greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1." For SQS
Lambda refuses the mapping (*"Maximum batch window in seconds must be greater than 0 if
maximum batch size is greater than 10"*) and the deploy fails.

## Example
```yaml
Events:
  Jobs:
    Type: SQS
    Properties:
      Queue: !GetAtt Queue.Arn
      BatchSize: 100          # no MaximumBatchingWindowInSeconds
```

## Fix
Set `MaximumBatchingWindowInSeconds` to at least 1, or lower `BatchSize` to 10. An SNS
event's `SqsSubscription` cannot set a batching window: keep its `BatchSize` at 10, or
subscribe your own queue and read it with an SQS event.

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#lambda-CreateEventSourceMapping-request-MaximumBatchingWindowInSeconds
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.2.

from esmlint.model import KIND_LABELS
from esmlint.rule import Severity, conditions, fifo_queue, report, source_label, where
from esmlint.values import branches

ID = "ESM103"
NAME = "batching-window-required"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "event-source-mapping")

#: Source kind -> (largest BatchSize reported nothing for, severity).
LIMITS = {"sqs": (10, Severity.ERROR), "kinesis": (100, Severity.WARNING),
          "dynamodb": (100, Severity.WARNING)}


def window_seconds(value):
    """The batching window in seconds (0 when absent), None when it cannot be seen."""
    return 0 if value.absent else value.int()


def check(model, options):
    for fn, source in model.poll_sources(tuple(LIMITS)):
        fifo = fifo_queue(source) if source.kind == "sqs" else False
        if fifo:
            continue  # ESM104: a FIFO queue takes at most 10 and no window
        threshold, severity = LIMITS[source.kind]
        for batch_label, batch in branches(source.setting("BatchSize")):
            size = batch.int()
            if size is None or size <= threshold:
                continue
            for window_label, window in branches(source.setting(
                    "MaximumBatchingWindowInSeconds")):
                seconds = window_seconds(window)
                if seconds is None or seconds >= 1:
                    continue
                written = "MaximumBatchingWindowInSeconds 0" if not window.absent else \
                    "no MaximumBatchingWindowInSeconds"
                when = conditions(batch_label, window_label)
                if source.extra.get("sqs_subscription"):
                    fix = ("an SqsSubscription cannot set a batching window: lower its "
                           "BatchSize to 10, or subscribe your own queue and read it with an "
                           "SQS event that sets MaximumBatchingWindowInSeconds")
                elif source.kind == "sqs":
                    fix = ("set MaximumBatchingWindowInSeconds to at least 1, or lower "
                           "BatchSize to 10")
                    if fifo is None:
                        fix += " (the only fix if the queue is FIFO)"
                else:
                    fix = ("set MaximumBatchingWindowInSeconds to at least 1, or lower "
                           f"BatchSize to {threshold} (the {KIND_LABELS[source.kind]} default)")
                if source.kind == "sqs":
                    effect = ("Lambda rejects the mapping (\"Maximum batch window in seconds "
                              "must be greater than 0 if maximum batch size is greater than "
                              "10\") and the deploy fails")
                else:
                    effect = ("the Lambda API reference requires a batching window of at least "
                              "1 s for Kinesis and DynamoDB batches above 10 records")
                yield report(
                    batch.loc or source.loc,
                    f"{source_label(source)} of function {fn.id} sets BatchSize {size} with "
                    f"{written}{when}: {effect}. Fix: {fix}.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}",
                    severity=None if severity is SEVERITY else severity,
                )
