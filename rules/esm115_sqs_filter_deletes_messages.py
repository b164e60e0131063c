"""An SQS mapping filters messages: the ones that do not match are deleted.

## What it does
Reports SQS mappings that set `FilterCriteria` (a branch of an `Fn::If` that leaves it
out does not count; the finding names the condition).

## Why is this bad?
Event filtering on an SQS source does not leave unmatched messages for someone else: "If
an Amazon SQS message doesn't satisfy your filter criteria, Lambda automatically removes
the message from the queue." That is fine when the function is the queue's only
consumer and the unmatched messages are meant to be dropped; it loses data when a second
mapping or another consumer of the same queue was expected to process them.

## Example
```yaml
Events:
  Orders:
    Type: SQS
    Properties:
      Queue: !GetAtt Queue.Arn
      FilterCriteria:
        Filters:
          - Pattern: '{"body": {"type": ["order"]}}'   # everything else is deleted
```

## Fix
Make sure no other consumer needs the unmatched messages. To split one stream of
messages between consumers, publish to an SNS topic (or an EventBridge bus) with one
queue per consumer and a subscription filter policy, instead of filtering one queue.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-6.

from esmlint.rule import Severity, conditions, report, source_label, where
from esmlint.values import branches, maybe_absent

ID = "ESM115"
NAME = "sqs-filter-deletes-messages"
SEVERITY = Severity.INFO
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "sqs")


def check(model, options):
    for fn, source in model.poll_sources(("sqs",)):
        if source.resource is not None:
            queue = f"queue {source.resource.id}"
        else:
            queue = f"queue {source.arn.text()}" if source.arn.known else "its queue"
        for when, value in branches(source.setting("FilterCriteria")):
            if value.absent or maybe_absent(value):
                continue
            yield report(
                value.loc or source.loc,
                f"{source_label(source)} of function {fn.id} filters {queue} with "
                f"FilterCriteria{conditions(when)}: Lambda deletes every message that does "
                f"not match, so no other consumer of the queue will see it. If another "
                f"consumer needs them, give each consumer its own queue (SNS or EventBridge "
                f"fan-out with filter policies) instead.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{source.id}",
            )
