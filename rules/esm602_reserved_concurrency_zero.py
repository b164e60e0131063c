"""A function with triggers has ReservedConcurrentExecutions 0: every invocation is throttled.

## What it does
Reports a function whose `ReservedConcurrentExecutions` is 0 (SAM `Globals` applied; each
branch of an `Fn::If`, the finding names the condition) while something in the template
invokes it: an event source mapping, a push source
(S3, SNS, EventBridge, API Gateway...), a Function URL.

## Why is this bad?
Reserved concurrency 0 stops the function: Lambda throttles every invocation. Event
source mappings stop reading, API Gateway and other synchronous callers get 429 errors,
and asynchronous events go straight to the dead-letter queue or on-failure destination
without retries, or are dropped. Setting it to 0 is how functions are switched off in an
emergency; left in a template, it ships a function that never runs.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    ReservedConcurrentExecutions: 0
    Events:
      Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
```

## Fix
Remove `ReservedConcurrentExecutions`, or set it to the concurrency the function may use
(at least 1; for SQS sources at least the mapping's `MaximumConcurrency`).

## References
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-5, B.2.

from esmlint.rule import Severity, report
from esmlint.values import branches

ID = "ESM602"
NAME = "reserved-concurrency-zero"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "concurrency")


def check(model, options):
    for fn in model.functions:
        if not fn.sources:
            continue
        for condition, reserved in branches(fn.reserved_concurrency):
            if reserved.int() != 0:
                continue
            kinds = ", ".join(sorted({s.kind for s in fn.sources}))
            count = len(fn.sources)
            when = f" {condition}" if condition else ""
            yield report(
                reserved.loc or fn.loc,
                f"function {fn.id} has ReservedConcurrentExecutions 0{when} but {count} "
                f"trigger{'s' if count > 1 else ''} in the template invoke it ({kinds}): "
                f"Lambda throttles every invocation. Remove ReservedConcurrentExecutions or "
                f"set it to at least 1.",
                resource=fn.id,
                function=fn.id,
                key=f"{fn.id}:{condition}",
            )
