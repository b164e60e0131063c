"""A template cannot be read or parsed.

## What it does
Reports a file that was named on the command line, or that looks like a template, but
cannot be decoded: invalid YAML or JSON, an encoding esmlint cannot read, nesting deeper
than the documented bound, a file over the size limit. The finding gives the line and
column where the parser stopped.

In a Terraform `.tf` file each broken place is reported, and the blocks that parse are
still linted (what a broken block may hold is taken as unknown). A Terraform module that
calls its own folder, directly or through other modules, is reported here too, at one
`module` block of the cycle: Terraform cannot load such a configuration, and esmlint does
not expand it.

## Why is this bad?
A template that does not parse does not deploy, and none of esmlint's other rules can
check what did not parse. Linting goes on with the other files (and with the other blocks
of a `.tf` file), so one broken file or block never hides the findings of the rest.

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
