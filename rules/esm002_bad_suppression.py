"""A suppression names an unknown rule, cannot be read, or suppresses nothing.

## What it does
Checks every inline suppression: the `ignore` list of an `esmlint` entry in a resource's
or the template's `Metadata`, and every `# esmlint: ignore[...]` comment. It reports one
that names a rule ID or name esmlint does not know, one it cannot read (`# esmlint:
ignore ESM201` without brackets, an `ignore` entry that is neither a rule nor a
`{rule, reason}` mapping), and one that suppresses nothing: the rule ran on the file and
reported nothing that the suppression covers.

A rule that did not run on the file (switched off by `--select`, `ignore` or
`per-file-ignores`) or that failed with an internal error is never said to suppress
nothing. Suppressions in the configuration file (`ignore-resources`) are not checked: one
configuration serves runs over different files.

## Why is this bad?
A misspelt rule ID silences nothing, while the comment tells readers the finding was
judged acceptable. A suppression left behind after the template was fixed hides the next
real finding of that rule on that resource without anyone deciding so.

## Example
```yaml
Resources:
  # esmlint: ignore[ESM310] retried by the caller   <- no such rule (ESM301 was meant)
  Renderer:
    Type: AWS::Serverless::Function
    Metadata:
      esmlint:
        ignore: [ESM101]        # Renderer has no SQS source: ESM101 reports nothing here
```

## Fix
Correct the rule ID (`esmlint rules` lists them), or remove the suppression. A suppression
covers findings reported on its line (or, for a comment on its own line, the next line)
and findings about the resource declared there or whose `Metadata` holds it; the resource
a finding is about is printed in brackets at the end of its line.

## References
- esmlint README, "Configuration": suppressions
- https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/metadata-section-structure.html
"""

from esmlint.rule import Severity

ID = "ESM002"
NAME = "bad-suppression"
SEVERITY = Severity.WARNING
PRECISION = "very-high"
TAGS = ("input", "maintainability")


def check(model, options):
    """Reported by the engine after suppressions are matched (esmlint.suppress)."""
    return iter(())
