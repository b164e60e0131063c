"""The graph in Graphviz's DOT language (``esmlint graph --format dot | dot -Tsvg``).

Every id and label is a quoted DOT string (quotes and backslashes escaped, line breaks
as ``\\n``), so logical IDs and Terraform addresses pass through unchanged. Groups are
``cluster_`` subgraphs; colour is the highest severity; a tooltip carries the findings'
messages (shown by SVG viewers).
"""

from __future__ import annotations

from .build import Edge, Graph, Node
from .style import COLOURS, edge_text, node_lines

_SHAPES = {
    "function": ("box", "rounded,filled"),
    "store": ("cylinder", "filled"),
    "bus": ("hexagon", "filled"),
    "api": ("parallelogram", "filled"),
    "template": ("note", "filled"),
    "collapsed": ("box", "dashed"),
}

_EDGE_STYLES = {"poll": "solid", "async": "dashed", "sync": "bold"}


def quote(text: str) -> str:
    """A DOT double-quoted string."""
    body = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
            .replace("\n", "\\n"))
    return f'"{body}"'


def render(graph: Graph) -> str:
    """The DOT source of ``graph``, ending in a newline."""
    lines = [
        "digraph esmlint {",
        "  rankdir=LR;",
        "  graph [fontname=\"Helvetica\", fontsize=11, nodesep=0.3, ranksep=0.6];",
        "  node [fontname=\"Helvetica\", fontsize=11, penwidth=1.4];",
        "  edge [fontname=\"Helvetica\", fontsize=9];",
    ]
    for index, (label, members) in enumerate(graph.groups().items()):
        indent = "  "
        if label:
            lines.append(f"  subgraph cluster_{index} {{")
            lines.append(f"    label={quote(label)}; style=\"rounded,dashed\"; "
                         "color=\"#8c959f\"; fontcolor=\"#57606a\";")
            indent = "    "
        lines.extend(indent + _node(node) for node in members)
        if label:
            lines.append("  }")
    lines.extend("  " + _edge(edge) for edge in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(node: Node) -> str:
    shape, style = _SHAPES.get(node.shape, _SHAPES["store"])
    stroke, fill = COLOURS[node.severity]
    if node.external:
        style += ",dashed"
    attrs = {
        "label": "\n".join(node_lines(node)),
        "shape": shape,
        "style": style,
        "color": stroke,
        "fillcolor": fill if node.kind != "collapsed" else "#ffffff",
        "tooltip": _tooltip(node.label, node.findings) or node.title,
    }
    return f"{quote(node.id)} [{_attrs(attrs)}];"


def _edge(edge: Edge) -> str:
    stroke, _ = COLOURS[edge.severity]
    style = _EDGE_STYLES.get(edge.mode, "solid") if edge.relation == "invoke" else "dotted"
    attrs = {
        "label": edge_text(edge),
        "style": style,
        "color": stroke,
        "fontcolor": stroke,
        "penwidth": "2" if edge.findings else "1.2",
    }
    tooltip = _tooltip(edge_text(edge), edge.findings)
    if tooltip:
        attrs["tooltip"] = tooltip
    return f"{quote(edge.source)} -> {quote(edge.target)} [{_attrs(attrs)}];"


def _tooltip(head: str, findings) -> str:
    if not findings:
        return ""
    return "\n".join([head, *(f"{f.rule} {f.severity.label}: {f.message}" for f in findings)])


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value)}" for key, value in attrs.items())
