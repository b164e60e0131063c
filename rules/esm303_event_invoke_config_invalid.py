"""An event invoke configuration has values Lambda rejects, or there are two of them.

## What it does
Checks every `AWS::Lambda::EventInvokeConfig` and SAM `EventInvokeConfig` (each branch
of an `Fn::If`):

- `MaximumRetryAttempts` must be 0, 1 or 2;
- `MaximumEventAgeInSeconds` must be 60 to 21600 (six hours);
- only one configuration may exist per function and qualifier: a SAM `EventInvokeConfig`
  (on `$LATEST`, or on the alias of `AutoPublishAlias`) and a hand-written
  `AWS::Lambda::EventInvokeConfig` for the same qualifier clash, as do two hand-written
  ones. The second one in the file is reported. Configurations of a function the
  template does not define are checked too (it is named as written: two
  configurations of `FunctionName: my-function` with one qualifier clash).

## Why is this bad?
CloudFormation validates the ranges and the deploy fails. There is one event invoke
configuration per function and qualifier (`PutFunctionEventInvokeConfig` overwrites it),
so two resources for the same pair cannot both be created: the deploy fails, or one
silently replaces the other's retries and destinations.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    EventInvokeConfig:
      MaximumRetryAttempts: 3          # at most 2
      MaximumEventAgeInSeconds: 86400  # at most 21600
```

## Fix
Use the allowed ranges. Keep a single configuration per function and qualifier: either
the SAM property or the resource, not both.

`esmlint check --fix` brings a value out of range to the nearest allowed whole number
(safe), where it is a literal in the file. A value in SAM `Globals` is changed there: every
function that inherits it has the same finding, so that one place is where it comes from.
A value chosen by `Fn::If` or taken from a parameter or variable default is left alone,
and the finding says why. Duplicate configurations are not fixed: which one to keep is
yours to choose.

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventinvokeconfig.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections B.3.

from esmlint import fixes
from esmlint.rule import Severity, report
from esmlint.values import as_number, branches

ID = "ESM303"
NAME = "event-invoke-config-invalid"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "async")
FIX = "safe"

RANGES = (
    ("max_retry_attempts", "MaximumRetryAttempts", 0, 2),
    ("max_event_age", "MaximumEventAgeInSeconds", 60, 21600),
)


def _name(config) -> str:
    if config.origin:
        return f"the EventInvokeConfig of {config.origin}"
    return f"event invoke configuration {config.id}"


def _qualifier(config) -> str:
    return "" if config.qualifier in ("$LATEST", "") else config.qualifier


def check(model, options):
    for config in model.invoke_configs:
        fn = config.function
        for attr, prop, low, high in RANGES:
            for condition, value in branches(getattr(config, attr)):
                if not value.known or isinstance(value.value, bool):
                    continue
                number = as_number(value.value)
                if number is None or (low <= number <= high and number.is_integer()):
                    continue
                when = f" {condition}" if condition else ""
                yield report(
                    value.loc or config.loc,
                    f"{_name(config)} (function {fn.id}) sets {prop} {value.text()}{when}: "
                    f"Lambda accepts {low} to {high} and the deploy fails. Set {prop} "
                    f"within {low}-{high}.",
                    resource=config.origin or config.id,
                    function=fn.id,
                    key=f"{fn.id}:{config.id}:{prop}",
                    fix=f"the value is chosen by Fn::If ({condition})" if condition else
                    fixes.clamp_fix(f"set {prop} of {_name(config)} to {{value}}",
                                    config.loc, prop, value, number, low, high,
                                    shared_ok=True),
                )
    groups: dict[tuple[int, str], list] = {}
    for config in model.invoke_configs:
        if config.qualifier in ("?", "version"):
            continue
        groups.setdefault((id(config.function), _qualifier(config)), []).append(config)
    for (_, qualifier), configs in groups.items():
        fid = configs[0].function.id
        if len(configs) < 2 or len({c.condition for c in configs}) > 1:
            continue  # under different conditions they may never exist together
        configs.sort(key=lambda c: (c.loc.line, c.loc.column))
        first = configs[0]
        for config in configs[1:]:
            shown = qualifier or "$LATEST"
            yield report(
                config.loc,
                f"{_name(config)} configures function {fid} qualifier {shown}, as "
                f"{_name(first)} (line {first.loc.line}) already does: there is one event "
                f"invoke configuration per function and qualifier, and the deploy fails. "
                f"Keep one of them.",
                resource=config.origin or config.id,
                function=fid,
                key=f"{fid}:{shown}:duplicate",
            )
