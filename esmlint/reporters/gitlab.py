"""GitLab Code Quality report (a subset of the Code Climate issue format).

A JSON array; each issue has ``description``, ``check_name`` (the rule ID),
``fingerprint`` (stable across line moves: rule, path, resource, function and the rule's
key, never the line), ``severity`` and ``location.path`` / ``location.lines.begin``.

Severity mapping:

| esmlint | GitLab |
|---|---|
| ESM001 parse error (the template cannot be read) | ``blocker`` |
| error | ``critical`` |
| warning | ``major`` |
| info | ``info`` |

``minor`` is not used.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..findings import Finding, Severity
from . import Summary, display_path, fingerprints

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}
PARSE_ERROR = "ESM001"


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False) -> str:
    """The Code Quality JSON array; ``color`` is ignored."""
    prints = fingerprints(findings)
    issues = [issue(finding, print_) for finding, print_ in zip(findings, prints, strict=True)]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def severity(finding: Finding) -> str:
    """The GitLab severity of a finding (see the module documentation)."""
    if finding.rule == PARSE_ERROR and finding.severity is Severity.ERROR:
        return "blocker"
    return SEVERITIES[finding.severity]


def issue(finding: Finding, print_: str) -> dict:
    description = f"{finding.rule} {finding.message}"
    if finding.resource:
        description += f" [{finding.resource}]"
    return {
        "type": "issue",
        "description": description,
        "check_name": finding.rule,
        "fingerprint": print_,
        "severity": severity(finding),
        "categories": ["Bug Risk"],
        "location": {
            "path": display_path(finding.path),
            "lines": {"begin": max(finding.line, 1)},
        },
    }
