"""A mapping sets something its source type does not support.

## What it does
Reports event source mapping settings that do not apply to the mapping's source:

| setting | reported on |
|---|---|
| `DestinationConfig`, `ParallelizationFactor`, `BisectBatchOnFunctionError`, `MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`, `TumblingWindowInSeconds` (stream-only) | SQS, Amazon MQ, DocumentDB |
| `ScalingConfig` (SQS only) | any source that is not SQS |
| `DestinationConfig.OnSuccess` | every mapping |

A setting counts as set when the template writes it, whatever its value; a branch of an
`Fn::If` that is `AWS::NoValue` does not set it, and the finding names the condition.
Mappings whose source type cannot be told are not checked.

## Why is this bad?
The error-handling settings of streams (retries, record age, bisecting, on-failure
destinations, parallelization, tumbling windows) do not exist for queues and brokers:
failed SQS messages are governed by the queue's redrive policy and visibility timeout.
Lambda rejects such a setting or ignores it; either way it does not do what the
template says. `ScalingConfig` (maximum concurrency) is SQS-only. Event source mappings
have no success destination: "OnSuccess … Not supported in CreateEventSourceMapping or
UpdateEventSourceMapping", and the CloudFormation schema allows only `OnFailure`.

## Example
```yaml
Events:
  Jobs:
    Type: SQS
    Properties:
      Queue: !GetAtt Queue.Arn
      MaximumRetryAttempts: 2         # stream-only
      DestinationConfig:              # stream-only
        OnFailure: {Type: SQS, Destination: !GetAtt Failed.Arn}
```

## Fix
Remove the setting. For an SQS source, set a `RedrivePolicy` with a dead-letter queue and
a `maxReceiveCount` on the source queue instead of retries and destinations (see ESM111).

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.4, A.5-5.

from esmlint.model import KIND_LABELS
from esmlint.rule import Severity, conditions, report, source_label, where
from esmlint.values import branches, maybe_absent

ID = "ESM107"
NAME = "setting-not-supported-by-source"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "event-source-mapping")

STREAM_ONLY = ("DestinationConfig", "ParallelizationFactor", "BisectBatchOnFunctionError",
               "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds")
NOT_STREAMS = ("sqs", "mq", "documentdb")
#: Which sources each stream-only setting applies to (spec A.4).
APPLIES = {"ParallelizationFactor": "Kinesis and DynamoDB Streams",
           "TumblingWindowInSeconds": "Kinesis and DynamoDB Streams"}
STREAMS_AND_KAFKA = "Kinesis, DynamoDB Streams, Amazon MSK and self-managed Kafka"
INSTEAD = {
    "sqs": "failed SQS messages are handled by the queue's RedrivePolicy, a dead-letter "
           "queue and maxReceiveCount",
    "mq": "Amazon MQ mappings have no stream error handling",
    "documentdb": "DocumentDB mappings have no stream error handling",
}


def set_branches(value):
    """The branches (label, value) in which the template sets the property."""
    return [(label, item) for label, item in branches(value)
            if not item.absent and not maybe_absent(item)]


def check(model, options):
    for fn, source in model.poll_sources():
        kind = source.kind
        if kind == "unknown" or kind not in KIND_LABELS:
            continue
        label = KIND_LABELS[kind]
        subject = f"{source_label(source)} of function {fn.id}"
        reported_destination = False
        if kind in NOT_STREAMS:
            for name in STREAM_ONLY:
                for when, value in set_branches(source.setting(name)):
                    reported_destination = reported_destination or name == "DestinationConfig"
                    yield report(
                        value.loc or source.loc,
                        f"{subject} sets {name}{conditions(when)}, but its source is {label}: "
                        f"{name} applies only to {APPLIES.get(name, STREAMS_AND_KAFKA)} "
                        f"sources, so Lambda rejects it or ignores it; {INSTEAD[kind]}. "
                        f"Remove {name}.",
                        resource=where(source),
                        function=fn.id,
                        key=f"{fn.id}:{source.id}:{name}",
                    )
        if kind != "sqs":
            for when, value in set_branches(source.setting("ScalingConfig")):
                yield report(
                    value.loc or source.loc,
                    f"{subject} sets ScalingConfig{conditions(when)}, but its source is "
                    f"{label}: maximum concurrency exists only for SQS sources. Remove "
                    f"ScalingConfig.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}:ScalingConfig",
                )
        if reported_destination:
            continue
        for when, value in set_branches(source.setting("DestinationConfig.OnSuccess")):
            yield report(
                value.loc or source.loc,
                f"{subject} sets DestinationConfig.OnSuccess{conditions(when)}: event "
                f"source mappings support only an OnFailure destination, and CloudFormation "
                f"rejects OnSuccess. Remove OnSuccess; to record successes, send them from "
                f"the function.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{source.id}:OnSuccess",
            )
