"""A Markdown report for pull-request comments and GitHub job summaries.

``esmlint check --format markdown >> "$GITHUB_STEP_SUMMARY"`` (or the body of a PR or MR
comment): the counts by severity and by rule, a table of the findings with links to the
file lines and the rule pages, and a Mermaid graph of the functions that have findings
and what they are wired to (GitHub and GitLab render Mermaid blocks).

Links to file lines point at the commit being checked when the CI says which it is
(GitHub Actions: ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_SHA``; GitLab CI:
``CI_PROJECT_URL``, ``CI_COMMIT_SHA``), else they are relative links (``path#L42``), which
resolve in a Markdown file of the repository.

The graph is drawn from the models of the files with findings, read again after the lint
(the lint keeps no model): :mod:`esmlint.graph` is imported only for this format. A
report that would pass GitHub's 65,536-character limit of a comment lists the first
findings only and says how many it left out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from ..findings import Finding, Severity
from . import Summary, display_path, rule_url

#: Severity -> the emoji GitHub and GitLab render for it.
ICONS = {Severity.ERROR: ":x:", Severity.WARNING: ":warning:",
         Severity.INFO: ":information_source:"}
#: Characters of findings table beyond which the rest are only counted (GitHub's comment
#: limit is 65,536 characters, and the graph needs room).
TABLE_BUDGET = 40_000
#: A Mermaid block larger than this is left out (GitHub refuses diagrams over 50,000).
GRAPH_BUDGET = 20_000


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False) -> str:
    """The report; ``color`` is ignored."""
    from .text import summary_line

    lines = ["## esmlint", "", summary_line(summary), ""]
    if not findings:
        return "\n".join(lines)
    lines += _counts(findings)
    lines += _table(findings)
    lines += _graph(findings)
    return "\n".join(lines).rstrip("\n") + "\n"


def _counts(findings: Sequence[Finding]) -> list[str]:
    lines = ["| severity | findings |", "|---|---:|"]
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        count = sum(1 for f in findings if f.severity == severity)
        if count:
            lines.append(f"| {ICONS[severity]} {severity.label} | {count} |")
    lines += ["", "| rule | name | severity | findings |", "|---|---|---|---:|"]
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    for rule, group in sorted(by_rule.items()):
        severity = max(f.severity for f in group)
        lines.append(f"| [{rule}]({rule_url(rule)}) | {escape(group[0].name)} | "
                     f"{severity.label} | {len(group)} |")
    return lines + [""]


def _table(findings: Sequence[Finding]) -> list[str]:
    lines = ["### Findings", "", "| | rule | where | resource | message |",
             "|---|---|---|---|---|"]
    used = 0
    for index, finding in enumerate(findings):
        row = (f"| {ICONS[finding.severity]} | [{finding.rule}]({rule_url(finding.rule)}) | "
               f"{_where(finding)} | {escape(finding.resource)} | {escape(finding.message)} |")
        used += len(row) + 1
        if used > TABLE_BUDGET:
            left = len(findings) - index
            lines.append("")
            lines.append(f"{left} more finding{'' if left == 1 else 's'} not listed here: "
                         "run `esmlint check` for all of them.")
            break
        lines.append(row)
    return lines + [""]


def _where(finding: Finding) -> str:
    path = display_path(finding.path)
    text = escape(f"{path}:{finding.line}")
    if not path or os.path.isabs(path):
        return text  # outside the working directory: no link would resolve
    return f"[{text}]({line_link(path, finding.line)})"


def line_link(path: str, line: int) -> str:
    """A link to ``path`` at ``line``: on the CI's forge at the commit checked, else
    relative."""
    target = path.replace(" ", "%20")
    env = os.environ
    if env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return f"{server}/{env['GITHUB_REPOSITORY']}/blob/{env['GITHUB_SHA']}/{target}#L{line}"
    if env.get("CI_PROJECT_URL") and env.get("CI_COMMIT_SHA"):
        return f"{env['CI_PROJECT_URL'].rstrip('/')}/-/blob/{env['CI_COMMIT_SHA']}/{target}#L{line}"
    return f"{target}#L{line}"


def escape(text: str) -> str:
    """Text safe in a Markdown table cell: no column break, no HTML, one line."""
    return (text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\r", " ").replace("\n", " "))


def _graph(findings: Sequence[Finding]) -> list[str]:
    from ..graph import build, collapse, only_findings
    from ..graph.load import parts
    from ..graph.mermaid import render as mermaid

    paths = sorted({f.path for f in findings if os.path.isfile(f.path)})
    graph = only_findings(build(list(parts(paths)) if paths else [], findings))
    graph = collapse(graph, 40)
    if not graph.nodes:
        return []
    source = mermaid(graph)
    lines = ["### Functions with findings", ""]
    if len(source) > GRAPH_BUDGET:
        return lines + [f"The graph ({len(graph.nodes)} nodes) is too large for a comment: "
                        "`esmlint graph --only-findings --format html` draws it.", ""]
    return lines + ["```mermaid", source.rstrip("\n"), "```", ""]
