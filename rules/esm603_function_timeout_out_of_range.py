"""The function Timeout is not between 1 and 900 seconds.

## What it does
Reports a function whose `Timeout` (SAM `Globals` applied; each branch of an `Fn::If`)
is below 1 or above 900 seconds, or is not a whole number.

## Why is this bad?
Lambda accepts 1 to 900 seconds (15 minutes) and rejects anything else: the function is
not created and the deploy fails. Values above 900 are often milliseconds or minutes
written where seconds are expected.

## Example
```yaml
Globals:
  Function:
    Timeout: 1800         # 30 minutes: more than Lambda allows
```

## Fix
Set `Timeout` to 900 or less. Work that takes longer belongs in Step Functions, ECS or
AWS Batch, or split into smaller invocations.

`esmlint check --fix` brings a literal `Timeout` to the nearest whole number from 1 to 900
(safe): the deploy fails with anything else. A `Timeout` in SAM `Globals` is changed
there, since every function that inherits it has the same finding. A value chosen by
`Fn::If` or taken from a parameter or variable default is left alone, and the finding
says why.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.8.

from esmlint import fixes
from esmlint.rule import Severity, report
from esmlint.values import as_number, branches

ID = "ESM603"
NAME = "function-timeout-out-of-range"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "timeouts")
FIX = "safe"


def check(model, options):
    for fn in model.functions:
        for condition, value in branches(fn.timeout):
            if not value.known or isinstance(value.value, bool):
                continue
            number = as_number(value.value)
            if number is None:
                continue  # a string Lambda would reject too, but not a number we can judge
            if 1 <= number <= 900 and number.is_integer():
                continue
            when = f" {condition}" if condition else ""
            yield report(
                value.loc or fn.loc,
                f"function {fn.id} has Timeout {value.text()}{when}: Lambda accepts whole "
                f"seconds from 1 to 900 and the deploy fails. Set Timeout between 1 and 900.",
                resource=fn.id,
                function=fn.id,
                key=f"{fn.id}:{condition}",
                fix=f"the Timeout is chosen by Fn::If ({condition})" if condition else
                fixes.clamp_fix(f"set Timeout of function {fn.id} to {{value}}", fn.loc,
                                "Timeout", value, number, 1, 900, shared_ok=True),
            )
