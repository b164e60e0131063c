"""Output formats: one module per format, each with ``render(findings, summary) -> str``.

The registry maps a format name to its module and imports it only when chosen, so a new
format (SARIF, JUnit, GitHub or GitLab annotations) is one module and one line here, and
the formats nobody asked for cost nothing at start-up.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

from ..findings import Finding, Severity, identity

__all__ = ["FORMATS", "Summary", "display_path", "fingerprint", "fingerprints", "get",
           "names", "rule_url"]

#: Format name -> module that renders it.
FORMATS: dict[str, str] = {
    "text": "esmlint.reporters.text",
    "json": "esmlint.reporters.json",
    "sarif": "esmlint.reporters.sarif",
    "junit": "esmlint.reporters.junit",
    "github": "esmlint.reporters.github",
    "gitlab": "esmlint.reporters.gitlab",
    "markdown": "esmlint.reporters.markdown",
}


@dataclass(frozen=True)
class Summary:
    """Counts over the findings shown, and how many templates were checked."""

    files: int
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    files_with_findings: int = 0
    #: Findings a baseline hid (``--baseline``); they are in none of the counts above.
    baselined: int = 0
    #: ``--fix`` / ``--diff``: how many findings were (or would be) fixed, in how many
    #: files; None otherwise. The counts above are of the findings that remain.
    fixed: int | None = None
    fixed_files: int = 0
    #: ``--fix``, ``--diff``, ``--show-fixes``: shown findings with a safe fix, and with an
    #: unsafe one (``--unsafe-fixes``), not applied.
    fixable: int = 0
    unsafe_fixable: int = 0

    @property
    def total(self) -> int:
        return self.errors + self.warnings + self.infos

    @classmethod
    def of(cls, findings: Sequence[Finding], files: int, baselined: int = 0) -> Summary:
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
            baselined=baselined,
        )

    def to_dict(self) -> dict:
        document = {
            "files": self.files,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "total": self.total,
        }
        if self.fixed is not None:  # only with --fix or --diff
            document["fixed"] = self.fixed
        return document


def names() -> list[str]:
    """The format names, in the order ``--help`` shows them."""
    return list(FORMATS)


def get(name: str) -> ModuleType:
    """The reporter module for a format name (``KeyError`` if there is none)."""
    return importlib.import_module(FORMATS[name])


def rule_url(rule_id: str) -> str:
    """The documentation page of a rule (:func:`esmlint.links.rule_url`)."""
    from ..links import rule_url as url

    return url(rule_id)


def display_path(path: str) -> str:
    """A finding's path for machine formats: relative to the working directory when it is
    inside it, with forward slashes (what code scanning, GitLab and GitHub annotations
    resolve against the repository root); other paths stay absolute."""
    if not path:
        return path
    if os.path.isabs(path):
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            relative = path
        if not relative.startswith(".." + os.sep) and relative != "..":
            path = relative
    else:
        path = os.path.normpath(path)
    return path.replace(os.sep, "/")


#: Characters a terminal or log viewer acts on rather than shows: C0 controls (escape
#: sequences, carriage return, newline), DEL, C1 controls, and the Unicode bidirectional
#: overrides and isolates that reorder what is shown ("Trojan Source").
_CONTROL = {**{c: None for c in range(0x20)}, 0x7F: None,
            **{c: None for c in range(0x80, 0xA0)},
            **{c: None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, keep: str = "") -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\n``,
    ``\\u202e``): a logical ID, file name or value from a template can then neither
    clear the screen, colour the output, nor start a line that looks like a finding.
    Plain text (the common case) is returned as it is, without copying. ``keep``: control
    characters the caller encodes itself (GitHub's ``%0A`` for a newline)."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code in _CONTROL and ch not in keep:
            out.append(_NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else
                                          f"\\u{code:04x}"))
        else:
            out.append(ch)
    return "".join(out)


def fingerprint(finding: Finding) -> str:
    """A finding's identity that survives line moves and unrelated edits.

    SHA-256 over the rule, the relative path, the resource, the function and the rule's
    stable key (the message only when a rule gives no key); never the line or column.
    """
    import hashlib  # only SARIF, GitLab and baselines fingerprint: not on the text path

    parts = identity(finding, display_path(finding.path))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """:func:`fingerprint` of each finding, made unique: a repeat of the same identity in
    one run (two findings a rule cannot tell apart but by line) gets ``:2``, ``:3``..."""
    seen: dict[str, int] = {}
    result = []
    for finding in findings:
        value = fingerprint(finding)
        seen[value] = seen.get(value, 0) + 1
        result.append(value if seen[value] == 1 else f"{value}:{seen[value]}")
    return result
