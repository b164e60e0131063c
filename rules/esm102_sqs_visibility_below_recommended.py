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

`esmlint check --fix` does it where the queue is in the file (safe): it replaces the
literal value, or adds the property when the queue keeps the default, with the largest
value any function reading the queue asks for. It makes none when the value comes from a
parameter or variable default, the queue is created by a module, or it is the queue SAM
creates for an `SqsSubscription` (it cannot take a `VisibilityTimeout`); the finding then
says why.

## Options
- `multiplier` (default 6): the factor applied to the function timeout.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-queueconfig
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-2.

import math

from esmlint import fixes
from esmlint.rule import Severity, described, option, report, visibility_needed, where
from esmlint.values import as_number

ID = "ESM102"
NAME = "sqs-visibility-below-recommended"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "sqs")
OPTIONS = {"multiplier": 6}
FIX = "safe"


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
            fix=fix_for(model, queue, visibility, multiplier, needed),
        )


def fix_for(model, queue, visibility, multiplier, needed):
    if queue.origin:  # an SNS event's SqsSubscription takes no VisibilityTimeout
        return ("SAM creates the queue of the SqsSubscription and gives it no "
                "VisibilityTimeout: subscribe a queue of your own to read it")
    if queue.id.startswith("module."):
        return f"{queue.id} is created by a module: set its visibility timeout there"
    value = max(visibility_needed(model, queue, multiplier) or 0, math.ceil(needed))
    return fixes.safe(
        f"set VisibilityTimeout of {queue.id} to {value}",
        fixes.set_property(queue.loc, "VisibilityTimeout", visibility, value,
                           f"VisibilityTimeout of {queue.id}"))
