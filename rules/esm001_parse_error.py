"""A template cannot be read or parsed.

## What it does
Reports a file that was named on the command line, or that looks like a template, but
cannot be decoded: invalid YAML or JSON, an encoding esmlint cannot read, nesting deeper
than the documented bound, a file over the size limit. The finding gives the line and
column where the parser stopped.

## Why is this bad?
A template that does not parse does not deploy, and none of esmlint's other rules can
check it. Linting goes on with the other files, so one broken file never hides the
findings of the rest.

## Example
```yaml
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 30
```

## Fix
Correct the syntax at the reported line and column.

## References
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html
"""

from esmlint.rule import Severity

ID = "ESM001"
NAME = "parse-error"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("input",)


def check(model, options):
    """Parse errors are reported by the engine while loading; nothing to check here."""
    return iter(())
