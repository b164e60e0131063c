"""The graph as one self-contained HTML page: pan, zoom, click a node for its findings.

Everything the page needs is inside it: the graph as JSON (the ``--format json``
document), the styles and the viewer script (``assets/graph.js``, written for esmlint and
shipped in the package), so it opens from a CI artefact or an e-mail with no network.
The only links out are the rule pages of the findings.
"""

from __future__ import annotations

import html
import json
from importlib import resources

from .build import Graph
from .json import as_data


def asset(name: str) -> str:
    """A file of ``esmlint/graph/assets`` (package data), as text."""
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text that cannot end the ``<script>`` element it sits in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render(graph: Graph, *, title: str = "esmlint invocation graph") -> str:
    data = json.dumps(as_data(graph), ensure_ascii=False, separators=(",", ":"))
    return _PAGE.format(
        title=html.escape(title),
        style=asset("graph.css"),
        data=_script_safe(data),
        script=_script_safe(asset("graph.js")),
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="esmlint graph">
<title>{title}</title>
<style>
{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<span class="summary" id="summary"></span>
<span class="legend"><span class="error">error</span><span class="warning">warning</span><span class="info">info</span><span class="none">no finding</span></span>
<button type="button" id="zoom-out" title="Zoom out">&minus;</button>
<button type="button" id="zoom-in" title="Zoom in">+</button>
<button type="button" id="zoom-fit" title="Fit the graph to the window">fit</button>
</header>
<main>
<svg id="canvas" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="invocation graph"></svg>
<aside id="panel"><h2>Select a node</h2><p class="quiet">Click a function, resource or edge to list its findings. Drag to pan; scroll to zoom.</p></aside>
</main>
<script type="application/json" id="esmlint-graph">{data}</script>
<script>
{script}</script>
</body>
</html>
"""
