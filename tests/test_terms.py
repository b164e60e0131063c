"""Findings on Terraform input name Terraform's arguments and resource types (esmlint.terms),
and findings on CloudFormation input keep CloudFormation's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES

from esmlint import runner
from esmlint.terms import for_terraform


@pytest.mark.parametrize(("message", "expected"), [
    ("sets BatchSize 500 with no MaximumBatchingWindowInSeconds.",
     "sets batch_size 500 with no maximum_batching_window_in_seconds."),
    ("no AWS::Lambda::Permission grants it. Add a permission with Principal sns.amazonaws.com",
     "no aws_lambda_permission grants it. Add a permission with principal sns.amazonaws.com"),
    ("Add DependsOn: aws_lambda_permission.s3 to aws_s3_bucket_notification.uploads.",
     "Add depends_on = [aws_lambda_permission.s3] to aws_s3_bucket_notification.uploads."),
    ("Add FunctionResponseTypes: [ReportBatchItemFailures] and return",
     'Add function_response_types = ["ReportBatchItemFailures"] and return'),
    ("Add an EventInvokeConfig with DestinationConfig.OnFailure (or a DeadLetterQueue).",
     "Add an aws_lambda_function_event_invoke_config with destination_config.on_failure "
     "(or a dead_letter_config)."),
    ("has Timeout 120 s but its queue has VisibilityTimeout 100 s",
     "has timeout 120 s but its queue has visibility_timeout_seconds 100 s"),
])
def test_cloudformation_names_become_terraform_names(message, expected):
    assert for_terraform(message) == expected


@pytest.mark.parametrize("message", [
    # AWS's own error text, quoted, stays word for word.
    'Lambda rejects the mapping ("StartingPosition is not valid for SQS event sources")',
    # Names inside addresses, ARNs and placeholders are the user's, not ours.
    "queue aws_sqs_queue.Timeout of function module.BatchSize",
    "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:Timeout",
    # Longer names that merely contain a listed one; IAM policy JSON keys.
    "MyTimeoutQueue and TimeoutSeconds",
    "Add lambda.amazonaws.com under Principal.Service of an Allow statement.",
])
def test_what_is_not_a_cloudformation_name_stays(message):
    assert for_terraform(message) == message


def _findings(paths: list[Path]):
    result = runner.lint_paths([str(p) for p in paths], jobs=1)
    assert result.findings, "the fixtures must produce findings for this test to mean much"
    return result.findings


#: Capitalised names that read the same in Terraform: services, API errors, metrics.
SAME_IN_BOTH = {"DynamoDB", "EventBridge", "CloudWatch", "ResourceConflictException",
                "DestinationDeliveryFailures", "DeadLetterErrors", "CloudFront", "WebSocket",
                "DocumentDB", "IoT", "OpenAPI", "AppSync"}
_NAME = re.compile(r"(?<![\w.:/${-])(?:[A-Z][a-z]+(?:[A-Z][A-Za-z]*)+(?:\.[A-Z][A-Za-z]+)*"
                   r"|AWS::[\w:]+|CloudFormation|DependsOn)")


def test_terraform_findings_use_no_cloudformation_names():
    tf_fixtures = sorted({*FIXTURES.rglob("*.tf"), *FIXTURES.rglob("plan.json")})
    findings = _findings(tf_fixtures)
    assert len({f.rule for f in findings}) > 25  # most rules are exercised on Terraform
    for finding in findings:
        unquoted = re.sub(r'"[^"]*"', "", finding.message)
        left = set(_NAME.findall(unquoted)) - SAME_IN_BOTH
        assert not left, f"{finding.rule} on {finding.path}: {left} in {finding.message!r}"


def test_cloudformation_findings_keep_cloudformation_names():
    findings = _findings([FIXTURES / "ESM103", FIXTURES / "ESM401"])
    cfn = [f for f in findings if not f.path.endswith((".tf", ".json"))]
    assert any("MaximumBatchingWindowInSeconds" in f.message for f in cfn)
    assert any("AWS::Lambda::Permission" in f.message for f in cfn)
