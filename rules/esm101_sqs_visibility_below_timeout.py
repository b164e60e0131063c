"""SQS queue visibility timeout is shorter than the function timeout.

## What it does
For every SQS event source mapping, compares the source queue's `VisibilityTimeout`
(default 30 s) with the function's `Timeout` (default 3 s, SAM `Globals` applied).
Equality passes. Queues that SAM creates for an SNS event with `SqsSubscription: true`
keep the default 30 s and are checked too.

## Why is this bad?
Lambda refuses to create the mapping: *"Invalid request provided: Queue visibility
timeout: 30 seconds is less than Function timeout: 300 seconds"*. The stack fails to
deploy.

## Example
```yaml
Queue:
  Type: AWS::SQS::Queue            # VisibilityTimeout defaults to 30
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 60
    Events:
      Jobs: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
```

## Fix
Set the queue's `VisibilityTimeout` to at least the function timeout; AWS recommends six
times the function timeout (see ESM102). Or lower the function's `Timeout`.

`esmlint check --fix` raises `VisibilityTimeout` to the recommended value, six times the
function timeout plus the mapping's batching window (the largest such value among the
functions that read the queue), where the queue is in the file: it replaces the literal
value, or adds the property when the queue keeps the default. This fix is safe. It makes
none when the value comes from a parameter or variable default, is chosen by `Fn::If`, or
the queue is one SAM creates for an `SqsSubscription` (it cannot take a
`VisibilityTimeout`); the finding then says why.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-1, A.8.

from esmlint import fixes
from esmlint.rule import Severity, described, report, visibility_needed, where
from esmlint.values import branches, default

ID = "ESM101"
NAME = "sqs-visibility-below-timeout"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "event-source-mapping", "sqs")
FIX = "safe"


def check(model, options):
    for fn, source in model.poll_sources(("sqs",)):
        queue = source.resource
        if queue is None:
            continue
        visibility_default = default(30, queue.loc)
        timeout_default = default(3, fn.loc)
        for vt_label, visibility in branches(queue.get("visibility_timeout"), visibility_default):
            for t_label, timeout_val in branches(fn.timeout, timeout_default):
                vt, timeout = visibility.int(), timeout_val.int()
                if vt is None or timeout is None or vt >= timeout:
                    continue
                labels = [label for label in (t_label, vt_label) if label]
                when = f" ({'; '.join(labels)})" if labels else ""
                generated = " (created by SAM for the SqsSubscription)" if queue.origin else ""
                fix = fix_for(model, queue, visibility, labels)
                yield report(
                    source.loc,
                    f"function {fn.id} has Timeout {described(timeout_val, 's')} but its SQS "
                    f"source queue {queue.id}{generated} has VisibilityTimeout "
                    f"{described(visibility, 's')}{when}: Lambda rejects the event source "
                    f"mapping and the deploy fails. Set VisibilityTimeout on {queue.id} to at "
                    f"least {timeout} (AWS recommends {6 * timeout}) or lower the function "
                    f"Timeout.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{queue.id}",
                    fix=fix,
                )


def fix_for(model, queue, visibility, labels):
    """Raise the queue's VisibilityTimeout to six times the timeout plus the window."""
    if queue.origin:
        return ("SAM creates the queue of the SqsSubscription and gives it no "
                "VisibilityTimeout: subscribe a queue of your own to read it")
    if labels:
        return f"the values compared are chosen by Fn::If ({'; '.join(labels)})"
    if queue.id.startswith("module."):
        return f"{queue.id} is created by a module: set its visibility timeout there"
    needed = visibility_needed(model, queue, 6)
    if needed is None:
        return "the batching window of the mapping cannot be read"
    return fixes.safe(
        f"set VisibilityTimeout of {queue.id} to {needed} (6 × Timeout + batching window)",
        fixes.set_property(queue.loc, "VisibilityTimeout", visibility, needed,
                           f"VisibilityTimeout of {queue.id}"))
