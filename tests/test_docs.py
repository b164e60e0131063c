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
    from esmlint.registry import load_rules

    for rule in load_rules():
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix",
                        "## References"):
            assert heading in rule.doc, f"{rule.id} lacks '{heading}'"


def test_readme_example_output_matches_the_example() -> None:
    import re

    from esmlint.findings import Severity
    from esmlint.runner import lint_paths

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("On the examples, esmlint prints:", 1)[1].split("```text\n", 1)[1]
    block = block.split("```", 1)[0]
    shown = re.findall(r"^examples/([\w/.]+):(\d+):(\d+): (\w+) (ESM\d+) .*\[([\w.]+)\]$",
                       block, re.MULTILINE)
    examples = ROOT / "examples"
    result = lint_paths([str(examples)])
    actual = [(Path(f.path).relative_to(examples).as_posix(), str(f.line), str(f.column),
               f.severity.label, f.rule, f.resource)
              for f in result.findings if f.severity >= Severity.WARNING]  # the default
    assert {path for path, *_ in actual} == {"template.yaml", "terraform/main.tf"}
    assert shown and shown == actual, "update the example output in README.md"
    summary = re.search(r"^Found (\d+) problems .* in (\d+) files", block, re.MULTILINE)
    assert summary and summary.groups() == (str(len(actual)), "2")
