"""What every drawing of the graph shares: colours by severity and the texts of labels.

Colours follow GitHub's (Primer) palette so that Mermaid in a pull request, the DOT
picture and the HTML page look alike; a node or edge is coloured by its highest severity.
"""

from __future__ import annotations

from ..findings import Severity
from .build import Edge, Node

#: Severity (None: no finding) -> (stroke, fill).
COLOURS: dict[Severity | None, tuple[str, str]] = {
    Severity.ERROR: ("#cf222e", "#ffebe9"),
    Severity.WARNING: ("#9a6700", "#fff8c5"),
    Severity.INFO: ("#0969da", "#ddf4ff"),
    None: ("#57606a", "#f6f8fa"),
}


def severity_name(severity: Severity | None) -> str:
    return severity.label if severity is not None else "none"


def node_lines(node: Node) -> list[str]:
    """A node's label: its name, what it is (for anything but a function), its rules."""
    lines = [node.label]
    if node.kind not in ("function", "collapsed", "template"):
        lines.append(("external " if node.external else "") + node.title)
    elif node.kind == "template":
        lines.append("template (no model)")
    if node.rules:
        lines.append(" ".join(node.rules))
    return lines


def edge_text(edge: Edge) -> str:
    """An edge's label: the invocation mode or relation, then its rules."""
    rules = " ".join(edge.rules)
    return f"{edge.label} {rules}".strip() if rules else edge.label
