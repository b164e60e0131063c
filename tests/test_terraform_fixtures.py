"""Terraform fixtures that are folders: plan JSON from real terraform runs, and modules.

``tests/test_fixtures.py`` runs the single-file fixtures (``fixtures/ESMxxx/*.tf``,
``*.tf.json``). Folders need their own runner:

- a folder with ``plan.json`` (``fixtures/ESMxxx/tfplan_*``, ``fixtures/tf/*``) holds the
  ``.tf`` the plan was made from (``fixtures/tf/make_plans.sh``) and ``expect``: one
  ``RULE RESOURCE`` per line. Plans have no lines, so only rule and resource address are
  compared, for the folder's rule and every rule ``expect`` names.
- a module folder (``fixtures/tf/module_*``) is linted as a directory; its ``.tf`` files,
  local modules included, carry ``# expect:`` comments as single-file fixtures do (``-``
  for no resource, as ESM001 has), and no finding may be reported twice.

Terraform itself is never run here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esmlint.registry import INTERNAL_ERROR_NAME
from esmlint.runner import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
RULE_FOLDER = re.compile(r"ESM\d{3}")

PLANS = sorted(p.parent for p in FIXTURES.rglob("plan.json") if (p.parent / "expect").is_file())
MODULES = sorted(p for p in (FIXTURES / "tf").glob("module_*") if p.is_dir())


def folder_rule(folder: Path) -> str:
    for part in reversed(folder.relative_to(FIXTURES).parts):
        if RULE_FOLDER.fullmatch(part):
            return part
    return ""


@pytest.mark.parametrize("folder", PLANS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_plan_fixture(folder: Path) -> None:
    expected = set()
    for line in (folder / "expect").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rule, resource = line.split(None, 1)
            expected.add((rule, resource.strip()))
    checked = {rule for rule, _ in expected} | ({folder_rule(folder)} - {""})
    result = lint_paths([str(folder / "plan.json")])
    assert not [f.message for f in result.findings if f.name == INTERNAL_ERROR_NAME]
    assert result.files == 1, result.notes
    actual = {(f.rule, f.resource) for f in result.findings if f.rule in checked}
    messages = "\n".join(f"  {f.rule} [{f.resource}] {f.message}" for f in result.findings
                         if f.rule in checked)
    assert actual == expected, f"findings differ for {folder.name}:\n{messages}"
    for finding in result.findings:
        assert finding.path.endswith("plan.json") and finding.line == 1


@pytest.mark.parametrize("folder", MODULES, ids=lambda p: p.name)
def test_module_fixture(folder: Path) -> None:
    expected = set()
    for path in sorted(folder.rglob("*.tf")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(text)
            if match:
                for entry in match.group(1).split(","):
                    rule, resource = entry.split()
                    expected.add((rule, str(path.relative_to(folder)), number,
                                  "" if resource == "-" else resource))
    assert expected, f"{folder.name} expects nothing"
    checked = {rule for rule, *_ in expected}
    result = lint_paths([str(folder)])
    assert not [f.message for f in result.findings if f.name == INTERNAL_ERROR_NAME]
    actual = {(f.rule, str(Path(f.path).resolve().relative_to(folder.resolve())), f.line,
               f.resource) for f in result.findings
              if f.rule in checked and not f.path.endswith(".json")}
    assert actual == expected
    # Each finding once: a module that calls itself is not expanded again and again.
    keys = [(f.rule, f.path, f.line, f.resource, f.message) for f in result.findings]
    assert len(keys) == len(set(keys))


def test_plans_were_made_by_terraform() -> None:
    """Plan fixtures are real `terraform show -json` output, kept beside their .tf."""
    import json

    assert PLANS
    for folder in PLANS:
        plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        assert plan["format_version"].startswith("1.")
        assert plan["terraform_version"]
        assert list(folder.glob("*.tf")), f"{folder} has no .tf beside its plan"
