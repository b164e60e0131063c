"""Every fixture gives exactly the findings written in it (rule, line and resource).

A fixture in ``fixtures/ESMxxx/`` is checked for the folder's rule and for every rule an
expectation in it names: each expected finding must appear, and no other finding of those
rules may. See ``fixtures/README.md`` for the notation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esmlint.registry import INTERNAL_ERROR_NAME
from esmlint.runner import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
ENTRY = re.compile(r"(ESM\d{3})(?:\s+([\w.:\-\[\]\"]+))?")
SUFFIXES = (".yaml", ".yml", ".json", ".tf", ".template")


def fixture_files() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*")
        if p.is_file() and p.name.endswith(SUFFIXES) and "_modules" not in p.parts
        and not p.name.endswith(".expect") and p.parent.name.startswith("ESM")
    )


def expectations(path: Path) -> set[tuple[str, int, str]]:
    """(rule, line, resource) triples written in the fixture or in its .expect file."""
    expected: set[tuple[str, int, str]] = set()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            if raw.strip() and not raw.lstrip().startswith("#"):
                line, rule, resource = raw.split()
                expected.add((rule, int(line), "" if resource == "-" else resource))
        return expected
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(text)
        if not match:
            continue
        for entry in match.group(1).split(","):
            found = ENTRY.match(entry.strip())
            assert found, f"{path}:{number}: cannot read expectation {entry!r}"
            expected.add((found.group(1), number, found.group(2) or ""))
    return expected


@pytest.mark.parametrize(
    "path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES))
)
def test_fixture(path: Path) -> None:
    folder_rule = path.parent.name if re.fullmatch(r"ESM\d{3}", path.parent.name) else (
        path.parent.parent.name
    )
    expected = expectations(path)
    checked = {folder_rule} | {rule for rule, _, _ in expected}
    result = lint_paths([str(path)])
    crashed = [f.message for f in result.findings if f.name == INTERNAL_ERROR_NAME]
    assert not crashed, f"a rule or loader failed on {path.name}: {crashed}"
    actual = {
        (f.rule, f.line, f.resource) for f in result.findings if f.rule in checked
    }
    if path.name.startswith("fail"):
        assert any(rule == folder_rule for rule, _, _ in expected), (
            f"{path.name} is a failing fixture but expects no {folder_rule} finding"
        )
    if path.name.startswith("pass"):
        assert not any(rule == folder_rule for rule, _, _ in expected), (
            f"{path.name} is a passing fixture but expects a {folder_rule} finding"
        )
    messages = "\n".join(
        f"  {f.line}: {f.rule} [{f.resource}] {f.message}" for f in result.findings
        if f.rule in checked
    )
    assert actual == expected, f"findings differ for {path.name}:\n{messages}"


def test_every_rule_has_failing_and_passing_fixtures() -> None:
    from esmlint.registry import load_rules

    for rule in load_rules():
        folder = FIXTURES / rule.id
        if rule.id in ("ESM001",):
            assert any(folder.glob("fail*")), rule.id
            continue
        assert any(folder.glob("fail*")), f"{rule.id} has no failing fixture"
        assert any(folder.glob("pass*")), f"{rule.id} has no passing fixture"
