"""The invocation graph (``esmlint graph``, and the Mermaid graph of the Markdown report).

:mod:`.build` turns models and findings into a :class:`Graph` and focuses it; the other
modules each draw it in one format and read only the graph. Nothing here is imported on
the ``esmlint check`` path (the Markdown report imports it when chosen).
"""

from __future__ import annotations

import importlib

from .build import Edge, Graph, Node, Part, build, collapse, focus, only_findings

__all__ = ["Edge", "Graph", "Node", "Part", "build", "collapse", "focus", "only_findings",
           "FORMATS", "render"]

#: ``--format`` value -> the module that draws the graph in it.
FORMATS = {
    "mermaid": "esmlint.graph.mermaid",
    "dot": "esmlint.graph.dot",
    "json": "esmlint.graph.json",
    "html": "esmlint.graph.html",
}


def render(graph: Graph, output_format: str) -> str:
    """``graph`` in one of :data:`FORMATS`."""
    return importlib.import_module(FORMATS[output_format]).render(graph)
