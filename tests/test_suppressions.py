"""Inline suppressions (Metadata and comments), ``ignore-resources``, and ESM002.

Each template is written per test and linted through the library (the same path the CLI
takes) or the CLI; assertions name the exact rule, line and resource.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import CFN_QUEUE_TOO_SHORT

from esmlint import config as cfg
from esmlint import engine, loaders, registry, runner, suppress
from esmlint.findings import Finding, Severity

# ESM301 on Renderer (S3, no DLQ); ESM101 on Worker's SQS event (vis 10 s < timeout 30 s).
SAM = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 10
  Renderer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 30
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""

# ESM101 on Mapping (line 15).
CFN = CFN_QUEUE_TOO_SHORT

RULES = ("ESM101", "ESM301", "ESM002")


def lint(write, text: str, name: str = "template.yaml", select=RULES, **kwargs) -> set:
    path = write(name, text)
    result = runner.lint_paths([str(path)], select, **kwargs)
    return {(f.rule, f.line, f.resource) for f in result.findings}


def line_of(text: str, needle: str) -> int:
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_unsuppressed_baseline_of_these_templates(write):
    assert lint(write, SAM) == {("ESM301", line_of(SAM, "Renderer:"), "Renderer"),
                                ("ESM101", line_of(SAM, "Jobs:"), "Worker")}
    assert lint(write, CFN) == {("ESM101", line_of(CFN, "Mapping:"), "Mapping")}


# --- Metadata --------------------------------------------------------------------------------


def test_resource_metadata_ignores_a_rule_on_that_resource(write):
    text = SAM.replace("""  Renderer:
    Type: AWS::Serverless::Function
""", """  Renderer:
    Type: AWS::Serverless::Function
    Metadata:
      esmlint:
        ignore: [ESM301]
""")
    assert lint(write, text) == {("ESM101", line_of(text, "Jobs:"), "Worker")}


def test_resource_metadata_with_reason_and_rule_name(write):
    text = CFN.replace("""  Mapping:
    Type: AWS::Lambda::EventSourceMapping
""", """  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Metadata:
      esmlint:
        ignore:
          - rule: sqs-visibility-below-timeout
            reason: the queue is raised by a later stack
""")
    assert lint(write, text) == set()


def test_template_metadata_ignores_a_rule_in_the_whole_file(write):
    transform = "Transform: AWS::Serverless-2016-10-31\n"
    text = SAM.replace(transform, transform + """Metadata:
  esmlint:
    ignore:
      - {rule: ESM301, reason: every upload is re-driven nightly}
""")
    assert lint(write, text) == {("ESM101", line_of(text, "Jobs:"), "Worker")}


def test_json_template_metadata(write):
    document = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 10}},
            "Worker": {"Type": "AWS::Lambda::Function",
                       "Properties": {"Runtime": "python3.12", "Handler": "a.b", "Timeout": 30,
                                      "Code": {"ZipFile": "x"},
                                      "Role": "arn:aws:iam::123456789012:role/r"}},
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping",
                        "Metadata": {"esmlint": {"ignore": ["ESM101", "ESM999"]}},
                        "Properties": {"FunctionName": {"Ref": "Worker"},
                                       "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        }
    }
    text = json.dumps(document, indent=2)
    found = lint(write, text, "template.json")
    [(rule, line, resource)] = found
    assert (rule, resource) == ("ESM002", "Mapping")
    assert line == line_of(text, '"ESM999"')


# --- comments --------------------------------------------------------------------------------


def test_comment_on_the_finding_line(write):
    text = CFN.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore[ESM101] raised later\n")
    assert lint(write, text) == set()


def test_comment_on_the_line_above(write):
    text = CFN.replace("  Mapping:\n", "  # esmlint: ignore[ESM101]\n  Mapping:\n")
    assert lint(write, text) == set()


def test_comment_above_a_sam_event_line(write):
    text = SAM.replace("        Jobs:\n", "        # esmlint: ignore[ESM101]\n        Jobs:\n")
    assert lint(write, text) == {("ESM301", line_of(text, "Renderer:"), "Renderer")}


def test_comment_above_a_resource_covers_findings_about_it_on_other_lines(write):
    # ESM101 is reported on the event line; the comment sits above the function.
    text = SAM.replace("  Worker:\n", "  # esmlint: ignore[ESM101] the queue is replaced\n"
                                      "  Worker:\n")
    assert lint(write, text) == {("ESM301", line_of(text, "Renderer:"), "Renderer")}


def test_stacked_comments_all_cover_the_next_code_line(write):
    text = SAM.replace("  Renderer:\n", "  # esmlint: ignore[ESM301] reason one\n"
                                        "  # (an ordinary comment)\n"
                                        "  # esmlint: ignore[ESM101]  # ESM101 is elsewhere\n"
                                        "  Renderer:\n")
    found = lint(write, text)
    assert ("ESM301", line_of(text, "Renderer:"), "Renderer") not in found
    # The ESM101 one suppresses nothing: ESM101 is about Worker.
    assert ("ESM002", line_of(text, "ignore[ESM101]"), "Renderer") in found


def test_comment_with_several_rules(write):
    text = SAM.replace("  Renderer:\n", "  # esmlint: ignore[ESM301, ESM101]\n  Renderer:\n")
    text = text.replace("  Worker:\n", "  Worker:  # esmlint: ignore[ESM301,ESM101]\n")
    found = lint(write, text)
    # On each line, one of the two rules is used and the other suppresses nothing.
    assert {(rule, line) for rule, line, _ in found} == {
        ("ESM002", line_of(text, "ignore[ESM301, ESM101]")),
        ("ESM002", line_of(text, "ignore[ESM301,ESM101]")),
    }


def test_a_comment_does_not_reach_past_a_blank_line(write):
    text = CFN.replace("  Mapping:\n", "  # esmlint: ignore[ESM101]\n\n  Mapping:\n")
    found = lint(write, text)
    assert ("ESM101", line_of(text, "Mapping:"), "Mapping") in found
    assert ("ESM002", line_of(text, "ignore[ESM101]"), "") in found


def test_reasons_are_kept(write):
    text = CFN.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore[ESM101] -- raised later\n")
    text = text.replace("  Worker:\n", """  Worker:
    Metadata:
      esmlint:
        ignore: [{rule: ESM301, reason: sync only}, ESM102]
""")
    path = write("template.yaml", text)
    model = loaders.load_text(str(path), path.read_text()).model
    found, problems = suppress.collect(model, path.read_text(), rules=registry.load_rules())
    assert problems == []
    assert {(s.rule, s.kind, s.target, s.reason) for s in found} == {
        ("ESM101", "comment", "Mapping", "raised later"),
        ("ESM301", "resource", "Worker", "sync only"),
        ("ESM102", "resource", "Worker", ""),
    }


def test_double_slash_comments_only_in_terraform_files(write):
    text = CFN.replace("  Mapping:\n", "  // esmlint: ignore[ESM101]\n  Mapping:\n")
    # In YAML, // is not a comment: the finding stays and nothing is read as a suppression.
    assert lint(write, text.replace("  // esmlint", "  # not: // esmlint")) == {
        ("ESM101", line_of(text, "Mapping:"), "Mapping")}


def test_terraform_comment_suppression(write):
    tf = """
    resource "aws_sqs_queue" "jobs" {}

    resource "aws_lambda_function" "worker" {
      function_name = "worker"
      role          = "arn:aws:iam::123456789012:role/worker"
      runtime       = "python3.12"
      handler       = "index.handler"
      filename      = "worker.zip"
      timeout       = 60
    }

    // esmlint: ignore[ESM101] raised by a later apply
    resource "aws_lambda_event_source_mapping" "jobs" {
      event_source_arn = aws_sqs_queue.jobs.arn
      function_name    = aws_lambda_function.worker.arn
    }
    """
    assert lint(write, tf, "main.tf") == set()
    unsuppressed = tf.replace("// esmlint: ignore[ESM101] raised by a later apply", "")
    assert {rule for rule, _, _ in lint(write, unsuppressed, "main.tf")} == {"ESM101"}


# --- SAM generated resources -------------------------------------------------------------------


def test_suppression_on_a_sam_function_covers_what_sam_generates(write):
    text = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Topic:
        Type: AWS::SNS::Topic
      Worker:
        Type: AWS::Serverless::Function
        Metadata:
          esmlint:
            ignore: [ESM111]
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          Events:
            Orders:
              Type: SNS
              Properties:
                Topic: !Ref Topic
                SqsSubscription: true
    """
    path = write("template.yaml", text)
    source = path.read_text()
    model = loaders.load_text(str(path), source).model
    generated = sorted(rid for rid, origin in model.origins.items()
                       if origin == "Worker" and rid != "Worker")
    assert generated, model.origins
    # A finding about a resource SAM generated for Worker (as a rule may report one).
    about_generated = [
        Finding("ESM111", Severity.WARNING, str(path), 1, 1, "m", resource=rid, key=rid)
        for rid in generated
    ]
    other = Finding("ESM111", Severity.WARNING, str(path), 1, 1, "m", resource="Topic")
    kept = suppress.apply([*about_generated, other], model, source, rules=registry.load_rules(),
                          enabled=lambda rid: True)
    assert kept == [other]


# --- ESM002 ------------------------------------------------------------------------------------


def test_esm002_for_an_unknown_rule_and_an_unused_suppression(run_cli, write):
    text = CFN.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore[ESM101,ESM999]\n")
    text = text.replace("  Worker:\n", "  # esmlint: ignore[ESM301]\n  Worker:\n")
    path = write("template.yaml", text)
    run = run_cli("check", path, "--format", "json", "--select", ",".join(RULES))
    findings = json.loads(run.stdout)["findings"]
    assert {(f["rule"], f["line"], f["resource"]) for f in findings} == {
        ("ESM002", line_of(text, "ESM999"), "Mapping"),
        ("ESM002", line_of(text, "ignore[ESM301]"), "Worker"),
    }
    messages = " ".join(f["message"] for f in findings)
    assert "names an unknown rule" in messages and "suppresses nothing" in messages
    assert all(f["severity"] == "warning" for f in findings)
    assert run.exit_code == 0  # warnings do not fail by default


def test_esm002_is_not_reported_for_a_rule_that_did_not_run(write):
    text = CFN.replace("  Worker:\n", "  # esmlint: ignore[ESM301]\n  Worker:\n")
    assert lint(write, text, select=("ESM101", "ESM002")) == {
        ("ESM101", line_of(text, "Mapping:"), "Mapping")}
    path = write("template.yaml", text)
    result = runner.lint_paths([str(path)], ignore=("ESM301",))
    assert "ESM002" not in {f.rule for f in result.findings}


def test_esm002_is_not_reported_for_a_rule_that_crashed(write):
    def boom(model, options):
        raise RuntimeError("bug")
        yield

    crashing = registry.RuleInfo("ESM998", "crashing-rule", Severity.WARNING, "Crashes.",
                               check=boom)
    rules = (*registry.load_rules(), crashing)
    text = CFN.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore[ESM998]\n")
    path = write("template.yaml", text)
    found = runner.lint_paths([str(path)], ("ESM998", "ESM002"), rules=rules).findings
    # The rule's internal error is reported; its suppression is not called useless.
    assert [(f.rule, f.name) for f in found] == [("ESM998", "internal-error")]


def test_esm002_itself_can_be_suppressed_and_ignored(write):
    text = CFN.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore[ESM777]\n")
    assert {r for r, _, _ in lint(write, text)} == {"ESM002", "ESM101"}
    text2 = text.replace('AWSTemplateFormatVersion: "2010-09-09"\n',
                         'AWSTemplateFormatVersion: "2010-09-09"\n'
                         "Metadata:\n  esmlint:\n    ignore: [ESM002]\n")
    assert {r for r, _, _ in lint(write, text2)} == {"ESM101"}
    assert {r for r, _, _ in lint(write, text, select=("ESM101",))} == {"ESM101"}


def test_malformed_suppressions_get_esm002(write):
    text = CFN.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore ESM101\n")
    text = text.replace("  Worker:\n", """  Worker:
    Metadata:
      esmlint:
        ignore: [{reason: forgot the rule}]
""")
    found = lint(write, text)
    assert ("ESM002", line_of(text, "ignore ESM101"), "Mapping") in found
    assert ("ESM002", line_of(text, "forgot the rule"), "Worker") in found
    assert ("ESM101", line_of(text, "Mapping:"), "Mapping") in found


# --- configuration: ignore-resources -------------------------------------------------------------


PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.7.0",
    "planned_values": {"root_module": {"resources": [
        {"address": "aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue",
         "name": "jobs", "values": {"visibility_timeout_seconds": 10}},
        {"address": "aws_lambda_function.worker", "mode": "managed",
         "type": "aws_lambda_function", "name": "worker",
         "values": {"function_name": "worker", "timeout": 30,
                    "role": "arn:aws:iam::123456789012:role/x"}},
        {"address": "aws_lambda_event_source_mapping.jobs", "mode": "managed",
         "type": "aws_lambda_event_source_mapping", "name": "jobs", "values": {}},
    ]}},
    "resource_changes": [],
    "configuration": {"root_module": {"resources": [
        {"address": "aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue",
         "name": "jobs", "expressions": {"visibility_timeout_seconds": {"constant_value": 10}}},
        {"address": "aws_lambda_function.worker", "mode": "managed",
         "type": "aws_lambda_function", "name": "worker",
         "expressions": {"function_name": {"constant_value": "worker"},
                         "timeout": {"constant_value": 30},
                         "role": {"constant_value": "arn:aws:iam::123456789012:role/x"}}},
        {"address": "aws_lambda_event_source_mapping.jobs", "mode": "managed",
         "type": "aws_lambda_event_source_mapping", "name": "jobs",
         "expressions": {
             "event_source_arn": {"references": ["aws_sqs_queue.jobs.arn", "aws_sqs_queue.jobs"]},
             "function_name": {"references": ["aws_lambda_function.worker.arn",
                                              "aws_lambda_function.worker"]}}},
    ]}},
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_ignore_resources_for_a_terraform_plan(run_cli, write, repo):
    plan = write("plan.json", json.dumps(PLAN))
    run = run_cli("check", plan, "--select", "ESM101")
    assert run.exit_code == 1 and "[aws_lambda_event_source_mapping.jobs]" in run.stdout
    write(".esmlint.yaml", """
        ignore-resources:
          aws_lambda_event_source_mapping.jobs:
            - {rule: ESM101, reason: the queue is raised in the same apply}
          "module.legacy.*": [ESM301]     # matches nothing here: no ESM002 for configs
    """)
    run = run_cli("check", plan, "--select", "ESM101,ESM002")
    assert run.exit_code == 0, run.stdout
    assert "No problems found" in run.stdout


def test_ignore_resources_with_wildcards_and_logical_ids(write, repo):
    write(".esmlint.yaml", "ignore-resources:\n  'Map*': [sqs-visibility-below-timeout]\n")
    assert lint(write, CFN, config=cfg.Finder()) == set()
    write(".esmlint.yaml", "ignore-resources:\n  'Worker': [ESM101]\n")
    assert lint(write, CFN, config=cfg.Finder()) == {
        ("ESM101", line_of(CFN, "Mapping:"), "Mapping")}


def test_lint_model_applies_configuration_and_suppressions_to_unsaved_text(write, repo):
    """The path editors and standard input take: text that is not on disk."""
    write(".esmlint.yaml", "severity: {ESM101: warning}\n")
    path = str(repo / "stacks" / "template.yaml")  # does not exist
    text = textwrap.dedent(CFN).lstrip("\n")
    model = loaders.load_text(path, text).model
    found = engine.lint_model(model, text, RULES, config=cfg.Finder())
    assert [(f.rule, f.severity.label) for f in found] == [("ESM101", "warning")]
    suppressed = text.replace("  Mapping:\n", "  Mapping:  # esmlint: ignore[ESM101]\n")
    model = loaders.load_text(path, suppressed).model
    assert engine.lint_model(model, suppressed, RULES, config=cfg.Finder()) == []
