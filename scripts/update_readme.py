"""Regenerate the rule table in README.md from the rule modules.

The table sits between the ``<!-- rules:start -->`` and ``<!-- rules:end -->`` markers;
``tests/test_docs.py`` fails when it differs from what this script writes, so the README
cannot drift from the rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rule_table() -> str:
    from esmlint.cli import render_rules  # the same renderer as `esmlint rules`
    from esmlint.registry import load_rules

    return render_rules(load_rules(), "markdown").rstrip("\n")


def updated(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{rule_table()}\n{END}{tail}"


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = updated(text)
    if new != text:
        readme.write_text(new, encoding="utf-8")
        print("README.md: rule table updated")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
