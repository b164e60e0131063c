"""What a rule reports, and the order findings are printed in."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass
class Finding:
    """One problem found: which rule, where, about which function and resource.

    ``key`` is a short stable text (no line numbers, no values that move) that baselines
    and fingerprints use so that a finding keeps its identity across unrelated edits.
    """

    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    resource: str = ""
    function: str = ""
    name: str = ""
    key: str = ""
    extra: dict = field(default_factory=dict)
    #: CDK output: the construct path of ``resource`` (``OrdersStack/Worker``), and of
    #: ``function`` when it differs.
    construct: str = ""
    function_construct: str = ""
    #: Other places that explain the finding: ``{"path", "line", "column", "message"}``.
    related: list[dict] = field(default_factory=list)
    #: The automatic fix (an :class:`esmlint.fixes.Fix`), if the rule offers one here.
    fix: Any = None
    #: Why a rule that fixes findings offers no fix for this one (shown by ``--fix``,
    #: ``--diff`` and ``--show-fixes``, and by editors); "" otherwise.
    fix_note: str = ""

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.rule, self.resource, self.message)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity.label,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "resource": self.resource,
            "function": self.function,
            "message": self.message,
            **({"construct": self.construct} if self.construct else {}),
            **({"related": self.related} if self.related else {}),
        }


def identity(finding: Finding, path: str) -> tuple[str, str, str, str, str]:
    """What makes a finding the same finding across line moves and unrelated edits.

    Rule, path (as the caller spells it: relative to a baseline or to the repository),
    resource, function and the rule's stable key — or, for a rule that sets none, its
    message with the numbers masked. Never the line or column. Baselines and the
    fingerprints of machine formats (SARIF, GitLab) both use it.

    In CDK output a resource is known by its construct path rather than its logical ID: the
    ID's hash suffix changes when CDK's hashing does, the path only when the user's code
    does.
    """
    key = finding.key or re.sub(r"\d+(\.\d+)?", "#", finding.message)
    return (finding.rule, path, finding.construct or finding.resource,
            finding.function_construct or finding.function, key)
