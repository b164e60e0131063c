"""Issue 14's precision fixes: severities and messages the fixture notation cannot state.

``tests/test_fixtures.py`` checks which findings the fixtures give (rule, line, resource);
this file checks, on the same fixtures, the severity a finding is given and the part of
its message the fix is about, so that a change back fails a test.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from esmlint.findings import Severity
from esmlint.runner import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@functools.cache
def _findings(path: str) -> tuple:
    return tuple(lint_paths([path]).findings)


def finding(path: Path, rule: str, line: int, resource: str):
    """The one finding of ``rule`` at ``line`` about ``resource`` in ``path``."""
    found = [f for f in _findings(str(path))
             if (f.rule, f.line, f.resource) == (rule, line, resource)]
    assert len(found) == 1, f"{rule} {line} {resource}: {found}"
    return found[0]


def test_esm108_both_defaults_is_info_chosen_values_warn():
    path = FIXTURES / "ESM108" / "fail_defaults_info_globals_warning.yaml"
    untouched = finding(path, "ESM108", 14, "UntouchedMapping")
    assert untouched.severity is Severity.INFO
    assert "both values are defaults" in untouched.message
    chosen = finding(path, "ESM108", 29, "ChosenMapping")
    assert chosen.severity is Severity.WARNING
    assert "defaults" not in chosen.message.split(":")[1]


def test_esm108_globals_timeout_counts_as_chosen_and_is_named():
    path = FIXTURES / "ESM108" / "fail_sam_globals_timeout.yaml"
    found = finding(path, "ESM108", 18, "Reader")
    assert found.severity is Severity.WARNING
    assert "Timeout 3 s (from Globals.Function.Timeout, line 6)" in found.message


def test_esm109_names_the_unreached_on_failure_destination():
    found = finding(FIXTURES / "ESM109" / "fail_onfailure_unreached.yaml", "ESM109", 17,
                    "ReaderMapping")
    assert "OnFailure destination is never reached" in found.message
    assert found.message.startswith("Kinesis mapping ReaderMapping of function Reader keeps")
    assert "and an OnFailure destination" not in found.message
    plain = finding(FIXTURES / "ESM109" / "fail_cfn_msk.yaml", "ESM109", 13, "Orders")
    assert "and an OnFailure destination" in plain.message


@pytest.mark.parametrize("path, line, resource", [
    ("ESM301/fail_event_level_dlq.yaml", 7, "Nightly"),
    ("ESM301/fail_event_level_dlq.yaml", 20, "Hourly"),
    ("ESM301/fail_tf_scheduler_dlq.tf", 7, "aws_lambda_function.hourly"),
])
def test_esm301_explains_event_level_dead_letter_queues(path, line, resource):
    found = finding(FIXTURES / path, "ESM301", line, resource)
    assert "catches delivery failures" in found.message
    assert "not errors of the function" in found.message


def test_esm301_without_event_level_dlq_has_no_such_note():
    found = finding(FIXTURES / "ESM301" / "fail_tf_async.tf", "ESM301", 11,
                    "aws_lambda_function.worker")
    assert "delivery failures" not in found.message


def test_esm601_wildcard_only_is_info_and_once_per_loop():
    path = FIXTURES / "ESM601" / "fail_wildcard_only.yaml"
    bucket = finding(path, "ESM601", 10, "Photos")
    assert bucket.severity is Severity.INFO
    assert "only through a wildcard grant" in bucket.message
    assert "its environment names Thumbs" in bucket.message
    managed = finding(path, "ESM601", 66, "WorkerMapping")
    assert managed.severity is Severity.INFO
    assert "AmazonSQSFullAccess" in managed.message and "names Results" in managed.message
    specific = finding(path, "ESM601", 98, "RequeuerMapping")
    assert specific.severity is Severity.WARNING
    assert "wildcard" not in specific.message
    rules = [f.rule for f in lint_paths([str(path)]).findings if f.rule == "ESM601"]
    assert len(rules) == 3  # the bucket's second configuration is the same loop


def test_esm601_grant_on_the_trigger_stays_a_warning():
    found = finding(FIXTURES / "ESM601" / "fail_sam.yaml", "ESM601", 36, "Retrier")
    assert found.severity is Severity.WARNING


def test_esm601_role_shared_with_a_function_not_triggered_is_info():
    # The Serverless Framework's one role per service: the sender's grant, not the
    # receiver's.
    found = finding(FIXTURES / "ESM601" / "fail_sls_shared_role.yml", "ESM601", 24,
                    "ReceiverLambdaFunction")
    assert found.severity is Severity.INFO
    assert "shared with function SenderLambdaFunction" in found.message


def test_esm601_role_shared_by_functions_the_queue_all_triggers_stays_a_warning():
    path = FIXTURES / "ESM601" / "fail_shared_role_both_triggered.yaml"
    for line, function in ((34, "First"), (46, "Second")):
        found = finding(path, "ESM601", line, function)
        assert found.severity is Severity.WARNING
        assert "shared" not in found.message


def test_provenance_of_a_terraform_variable_default(tmp_path):
    (tmp_path / "variables.tf").write_text(
        'variable "timeout" {\n  type    = number\n  default = 60\n}\n')
    (tmp_path / "main.tf").write_text(
        'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n\n'
        'resource "aws_lambda_function" "worker" {\n  function_name = "worker"\n'
        '  role = "arn:aws:iam::123456789012:role/worker"\n  runtime = "python3.12"\n'
        '  handler = "index.handler"\n  filename = "worker.zip"\n'
        '  timeout = var.timeout\n}\n\n'
        'resource "aws_lambda_event_source_mapping" "jobs" {\n'
        '  function_name = aws_lambda_function.worker.arn\n'
        '  event_source_arn = aws_sqs_queue.jobs.arn\n}\n')
    findings = [f for f in lint_paths([str(tmp_path)]).findings if f.rule == "ESM101"]
    assert len(findings) == 1
    assert ("timeout 60 s (from the default of variable timeout, variables.tf line 3)"
            in findings[0].message)


def test_provenance_of_a_tfvars_value_is_not_claimed(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "timeout" {\n  default = 60\n}\n'
        'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
        'resource "aws_lambda_function" "worker" {\n  function_name = "worker"\n'
        '  role = "arn:aws:iam::123456789012:role/worker"\n  runtime = "python3.12"\n'
        '  handler = "index.handler"\n  filename = "worker.zip"\n'
        '  timeout = var.timeout\n}\n'
        'resource "aws_lambda_event_source_mapping" "jobs" {\n'
        '  function_name = aws_lambda_function.worker.arn\n'
        '  event_source_arn = aws_sqs_queue.jobs.arn\n}\n')
    (tmp_path / "terraform.tfvars").write_text("timeout = 90\n")
    findings = [f for f in lint_paths([str(tmp_path)]).findings if f.rule == "ESM101"]
    assert len(findings) == 1
    assert "timeout 90 s" in findings[0].message
    assert "default of variable" not in findings[0].message


def test_provenance_of_a_parameter_default_through_globals(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n  FnTimeout:\n    Type: Number\n    Default: 60\n"
        "Globals:\n  Function:\n    Timeout: !Ref FnTimeout\n"
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
        "      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n"
        "            Queue: !GetAtt Jobs.Arn\n")
    found = finding(path, "ESM101", 19, "Worker")
    assert ("Timeout 60 s (from the default of parameter FnTimeout, line 5, through "
            "Globals.Function.Timeout, line 8)") in found.message


def test_a_value_on_the_function_has_no_provenance_note(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function:\n    Timeout: 5\n"
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Timeout: 60\n"
        "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
        "      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n"
        "            Queue: !GetAtt Jobs.Arn\n")
    found = finding(path, "ESM101", 16, "Worker")
    assert "Timeout 60 s but" in found.message  # the function's own value, no note


def test_globals_value_is_named_where_the_fixture_uses_globals():
    path = FIXTURES / "ESM101" / "fail_sam_default_visibility.yaml"
    messages = [f.message for f in lint_paths([str(path)]).findings if f.rule == "ESM101"]
    assert any("(from Globals.Function.Timeout, line 5)" in m for m in messages)


def test_noted_locations_survive_parallel_jobs(tmp_path):
    """--jobs pickles findings' values across processes: the note must survive."""
    import pickle

    from esmlint.values import NotedLoc, known, provenance

    loc = NotedLoc("t.yaml", 5, 3, "Globals.Function.Timeout, line 5")
    again = pickle.loads(pickle.dumps(known(30, loc)))
    assert provenance(again) == "Globals.Function.Timeout, line 5"
    assert again.loc == ("t.yaml", 5, 3)


# --------------------------------------------------------------------------- ESM108 pins
# Each row: function Timeout (None: not set; "novalue": !If with AWS::NoValue), BatchSize
# (None: not set), per-function budget (None: the default 0.1), expected
# (severity or None for no finding, text the message must hold).
ESM108_CASES = [
    ("fires_fix_numbers", 10, 101, None, ("warning", "Fix: lower BatchSize to 100, or raise "
                                          "Timeout to 11 s.")),
    ("exactly_fits", 10, 100, None, None),
    ("zero_budget_is_ignored", 10, 101, 0, ("warning", "budget of 0.1 s per record")),
    ("infinite_budget_is_ignored", 900, 1, "inf", None),
    ("timeout_zero_is_esm603s", 0, 101, None, None),
    ("batch_zero_is_esm105s", 10, 0, None, None),
    ("one_record_one_second", 1, 1, 2, ("warning", "Fix: raise Timeout to 2 s (not even one "
                                        "record fits the budget).")),
    ("fits_exactly_one", 1, 2, 1, ("warning", "Fix: lower BatchSize to 1, or raise Timeout "
                                   "to 2 s.")),
    ("needs_the_longest_timeout", 10, 9000, None, ("warning", "or raise Timeout to 900 s.")),
    ("needs_more_than_900", 10, 9010, None, ("warning", "Fix: lower BatchSize to 100.")),
    ("budget_beyond_any_timeout", 1, 1, 1000, (
        "warning", "Fix: lower min-seconds-per-record for this function (not even one "
        "record fits the budget).")),
    ("default_timeout_set_batch", None, 31, None, ("warning", "Timeout 3 s (the default)")),
    ("novalue_timeout_above", "novalue", 31, None, ("warning", "Timeout 3 s (the default)")),
    ("novalue_timeout_fits", "novalue", 30, None, None),
]


def _esm108_template(rows) -> str:
    lines = ["Conditions:", "  Never: !Equals [a, b]", "Resources:",
             "  Stream:", "    Type: AWS::Kinesis::Stream", "    Properties: {ShardCount: 1}"]
    for name, timeout, batch, budget, _ in rows:
        fid = "".join(part.title() for part in name.split("_"))
        lines += [f"  {fid}:", "    Type: AWS::Lambda::Function"]
        if budget is not None:
            lines += ["    Metadata:", "      esmlint:",
                      f"        ESM108: {{min-seconds-per-record: {budget!r}}}".replace(
                          "'", '"')]
        lines += ["    Properties:", "      Runtime: python3.12",
                  "      Handler: index.handler",
                  "      Role: arn:aws:iam::123456789012:role/r",
                  '      Code: {ZipFile: "x"}']
        if timeout == "novalue":
            lines.append("      Timeout: !If [Never, 100, !Ref AWS::NoValue]")
        elif timeout is not None:
            lines.append(f"      Timeout: {timeout}")
        lines += [f"  {fid}Mapping:", "    Type: AWS::Lambda::EventSourceMapping",
                  "    Properties:", f"      FunctionName: !Ref {fid}",
                  "      EventSourceArn: !GetAtt Stream.Arn",
                  "      StartingPosition: LATEST", "      MaximumRetryAttempts: 1"]
        if batch is not None:
            lines += [f"      BatchSize: {batch}", "      MaximumBatchingWindowInSeconds: 1"]
    return "\n".join(lines) + "\n"


def test_esm108_thresholds_fixes_and_defaults(tmp_path):
    path = tmp_path / "esm108.yaml"
    path.write_text(_esm108_template(ESM108_CASES))
    result = lint_paths([str(path)])
    assert not [f for f in result.findings if f.name == "internal-error"]
    by_resource = {f.resource: f for f in result.findings if f.rule == "ESM108"}
    for name, _, _, _, expected in ESM108_CASES:
        fid = "".join(part.title() for part in name.split("_")) + "Mapping"
        found = by_resource.get(fid)
        if expected is None:
            assert found is None, f"{name}: {found.message if found else ''}"
            continue
        assert found is not None, name
        severity, text = expected
        assert found.severity.label == severity, name
        assert text in found.message, f"{name}: {found.message}"


def test_esm108_fallback_budget_without_configured_options():
    """The rule's own fallback (0.1 s), used when no option reaches it at all."""
    from esmlint.loaders import load_text
    from esmlint.rules import esm108_batch_may_exceed_timeout as esm108

    text = _esm108_template([ESM108_CASES[0], ESM108_CASES[1]])
    model = load_text("t.yaml", text).model
    found = {f.resource: f for f in esm108.check(model, {})}
    assert set(found) == {"FiresFixNumbersMapping"}
    assert "budget of 0.1 s per record" in found["FiresFixNumbersMapping"].message


# --------------------------------------------------------------------------- ESM201 text
@pytest.mark.parametrize("path, line, resource, parts", [
    ("ESM201/fail_cfn_mq_msk_kafka.yaml", 109, "MskNoDescribeMapping", (
        "does not allow kafka:DescribeClusterV2 or kafka:DescribeCluster on the MSK cluster "
        "Cluster", "or attach the AWS managed policy AWSLambdaMSKExecutionRole.")),
    ("ESM201/fail_cfn_mq_msk_kafka.yaml", 121, "PrivateMqMapping", (
        "ec2:DescribeSecurityGroups on any resource, needed by mapping PrivateMqMapping to "
        "read the Amazon MQ broker PrivateBroker", "Grant these actions.")),
    ("ESM201/fail_cfn_mq_msk_kafka.yaml", 165, "KafkaPublicOtherSecret", (
        "secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:"
        "secret:other", "the Kafka cluster of the mapping")),
    ("ESM201/fail_cfn_mq_msk_kafka.yaml", 183, "DocMapping", (
        "rds:DescribeDBClusters on the DocumentDB cluster DocCluster; "
        "rds:DescribeDBClusterParameters, rds:DescribeDBSubnetGroups on any resource",)),
    ("ESM201/fail_sam_generated_role_plain_mapping.yaml", 14, "ReaderMapping", (
        "execution role ReaderRole (generated by SAM) of function Reader",
        "attach the AWS managed policy AWSLambdaKinesisExecutionRole (AWS also documents "
        "kinesis:DescribeStreamSummary, kinesis:ListShards, kinesis:SubscribeToShard).")),
    ("ESM201/fail_queue_policy_other_principal.yaml", 43, "Mapping", (
        "on the SQS queue Jobs", "AWSLambdaSQSQueueExecutionRole.")),
    ("ESM204/pass_role_set_poll_only.yaml", 25, "Worker", (
        "execution role BasicRole of function Worker", "; SAM adds no policy to a role given "
        "in Role.")),
    # the same role on a SAM function, read by a plain mapping: SAM is not mentioned
    ("ESM201/fail_sam_role_plain_mapping.yaml", 22, "WorkerMapping", (
        "execution role BasicRole of function Worker does not allow sqs:ReceiveMessage, "
        "sqs:DeleteMessage, sqs:GetQueueAttributes on the SQS queue Jobs, needed by mapping "
        "WorkerMapping", "or attach the AWS managed policy AWSLambdaSQSQueueExecutionRole.")),
])
def test_esm201_messages_name_actions_scope_and_fix(path, line, resource, parts):
    found = finding(FIXTURES / path, "ESM201", line, resource)
    for part in parts:
        assert part in found.message, found.message
    if "generated by SAM" not in parts[0]:
        assert "(generated by SAM)" not in found.message
    if "SAM adds no policy" not in "".join(parts):
        assert "SAM adds no policy" not in found.message


# --------------------------------------------------------------------------- ESM401 text
@pytest.mark.parametrize("path, line, resource, start, parts", [
    # the invoker named by its resource, and by the resource the finding is on when they
    # differ; other permissions of the function named; the scope of the missing grant.
    ("ESM401/fail_cfn_push_sources.yaml", 22, "Nightly",
     "EventBridge rule Nightly invokes function Worker, but no AWS::Lambda::Permission "
     "grants events.amazonaws.com lambda:InvokeFunction on the function for this source "
     "(its permissions OtherPermission, TopicPermission, WrongPrincipal grant other "
     "principals or sources): every invocation is refused.",
     ("Principal events.amazonaws.com, FunctionName Worker and SourceArn of Nightly.",)),
    ("ESM401/fail_cfn_push_sources.yaml", 40, "Subscription",
     "SNS topic Topic (Subscription) invokes function Worker (qualifier live), but no "
     "AWS::Lambda::Permission grants sns.amazonaws.com lambda:InvokeFunction on that "
     "qualified ARN for this source (its permissions", ("FunctionName Worker (qualifier live)",)),
    # a version: qualified, but its number is not known, so it is not printed
    ("ESM401/fail_cfn_versions_and_authorizers.yaml", 20, "VersionSubscription",
     "SNS topic Topic (VersionSubscription) invokes function Worker, but no "
     "AWS::Lambda::Permission grants sns.amazonaws.com lambda:InvokeFunction on that "
     "qualified ARN for this source: every invocation is refused.", ()),
    ("ESM401/fail_cfn_versions_and_authorizers.yaml", 29, "TokenAuthorizer",
     "Lambda authorizer TokenAuthorizer of REST API Api invokes function Worker, but no "
     "AWS::Lambda::Permission grants apigateway.amazonaws.com lambda:InvokeFunction on the "
     "function for this source: API Gateway answers 500", ()),
    ("ESM401/fail_cfn_versions_and_authorizers.yaml", 37, "SharedAuthorizer",
     "Lambda authorizer SharedAuthorizer of REST API invokes function Worker, but", ()),
    # routes and authorizers of an OpenAPI definition are named as the definition has them
    ("ESM401/fail_sam_openapi.yaml", 47, "Api",
     "API Gateway REST API Api (route GET /orders of its OpenAPI definition) invokes function "
     "Orders, but", ()),
    ("ESM401/fail_sam_openapi.yaml", 64, "Api",
     "Lambda authorizer TokenAuth of REST API Api (in its OpenAPI definition) invokes "
     "function Authorize, but", ()),
    ("ESM401/fail_cfn_near_misses.yaml", 151, "GroupFilter",
     "CloudWatch Logs subscription filter GroupFilter invokes function LogsFn, but no "
     "AWS::Lambda::Permission grants logs.amazonaws.com lambda:InvokeFunction on the "
     "function for this source (its permissions OtherGroupPermission grant other "
     "principals or sources): CloudWatch Logs rejects the subscription filter", ()),
])
def test_esm401_messages_name_invoker_function_scope_and_fix(path, line, resource, start,
                                                              parts):
    found = finding(FIXTURES / path, "ESM401", line, resource)
    assert found.message.startswith(start), found.message
    for part in parts:
        assert part in found.message, found.message
    if "(qualifier" not in start:
        assert "(qualifier" not in found.message


# --------------------------------------------------------------------------- defaults
def test_documented_option_defaults_are_the_defaults():
    """Each option's default, as a rule's page states it, is the one the rule applies
    (``esmlint explain`` prints both: they must not disagree)."""
    from esmlint.registry import load_rules

    checked = 0
    for rule in load_rules():
        for name, value in rule.options.items():
            shown = f"`{str(value).lower()}`" if isinstance(value, bool) else str(value)
            assert f"`{name}` (default {shown})" in rule.doc, (rule.id, name, value)
            checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------- pipes
@pytest.mark.parametrize("path, rule, line, resource, start, end", [
    ("ESM109/fail_cfn_pipe.yaml", "ESM109", 40, "StreamPipe",
     "pipe StreamPipe reads Kinesis stream Stream (and invokes Worker) with "
     "MaximumRetryAttempts -1 and MaximumRecordAgeInSeconds -1 (the defaults",
     "with OnPartialBatchItemFailure: AUTOMATIC_BISECT and a DeadLetterConfig."),
    ("ESM109/fail_cfn_pipe.yaml", "ESM109", 50, "TablePipe",
     "pipe TablePipe reads the stream of DynamoDB table Table (and invokes Worker) with",
     "Its DeadLetterConfig is never reached: with infinite retries no record is ever given "
     "up on. Set MaximumRetryAttempts (for example 3) or MaximumRecordAgeInSeconds in the "
     "pipe's source parameters."),
    ("ESM109/fail_cfn_pipe_two_functions.yaml", "ESM109", 32, "ClicksPipe",
     "pipe ClicksPipe reads a Kinesis stream (and invokes Enrich, Worker) with", "."),
    ("ESM201/fail_cfn_pipe_two_functions.yaml", "ESM201", 44, "JobsPipe",
     "role PipeRole of pipe JobsPipe (which invokes Enrich, Worker) does not allow "
     "sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes on the SQS queue Jobs: "
     "the pipe cannot poll the SQS queue Jobs",
     "Grant these actions to the pipe's role."),
])
def test_pipe_findings_name_the_pipe_its_source_and_functions(path, rule, line, resource,
                                                             start, end):
    found = finding(FIXTURES / path, rule, line, resource)
    assert found.message.startswith(start), found.message
    assert found.message.endswith(end), found.message
