"""Output formats: one module per format, each with ``render(findings, summary) -> str``.

The registry maps a format name to its module and imports it only when chosen, so a new
format (SARIF, JUnit, GitHub or GitLab annotations) is one module and one line here, and
the formats nobody asked for cost nothing at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from ..findings import Finding, Severity

#: Format name -> module that renders it.
FORMATS: dict[str, str] = {
    "text": "esmlint.reporters.text",
    "json": "esmlint.reporters.json",
}


@dataclass(frozen=True)
class Summary:
    """Counts over the findings shown, and how many templates were checked."""

    files: int
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    files_with_findings: int = 0

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos

    @classmethod
    def of(cls, findings: Sequence[Finding], files: int) -> Summary:
        """Count ``findings`` by severity; ``files`` is the number of templates checked."""
        counts = {severity: 0 for severity in Severity}
        for finding in findings:
            counts[finding.severity] += 1
        return cls(
            files=files,
            errors=counts[Severity.ERROR],
            warnings=counts[Severity.WARNING],
            infos=counts[Severity.INFO],
            files_with_findings=len({finding.path for finding in findings}),
        )

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "total": self.total,
        }


def names() -> list[str]:
    """The format names, in the order ``--help`` shows them."""
    return list(FORMATS)


def get(name: str) -> ModuleType:
    """The reporter module for a format name (``KeyError`` if there is none)."""
    return importlib.import_module(FORMATS[name])
