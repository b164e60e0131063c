"""SQS queue visibility timeout is below six times the function timeout.

## What it does
For every SQS event source mapping, checks that the queue's `VisibilityTimeout` is at
least `multiplier × Timeout + MaximumBatchingWindowInSeconds` (multiplier 6 by default).
It stays silent where ESM101 already reports the queue.

## Why is this bad?
While Lambda retries a throttled or failed batch, messages become visible again and are
delivered a second time. AWS recommends "at least six times the timeout that you
configure on your function", plus the batching window.

## Example
```yaml
Queue:
  Type: AWS::SQS::Queue
  Properties: {VisibilityTimeout: 60}
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 30           # 6 × 30 = 180 > 60
```

## Fix
Raise `VisibilityTimeout` to the value in the message.

## Options
- `multiplier` (default 6): the factor applied to the function timeout.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-queueconfig
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-2.

from esmlint.rule import Severity, described, option, report, where
from esmlint.values import as_number

ID = "ESM102"
NAME = "sqs-visibility-below-recommended"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "sqs")
OPTIONS = {"multiplier": 6}


def check(model, options):
    for fn, source in model.poll_sources(("sqs",)):
        queue = source.resource
        if queue is None:
            continue
        visibility = queue.get("visibility_timeout")
        vt, timeout = visibility.int(), fn.timeout.int()
        if vt is None or timeout is None or vt < timeout:
            continue  # unknown, or ESM101's finding
        window_val = source.setting("MaximumBatchingWindowInSeconds")
        window = 0 if window_val.absent else window_val.int()
        if window is None:
            continue
        multiplier = as_number(option(options, fn.options, ID, "multiplier", 6))
        if multiplier is None:
            continue
        needed = multiplier * timeout + window
        if vt >= needed:
            continue
        window_text = f" + MaximumBatchingWindowInSeconds {window}" if window else ""
        yield report(
            source.loc,
            f"SQS queue {queue.id} has VisibilityTimeout {described(visibility, 's')}, below "
            f"{multiplier:g} × Timeout {described(fn.timeout, 's')} of function {fn.id}{window_text}"
            f" = {needed:g} s: messages may be delivered again while Lambda retries. Set "
            f"VisibilityTimeout on {queue.id} to at least {needed:g}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{queue.id}",
        )
