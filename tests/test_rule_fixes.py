"""What the fixes of ESM101, ESM109 and ESM201 offer, and why they offer none.

``tests/test_fixes.py`` checks that every fix applies and removes its finding; this file
checks the fix itself on the rules' fixtures: the value it sets, the properties it adds,
whether it is safe, and, where there is no fix, the reason the finding gives. A change to
any of them fails a test (scripts/mutation.py runs this file).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from esmlint.runner import lint_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@functools.cache
def _findings(path: str) -> tuple:
    return tuple(lint_paths([path], fixes=True).findings)


def finding(path: str, rule: str, line: int, resource: str):
    found = [f for f in _findings(str(FIXTURES / path))
             if (f.rule, f.line, f.resource) == (rule, line, resource)]
    assert len(found) == 1, f"{rule} {line} {resource}: {found}"
    return found[0]


def offered(found) -> str:
    """"safe: ..." / "unsafe: ..." for a fix, "none: <reason>" without one."""
    if found.fix is not None:
        return f"{found.fix.applicability}: {found.fix.message}"
    return f"none: {found.fix_note}"


CASES = [
    # ESM101: six times the timeout plus the batching window, on the queue of the file
    ("ESM101/fail_cfn_explicit.yaml", "ESM101", 29, "Mapping",
     "safe: set VisibilityTimeout of Queue to 720 (6 × Timeout + batching window)"),
    ("ESM101/fail_pinned_defaults.yaml", "ESM101", 90, "NoTimeoutShortMapping",
     "safe: set VisibilityTimeout of ShortQueue to 18 (6 × Timeout + batching window)"),
    ("ESM101/fail_tf_defaults_pinned.tf", "ESM101", 39, "aws_lambda_event_source_mapping.above",
     "safe: set visibility_timeout_seconds of aws_sqs_queue.plain to 186 (6 × timeout + "
     "batching window)"),
    ("ESM101/fail_condition_branch.yaml", "ESM101", 17, "Worker",
     "none: the values compared are chosen by Fn::If (when condition IsBatch is true)"),
    ("ESM101/fail_sam_sqs_subscription_default.yaml", "ESM101", 15, "Above",
     "none: SAM creates the queue of the SqsSubscription and gives it no VisibilityTimeout: "
     "subscribe a queue of your own to read it"),
    ("ESM101/fail_window_unreadable.yaml", "ESM101", 20, "Mapping",
     "none: the batching window of the mapping cannot be read"),
    ("tf/module_queue/main.tf", "ESM101", 30, "aws_lambda_event_source_mapping.work",
     "none: module.work.aws_sqs_queue.this is created by a module: set its visibility "
     "timeout there"),
    # ESM109: three retries; bisecting only on Kinesis and DynamoDB mappings that omit it
    ("ESM109/fail_onfailure_unreached.yaml", "ESM109", 17, "ReaderMapping",
     "unsafe: set MaximumRetryAttempts of mapping ReaderMapping to 3"),
    ("ESM109/fail_cfn_json_onfailure.json", "ESM109", 14, "ReaderMapping",
     "unsafe: set MaximumRetryAttempts of mapping ReaderMapping to 3 and "
     "BisectBatchOnFunctionError to true"),
    ("ESM109/fail_sam_onfailure_unreached.yaml", "ESM109", 24, "Consumer",
     "unsafe: set MaximumRetryAttempts of DynamoDB event Changes to 3"),
    ("ESM109/fail_sam_onfailure_unreached.yaml", "ESM109", 33, "Consumer",
     "unsafe: set MaximumRetryAttempts of Kinesis event Clicks to 3 and "
     "BisectBatchOnFunctionError to true"),
    ("ESM109/fail_tf_onfailure_unreached.tf", "ESM109", 20,
     "aws_lambda_event_source_mapping.clicks",
     "unsafe: set maximum_retry_attempts of mapping aws_lambda_event_source_mapping.clicks "
     "to 3 and bisect_batch_on_function_error to true"),
    ("ESM109/fail_kafka_onfailure_unreached.yaml", "ESM109", 14, "Orders",
     "unsafe: set MaximumRetryAttempts of mapping Orders to 3"),
    ("ESM109/fail_kafka_onfailure_unreached.yaml", "ESM109", 23, "Payments",
     "unsafe: set MaximumRetryAttempts of mapping Payments to 3"),
    ("ESM109/fail_cfn_msk.yaml", "ESM109", 13, "Orders",
     "none: the mapping has no OnFailure destination: where failed records should go is "
     "yours to choose"),
    # ESM201: a policy template for a role SAM generates; the managed policy otherwise
    ("ESM201/fail_sam_generated_role_plain_mapping.yaml", "ESM201", 14, "ReaderMapping",
     "safe: add the policy template KinesisStreamReadPolicy for Clicks to the Policies of "
     "Reader"),
    ("ESM201/fail_sam_generated_role_more_mappings.yaml", "ESM201", 30, "JobsMapping",
     "safe: add the policy template SQSPollerPolicy for Jobs to the Policies of Worker"),
    ("ESM201/fail_sam_generated_role_more_mappings.yaml", "ESM201", 35, "OrdersMapping",
     "safe: add the policy template DynamoDBStreamReadPolicy for Orders to the Policies of "
     "Worker"),
    ("ESM201/fail_sam_generated_role_more_mappings.yaml", "ESM201", 41, "SharedMapping",
     "none: the SQS queue is not a resource of the template"),
    ("ESM201/fail_sam_generated_role_more_mappings.yaml", "ESM201", 46, "ClusterMapping",
     "none: SAM has no policy template that reads MSK cluster sources: add the actions to "
     "Policies"),
    ("ESM201/fail_cfn_roles.yaml", "ESM201", 53, "PollerMapping",
     "unsafe: attach the AWS managed policy AWSLambdaSQSQueueExecutionRole to BasicRole"),
    ("ESM201/fail_cfn_roles.yaml", "ESM201", 63, "StreamMapping",
     "unsafe: attach the AWS managed policy AWSLambdaKinesisExecutionRole to OtherQueueRole"),
    ("ESM201/fail_cfn_mq_msk_kafka.yaml", "ESM201", 109, "MskNoDescribeMapping",
     "unsafe: attach the AWS managed policy AWSLambdaMSKExecutionRole to MskNoDescribeRole"),
    ("ESM201/fail_cfn_mq_msk_kafka.yaml", "ESM201", 121, "PrivateMqMapping",
     "none: AWS has no managed execution-role policy for Amazon MQ broker sources"),
    ("ESM201/fail_msk_secret_not_in_managed_policy.yaml", "ESM201", 14, "ReaderMapping",
     "none: AWSLambdaMSKExecutionRole does not grant all the actions listed"),
    ("ESM201/tfplan_fail/plan.json", "ESM201", 1, "aws_lambda_event_source_mapping.jobs",
     "none: the role aws_iam_role.worker is not written in the file"),
    ("tf/parity/role_cannot_poll/json/main.tf.json", "ESM201", 32,
     "aws_lambda_event_source_mapping.jobs",
     "unsafe: attach the AWS managed policy AWSLambdaSQSQueueExecutionRole to "
     "aws_iam_role.worker"),
    ("ESM201/fail_tf_role_first_line.tf", "ESM201", 23, "aws_lambda_event_source_mapping.jobs",
     "unsafe: attach the AWS managed policy AWSLambdaSQSQueueExecutionRole to "
     "aws_iam_role.worker"),
    ("ESM201/fail_tf_roles.tf", "ESM201", 53, "aws_lambda_event_source_mapping.jobs",
     "unsafe: attach the AWS managed policy AWSLambdaSQSQueueExecutionRole to "
     "aws_iam_role.worker"),
]


@pytest.mark.parametrize("path, rule, line, resource, expected", CASES,
                         ids=[f"{c[0]}:{c[2]}" for c in CASES])
def test_fix_offered_or_why_not(path, rule, line, resource, expected):
    assert offered(finding(path, rule, line, resource)) == expected


def _changes(path, rule, line, resource):
    found = finding(path, rule, line, resource)
    assert found.fix is not None
    return found.fix.changes


def test_esm101_sets_the_queue_visibility():
    (change,) = _changes("ESM101/fail_cfn_explicit.yaml", "ESM101", 29, "Mapping")
    assert (change.name, change.new) == ("VisibilityTimeout", 720)


def test_esm109_bounds_retries_and_bisects_streams_that_omit_it():
    retries, bisect = _changes("ESM109/fail_sam_onfailure_unreached.yaml", "ESM109", 33,
                               "Consumer")
    assert (retries.name, retries.new) == ("MaximumRetryAttempts", 3)
    assert (bisect.name, bisect.new) == ("BisectBatchOnFunctionError", True)
    (only,) = _changes("ESM109/fail_kafka_onfailure_unreached.yaml", "ESM109", 14, "Orders")
    assert (only.name, only.new) == ("MaximumRetryAttempts", 3)


@pytest.mark.parametrize("line, resource, item", [
    (30, "JobsMapping", {"SQSPollerPolicy": {"QueueName": {"Fn::GetAtt": ["Jobs",
                                                                         "QueueName"]}}}),
    # the stream label is the fourth piece of the stream ARN split at "/"
    (35, "OrdersMapping", {"DynamoDBStreamReadPolicy": {
        "TableName": {"Ref": "Orders"},
        "StreamName": {"Fn::Select": [3, {"Fn::Split": ["/", {"Fn::GetAtt": [
            "Orders", "StreamArn"]}]}]}}}),
])
def test_esm201_policy_templates_name_the_source(line, resource, item):
    (change,) = _changes("ESM201/fail_sam_generated_role_more_mappings.yaml", "ESM201", line,
                         resource)
    assert (change.name, change.item) == ("Policies", item)
    (kinesis,) = _changes("ESM201/fail_sam_generated_role_plain_mapping.yaml", "ESM201", 14,
                          "ReaderMapping")
    assert kinesis.item == {"KinesisStreamReadPolicy": {"StreamName": {"Ref": "Clicks"}}}


def test_esm201_managed_policy_is_attached_to_the_role():
    (change,) = _changes("ESM201/fail_cfn_roles.yaml", "ESM201", 53, "PollerMapping")
    assert (change.role, change.policy) == ("BasicRole",
                                            "service-role/AWSLambdaSQSQueueExecutionRole")


def test_esm201_attaches_the_managed_policy_in_tf_json(tmp_path):
    """A ``.tf.json`` module gains an ``aws_iam_role_policy_attachment`` resource (this
    made an internal error once: the JSON writer was called with a path, not a tree)."""
    import json
    import shutil

    from esmlint import outcome
    from esmlint.fixes.run import fix_paths

    path = tmp_path / "main.tf.json"
    shutil.copyfile(FIXTURES / "tf/parity/role_cannot_poll/json/main.tf.json", path)
    run = fix_paths(lambda overlay: lint_paths([str(path)], fixes=True, overlay=overlay),
                    lambda findings: outcome.judge(findings, severity="info"),
                    unsafe=True, write=True)
    assert not any("please report" in note for note in run.notes), run.notes
    attached = json.loads(path.read_text(encoding="utf-8"))["resource"][
        "aws_iam_role_policy_attachment"]
    assert attached == {"worker_sqs_queue_execution": {
        "role": "${aws_iam_role.worker.name}",
        "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"}}
    assert not [f for f in lint_paths([str(path)]).findings if f.rule == "ESM201"]
