"""The same scenario in SAM, CloudFormation, serverless.yml, plan JSON, .tf.json and HCL gives
the same rules.

Each folder of ``fixtures/tf/parity`` holds one scenario written in every format it can be
written in: ``sam.yaml``, ``cfn.yaml``, ``hcl/main.tf``, ``json/main.tf.json`` (made from the
HCL by ``fixtures/tf/hcl_to_json.py``) and ``hcl/plan.json`` (made from the HCL by a real
``terraform plan``, see ``fixtures/tf/make_plans.sh``), ``serverless.yml`` (Serverless
Framework), and ``expected``: the rule IDs every
format must give, no more and no fewer. A scenario that SAM cannot express the same way
(a SAM function with ``Role`` is ESM204's) has no ``sam.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from esmlint.runner import lint_paths

PARITY = Path(__file__).resolve().parents[1] / "fixtures" / "tf" / "parity"
FORMATS = {
    "sam": "sam.yaml",
    "cloudformation": "cfn.yaml",
    "serverless": "serverless.yml",
    "hcl": "hcl/main.tf",
    "tf.json": "json/main.tf.json",
    "plan": "hcl/plan.json",
}
SCENARIOS = sorted(p for p in PARITY.iterdir() if (p / "expected").is_file())


def cases() -> list:
    result = []
    for scenario in SCENARIOS:
        for fmt, name in FORMATS.items():
            if (scenario / name).is_file():
                result.append(pytest.param(scenario, fmt, id=f"{scenario.name}-{fmt}"))
    return result


def rule_ids(path: Path) -> list[str]:
    result = lint_paths([str(path)])
    assert result.files == 1, result.notes
    return sorted({f.rule for f in result.findings})


@pytest.mark.parametrize(("scenario", "fmt"), cases())
def test_format_gives_the_expected_rules(scenario: Path, fmt: str) -> None:
    expected = sorted((scenario / "expected").read_text(encoding="utf-8").split())
    assert rule_ids(scenario / FORMATS[fmt]) == expected


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_every_terraform_format_is_there(scenario: Path) -> None:
    for fmt in ("cloudformation", "hcl", "tf.json", "plan"):
        assert (scenario / FORMATS[fmt]).is_file(), f"{scenario.name} lacks {fmt}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_every_scenario_has_a_serverless_version(scenario: Path) -> None:
    assert (scenario / FORMATS["serverless"]).is_file(), f"{scenario.name} lacks serverless.yml"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_findings_name_the_same_kinds_of_resources(scenario: Path) -> None:
    """Beyond rule IDs: per rule, as many findings in every Terraform format."""
    counts = {}
    for fmt in ("hcl", "tf.json", "plan"):
        findings = lint_paths([str(scenario / FORMATS[fmt])]).findings
        counts[fmt] = sorted((f.rule, f.resource) for f in findings)
    assert counts["hcl"] == counts["tf.json"] == counts["plan"]
