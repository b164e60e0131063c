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


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False) -> str:
    """``{"version": 1, "findings": [...], "summary": {...}}``; ``color`` is ignored."""
    document = {
        "version": VERSION,
        "findings": [finding.to_dict() for finding in findings],
        "summary": summary.to_dict(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
