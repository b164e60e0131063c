"""A full batch leaves the function too little time per record.

## What it does
For every event source mapping, divides the function's `Timeout` (default 3 s, SAM
`Globals` applied) by the mapping's `BatchSize` (where unset, the source's default: 10 for
SQS, 100 for Kinesis, DynamoDB Streams, Amazon MSK, self-managed Kafka, Amazon MQ and
DocumentDB) and reports the mapping when that is below the per-record budget
`min-seconds-per-record` (0.1 s unless configured). The message gives the largest
`BatchSize` that fits the budget and the `Timeout` the current batch needs. Each branch
of an `Fn::If` is checked.

When neither value was chosen in the template (the function keeps the 3 s default
`Timeout` and the mapping the default `BatchSize`; a SAM `Globals` or Terraform variable
value counts as chosen), the finding is **info**: nobody decided on that pair, so it is a
prompt to choose, and real templates keep those defaults often (6 of 27 in one survey).
When either value is set, it is a warning.

## Why is this bad?
Lambda hands the whole batch to one invocation. When a full batch cannot be processed
before the timeout, the invocation fails and the whole batch is retried: SQS messages
come back after the visibility timeout and count toward `maxReceiveCount`, and a stream
shard retries the same batch until the records expire. A batch size chosen without the
timeout in mind is a common cause of such retry loops.

## Example
```yaml
Consumer:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 3                 # 3 s / 100 records = 0.03 s per record
    Events:
      Clicks:
        Type: Kinesis
        Properties:
          Stream: !GetAtt Stream.Arn
          StartingPosition: LATEST   # BatchSize defaults to 100
```

## Fix
Lower `BatchSize` to the value in the message, or raise the function's `Timeout`. When
records really are processed faster than the budget, set the budget for this function.

## Options
- `min-seconds-per-record` (default 0.1): the time one record is expected to need, in
  seconds. Set it for the whole project in the configuration
  (`ESM108: {min-seconds-per-record: 0.05}`), or for one function in its template
  `Metadata` (`esmlint: {ESM108: {min-seconds-per-record: 0.5}}`) or, where a resource
  has no Metadata (Terraform), with the tag `esmlint:ESM108:min-seconds-per-record`.

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#lambda-CreateEventSourceMapping-request-BatchSize
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.2, A.8.

import math

from esmlint.model import BATCH_SIZE_DEFAULTS, KIND_LABELS
from esmlint.rule import Severity, conditions, described, option, report, source_label, where
from esmlint.values import as_number, branches, default

ID = "ESM108"
NAME = "batch-may-exceed-timeout"
SEVERITY = Severity.WARNING
PRECISION = "medium"
TAGS = ("reliability", "event-source-mapping", "timeouts")
OPTIONS = {"min-seconds-per-record": 0.1}

FALLBACK = 0.1
MAX_TIMEOUT = 900


def budget(options, fn) -> float:
    """The per-record budget for this function: its own setting, else the global one."""
    for value in (option({}, fn.options, ID, "min-seconds-per-record", None),
                  options.get("min-seconds-per-record")):
        number = as_number(value)
        if number is not None and number > 0 and math.isfinite(number):
            return number
    return FALLBACK


def check(model, options):
    for fn, source in model.poll_sources(tuple(BATCH_SIZE_DEFAULTS)):
        per_record = budget(options, fn)
        batch_default = default(BATCH_SIZE_DEFAULTS[source.kind], source.loc)
        batch_setting = source.setting("BatchSize")
        if batch_setting.absent:
            batch_setting = batch_default
        for batch_when, batch in branches(batch_setting, batch_default):
            size = batch.int()
            if size is None or size < 1:
                continue  # unknown, or ESM105's
            for timeout_when, timeout_val in branches(fn.timeout, default(3, fn.loc)):
                timeout = as_number(timeout_val.value) if timeout_val.known else None
                if timeout is None or not math.isfinite(timeout) or timeout <= 0:
                    continue
                if timeout >= per_record * size * (1 - 1e-9):
                    continue
                fits = math.floor(timeout / per_record + 1e-9)
                needed = math.ceil(per_record * size - 1e-9)
                raise_timeout = f"raise Timeout to {needed} s" if needed <= MAX_TIMEOUT else ""
                if fits >= 1:
                    fix = f"lower BatchSize to {fits}" + (
                        f", or {raise_timeout}" if raise_timeout else "")
                else:
                    fix = (raise_timeout or "lower min-seconds-per-record for this function") \
                        + " (not even one record fits the budget)"
                untouched = batch.is_default and timeout_val.is_default
                batch_text = (f"{size} records (the {KIND_LABELS[source.kind]} default "
                              f"BatchSize)" if batch.is_default else f"{size} records")
                yield report(
                    batch.loc if not batch.is_default and batch.loc else source.loc,
                    f"function {fn.id} has Timeout {described(timeout_val, 's')} for batches "
                    f"of up to {batch_text} from {source_label(source)}"
                    f"{conditions(batch_when, timeout_when)}: {timeout / size:.3g} s per "
                    f"record, below the budget of {per_record:g} s per record "
                    f"(min-seconds-per-record). A full batch may time out and be retried as "
                    f"a whole{' (both values are defaults: neither is set)' if untouched else ''}. "
                    f"Fix: {fix}.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}",
                    severity=Severity.INFO if untouched else None,
                )
