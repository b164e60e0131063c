"""An event invoke configuration sets no on-failure destination.

## What it does
Reports an `AWS::Lambda::EventInvokeConfig`, a SAM `EventInvokeConfig` property or a
Terraform `aws_lambda_function_event_invoke_config` that has no
`DestinationConfig.OnFailure`, on a function without a dead-letter queue.

When ESM305 holds for the function (nothing in the template invokes it asynchronously,
so the configuration has no effect), this rule stays silent: advising to add an
`OnFailure` destination to a configuration that ESM305 advises to remove would be
contradictory, and ESM305's advice is the one that applies.

## Why is this bad?
An event invoke configuration is where asynchronous failures are meant to be handled.
Without an on-failure destination (or a dead-letter queue), events that exhaust
`MaximumRetryAttempts` or `MaximumEventAgeInSeconds` are dropped. Only setting
`OnSuccess` is a common slip.

## Example
```yaml
Config:
  Type: AWS::Lambda::EventInvokeConfig
  Properties:
    FunctionName: !Ref Worker
    Qualifier: $LATEST
    MaximumRetryAttempts: 0
```

## Fix
Add `DestinationConfig: {OnFailure: {Destination: <queue, topic, function, bus or
bucket ARN>}}`, or give the function a dead-letter queue.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections B.3, B.4.

from esmlint.rule import Severity, report
from esmlint.rules.esm305_async_config_without_async_invoker import only_sync_invokers

ID = "ESM302"
NAME = "event-invoke-config-without-destinations"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "async")


def check(model, options):
    for config in model.invoke_configs:
        fn = config.function
        if not config.on_failure.absent or not fn.dead_letter.absent:
            continue
        if only_sync_invokers(model, fn):
            continue  # ESM305: the configuration has no effect at all
        retries = config.max_retry_attempts
        detail = f" (MaximumRetryAttempts {retries.text()})" if retries.known else ""
        yield report(
            config.loc,
            f"event invoke configuration {config.id} of function {fn.id}{detail} has no "
            f"OnFailure destination and the function has no dead-letter queue: events that "
            f"still fail after the retries are dropped. Add DestinationConfig.OnFailure.",
            resource=config.origin or config.id,
            function=fn.id,
            key=f"{fn.id}:{config.qualifier}",
        )
