"""The graph as a Mermaid flowchart, which GitHub and GitLab render inside Markdown.

Node ids are generated (``n0``, ``n1``...) because logical IDs and Terraform addresses
(``module.a.aws_sqs_queue.q["x"]``) are not valid Mermaid ids; every label is quoted and
its quotes, ``#``, ``<`` and ``>`` written as Mermaid entity codes, so no template text
can break the diagram. Groups are subgraphs; severities are ``classDef`` classes for
nodes and ``linkStyle`` lines for edges.
"""

from __future__ import annotations

from ..findings import Severity
from .build import Graph
from .style import COLOURS, edge_text, node_lines, severity_name

_SHAPES = {
    "function": ('(["', '"])'),
    "store": ('[("', '")]'),
    "bus": ('{{"', '"}}'),
    "api": ('[/"', '"/]'),
    "template": ('["', '"]'),
    "collapsed": ('["', '"]'),
}

#: Invocation mode or relation -> Mermaid arrow (solid poll, dotted async, thick sync).
_ARROWS = {"poll": "-->", "async": "-.->", "sync": "==>"}


def escape(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))


def render(graph: Graph, *, direction: str = "LR") -> str:
    """The Mermaid source of ``graph`` (``flowchart LR``), ending in a newline."""
    ids = {nid: f"n{index}" for index, nid in enumerate(graph.nodes)}
    lines = [f"flowchart {direction}"]
    if not graph.nodes:
        lines.append('  empty["no functions found"]')
    for index, (label, members) in enumerate(graph.groups().items()):
        indent = "  "
        if label:
            lines.append(f'  subgraph g{index}["{escape(label)}"]')
            indent = "    "
        for node in members:
            opening, closing = _SHAPES.get(node.shape, _SHAPES["store"])
            text = "<br/>".join(escape(line) for line in node_lines(node))
            lines.append(f"{indent}{ids[node.id]}{opening}{text}{closing}")
        if label:
            lines.append("  end")
    for edge in graph.edges:
        arrow = _ARROWS.get(edge.mode, "-->") if edge.relation == "invoke" else "-.->"
        lines.append(f'  {ids[edge.source]} {arrow}|"{escape(edge_text(edge))}"| '
                     f"{ids[edge.target]}")
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        stroke, fill = COLOURS[severity]
        lines.append(f"  classDef {severity.label} fill:{fill},stroke:{stroke},"
                     "stroke-width:2px,color:#1f2328")
    lines.append("  classDef external stroke-dasharray:4 3")
    lines.append("  classDef collapsed fill:#ffffff,stroke:#8c959f,stroke-dasharray:4 3,"
                 "color:#57606a")
    classes: dict[str, list[str]] = {}
    for nid, node in graph.nodes.items():
        if node.severity is not None:
            classes.setdefault(severity_name(node.severity), []).append(ids[nid])
        if node.external:
            classes.setdefault("external", []).append(ids[nid])
        if node.kind == "collapsed":
            classes.setdefault("collapsed", []).append(ids[nid])
    for name, members in classes.items():
        lines.append(f"  class {','.join(members)} {name}")
    for index, edge in enumerate(graph.edges):
        if edge.severity is not None:
            stroke, _ = COLOURS[edge.severity]
            lines.append(f"  linkStyle {index} stroke:{stroke},stroke-width:2px,color:{stroke}")
    return "\n".join(lines) + "\n"
