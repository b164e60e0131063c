"""A stream mapping retries a failing record until it expires, blocking its shard.

## What it does
Reports Kinesis, DynamoDB Streams, Amazon MSK and self-managed Kafka mappings that keep
both defaults: `MaximumRetryAttempts` −1 (retry forever) and `MaximumRecordAgeInSeconds`
−1 (never discard).

When the mapping already has a `DestinationConfig.OnFailure`, the message says so: that
destination is never reached, because with infinite retries no record is ever given up
on; the fix is then only to bound the retries or the record age.

EventBridge pipes reading a Kinesis or DynamoDB stream (with a Lambda enrichment or
target) have the same two settings in their source parameters, with the same −1
defaults, and are reported the same way; their failed records go to the pipe's
`DeadLetterConfig`.

## Why is this bad?
Records of a shard are processed in order. With the defaults, a record that always makes
the function fail is retried until it expires from the stream — up to a day for DynamoDB
Streams, the retention period (24 h to 365 days) for Kinesis — and nothing behind it in
that shard is processed meanwhile.

## Example
```yaml
Events:
  Orders:
    Type: Kinesis
    Properties:
      Stream: !GetAtt Stream.Arn
      StartingPosition: TRIM_HORIZON
```

## Fix
Bound the retries (`MaximumRetryAttempts`, for example 3) or the record age
(`MaximumRecordAgeInSeconds`), turn on `BisectBatchOnFunctionError`, and send failed
records to an `OnFailure` destination (see ESM110).

Where the mapping already has an `OnFailure` destination, `esmlint check --fix
--unsafe-fixes` sets `MaximumRetryAttempts: 3` and, on Kinesis and DynamoDB Streams
mappings that do not set it, `BisectBatchOnFunctionError: true` (an explicit `false` is
kept). The fix is **unsafe**: after three failed retries records leave the stream for the
destination, which the function may not expect. Without a destination there is no
automatic fix: where failed records should go is yours to choose.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors
- https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
- https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceKinesisStreamParameters.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.4.

from esmlint import fixes
from esmlint.model import STREAM_KINDS
from esmlint.rule import Severity, report, source_label, where

ID = "ESM109"
NAME = "stream-poison-record-blocks-shard"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "streams")
FIX = "unsafe"
#: What the fix sets MaximumRetryAttempts to.
RETRIES = 3

LABELS = {"kinesis": "Kinesis", "dynamodb": "DynamoDB stream", "msk": "Amazon MSK",
          "kafka": "self-managed Kafka"}


#: Pipe sources whose parameters bound retries and record age (Kinesis, DynamoDB).
PIPE_STREAMS = ("kinesis", "dynamodb")
PIPE_LABELS = {"kinesis": "a Kinesis stream", "dynamodb": "a DynamoDB stream"}


def pipe_finding(fn, source, pipe):
    """The finding for a pipe: its settings live in the pipe's source parameters."""
    if source.setting("DestinationConfig.OnFailure").absent:
        fix = ("Set MaximumRetryAttempts (for example 3) or MaximumRecordAgeInSeconds in "
               "the pipe's source parameters, with OnPartialBatchItemFailure: "
               "AUTOMATIC_BISECT and a DeadLetterConfig.")
    else:
        fix = ("Its DeadLetterConfig is never reached: with infinite retries no record is "
               "ever given up on. Set MaximumRetryAttempts (for example 3) or "
               "MaximumRecordAgeInSeconds in the pipe's source parameters.")
    invokes = ", ".join(source.extra.get("functions") or [fn.id])
    res = source.resource
    read = (f"the stream of DynamoDB table {res.id}" if source.kind == "dynamodb" else
            f"Kinesis stream {res.id}") if res is not None else PIPE_LABELS[source.kind]
    return report(
        source.loc,
        f"pipe {pipe} reads {read} (and invokes {invokes}) with "
        f"MaximumRetryAttempts -1 and MaximumRecordAgeInSeconds -1 (the defaults: retry "
        f"until the record expires): one record that keeps failing blocks its shard. "
        f"{fix}",
        resource=pipe,
        function=fn.id,
        key=f"{pipe}:{source.kind}",
    )


def describe(source) -> str:
    label = source_label(source)
    return label if source.sam_event else f"{LABELS[source.kind]} {label}"


def unbounded(value) -> bool | None:
    """True when the setting keeps its −1 default, None when it cannot be seen."""
    if value.absent:
        return True
    number = value.int()
    if number is None:
        return None
    return number == -1


def check(model, options):
    for fn, source in model.pollers(STREAM_KINDS):
        pipe = source.extra.get("pipe")
        if pipe and (source.kind not in PIPE_STREAMS or source.extra.get("settings_unknown")):
            continue  # MSK pipes have no retry settings; unreadable parameters are not judged
        retries = unbounded(source.setting("MaximumRetryAttempts"))
        age = unbounded(source.setting("MaximumRecordAgeInSeconds"))
        if not (retries and age):
            continue
        if pipe:
            yield pipe_finding(fn, source, pipe)
            continue
        automatic = bound_retries(source)
        if source.setting("DestinationConfig.OnFailure").absent:
            fix = ("Set MaximumRetryAttempts (for example 3) or MaximumRecordAgeInSeconds, "
                   "with BisectBatchOnFunctionError and an OnFailure destination.")
            automatic = ("the mapping has no OnFailure destination: where failed records "
                         "should go is yours to choose")
        else:
            fix = ("Its OnFailure destination is never reached: with infinite retries no "
                   "record is ever given up on and sent there. Set MaximumRetryAttempts (for "
                   "example 3) or MaximumRecordAgeInSeconds so that failed records reach it, "
                   "and consider BisectBatchOnFunctionError.")
        yield report(
            source.loc,
            f"{describe(source)} of function {fn.id} keeps "
            f"MaximumRetryAttempts -1 and MaximumRecordAgeInSeconds -1 (retry until the "
            f"record expires): one record that keeps failing blocks its "
            f"{'partition' if source.kind in ('msk', 'kafka') else 'shard'}. {fix}",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.id}",
            fix=automatic,
        )


def bound_retries(source):
    """MaximumRetryAttempts 3, and BisectBatchOnFunctionError on streams that omit it."""
    changes = [fixes.set_property(source.loc, "MaximumRetryAttempts",
                                  source.setting("MaximumRetryAttempts"), RETRIES)]
    what = f"set MaximumRetryAttempts of {source_label(source)} to {RETRIES}"
    bisect = source.setting("BisectBatchOnFunctionError")
    if source.kind in ("kinesis", "dynamodb") and (bisect.absent or bisect.is_default):
        changes.append(fixes.set_property(source.loc, "BisectBatchOnFunctionError", bisect,
                                          True))
        what += " and BisectBatchOnFunctionError to true"
    return fixes.unsafe(what, *changes)
