"""Invokers of functions the file does not define (issue 20).

A mapping, invoke config, SNS subscription or EventBridge target naming a function that is
not in the file stays in the model, on an external function whose properties are all
Unknown. The fixtures ``fail_*_external_function.*`` (in ``fixtures/ESM109`` and
``fixtures/ESM303``) name in their ``# expect:`` comments every finding they give; here
each is checked against *every* rule, so a rule that fires on an Unknown function's
Unknown values (a timeout, a role, a dead-letter queue, permissions kept elsewhere)
fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from esmlint.loaders import load_text
from esmlint.runner import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXTERNAL = sorted(FIXTURES.glob("ESM*/*_external_function.*"))
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")


def expected(path: Path) -> set[tuple[str, int, str]]:
    found = set()
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(text)
        if match:
            for entry in match.group(1).split(","):
                rule, resource = entry.split()
                found.add((rule, number, resource))
    return found


def test_fixtures_exist_in_both_formats() -> None:
    suffixes = {path.suffix for path in EXTERNAL}
    assert {".yaml", ".tf"} <= suffixes and len(EXTERNAL) >= 4


@pytest.mark.parametrize("path", EXTERNAL, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_other_rule_fires(path: Path) -> None:
    result = lint_paths([str(path)])
    actual = {(f.rule, f.line, f.resource) for f in result.findings}
    messages = "\n".join(f"  {f.line}: {f.rule} [{f.resource}] {f.message}"
                         for f in result.findings)
    assert actual == expected(path), messages


def model_of(path: Path):
    return load_text(str(path), path.read_text(encoding="utf-8"), explicit=True).model


def test_external_function_is_named_as_written_and_unknown() -> None:
    model = model_of(FIXTURES / "ESM109" / "fail_cfn_external_function.yaml")
    external = {fn.id: fn for fn in model.functions if fn.external}
    assert set(external) == {"my-function", "!Ref ConsumerName",
                             "!ImportValue shared-consumer-arn"}
    shared = external["my-function"]
    assert [s.id for s in shared.sources] == ["Clicks", "ClicksAgain"]
    for fn in external.values():
        for value in (fn.timeout, fn.reserved_concurrency, fn.dead_letter, fn.role_ref,
                      fn.get("Policies")):
            assert value.is_unknown and not value.absent, (fn.id, value)
        assert fn.role is None and fn.invoke_configs == []
        assert model.function(fn.id) is None  # never found as a template resource


def test_terraform_names_module_outputs_and_scopes() -> None:
    model = model_of(FIXTURES / "ESM109" / "fail_tf_external_function.tf")
    names = {fn.id: fn for fn in model.functions if fn.external}
    assert set(names) == {"module.consumer.lambda_function_arn", "var.consumer_arn",
                          "data.aws_lambda_function.shared.arn", "my-function"}
    named = names["my-function"].sources[0]
    assert named.qualifier == "live"
    assert names["module.consumer.lambda_function_arn"].timeout.is_unknown


def test_subscription_and_rule_target_share_the_external_function() -> None:
    model = model_of(FIXTURES / "ESM303" / "fail_tf_external_function.tf")
    fn = next(f for f in model.functions if f.id == "module.renderer.lambda_function_arn")
    assert sorted(s.kind for s in fn.sources) == ["eventbridge", "sns"]
    cfn = model_of(FIXTURES / "ESM303" / "fail_cfn_external_function.yaml")
    renderer = next(f for f in cfn.functions
                    if f.id == "arn:aws:lambda:us-east-1:123456789012:function:renderer")
    assert sorted((s.kind, s.qualifier) for s in renderer.sources) == [
        ("eventbridge", ""), ("sns", "live")]
    assert [c.id for c in renderer.invoke_configs] == ["First", "Second"]
    # A target whose ARN is unknown may be anything: it is not made a function.
    assert not any("some-target-arn" in f.id for f in cfn.functions)


LITERAL_LIKE_LOGICAL_ID = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/worker
      Code: {ZipFile: "def handler(e, c): pass"}
  Mine:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:work
      FunctionResponseTypes: [ReportBatchItemFailures]
  Theirs:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: Worker
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:work
      FunctionResponseTypes: [ReportBatchItemFailures]
"""


def test_a_literal_name_spelling_a_logical_id_is_another_function(tmp_path: Path) -> None:
    # Worker's real name is generated by CloudFormation: the literal "Worker" is not it.
    path = tmp_path / "template.yaml"
    path.write_text(LITERAL_LIKE_LOGICAL_ID, encoding="utf-8")
    result = lint_paths([str(path)])
    assert [f.rule for f in result.findings if f.rule == "ESM117"] == []
    model = model_of(path)
    assert model.function("Worker").sources[0].id == "Mine"


ASYNC_CONFIG_ONLY_POLLED = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: worker
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/worker
      Code: {ZipFile: "def handler(e, c): pass"}
  WorkerConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Worker
      Qualifier: $LATEST
      MaximumRetryAttempts: 0
  Poll:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:work
      FunctionResponseTypes: [ReportBatchItemFailures]
  Other:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: other-function
      EventSourceArn: arn:aws:sqs:us-east-1:123456789012:other
      FunctionResponseTypes: [ReportBatchItemFailures]
"""


def test_an_external_function_does_not_hide_findings_about_the_file(tmp_path: Path) -> None:
    # ESM305 asks whether another function of the template (with an unknown role) may
    # invoke Worker asynchronously; a function outside the file was always possible and
    # does not count.
    path = tmp_path / "template.yaml"
    path.write_text(ASYNC_CONFIG_ONLY_POLLED, encoding="utf-8")
    result = lint_paths([str(path)])
    # ESM302 ("add an OnFailure destination") stays silent where ESM305 ("the
    # configuration has no effect") holds: the two would give opposite advice.
    assert {(f.rule, f.resource) for f in result.findings} == {("ESM305", "WorkerConfig")}


def test_plan_names_the_function_by_its_reference(tmp_path: Path) -> None:
    # A real plan, edited so that one mapping's function is a data source's: plans hold
    # no value for it, the configuration holds the reference as written.
    import json

    plan = json.loads((FIXTURES / "ESM201" / "tfplan_fail" / "plan.json").read_text(
        encoding="utf-8"))
    for resource in plan["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_lambda_event_source_mapping.jobs":
            resource["expressions"]["function_name"] = {"references": [
                "data.aws_lambda_function.shared.arn", "data.aws_lambda_function.shared"]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    result = lint_paths([str(path)])
    got = {(f.rule, f.resource, f.function) for f in result.findings}
    assert ("ESM112", "aws_lambda_event_source_mapping.jobs",
            "data.aws_lambda_function.shared.arn") in got
    # Its role is not in the plan: no permission finding about it.
    assert not any(f.rule.startswith("ESM2") and f.function.startswith("data.")
                   for f in result.findings)
