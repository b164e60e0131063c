"""The Serverless Framework front end: serverless.yml read as the Framework compiles it.

Fixtures per rule live in ``fixtures/ESMxxx/*_sls_*.yml`` (tests/test_fixtures.py) and one
``serverless.yml`` per parity scenario (tests/test_parity.py); this module checks what the
front end itself decides: variables, defaults, IAM, discovery, suppressions, the glossary.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from esmlint.config import Finder
from esmlint.loaders import load_text
from esmlint.runner import lint_paths
from esmlint.server import lint_source
from esmlint.terms import for_serverless

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

BASE = """\
service: shop
provider:
  name: aws
  runtime: python3.12
{provider}
functions:
  worker:
    handler: app.handler
{function}
    events:
      - sqs:
          arn: !GetAtt Jobs.Arn
resources:
  Resources:
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: {visibility}
"""


def config(provider: str = "", function: str = "", visibility: str = "30") -> str:
    return BASE.format(provider=provider, function=function, visibility=visibility)


def model_of(text: str, path: str = "/project/serverless.yml"):
    result = load_text(path, text)
    assert result.is_template and result.format == "serverless", result
    assert result.model is not None
    return result.model


def write(tmp_path: Path, text: str, name: str = "serverless.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rules(path: Path) -> set[str]:
    return {f.rule for f in lint_paths([str(path)]).findings}


# -- functions and defaults -------------------------------------------------------------
def test_framework_default_timeout_is_six_seconds_and_a_default():
    fn = model_of(config()).function("WorkerLambdaFunction")
    assert fn.timeout.value == 6 and fn.timeout.is_default
    assert fn.loc.line == 7  # the function's key


@pytest.mark.parametrize(("provider", "function", "expected", "line"), [
    ("  timeout: 20", "", 20, 5),
    ("  timeout: 20", "    timeout: 40", 40, 9),
    ("", "    timeout: ${self:custom.nope, 12}", 12, 9),
])
def test_timeout_from_function_then_provider(provider, function, expected, line):
    fn = model_of(config(provider, function)).function("WorkerLambdaFunction")
    assert fn.timeout.value == expected and not fn.timeout.is_default
    assert fn.timeout.loc.line == line


def test_stream_defaults_are_the_frameworks_and_marked_default():
    text = config().replace("      - sqs:\n          arn: !GetAtt Jobs.Arn",
                            "      - stream: arn:aws:kinesis:eu-west-1:1:stream/clicks")
    [(_, source)] = list(model_of(text).poll_sources())
    assert source.kind == "kinesis"
    assert source.setting("BatchSize").value == 10  # not Lambda's 100
    assert source.setting("BatchSize").is_default
    assert source.setting("StartingPosition").value == "TRIM_HORIZON"
    assert source.loc.line == 11


def test_written_settings_keep_their_lines():
    text = config().replace("          arn: !GetAtt Jobs.Arn",
                            "          arn: !GetAtt Jobs.Arn\n          batchSize: 50\n"
                            "          maximumBatchingWindow: 5")
    [(_, source)] = list(model_of(text).poll_sources())
    assert source.setting("BatchSize").value == 50 and not source.setting("BatchSize").is_default
    assert source.setting("BatchSize").loc.line == 13
    assert source.setting("MaximumBatchingWindowInSeconds").value == 5
    assert source.resource is not None and source.resource.id == "Jobs"


# -- variables --------------------------------------------------------------------------
def test_variables_resolve_from_the_file(tmp_path):
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "dev.yml").write_text("timeout: 90\n", encoding="utf-8")
    text = config(
        provider="  stage: ${opt:stage, 'dev'}",
        function="    timeout: ${file(./env/${sls:stage}.yml):timeout}")
    path = write(tmp_path, text)
    assert "ESM101" in rules(path)  # 90 s against a 30 s queue
    fn = model_of(text, str(path)).function("WorkerLambdaFunction")
    assert fn.timeout.value == 90 and fn.timeout.loc.line == 9


@pytest.mark.parametrize("value", [
    "${ssm:/shop/timeout}", "${cf:other.Timeout}", "${s3:bucket/key}", "${env:TIMEOUT}",
    "${opt:timeout}", "${param:timeout}", "${file(../outside.yml):timeout}",
    "${file(./handler.js):timeout}", "${file(./missing.yml):timeout}", "${self:custom.none}",
    "${self:custom.a}",
])
def test_unresolvable_variables_are_unknown_and_silent(tmp_path, value):
    (tmp_path.parent / "outside.yml").write_text("timeout: 900\n", encoding="utf-8")
    text = config(function=f"    timeout: {value}").replace(
        "functions:", "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\nfunctions:")
    path = write(tmp_path, text)
    fn = model_of(text, str(path)).function("WorkerLambdaFunction")
    assert not fn.timeout.known
    assert not rules(path) & {"ESM101", "ESM102"}


def test_pseudo_parameters_and_string_interpolation():
    text = config().replace("!GetAtt Jobs.Arn", "arn:aws:sqs:${aws:region}:${aws:accountId}:"
                            "${self:service}-jobs").replace(
        "      Properties:", "      Properties:\n        QueueName: shop-jobs")
    [(_, source)] = list(model_of(text).poll_sources())
    assert source.kind == "sqs" and source.id == "WorkerEventSourceMappingSQSShopjobs"
    assert source.arn.known
    assert "${AWS::Region}" in str(source.arn.value) and "shop-jobs" in str(source.arn.value)


# -- IAM --------------------------------------------------------------------------------
def test_generated_role_has_poll_and_user_statements():
    text = config(provider="  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
                           "          Action: s3:GetObject\n          Resource: '*'\n"
                           "      managedPolicies:\n        - arn:aws:iam::aws:policy/X\n"
                           "      permissionsBoundary: arn:aws:iam::1:policy/boundary")
    model = model_of(text)
    fn = model.function("WorkerLambdaFunction")
    assert fn.role is not None and fn.role.id == "IamRoleLambdaExecution"
    actions = {a.value for p in fn.role.policies for s in p.statements for a in s.actions or ()}
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
            "s3:GetObject", "logs:PutLogEvents"} <= actions
    assert [m.value for m in fn.role.managed_policies] == ["arn:aws:iam::aws:policy/X"]


def test_legacy_iam_role_statements_are_read():
    text = config(provider="  iamRoleStatements:\n    - Effect: Allow\n"
                           "      Action: [dynamodb:PutItem]\n      Resource: '*'")
    role = model_of(text).function("WorkerLambdaFunction").role
    actions = {a.value for p in role.policies for s in p.statements for a in s.actions or ()}
    assert "dynamodb:PutItem" in actions


@pytest.mark.parametrize(("provider", "function"), [
    ("", "    role: arn:aws:iam::123456789012:role/worker"),
    ("  iam:\n    role: arn:aws:iam::123456789012:role/shared", ""),
    ("  role: ${ssm:/role/arn}", ""),
    ("  iam:\n    role:\n      Fn::ImportValue: shared-role", ""),
])
def test_existing_role_outside_the_file_is_unknown(provider, function, tmp_path):
    text = config(provider, function)
    model = model_of(text)
    fn = model.function("WorkerLambdaFunction")
    assert fn.role is None and "IamRoleLambdaExecution" not in model.roles
    assert "ESM201" not in rules(write(tmp_path, text))


def test_role_in_resources_is_the_role_with_nothing_added(tmp_path):
    text = config(function="    role: WorkerRole") + """\
    WorkerRole:
      Type: AWS::IAM::Role
      Properties:
        AssumeRolePolicyDocument:
          Statement:
            - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
"""
    model = model_of(text)
    assert model.function("WorkerLambdaFunction").role is model.roles["WorkerRole"]
    assert "IamRoleLambdaExecution" not in model.roles
    findings = lint_paths([str(write(tmp_path, text))]).findings
    [poll] = [f for f in findings if f.rule == "ESM201"]
    assert poll.line == 11 and poll.resource == "WorkerLambdaFunction"


# -- push events and their permissions ----------------------------------------------------
def test_push_events_become_sources_with_framework_permissions():
    model = model_of((FIXTURES / "ESM401" / "pass_sls_framework_permissions.yml").read_text(
        encoding="utf-8"))
    fn = model.function("PageLambdaFunction")
    kinds = sorted(s.kind for s in fn.sources)
    assert kinds == sorted(["sns", "sns", "s3", "s3", "eventbridge", "eventbridge", "logs",
                            "iot", "api", "httpapi", "websocket", "alb", "cognito"])
    assert all(s.origin == fn.id for s in fn.sources)
    assert all(p.origin == fn.id and p.resolved is fn for p in model.permissions)
    existing = [s for s in fn.sources if s.extra.get("existing")]
    assert len(existing) == 1 and existing[0].kind == "s3"


# -- detection --------------------------------------------------------------------------
def test_directory_walk_finds_serverless_yml_and_skips_other_yaml(tmp_path):
    write(tmp_path, config(function="    timeout: 60"))
    write(tmp_path, "steps:\n  - run: make\n", "ci.yml")
    (tmp_path / "gcp").mkdir()
    write(tmp_path, "service: x\nprovider:\n  name: google\nfunctions: {}\n",
          "gcp/serverless.yml")  # another provider's service: not a template
    result = lint_paths([str(tmp_path)])
    assert result.files == 1
    assert {f.rule for f in result.findings} >= {"ESM101"}


@pytest.mark.parametrize("name", ["serverless.yaml", "serverless.json", "serverless.prod.yml"])
def test_other_names_and_json(tmp_path, name):
    if name.endswith(".json"):
        import json

        text = json.dumps({"service": "shop", "provider": {"name": "aws", "timeout": 60},
                           "functions": {"worker": {"handler": "h", "events": [
                               {"sqs": {"arn": {"Fn::GetAtt": ["Jobs", "Arn"]}}}]}},
                           "resources": {"Resources": {"Jobs": {"Type": "AWS::SQS::Queue"}}}},
                          indent=2)
    else:
        text = config(function="    timeout: 60")
    assert "ESM101" in rules(write(tmp_path, text, name))


def test_broken_serverless_yml_is_a_located_parse_error(tmp_path):
    path = write(tmp_path, "service: shop\nprovider:\n  name: aws\nfunctions:\n  a: [\n")
    [finding] = lint_paths([str(path)]).findings
    assert finding.rule == "ESM001" and finding.line >= 5


def test_language_server_lints_a_serverless_buffer():
    findings = lint_source("/project/serverless.yml", config(function="    timeout: 60"))
    assert any(f.rule == "ESM101" and f.line == 11 for f in findings)
    assert lint_source("/project/docker-compose.yml", "services:\n  web: {}\n") == []


# -- suppressions and configuration -----------------------------------------------------
def test_comment_on_the_event_or_function_line_suppresses(tmp_path):
    text = config(function="    timeout: 60")
    event = text.replace("      - sqs:\n", "      - sqs:  # esmlint: ignore[ESM101] known\n")
    assert "ESM101" not in rules(write(tmp_path, event))
    # On the function's line: every finding about the function and what it generates; the
    # queue's own finding (ESM111, about JobsQueue) stays.
    func = text.replace("  worker:\n", "  worker:  # esmlint: ignore[ESM101,ESM112]\n")
    found = rules(write(tmp_path, func))
    assert not found & {"ESM101", "ESM112", "ESM002"} and "ESM111" in found


def test_unused_suppression_is_reported(tmp_path):
    text = config().replace("      - sqs:\n", "      - sqs:  # esmlint: ignore[ESM101]\n")
    assert "ESM002" in rules(write(tmp_path, text))


def test_custom_esmlint_is_the_template_metadata(tmp_path):
    text = config(function="    timeout: 60").replace(
        "functions:", "custom:\n  esmlint:\n    ignore: [ESM101]\nfunctions:")
    assert "ESM101" not in rules(write(tmp_path, text))


def test_configuration_ignores_resources_by_logical_id(tmp_path):
    write(tmp_path, "ignore-resources:\n  WorkerLambdaFunction: [ESM101]\n", ".esmlint.yaml")
    path = write(tmp_path, config(function="    timeout: 60"))
    result = lint_paths([str(path)], config=Finder())
    assert "ESM101" not in {f.rule for f in result.findings}
    assert "ESM111" in {f.rule for f in result.findings}


# -- vocabulary -------------------------------------------------------------------------
@pytest.mark.parametrize(("message", "expected"), [
    ("has Timeout 120 s but its queue has VisibilityTimeout 100 s",
     "has timeout 120 s but its queue has VisibilityTimeout 100 s"),
    ("Add FunctionResponseTypes: [ReportBatchItemFailures] and return",
     "Add functionResponseType: ReportBatchItemFailures and return"),
    ("sets BatchSize 500 with no DestinationConfig.OnFailure",
     "sets batchSize 500 with no destinations.onFailure"),
    ("Add a permission with source_account = data.aws_caller_identity.current.account_id.",
     "Add a permission with SourceAccount: !Ref AWS::AccountId."),
])
def test_serverless_vocabulary(message, expected):
    assert for_serverless(message) == expected


def test_findings_on_serverless_input_use_its_keys():
    findings = lint_paths(sorted(str(p) for p in FIXTURES.glob("ESM*/*_sls_*.yml")))
    assert len({f.rule for f in findings.findings}) >= 10
    for finding in findings.findings:
        for term in ("BatchSize", "FunctionResponseTypes", "MaximumRetryAttempts",
                     "aws_lambda_permission", "source_arn"):
            assert term not in finding.message, (finding.rule, finding.message)
