"""Finding messages in the vocabulary of the file they are about.

Rules write each message once, with CloudFormation's names (``BatchSize``,
``AWS::Lambda::Permission``, ``DependsOn: X``): they are the names of the AWS
documentation, and SAM and CDK output use them too. A Terraform user reads and fixes
``batch_size``, ``aws_lambda_permission`` and ``depends_on = [X]``, so the engine passes the
message of every finding on Terraform input through :func:`for_terraform`.

Only names the glossary lists are rewritten, never by guesswork; text in double quotes
(AWS's own error messages) and a name that is part of an address, an ARN or a placeholder
(``aws_sqs_queue.Timeout``, ``${AWS::AccountId}``) are left as they are. IAM policy JSON is
the same in both formats, so its keys (``Principal.Service``, ``Action``) stay too.

A ``serverless.yml`` user writes ``timeout``, ``batchSize``, ``maximumRetryAttempts`` and
``destinations.onFailure`` on functions and events, so messages on Serverless Framework
input pass through :func:`for_serverless`: function and event settings take the
Framework's keys; everything else (queues, topics, roles, written in ``resources:`` as
CloudFormation) keeps CloudFormation's names.
"""

from __future__ import annotations

import re

#: CloudFormation spelling in rule messages -> Terraform spelling (AWS provider names).
TERRAFORM: dict[str, str] = {
    # Resource types.
    "AWS::Lambda::Permission": "aws_lambda_permission",
    "AWS::Lambda::EventInvokeConfig": "aws_lambda_function_event_invoke_config",
    "AWS::Lambda::EventSourceMapping": "aws_lambda_event_source_mapping",
    "AWS::Lambda::Url": "aws_lambda_function_url",
    "AWS::Lambda::Function": "aws_lambda_function",
    "AWS::Lambda::Alias": "aws_lambda_alias",
    "AWS::SQS::Queue": "aws_sqs_queue",
    "AWS::SNS::Topic": "aws_sns_topic",
    "AWS::Kinesis::Stream": "aws_kinesis_stream",
    "AWS::DynamoDB::Table": "aws_dynamodb_table",
    "AWS::S3::Bucket": "aws_s3_bucket",
    "AWS::IAM::Role": "aws_iam_role",
    "AWS::KMS::Key": "aws_kms_key",
    "EventInvokeConfig.DestinationConfig.OnFailure":
        "aws_lambda_function_event_invoke_config destination_config.on_failure",
    "EventInvokeConfig": "aws_lambda_function_event_invoke_config",
    # What CloudFormation does, said of Terraform.
    "CloudFormation and Lambda reject anything else": "Lambda rejects anything else",
    "CloudFormation and EventBridge Pipes reject anything else":
        "EventBridge Pipes rejects anything else",
    "CloudFormation always creates": "Terraform always creates",
    "CloudFormation may set": "Terraform may create",
    # Function.
    "Timeout": "timeout",
    "ReservedConcurrentExecutions": "reserved_concurrent_executions",
    "RecursiveLoop: Allow": 'recursive_loop = "Allow"',
    "RecursiveLoop": "recursive_loop",
    "DeadLetterConfig": "dead_letter_config",
    "DeadLetterQueue": "dead_letter_config",
    # Event source mapping.
    "BatchSize": "batch_size",
    "MaximumBatchingWindowInSeconds": "maximum_batching_window_in_seconds",
    "MaximumRetryAttempts": "maximum_retry_attempts",
    "MaximumRecordAgeInSeconds": "maximum_record_age_in_seconds",
    "BisectBatchOnFunctionError": "bisect_batch_on_function_error",
    "ParallelizationFactor": "parallelization_factor",
    "TumblingWindowInSeconds": "tumbling_window_in_seconds",
    "FunctionResponseTypes: [ReportBatchItemFailures]":
        'function_response_types = ["ReportBatchItemFailures"]',
    "FunctionResponseTypes": "function_response_types",
    "StartingPosition: TRIM_HORIZON": 'starting_position = "TRIM_HORIZON"',
    "StartingPositionTimestamp": "starting_position_timestamp",
    "StartingPosition": "starting_position",
    "FilterCriteria.Filters": "filter_criteria.filter",
    "FilterCriteria": "filter_criteria",
    "Pattern": "pattern",
    "ScalingConfig.MaximumConcurrency": "scaling_config.maximum_concurrency",
    "ScalingConfig": "scaling_config",
    "MaximumConcurrency": "maximum_concurrency",
    "DestinationConfig.OnFailure.Destination": "destination_config.on_failure",
    "DestinationConfig.OnFailure": "destination_config.on_failure",
    "DestinationConfig.OnSuccess": "destination_config.on_success",
    "DestinationConfig": "destination_config",
    "OnFailure": "on_failure",
    "OnSuccess": "on_success",
    "EventSourceArn": "event_source_arn",
    # EventBridge pipes (source_parameters) and Scheduler targets.
    "OnPartialBatchItemFailure: AUTOMATIC_BISECT":
        'on_partial_batch_item_failure = "AUTOMATIC_BISECT"',
    "OnPartialBatchItemFailure": "on_partial_batch_item_failure",
    "InvocationType FIRE_AND_FORGET": 'invocation_type = "FIRE_AND_FORGET"',
    "RetryPolicy": "retry_policy",
    # Asynchronous invocation.
    "MaximumEventAgeInSeconds": "maximum_event_age_in_seconds",
    "Qualifier": "qualifier",
    # Queues, streams, tables.
    "VisibilityTimeout": "visibility_timeout_seconds",
    "RedrivePolicy": "redrive_policy",
    "FifoQueue": "fifo_queue",
    "KmsMasterKeyId": "kms_master_key_id",
    "MessageRetentionPeriod": "message_retention_seconds",
    "no StreamSpecification": "stream_enabled not set",
    "StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}":
        'stream_enabled = true and stream_view_type = "NEW_AND_OLD_IMAGES"',
    "StreamSpecification": "stream_enabled",
    "StreamViewType": "stream_view_type",
    # Permissions and Function URLs.
    "FunctionName": "function_name",
    "Principal": "principal",
    "SourceArn": "source_arn",
    "SourceAccount": "source_account",
    "PrincipalOrgID": "principal_org_id",
    "EventSourceToken": "event_source_token",
    "FunctionUrlAuthType": "function_url_auth_type",
    "InvokedViaFunctionUrl": "invoked_via_function_url",
    "AuthType": "authorization_type",
    # API Gateway integrations.
    "TimeoutInMillis": "timeout_milliseconds",
    # CloudFront Lambda@Edge associations.
    "LambdaFunctionARN": "lambda_arn",
}

# A name stands alone: not inside a longer name, an address (``x.Timeout``), an ARN or a
# placeholder (``${AWS::Region}``): :func:`_renamed` checks the character before it; and
# not followed by more of a dotted path. A sentence's full stop after it is fine.
_TERM_ANYWHERE = re.compile(
    "(?:" + "|".join(re.escape(term) for term in sorted(TERRAFORM, key=len, reverse=True))
    + r")(?!\.?[\w-])")
_PART_OF_A_NAME = frozenset("_.:/${-")
#: CloudFormation spelling in rule messages -> ``serverless.yml`` spelling (function and
#: event settings only: ``resources:`` is CloudFormation).
SERVERLESS: dict[str, str] = {
    # Function.
    "Timeout": "timeout",
    "ReservedConcurrentExecutions": "reservedConcurrency",
    "an EventInvokeConfig with DestinationConfig.OnFailure (or a DeadLetterQueue)":
        "destinations.onFailure (or onError)",
    "a DeadLetterQueue": "onError",
    "DeadLetterConfig": "onError",
    "DeadLetterQueue": "onError",
    "FunctionUrlConfig": "url",
    "EventInvokeConfig.DestinationConfig.OnFailure": "destinations.onFailure",
    "MaximumEventAgeInSeconds": "maximumEventAge",
    # Events that poll (sqs, stream, msk, kafka, activemq, rabbitmq).
    "BatchSize": "batchSize",
    "MaximumBatchingWindowInSeconds": "maximumBatchingWindow (batchWindow on stream events)",
    "MaximumRetryAttempts": "maximumRetryAttempts",
    "MaximumRecordAgeInSeconds": "maximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError": "bisectBatchOnFunctionError",
    "ParallelizationFactor": "parallelizationFactor",
    "TumblingWindowInSeconds": "tumblingWindowInSeconds",
    "FunctionResponseTypes: [ReportBatchItemFailures]":
        "functionResponseType: ReportBatchItemFailures",
    "FunctionResponseTypes": "functionResponseType",
    "StartingPosition: TRIM_HORIZON": "startingPosition: TRIM_HORIZON",
    "StartingPositionTimestamp": "startingPositionTimestamp",
    "StartingPosition": "startingPosition",
    "FilterCriteria.Filters": "filterPatterns",
    "FilterCriteria": "filterPatterns",
    "ScalingConfig.MaximumConcurrency": "maximumConcurrency",
    "MaximumConcurrency": "maximumConcurrency",
    "DestinationConfig.OnFailure.Destination": "destinations.onFailure",
    "DestinationConfig.OnFailure": "destinations.onFailure",
    "DestinationConfig.OnSuccess": "destinations.onSuccess",
    "OnFailure": "onFailure",
    "OnSuccess": "onSuccess",
    # http events.
    "TimeoutInMillis": "timeoutInMillis",
    # Three rules word their fixes in Terraform's names for any input that is not
    # CloudFormation or SAM; resources: in serverless.yml is CloudFormation.
    "source_account = data.aws_caller_identity.current.account_id":
        "SourceAccount: !Ref AWS::AccountId",
    "aws_lambda_permission": "AWS::Lambda::Permission",
    "source_arn": "SourceArn",
    "source_account": "SourceAccount",
}


def _pattern(glossary: dict[str, str]) -> re.Pattern:
    return re.compile(
        r"(?<![\w.:/${-])(?:"
        + "|".join(re.escape(term) for term in sorted(glossary, key=len, reverse=True))
        + r")(?!\.?[\w-])"
    )


_SERVERLESS_TERM = _pattern(SERVERLESS)
_DEPENDS_ON = re.compile(r"(?<![\w.])DependsOn: ([\w.-]+[\w-])")
_QUOTED = re.compile(r'("[^"]*")')


def for_terraform(message: str) -> str:
    """The message with CloudFormation's names replaced by Terraform's (see module doc)."""
    if '"' not in message:
        return _terraform_names(message)
    parts = _QUOTED.split(message)
    for index in range(0, len(parts), 2):  # odd indexes are the quoted parts
        text = parts[index]
        if "DependsOn: " in text:
            text = _DEPENDS_ON.sub(r"depends_on = [\1]", text)
        parts[index] = _TERM_ANYWHERE.sub(lambda match, text=text: _renamed(match, text), text)
    return "".join(parts)


def _terraform_names(text: str) -> str:
    """:func:`for_terraform` of text with no quoted part."""
    if "DependsOn: " in text:
        text = _DEPENDS_ON.sub(r"depends_on = [\1]", text)
    return _TERM_ANYWHERE.sub(lambda match: _renamed(match, text), text)


def _renamed(match: re.Match, text: str) -> str:
    """A term of the glossary in Terraform's name, unless it is part of a longer name (an
    address, an ARN, a placeholder: the character before it says so). Checked here rather
    than by a look-behind in the pattern, which keeps the pattern's first characters known
    to the regular expression engine, and the search several times faster."""
    start = match.start()
    if start and (text[start - 1].isalnum() or text[start - 1] in _PART_OF_A_NAME):
        return match.group(0)
    return TERRAFORM[match.group(0)]


def for_serverless(message: str) -> str:
    """The message with function and event settings in ``serverless.yml``'s keys."""
    parts = _QUOTED.split(message)
    for index in range(0, len(parts), 2):
        parts[index] = _SERVERLESS_TERM.sub(lambda match: SERVERLESS[match.group(0)],
                                            parts[index])
    return "".join(parts)
