"""The documentation is generated from the rules and cannot drift from them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_rule_table_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import update_readme
    finally:
        sys.path.pop(0)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert update_readme.updated(text) == text, "run: python3 scripts/update_readme.py"


def test_every_rule_documents_what_why_example_fix_and_references() -> None:
    from esmlint.engine import load_rules

    for rule in load_rules():
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix",
                        "## References"):
            assert heading in rule.doc, f"{rule.id} lacks '{heading}'"
