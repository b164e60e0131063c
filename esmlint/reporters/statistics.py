"""``--statistics``: how many findings each rule has, instead of the findings (as ruff's).

Text: one line per rule that has findings, most findings first (ties by rule ID), then the
summary line::

    3  ESM101  error    sqs-visibility-below-timeout
    1  ESM301  warning  async-without-failure-handling
    Found 4 problems (3 errors, 1 warning) in 2 files (5 files checked).

JSON: ``[{"rule": "ESM101", "name": ..., "severity": "error", "count": 3}, ...]``, in the
same order. The counts are of the findings shown (after ``--severity``, ``--select``,
suppressions and the baseline), the ones the exit code is judged on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..findings import Finding, Severity
from . import Summary

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def counts(findings: Sequence[Finding]) -> list[dict]:
    """Per rule: its ID, name, the highest severity among its findings, and the count."""
    per_rule: dict[str, dict] = {}
    for finding in findings:
        entry = per_rule.setdefault(finding.rule, {"rule": finding.rule, "name": finding.name,
                                                   "severity": finding.severity, "count": 0})
        entry["count"] += 1
        entry["severity"] = max(entry["severity"], finding.severity)
    ordered = sorted(per_rule.values(), key=lambda entry: (-entry["count"], entry["rule"]))
    return [{**entry, "severity": entry["severity"].label} for entry in ordered]


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False,
           output_format: str = "text", with_summary: bool = True) -> str:
    """The statistics as text (with the summary line unless ``with_summary`` is false) or
    as JSON (``output_format="json"``)."""
    table = counts(findings)
    if output_format == "json":
        return json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    from .text import summary_line

    width = max((len(str(entry["count"])) for entry in table), default=1)
    label_width = max((len(entry["severity"]) for entry in table), default=0)
    lines = []
    for entry in table:
        rule, label = entry["rule"], entry["severity"].ljust(label_width)
        if color:
            import click

            rule = click.style(rule, bold=True)
            label = click.style(label, fg=_COLOURS[Severity.parse(entry["severity"])])
        lines.append(f"{entry['count']:>{width}}  {rule}  {label}  {entry['name']}".rstrip())
    if with_summary:
        lines.append(summary_line(summary))
    return "\n".join(lines) + "\n" if lines else ""
