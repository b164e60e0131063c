"""Human-readable output: one line per finding, then a summary line.

``path:line:col: severity ESM101 message [Resource]`` is the shape editors and terminals
already turn into links (the same as compilers and most linters print). Control
characters from the template or file names are shown escaped (``\x1b``, ``\n``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding, Severity
from ..formats import NONE_FOUND
from . import Summary, printable

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False,
           with_summary: bool = True, show_fixes: bool = False) -> str:
    """The findings, one a line, then the summary (unless ``with_summary`` is false:
    ``--quiet``); ANSI colours only when ``color``. Nothing at all for no findings and no
    summary line.

    ``show_fixes`` (``--show-fixes``, ``--fix``): under each finding of a rule that fixes
    its findings, an indented line with its fix or why it has none; after the summary,
    what was fixed and what could be.
    """
    lines = []
    for finding in findings:
        lines.append(format_finding(finding, color))
        if show_fixes:
            line = fix_line(finding)
            if line:
                lines.append(line)
    if with_summary:
        lines.append(summary_line(summary))
        if show_fixes or summary.fixed is not None:
            extra = fixes_line(summary)
            if extra:
                lines.append(extra)
    return "\n".join(lines) + "\n" if lines else ""


def fix_line(finding: Finding) -> str:
    """``    fix: set VisibilityTimeout of Queue to 360`` (or ``fix (unsafe): ...``, or
    ``no automatic fix: ...``), or "" for a finding of a rule that fixes nothing."""
    fix = finding.fix
    if fix is not None and getattr(fix, "edits", ()):
        label = "fix" if fix.safe else "fix (unsafe, with --unsafe-fixes)"
        return f"    {label}: {printable(fix.message)}"
    if finding.fix_note:
        return f"    no automatic fix: {printable(finding.fix_note)}"
    return ""


def fixes_line(summary: Summary) -> str:
    """``Fixed 3 problems in 2 files; 1 more fixable with --unsafe-fixes.``"""
    parts = []
    if summary.fixed is not None:
        parts.append(f"Fixed {_count(summary.fixed, 'problem')} in "
                     f"{_count(summary.fixed_files, 'file')}")
    if summary.fixable:
        parts.append(f"{summary.fixable} fixable with --fix")
    if summary.unsafe_fixable:
        parts.append(f"{summary.unsafe_fixable} fixable with --fix --unsafe-fixes")
    return "; ".join(parts) + "." if parts else ""


def format_finding(finding: Finding, color: bool = False) -> str:
    """One finding as a line. Control characters in the path, message and resource
    (which carry file names, logical IDs and values from the template) are escaped, so a
    template cannot clear the screen or forge a line of output."""
    where = f"{printable(finding.path)}:{finding.line}:{finding.column}:"
    label = finding.severity.label
    rule = finding.rule
    if color:
        import click

        where = click.style(where, bold=True)
        label = click.style(label, fg=_COLOURS[finding.severity], bold=True)
        rule = click.style(rule, dim=True)
    shown = finding.construct or finding.resource  # CDK output: the construct path
    resource = f" [{printable(shown)}]" if shown else ""
    return f"{where} {label} {rule} {printable(finding.message)}{resource}"


def summary_line(summary: Summary) -> str:
    """``Found 3 problems (2 errors, 1 warning) in 2 files (12 files checked).``

    With a baseline, `` 5 findings hidden by the baseline.`` follows.
    """
    line = _summary(summary)
    if summary.baselined:
        line += f" {_count(summary.baselined, 'finding')} hidden by the baseline."
    return line


def _summary(summary: Summary) -> str:
    if summary.files == 0 and summary.total == 0:
        return NONE_FOUND
    if summary.total == 0:
        return f"No problems found in {_count(summary.files, 'file')}."
    parts = [
        _count(n, word)
        for n, word in (
            (summary.errors, "error"),
            (summary.warnings, "warning"),
            (summary.infos, "info"),
        )
        if n
    ]
    return (
        f"Found {_count(summary.total, 'problem')} ({', '.join(parts)}) in "
        f"{_count(summary.files_with_findings, 'file')} "
        f"({_count(summary.files, 'file')} checked)."
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
