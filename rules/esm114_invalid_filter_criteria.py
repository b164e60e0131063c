"""A mapping's filter criteria are not valid, or exceed the filter quota.

## What it does
Checks `FilterCriteria.Filters` of every event source mapping (SAM events pass it to the
mapping unchanged):

| problem | severity |
|---|---|
| a `Pattern` is not valid JSON | error |
| a `Pattern` is longer than 4096 characters | error |
| more than 10 filters | error |
| more than 5 filters (the default quota) | warning |

A pattern built with `Fn::Sub` is checked for its length only where its literal text
alone is too long; a pattern the template does not fix (a parameter without default) is
not judged, nor is one written as a YAML mapping instead of a JSON string (CloudFormation
types `Pattern` as a string; `Fn::ToJsonString` turns a mapping into one). A filter in an
`Fn::If` branch counts only when it is there in every branch.

## Why is this bad?
Lambda rejects a filter pattern that is not valid JSON or longer than 4096 characters,
and a mapping may have 5 filters by default, at most 10 after a quota increase: the
deploy fails.

## Example
```yaml
FilterCriteria:
  Filters:
    - Pattern: "{'body': {'type': ['order']}}"     # single quotes: not JSON
```

## Fix
Write each pattern as a JSON string (double quotes: `'{"body": {"type": ["order"]}}'`),
keep it within 4096 characters, and combine patterns (a pattern can list several values
per field) to stay within 5 filters, or raise the quota.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
- https://docs.aws.amazon.com/lambda/latest/api/API_Filter.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.6.

import json

from esmlint.rule import Severity, report, source_label, where
from esmlint.values import Sym, known, unknown

ID = "ESM114"
NAME = "invalid-filter-criteria"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "event-source-mapping")

MAX_PATTERN = 4096
DEFAULT_QUOTA = 5
MAX_FILTERS = 10


def patterns(source):
    """Each filter's ``Pattern`` as a Val, or None when the filter list is not known.

    An entry that is not surely there (an ``Fn::If`` branch, unreadable) is an unknown
    Val that is not ``absent``-by-omission; a filter without Pattern gives an absent Val.
    """
    value = source.setting("FilterCriteria.Patterns")
    if value.known and isinstance(value.value, list):
        return value.value
    if not value.absent:
        return None
    # Front ends that give only the filter list (Terraform): plain mappings.
    filters = source.setting("FilterCriteria.Filters")
    if not (filters.known and isinstance(filters.value, list)):
        return None
    result = []
    for item in filters.value:
        if not isinstance(item, dict):
            result.append(unknown("filter not readable", filters.loc))
        elif isinstance(item.get("Pattern"), (str, Sym)):
            result.append(known(item["Pattern"], filters.loc))
        else:
            result.append(unknown("pattern not known", filters.loc))
    return result


def surely_there(pattern) -> bool:
    """Whether the filter holding this pattern exists whatever the conditions say."""
    return pattern.known or pattern.reason == "not set" or not pattern.reason.startswith(
        ("chosen by", "AWS::NoValue", "not a mapping"))


def check(model, options):
    for fn, source in model.poll_sources():
        items = patterns(source)
        if items is None:
            continue
        filters_val = source.setting("FilterCriteria.Filters")
        list_loc = filters_val.loc or source.loc
        subject = f"{source_label(source)} of function {fn.id}"
        for number, pattern in enumerate(items, start=1):
            problem = pattern_problem(pattern)
            if problem is None:
                continue
            yield report(
                pattern.loc if pattern.loc and pattern.loc.line > 0 else list_loc,
                f"{subject} has filter {number} whose Pattern {problem}: Lambda rejects the "
                f"mapping and the deploy fails. Write the pattern as a JSON string of at "
                f"most {MAX_PATTERN} characters, with double quotes around keys and strings.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{source.id}:pattern:{number}",
            )
        certain = sum(1 for pattern in items if surely_there(pattern))
        if certain <= DEFAULT_QUOTA:
            continue
        over = certain > MAX_FILTERS
        limit = (f"more than the {MAX_FILTERS} Lambda allows" if over else
                 f"more than the default quota of {DEFAULT_QUOTA} filters per mapping")
        fix = ("Combine patterns (one pattern can match several values of a field) to "
               f"stay within {MAX_FILTERS}" if over else
               "Combine patterns (one pattern can match several values of a field), or make "
               f"sure the account's quota was raised (up to {MAX_FILTERS})")
        effect = ("Lambda rejects the mapping and the deploy fails" if over else
                  "unless the quota was raised, Lambda rejects the mapping")
        yield report(
            list_loc,
            f"{subject} has {certain} filters in FilterCriteria, {limit}: {effect}. {fix}.",
            resource=where(source),
            function=fn.id,
            key=f"{fn.id}:{source.id}:filter-count",
            severity=None if over else Severity.WARNING,
        )


def pattern_problem(pattern) -> str | None:
    """What is wrong with one Pattern value, or None (fine, or cannot be told)."""
    if not pattern.known:
        return None
    value = pattern.value
    if isinstance(value, Sym):
        literal = sum(len(part) for part in value.parts if isinstance(part, str))
        if literal > MAX_PATTERN:
            return f"is at least {literal} characters long, more than {MAX_PATTERN}"
        return None
    if not isinstance(value, str):
        return None  # a YAML mapping or a number: not judged (see the rule's page)
    if len(value) > MAX_PATTERN:
        return f"is {len(value)} characters long, more than {MAX_PATTERN}"
    try:
        json.loads(value)
    except RecursionError:
        return None  # nested deeper than Python reads: cannot be told
    except ValueError as exc:
        reason = str(exc).split(":")[0]
        return f"is not valid JSON ({reason})"
    return None
