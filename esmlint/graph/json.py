"""The graph as JSON, for other tools (``esmlint graph --format json``).

A stable interface, versioned like ``check --format json``::

    {"version": 1,
     "nodes": [{"id", "label", "kind", "title", "shape", "type", "stack", "file", "line",
                "external", "group", "severity", "rules", "findings", "members"}],
     "edges": [{"id", "source", "target", "relation", "mode", "kind", "label", "file",
                "line", "severity", "rules", "findings"}],
     "groups": [{"label", "nodes"}],
     "summary": {"nodes", "edges", "functions", "findings", "errors", "warnings", "infos"}}

``severity`` is the highest severity of the findings on the node or edge, or null.
Findings carry the same fields as in ``check --format json`` plus ``url``, the rule's page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..findings import Finding, Severity
from ..reporters import display_path, rule_url
from .build import Edge, Graph, Node

VERSION = 1


def finding_dict(finding: Finding) -> dict:
    item = finding.to_dict()
    item["path"] = display_path(finding.path)
    item["url"] = rule_url(finding.rule)
    return item


def _findings(findings: Sequence[Finding]) -> list[dict]:
    return [finding_dict(f) for f in findings]


def node_dict(node: Node, graph: Graph) -> dict:
    return {
        "id": node.id, "label": node.label, "kind": node.kind, "title": node.title,
        "shape": node.shape, "type": node.type, "stack": display_path(node.stack),
        "file": display_path(node.file), "line": node.line, "external": node.external,
        "group": display_path(node.group(graph.group_by)),
        "severity": node.severity.label if node.severity is not None else None,
        "rules": node.rules, "findings": _findings(node.findings), "members": node.members,
    }


def edge_dict(edge: Edge) -> dict:
    return {
        "id": edge.id, "source": edge.source, "target": edge.target,
        "relation": edge.relation, "mode": edge.mode, "kind": edge.kind,
        "label": edge.label, "file": display_path(edge.file), "line": edge.line,
        "severity": edge.severity.label if edge.severity is not None else None,
        "rules": edge.rules, "findings": _findings(edge.findings),
    }


def as_data(graph: Graph) -> dict:
    """The JSON document as Python data (the HTML page embeds the same)."""
    findings = graph.findings
    return {
        "version": VERSION,
        "nodes": [node_dict(node, graph) for node in graph.nodes.values()],
        "edges": [edge_dict(edge) for edge in graph.edges],
        "groups": [{"label": display_path(label), "nodes": [n.id for n in members]}
                   for label, members in graph.groups().items()],
        "summary": {
            "nodes": len(graph.nodes),
            "edges": len(graph.edges),
            "functions": sum(1 for n in graph.nodes.values() if n.kind == "function"),
            "findings": len(findings),
            "errors": sum(1 for f in findings if f.severity == Severity.ERROR),
            "warnings": sum(1 for f in findings if f.severity == Severity.WARNING),
            "infos": sum(1 for f in findings if f.severity == Severity.INFO),
        },
    }


def render(graph: Graph) -> str:
    return json.dumps(as_data(graph), indent=2, ensure_ascii=False) + "\n"
