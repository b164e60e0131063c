"""GitHub Actions workflow commands: each finding becomes an annotation on the file.

``::error file=template.yaml,line=42,col=9,title=ESM101::message`` for errors,
``::warning`` for warnings and ``::notice`` for infos. Paths are relative to the working
directory (the repository root in a workflow). Values are escaped as the runner expects:
``%``, carriage return and line feed everywhere, and ``:`` and ``,`` as well inside the
properties. Other control characters (an escape sequence in a logical ID or file name,
which the log viewer would act on) are written escaped first, as the text format does.
The summary line follows, as plain log output.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..findings import Finding, Severity
from . import Summary, display_path, printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False) -> str:
    """One workflow command per finding, then the summary; ``color`` is ignored."""
    from .text import summary_line

    lines = [command(finding) for finding in findings]
    lines.append(summary_line(summary))
    return "\n".join(lines) + "\n"


def command(finding: Finding) -> str:
    """The workflow command for one finding."""
    properties = {
        "file": printable(display_path(finding.path), keep="\r\n"),
        "line": str(finding.line),
        "col": str(finding.column),
        "title": finding.rule,
    }
    message = finding.message
    if finding.resource:
        message += f" [{finding.resource}]"
    message = printable(message, keep="\r\n")  # these two become %0D, %0A below
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """Escape a command's message (``toCommandValue`` / ``escapeData`` in actions/toolkit)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``escapeProperty`` in actions/toolkit)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
