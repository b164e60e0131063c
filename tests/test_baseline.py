"""Baselines: write one, then edit the template; only new findings are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CFN_QUEUE_TOO_SHORT

from esmlint import baseline
from esmlint.findings import Finding, Severity

# ESM101 on Mapping: visibility 10 s < timeout 30 s.
TEMPLATE = CFN_QUEUE_TOO_SHORT

# A second function on the same queue: a new ESM101 finding, on OtherMapping.
NEW_MAPPING = """
  Other:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {ZipFile: "def handler(e, c): pass"}
      Timeout: 45
      Role: arn:aws:iam::123456789012:role/external
  OtherMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Other
      EventSourceArn: !GetAtt Queue.Arn
"""

SELECT = ("--select", "ESM101")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def findings_of(run) -> list[dict]:
    return json.loads(run.stdout)["findings"]


def test_write_then_hide(run_cli, write, repo):
    template = write("stacks/orders.yaml", TEMPLATE)
    base = repo / "esmlint-baseline.json"
    run = run_cli("check", template, *SELECT, "--write-baseline", base)
    assert run.exit_code == 0, run.stdout
    assert "wrote 1 finding to baseline" in run.stderr
    assert run.stdout == "No problems found in 1 file. 1 finding hidden by the baseline.\n"

    document = json.loads(base.read_text())
    assert document["version"] == 1
    [entry] = document["findings"]
    assert entry["rule"] == "ESM101" and entry["path"] == "stacks/orders.yaml"
    assert entry["resource"] == "Mapping" and entry["function"] == "Worker"
    assert entry["count"] == 1 and "line" not in entry

    run = run_cli("check", template, *SELECT, "--baseline", base)
    assert run.exit_code == 0
    assert run.stdout == "No problems found in 1 file. 1 finding hidden by the baseline.\n"
    # Without the baseline the finding is back.
    assert run_cli("check", template, *SELECT).exit_code == 1


def test_moved_lines_and_unrelated_edits_stay_hidden(run_cli, write, repo):
    template = write("orders.yaml", TEMPLATE)
    base = repo / "baseline.json"
    run_cli("check", template, *SELECT, "--write-baseline", base)
    edited = TEMPLATE.replace("Resources:\n", """Description: orders, now documented
Parameters:
  Stage: {Type: String, Default: prod}
Resources:
  Topic:
    Type: AWS::SNS::Topic
""")
    edited = edited.replace("Handler: app.handler", "Handler: orders.handler")
    edited = edited.replace("Timeout: 30", "Timeout: 40")  # the message changes, not the key
    write("orders.yaml", edited)
    run = run_cli("check", template, *SELECT, "--baseline", base, "--format", "json")
    assert findings_of(run) == [] and run.exit_code == 0


def test_new_findings_are_reported(run_cli, write, repo):
    template = write("orders.yaml", TEMPLATE)
    base = repo / "baseline.json"
    run_cli("check", template, *SELECT, "--write-baseline", base)
    write("orders.yaml", TEMPLATE + NEW_MAPPING)
    run = run_cli("check", template, *SELECT, "--baseline", base)
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert len(lines) == 2 and lines[0].endswith("[OtherMapping]")
    assert lines[1] == ("Found 1 problem (1 error) in 1 file (1 file checked). "
                        "1 finding hidden by the baseline.")
    # A new file is new too.
    write("payments.yaml", TEMPLATE)
    run = run_cli("check", repo, *SELECT, "--baseline", base, "--format", "json")
    assert {(Path(f["path"]).name, f["resource"]) for f in findings_of(run)} == {
        ("orders.yaml", "OtherMapping"), ("payments.yaml", "Mapping")}


def test_paths_are_relative_to_the_baseline_file_not_the_working_directory(
        run_cli, write, repo, monkeypatch):
    write("stacks/orders.yaml", TEMPLATE)
    monkeypatch.chdir(repo)
    run_cli("check", "stacks", *SELECT, "--write-baseline", "ci/baseline.json")
    assert json.loads((repo / "ci" / "baseline.json").read_text())["findings"][0]["path"] == (
        "../stacks/orders.yaml")
    monkeypatch.chdir(repo / "stacks")
    run = run_cli("check", ".", *SELECT, "--baseline", "../ci/baseline.json")
    assert run.exit_code == 0, run.stdout


def test_baseline_from_the_configuration(run_cli, write, repo):
    template = write("orders.yaml", TEMPLATE)
    run_cli("check", template, *SELECT, "--write-baseline", repo / "ci" / "baseline.json")
    write(".esmlint.yaml", "baseline: ci/baseline.json\n")
    run = run_cli("check", template, *SELECT)
    assert run.exit_code == 0 and "1 finding hidden by the baseline" in run.stdout
    # The command line wins: another (empty) baseline hides nothing.
    empty = repo / "empty.json"
    empty.write_text('{"version": 1, "findings": []}')
    assert run_cli("check", template, *SELECT, "--baseline", empty).exit_code == 1


def test_counts_limit_how_many_identical_findings_are_hidden(tmp_path):
    path = str(tmp_path / "t.yaml")
    one = Finding("ESM105", Severity.ERROR, path, 3, 1, "m", resource="M", key="k")
    two = Finding("ESM105", Severity.ERROR, path, 9, 1, "m", resource="M", key="k")
    info = Finding("ESM112", Severity.INFO, path, 5, 1, "m", resource="M", key="j")
    file = str(tmp_path / "baseline.json")
    assert baseline.write(file, [one, info]) == 2
    loaded = baseline.load(file)
    assert loaded.hide([one, two, info]) == {id(one), id(info)}
    assert baseline.write(file, [one, two]) == 2
    assert json.loads(Path(file).read_text())["findings"][0]["count"] == 2
    assert baseline.load(file).hide([one, two]) == {id(one), id(two)}


def test_a_rule_without_key_is_matched_on_its_message_without_numbers(tmp_path):
    path = str(tmp_path / "t.yaml")
    old = Finding("ESM999", Severity.ERROR, path, 3, 1, "timeout 30 s above 10 s")
    new = Finding("ESM999", Severity.ERROR, path, 4, 1, "timeout 31 s above 10.5 s")
    other = Finding("ESM999", Severity.ERROR, path, 4, 1, "another problem")
    file = str(tmp_path / "baseline.json")
    baseline.write(file, [old])
    assert baseline.load(file).hide([new, other]) == {id(new)}


@pytest.mark.parametrize("content, message", [
    (None, "does not exist; create it with 'esmlint check --write-baseline"),
    ("{not json", "is not valid JSON"),
    ('{"version": 2, "findings": []}', "has version 2; this esmlint reads version 1"),
    ('{"version": 1, "findings": [{"rule": 5}]}', "findings[0] is not a baseline entry"),
    ('{"version": 1, "findings": [{"rule": "ESM101", "count": 0}]}', "findings[0]"),
    ('["ESM101"]', "is not an esmlint baseline"),
])
def test_bad_baseline_files_exit_2(run_cli, write, repo, content, message):
    template = write("orders.yaml", TEMPLATE)
    base = repo / "baseline.json"
    if content is not None:
        base.write_text(content)
    run = run_cli("check", template, "--baseline", base)
    assert run.exit_code == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_json_output_is_unchanged_by_a_baseline(run_cli, write, repo):
    template = write("orders.yaml", TEMPLATE)
    base = repo / "baseline.json"
    run = run_cli("check", template, *SELECT, "--write-baseline", base, "--format", "json")
    document = json.loads(run.stdout)
    assert document["findings"] == []
    assert set(document["summary"]) == {"files", "errors", "warnings", "infos", "total"}
