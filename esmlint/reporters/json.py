"""Machine-readable output, version 1.

The shape is an interface scripts depend on: new keys may be added, existing ones keep
their meaning, and a change that breaks that raises ``version``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..findings import Finding
from . import Summary

VERSION = 1


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False,
           show_fixes: bool = False) -> str:
    """``{"version": 1, "findings": [...], "summary": {...}}``; ``color`` is ignored.

    ``show_fixes`` (``--show-fixes``) adds ``fix`` to every finding: null for a rule that
    fixes nothing, ``{"applicability": "safe" | "unsafe", "message", "edits": [{"path",
    "start": {"line", "column"}, "end": {...}, "content"}]}`` for a fix, and
    ``{"applicability": null, "message": why, "edits": []}`` when the rule fixes findings
    but not this one. ``summary.fixed`` is there with ``--fix`` and ``--diff`` only.
    """
    items = []
    for finding in findings:
        item = finding.to_dict()
        if show_fixes:
            item["fix"] = fix_dict(finding)
        items.append(item)
    document = {
        "version": VERSION,
        "findings": items,
        "summary": summary.to_dict(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def fix_dict(finding: Finding) -> dict | None:
    """A finding's ``fix`` member (see :func:`render`)."""
    fix = finding.fix
    if fix is not None and getattr(fix, "edits", ()):
        return fix.to_dict()
    if finding.fix_note:
        return {"applicability": None, "message": finding.fix_note, "edits": []}
    return None
