"""The SQS mappings' maximum concurrency adds up to more than the reserved concurrency.

## What it does
For every function with `ReservedConcurrentExecutions`, adds up
`ScalingConfig.MaximumConcurrency` over its SQS mappings (every alias and version
counts: reserved concurrency is shared by all of them) and reports the function when the
sum is above the reserved concurrency. Mappings with `Enabled: false` do not count;
mappings whose maximum concurrency the template does not fix are left out of the sum, so
the sum reported is a lower bound. A mapping that exists only under a resource
`Condition` is added only to mappings under the same condition, and a Terraform mapping
whose `count` / `for_each` cannot be evaluated is left out. A reserved concurrency of 0
is ESM602's finding.

## Why is this bad?
`MaximumConcurrency` caps how many concurrent invocations one mapping starts; it does
not reserve them. When the mappings together may start more invocations than the
function's reserved concurrency, the surplus is throttled: messages return to the queue,
are received again, and count toward `maxReceiveCount`, so they can land in the
dead-letter queue without having failed. AWS advises reserved concurrency at least equal
to the sum of the mappings' maximum concurrency.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    ReservedConcurrentExecutions: 5
    Events:
      Jobs:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
          ScalingConfig: {MaximumConcurrency: 10}
```

## Fix
Raise `ReservedConcurrentExecutions` to at least the sum in the message, or lower the
mappings' `MaximumConcurrency` so that they add up to no more than it.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html#events-sqs-max-concurrency
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-5.

from esmlint.rule import Severity, report, source_label
from esmlint.values import as_bool

ID = "ESM116"
NAME = "max-concurrency-exceeds-reserved"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "concurrency")


def disabled(source) -> bool:
    enabled = source.setting("Enabled")
    return enabled.known and as_bool(enabled.value) is False


def check(model, options):
    for fn in model.functions:
        reserved = fn.reserved_concurrency.int()
        if reserved is None or reserved <= 0:
            continue
        capped: list[tuple[str, object, int]] = []
        for source in fn.sources:
            if source.mode != "poll" or source.kind != "sqs" or disabled(source):
                continue
            if source.extra.get("conditional"):
                continue  # Terraform count / for_each not evaluated: 0 or more copies
            maximum = source.setting("ScalingConfig.MaximumConcurrency").int()
            if maximum is not None:
                condition = source.extra.get("condition", "")
                capped.append((condition, source, maximum))
        # Mappings without a Condition always exist; each Condition adds its own.
        groups = [""] + sorted({condition for condition, _, _ in capped if condition})
        for condition in groups:
            members = [(src, maximum) for cond, src, maximum in capped
                       if cond in ("", condition)]
            total = sum(maximum for _, maximum in members)
            if total <= reserved:
                continue
            parts = " + ".join(f"{maximum} for {source_label(src)}" for src, maximum in members)
            when = f" when condition {condition} is true" if condition else ""
            yield report(
                fn.loc,
                f"function {fn.id} reserves {reserved} concurrent executions but its SQS "
                f"mappings may run {total} at once{when} (ScalingConfig.MaximumConcurrency "
                f"{parts}): invocations above {reserved} are throttled and their messages "
                f"return to the queue, counting toward maxReceiveCount. Raise "
                f"ReservedConcurrentExecutions to at least {total}, or lower "
                f"MaximumConcurrency.",
                resource=fn.id,
                function=fn.id,
                key=f"{fn.id}:{condition}" if condition else fn.id,
            )
            if not condition:
                break  # already too many without any condition: one finding says it
