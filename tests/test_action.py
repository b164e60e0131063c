"""The GitHub Action (action.yml) and its run step (scripts/github_action.py).

GitHub's runner cannot run here, so the run step is run as the runner runs it: the
action's Python with the INPUT_* variables the composite step sets, and GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY files; action.yml and the workflow that uses it are checked for
inputs and outputs that do not line up.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CFN_QUEUE_TOO_SHORT, REPO, program_env

from esmlint.links import rule_url

SCRIPT = REPO / "scripts" / "github_action.py"


def run_action(tmp_path: Path, cwd: Path, **inputs: str) -> tuple[subprocess.CompletedProcess,
                                                                  dict[str, str], str]:
    output, summary = tmp_path / "github_output", tmp_path / "step_summary"
    env = program_env({"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary),
                       "NO_COLOR": "1"})
    for key, value in inputs.items():
        env[f"INPUT_{key.upper()}"] = value
    run = subprocess.run([sys.executable, str(SCRIPT)], cwd=cwd, env=env, text=True,
                         capture_output=True, timeout=120, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) \
        if output.exists() else {}
    return run, outputs, summary.read_text() if summary.exists() else ""


def test_action_annotates_summarises_and_writes_sarif_on_the_examples(tmp_path):
    sarif_file = tmp_path / "out" / "esmlint.sarif"
    run, outputs, summary = run_action(tmp_path, REPO, paths="examples",
                                       args="--severity info", sarif_file=str(sarif_file))
    expected = json.loads(subprocess.run(
        [sys.executable, "-m", "esmlint", "check", "examples", "--severity", "info",
         "--format", "json"], cwd=REPO, env=program_env(), capture_output=True, text=True,
        check=False).stdout)
    findings = expected["findings"]
    assert findings and expected["summary"]["errors"] > 0

    assert run.returncode == 1, run.stderr  # the examples have errors
    annotations = re.findall(r"^::(error|warning|notice) file=([^,]+),line=(\d+)",
                             run.stdout, re.MULTILINE)
    assert len(annotations) == len(findings)
    assert {path for _, path, _ in annotations} == {f["path"] for f in findings}

    assert outputs["exit-code"] == "1"
    assert outputs["findings"] == str(len(findings))
    assert outputs["errors"] == str(expected["summary"]["errors"])
    assert outputs["sarif-file"] == str(sarif_file)

    log = json.loads(sarif_file.read_text())
    assert len(log["runs"][0]["results"]) == len(findings)

    assert summary.startswith("## esmlint")
    assert f"**{len(findings)} findings**" in summary and "failed" in summary
    for finding in findings:
        assert f"[{finding['rule']}]({rule_url(finding['rule'])})" in summary
        assert f"`{finding['path']}:{finding['line']}`" in summary


def test_action_on_a_clean_template_passes(tmp_path):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "template.yaml").write_text(
        CFN_QUEUE_TOO_SHORT.replace("VisibilityTimeout: 10", "VisibilityTimeout: 300"))
    run, outputs, summary = run_action(tmp_path, tmp_path / "repo", paths="",
                                       args="--select ESM101", sarif_file="", summary="true")
    assert run.returncode == 0, run.stdout + run.stderr
    assert outputs["exit-code"] == "0" and outputs["findings"] == "0"
    assert "sarif-file" not in outputs
    assert "No problems found in 1 template: passed." in summary


def test_action_with_a_bad_option_fails_with_exit_code_2_and_says_so(tmp_path):
    run, outputs, summary = run_action(tmp_path, REPO, paths="examples",
                                       args="--severity nonsense",
                                       sarif_file=str(tmp_path / "x.sarif"))
    assert run.returncode == 2
    assert outputs == {"exit-code": "2"}
    assert "could not run (exit code 2)" in summary
    assert not (tmp_path / "x.sarif").exists()


def test_action_yml_inputs_and_outputs_line_up():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    text = (REPO / "action.yml").read_text()
    used = set(re.findall(r"inputs\.([\w-]+)", text))
    assert used == set(action["inputs"]), used ^ set(action["inputs"])
    steps = action["runs"]["steps"]
    lint = next(step for step in steps if step.get("id") == "lint")
    assert "scripts/github_action.py" in lint["run"]
    # What the run step's environment passes is what the script reads.
    script = SCRIPT.read_text()
    for variable in lint["env"]:
        assert f'"{variable}"' in script, variable
    # Every output comes from an output the script writes.
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.lint.outputs.{name} }}}}", name
        assert f'"{name}"' in script or f"'{name}'" in script, name
    # The install step installs the action's own checkout, not a release from the index.
    install = next(step for step in steps if "pip install" in step.get("run", ""))
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    # Third-party actions are pinned to a major version.
    for step in steps:
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w/-]+@v\d+", step["uses"]), step["uses"]


def test_a_workflow_of_the_repository_uses_the_action_on_the_examples():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "action.yml").read_text())
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    [local] = [step for step in steps if step.get("uses") == "./"]
    assert local["with"]["paths"] == "examples"
    assert (REPO / local["with"]["paths"]).is_dir()
    check = steps[steps.index(local) + 1]
    assert f"steps.{local['id']}.outputs.exit-code" in json.dumps(check)


@pytest.mark.parametrize("name", ["action.yml", "ci.yml", "docs.yml", "release.yml"])
def test_workflows_are_valid_yaml_with_jobs(name):
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())
    assert workflow["jobs"] and True in workflow  # PyYAML reads the key `on` as True
