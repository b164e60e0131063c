"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines...).

One ``<testsuite>`` per template with findings, one failing ``<testcase>`` per finding:
its name is ``RULE resource (line N)``, its ``classname`` the template path, and its
``<failure>`` carries the message (``type`` is the rule ID). A run without findings
writes one passing test case, so a report is never empty (some CI systems reject an
empty one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby
from xml.sax.saxutils import quoteattr

from ..findings import Finding
from . import Summary, display_path

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False) -> str:
    """The JUnit XML document; ``color`` is ignored."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    total = len(findings)
    tests = total or 1
    lines.append(f'<testsuites name="esmlint" tests="{tests}" failures="{total}" errors="0">')
    if not findings:
        checked = f"{summary.files} template{'' if summary.files == 1 else 's'} checked"
        lines.append('  <testsuite name="esmlint" tests="1" failures="0" errors="0" '
                     'skipped="0">')
        lines.append(f"    <testcase name={_attr('no problems found (' + checked + ')')} "
                     f'classname="esmlint"/>')
        lines.append("  </testsuite>")
    ordered = sorted(findings, key=lambda f: display_path(f.path))
    for path, group in groupby(ordered, key=lambda f: display_path(f.path)):
        items = list(group)
        lines.append(f"  <testsuite name={_attr(path)} tests=\"{len(items)}\" "
                     f'failures="{len(items)}" errors="0" skipped="0">')
        for finding in items:
            lines.append(_testcase(finding, path))
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"


def _testcase(finding: Finding, path: str) -> str:
    subject = finding.resource or path
    name = f"{finding.rule} {subject} (line {finding.line})"
    where = f"{path}:{finding.line}:{finding.column}"
    detail = [
        f"{finding.severity.label} {finding.rule} {finding.name}".rstrip(),
        f"at {where}",
    ]
    if finding.resource:
        detail.append(f"resource: {finding.resource}")
    if finding.function:
        detail.append(f"function: {finding.function}")
    detail.append("")
    detail.append(finding.message)
    return (
        f"    <testcase name={_attr(name)} classname={_attr(path)} file={_attr(path)} "
        f'line="{finding.line}">\n'
        f"      <failure message={_attr(finding.message)} type={_attr(finding.rule)}>"
        f"{_text(chr(10).join(detail))}</failure>\n"
        f"    </testcase>"
    )


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _attr(text: str) -> str:
    """A quoted attribute value; newlines and tabs kept as character references."""
    return quoteattr(_clean(text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _text(text: str) -> str:
    return (_clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
