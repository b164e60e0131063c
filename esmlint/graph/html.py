"""The graph as one self-contained HTML page: pan, zoom, click a node for its findings.

Everything the page needs is inside it: the graph as JSON (the ``--format json``
document), the styles and the viewer script (``assets/graph.js``, written for esmlint and
shipped in the package), so it opens from a CI artefact or an e-mail with no network.
The only links out are the rule pages of the findings. The page itself is
``assets/page.html``.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from string import Template

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
    return Template(asset("page.html")).substitute(
        title=html.escape(title),
        style=asset("graph.css"),
        data=_script_safe(data),
        script=_script_safe(asset("graph.js")),
    )
