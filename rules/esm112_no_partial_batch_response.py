"""SQS or stream mapping without partial batch responses.

## What it does
Reports SQS, Kinesis and DynamoDB Streams mappings that do not list
`ReportBatchItemFailures` in `FunctionResponseTypes`. A list the template does not fix (a
parameter without default) is not judged. Mappings SAM creates for an SNS event's
`SqsSubscription` are left out: SAM offers no way to set the property there.

## Why is this bad?
Without it, one failing record fails the whole batch: for SQS "any error makes the whole
batch visible again", so records that were processed are processed again; for streams the
whole batch is retried and the shard waits. With `ReportBatchItemFailures` the function
returns the IDs of the records that failed and only those are retried. The function code
must return that response, which is why this is advice, not an error.

## Example
```yaml
Events:
  Jobs:
    Type: SQS
    Properties:
      Queue: !GetAtt Queue.Arn
      BatchSize: 10          # no FunctionResponseTypes
```

## Fix
Add `FunctionResponseTypes: [ReportBatchItemFailures]` and return
`{"batchItemFailures": [{"itemIdentifier": ...}]}` from the handler (Powertools' batch
utility does this for you).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html#services-sqs-batchfailurereporting
- https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-4.

from esmlint.rule import Severity, conditions, report, source_label, where
from esmlint.values import branches

ID = "ESM112"
NAME = "no-partial-batch-response"
SEVERITY = Severity.INFO
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping")

RESPONSE = "ReportBatchItemFailures"


def reports_failures(value) -> bool | None:
    """Whether a FunctionResponseTypes value lists ReportBatchItemFailures (None: unknown)."""
    if value.absent:
        return False
    if not value.known:
        return None
    items = value.value if isinstance(value.value, list) else [value.value]
    unsure = False
    for item in items:
        if item == RESPONSE:
            return True
        if not isinstance(item, str):
            unsure = True  # an intrinsic function the list does not resolve
    return None if unsure else False


def check(model, options):
    for fn, source in model.poll_sources(("sqs", "kinesis", "dynamodb")):
        if source.extra.get("sqs_subscription"):
            continue
        for when, value in branches(source.setting("FunctionResponseTypes")):
            if reports_failures(value) is not False:
                continue
            yield report(
                source.loc,
                f"{source_label(source)} of function {fn.id} does not set "
                f"FunctionResponseTypes: [{RESPONSE}]{conditions(when)}: when one record "
                f"of a batch fails, Lambda retries the whole batch, records already "
                f"processed included. Add FunctionResponseTypes: [{RESPONSE}] and return "
                f"the failed record IDs from the function.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{source.id}",
            )
