"""esmlint's rules inside cfn-lint: ``cfn-lint --append-rules esmlint.cfn_lint``.

cfn-lint runs as a program, as users run it, with the installed cfn-lint release (CI
installs the newest; cfn-lint before 1.54 expands SAM before rules run, later releases do
not: the SAM template below must give the same findings on both). Findings must come out
in cfn-lint's formats with IDs that contain the esmlint ID, at the lines esmlint reports,
and obey cfn-lint's suppressions and options.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAM_QUEUE_TOO_SHORT

from esmlint import registry
from esmlint.findings import Severity
from esmlint.reporters import rule_url

cfnlint = pytest.importorskip("cfnlint", reason="cfn-lint is a dependency of esmlint")

# The shared SAM template (ESM101 on Worker) plus a function that cfn-lint Metadata quiets.
SAM = SAM_QUEUE_TOO_SHORT + """\
  Quiet:
    Type: AWS::Serverless::Function
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [EESM101]
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Timeout: 30
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""

CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: "def handler(e, c): pass"}
      Timeout: 30
      Role: !GetAtt Role.Arn
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Queue.Arn
"""


def cfn_lint(*args: str, cwd: Path, child_env: dict, stdin: str | None = None
             ) -> subprocess.CompletedProcess:
    """``cfn-lint ARGS...`` as a program, importing the esmlint these tests import."""
    code = ("import sys\nfrom cfnlint.runner import main\n"
            "sys.argv[0] = 'cfn-lint'\nsys.exit(main())\n")
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=child_env, input=stdin,
        capture_output=True, text=True, timeout=300,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


def matches_of(proc: subprocess.CompletedProcess) -> list[dict]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout or "[]")


def esmlint_findings(run_cli, path: Path, *args: str) -> list[dict]:
    run = run_cli("check", path, "--format", "json", "--severity", "info", *args)
    return json.loads(run.stdout)["findings"]


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cfn-lint")
    (folder / "sam.yaml").write_text(SAM)
    (folder / "cfn.yaml").write_text(CFN)
    (folder / "inline.yaml").write_text(SAM.replace(
        "    Type: AWS::Serverless::Function\n    Properties:",
        "    Type: AWS::Serverless::Function\n    Metadata:\n      esmlint:\n"
        "        ignore: [ESM101]\n    Properties:", 1))
    return folder


@pytest.fixture(scope="module")
def module_env() -> dict:
    from conftest import program_env

    return program_env()


@pytest.fixture(scope="module")
def json_run(templates, module_env) -> list[dict]:
    """Both templates, every severity, cfn-lint's JSON format."""
    proc = cfn_lint("--append-rules", "esmlint.cfn_lint", "--include-checks", "I",
                    "--format", "json", "--", "sam.yaml", "cfn.yaml",
                    cwd=templates, child_env=module_env)
    assert proc.returncode != 0, proc.stderr  # errors and warnings found
    return matches_of(proc)


def ours(matches: list[dict], filename: str | None = None) -> list[dict]:
    return [m for m in matches if re.fullmatch(r"[EWI]ESM\d{3}", m["Rule"]["Id"])
            and (filename is None or m["Filename"] == filename)]


def test_sam_findings_in_cfn_lint_match_esmlint(json_run, templates, run_cli):
    expected = [f for f in esmlint_findings(run_cli, templates / "sam.yaml")
                if f["resource"] != "Quiet" or f["rule"] != "ESM101"]  # suppressed below
    got = ours(json_run, "sam.yaml")
    assert sorted((m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"],
                   m["Location"]["Start"]["ColumnNumber"]) for m in got) == sorted(
        ({"error": "E", "warning": "W", "info": "I"}[f["severity"]] + f["rule"], f["line"],
         f["column"]) for f in expected)
    [esm101] = [m for m in got if m["Rule"]["Id"] == "EESM101"]
    assert esm101["Level"] == "Error"
    assert esm101["Rule"]["ShortDescription"] == "ESM101 sqs-visibility-below-timeout"
    assert esm101["Rule"]["Source"] == rule_url("ESM101")
    assert esm101["Location"]["Path"] == ["Resources", "Worker"]
    assert "function Worker has Timeout 30 s" in esm101["Message"]
    assert esm101["Message"].endswith("[Worker]")
    # The SAM event's line: cfn-lint sees the template as written, SAM events included.
    assert SAM.splitlines()[esm101["Location"]["Start"]["LineNumber"] - 1].strip() == "Jobs:"


def test_metadata_suppression_on_a_sam_function(json_run):
    got = ours(json_run, "sam.yaml")
    assert not [m for m in got if m["Rule"]["Id"] == "EESM101"
                and m["Location"]["Path"][1] == "Quiet"]
    # Only the rule it names: Quiet's other findings stay.
    assert [m for m in got if m["Location"]["Path"][1:] == ["Quiet"]]


def test_cloudformation_findings_and_severity_letters(json_run, templates, run_cli):
    got = ours(json_run, "cfn.yaml")
    expected = esmlint_findings(run_cli, templates / "cfn.yaml")
    assert len(got) == len(expected) and got
    ids = {m["Rule"]["Id"] for m in got}
    assert "WESM102" in ids  # 60 s visibility < 6 x 30 s
    levels = {"E": "Error", "W": "Warning", "I": "Informational"}
    for match in got:
        assert match["Level"] == levels[match["Rule"]["Id"][0]]


def test_cfn_lint_ignore_checks_and_default_includes(templates, module_env):
    proc = cfn_lint("-a", "esmlint.cfn_lint", "--ignore-checks", "EESM101", "WESM111",
                    "--format", "json", "--", "sam.yaml", cwd=templates, child_env=module_env)
    ids = {m["Rule"]["Id"] for m in ours(matches_of(proc))}
    assert "EESM101" not in ids and "WESM111" not in ids
    # cfn-lint shows I rules only with --include-checks I.
    assert not [i for i in ids if i.startswith("I")]


def test_rule_options_through_configure_rule(templates, module_env):
    base = ["-a", "esmlint.cfn_lint", "--format", "json"]
    default = cfn_lint(*base, "--", "cfn.yaml", cwd=templates, child_env=module_env)
    assert "WESM102" in {m["Rule"]["Id"] for m in ours(matches_of(default))}
    relaxed = cfn_lint(*base, "--configure-rule", "WESM102:multiplier=2", "--", "cfn.yaml",
                       cwd=templates, child_env=module_env)
    assert "WESM102" not in {m["Rule"]["Id"] for m in ours(matches_of(relaxed))}


def test_cfn_lint_parseable_format(templates, module_env):
    proc = cfn_lint("-a", "esmlint.cfn_lint", "--format", "parseable", "--", "sam.yaml",
                    cwd=templates, child_env=module_env)
    assert re.search(r"^sam\.yaml:16:9:16:13:EESM101:function Worker ", proc.stdout, re.M), (
        proc.stdout)


def test_cfn_lint_sarif_format(templates, module_env):
    pytest.importorskip("sarif_om", reason="cfn-lint's SARIF output needs cfn-lint[sarif]")
    proc = cfn_lint("-a", "esmlint.cfn_lint", "--format", "sarif", "--", "sam.yaml",
                    cwd=templates, child_env=module_env)
    log = json.loads(proc.stdout)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["EESM101"]["helpUri"] == rule_url("ESM101")
    assert "EESM101" in {r["ruleId"] for r in log["runs"][0]["results"]}


def test_template_on_standard_input(templates, module_env):
    proc = cfn_lint("-a", "esmlint.cfn_lint", "--format", "json", cwd=templates,
                    child_env=module_env, stdin=CFN)
    assert "WESM102" in {m["Rule"]["Id"] for m in ours(matches_of(proc))}


def test_list_rules_shows_every_esmlint_rule(templates, module_env):
    proc = cfn_lint("-a", "esmlint.cfn_lint", "--list-rules", cwd=templates,
                    child_env=module_env)
    assert proc.returncode == 0, proc.stderr
    for rule in registry.load_rules():
        letter = {"error": "E", "warning": "W", "info": "I"}[rule.severity.label]
        assert f"{letter}{rule.id}: {rule.id} {rule.name}" in proc.stdout, rule.id


def test_registered_classes(monkeypatch):
    from cfnlint.rules import CloudFormationLintRule, Rules

    import esmlint.cfn_lint as plugin

    rules = Rules.create_from_module("esmlint.cfn_lint")
    ids = set(rules.keys())
    for rule in registry.load_rules():
        for severity in Severity:
            cid = plugin.cfn_lint_id(rule.id, severity)
            assert (cid in ids) == (severity <= rule.severity), cid
    for cid, rule in rules.items():
        assert isinstance(rule, CloudFormationLintRule)
        assert re.fullmatch(r"[EWI]ESM\d{3}", cid)
        assert rule.source_url.startswith("https://")
        assert rule.shortdesc.startswith(cid[1:] + " ")


def test_esmlint_inline_suppressions_apply_inside_cfn_lint(templates, module_env):
    text = (templates / "inline.yaml").read_text()
    assert "esmlint:\n        ignore: [ESM101]" in text
    proc = cfn_lint("-a", "esmlint.cfn_lint", "--format", "json", "--", "inline.yaml",
                    cwd=templates, child_env=module_env)
    got = ours(matches_of(proc))
    assert not [m for m in got if m["Rule"]["Id"] == "EESM101"]  # Worker: suppressed
    assert [m for m in got if m["Rule"]["Id"] == "WESM111"]      # the queue's finding stays
