"""An SQS mapping sets BatchSize above 10 without a batching window.

## What it does
Reports SQS mappings (standard queues, or queues whose type the template does not show)
whose `BatchSize` is above 10 while `MaximumBatchingWindowInSeconds` is absent or 0.
FIFO queues are left to ESM104: their batches hold at most 10 records and they take no
batching window. An SNS event's `SqsSubscription` with a `BatchSize` above 10 is reported
too (it cannot set a window). Each branch of an `Fn::If` is checked, and the finding
names the condition.

Kinesis and DynamoDB Streams mappings are **not** reported (see "What was verified").

## Why is this bad?
For SQS, Lambda refuses the mapping (*"Maximum batch window in seconds must be greater
than 0 if maximum batch size is greater than 10"*) and the deploy fails.

## What was verified (streams)
The Lambda API reference says of `MaximumBatchingWindowInSeconds`: *"For streams and
Amazon SQS event sources, when you set BatchSize to a value greater than 10, you must
set MaximumBatchingWindowInSeconds to at least 1."* But the Lambda Developer Guide's
parameter tables for Kinesis and DynamoDB Streams give `BatchSize` a default of **100**
and `MaximumBatchingWindowInSeconds` a default of **0**: Lambda's own default mapping for
a stream has more than 10 records and no window, and it is created. No AWS page documents
an error for a stream mapping without a window, only for SQS (the message above). So the
sentence holds, as a rule Lambda enforces, for SQS only; on streams a large batch without
a window is accepted and is not a defect (Lambda invokes as soon as records are
available). Earlier versions of this rule warned on streams above 100 records with a
message that contradicted these defaults; the rule catalogue's wording ("error (SQS) /
warning (Kinesis, DynamoDB)") is superseded by this page: the rule is SQS only.

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

`esmlint check --fix` sets `MaximumBatchingWindowInSeconds: 1` on the mapping (safe): it
adds the property, or replaces a literal 0. It makes none for an `SqsSubscription`, for a
window or batch size chosen by `Fn::If` or taken from a parameter or variable default; the
finding then says why. (Were the queue FIFO after all, which the template does not show,
the deploy would still fail: a FIFO queue takes at most 10 and no window.)

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#lambda-CreateEventSourceMapping-request-MaximumBatchingWindowInSeconds
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
- https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html (stream defaults: BatchSize 100, MaximumBatchingWindowInSeconds 0)
- https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html (the same defaults for DynamoDB Streams)
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.2.

from esmlint import fixes
from esmlint.rule import Severity, conditions, fifo_queue, report, source_label, where
from esmlint.values import branches

ID = "ESM103"
NAME = "batching-window-required"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "event-source-mapping")
FIX = "safe"

#: The largest SQS BatchSize Lambda accepts without a batching window.
LIMIT = 10


def window_seconds(value):
    """The batching window in seconds (0 when absent), None when it cannot be seen."""
    return 0 if value.absent else value.int()


def check(model, options):
    for fn, source in model.poll_sources(("sqs",)):
        fifo = fifo_queue(source)
        if fifo:
            continue  # ESM104: a FIFO queue takes at most 10 and no window
        for batch_label, batch in branches(source.setting("BatchSize")):
            size = batch.int()
            if size is None or size <= LIMIT:
                continue
            for window_label, window in branches(source.setting(
                    "MaximumBatchingWindowInSeconds")):
                seconds = window_seconds(window)
                if seconds is None or seconds >= 1:
                    continue
                written = "MaximumBatchingWindowInSeconds 0" if not window.absent else \
                    "no MaximumBatchingWindowInSeconds"
                when = conditions(batch_label, window_label)
                automatic = window_fix(source, window, when)
                if source.extra.get("sqs_subscription"):
                    fix = ("an SqsSubscription cannot set a batching window: lower its "
                           "BatchSize to 10, or subscribe your own queue and read it with an "
                           "SQS event that sets MaximumBatchingWindowInSeconds")
                    automatic = "an SqsSubscription cannot set a batching window"
                else:
                    fix = ("set MaximumBatchingWindowInSeconds to at least 1, or lower "
                           "BatchSize to 10")
                    if fifo is None:
                        fix += " (the only fix if the queue is FIFO)"
                effect = ("Lambda rejects the mapping (\"Maximum batch window in seconds "
                          "must be greater than 0 if maximum batch size is greater than "
                          "10\") and the deploy fails")
                yield report(
                    batch.loc or source.loc,
                    f"{source_label(source)} of function {fn.id} sets BatchSize {size} with "
                    f"{written}{when}: {effect}. Fix: {fix}.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}",
                    fix=automatic,
                )


def window_fix(source, window, when):
    """MaximumBatchingWindowInSeconds: 1 on the mapping."""
    if when:
        return f"the values compared are chosen by Fn::If{when}"
    return fixes.safe(
        f"set MaximumBatchingWindowInSeconds of {source_label(source)} to 1",
        fixes.set_property(source.loc, "MaximumBatchingWindowInSeconds", window, 1))
