"""An event source mapping setting is outside the range Lambda accepts.

## What it does
Checks the numeric settings of every event source mapping against the ranges of the
Lambda API and the CloudFormation schema:

| setting | allowed |
|---|---|
| `BatchSize` | 1–10000 |
| `MaximumBatchingWindowInSeconds` | 0–300 |
| `ParallelizationFactor` | 1–10 |
| `MaximumRetryAttempts` | −1–10000 |
| `MaximumRecordAgeInSeconds` | −1, or 60–604800 |
| `TumblingWindowInSeconds` | 0–900 |
| `ScalingConfig.MaximumConcurrency` | 2–1000 |

EventBridge pipes with an SQS, Kinesis, DynamoDB, MQ or MSK source and a Lambda
enrichment or target are checked against the Pipes API's ranges for the source
parameters (`SourceParameters.SqsQueueParameters.BatchSize` and its siblings,
Terraform's `source_parameters` blocks): `BatchSize` 1–10000,
`MaximumBatchingWindowInSeconds` 0–300, `MaximumRetryAttempts` −1–10000 and
`MaximumRecordAgeInSeconds` −1–604800 (no floor of 60 there). A pipe's value is not fixed
automatically.

Values that are not whole numbers, or that the template does not fix (a parameter
without default, an import), are not judged. Each branch of an `Fn::If` is checked.

## Why is this bad?
CloudFormation validates these properties against the resource schema, and Lambda
rejects them in `CreateEventSourceMapping`: the deploy fails. Terraform does not check
`batch_size` or the batching window at plan time, so the error only shows at apply.

## Example
```yaml
Events:
  Orders:
    Type: Kinesis
    Properties:
      Stream: !GetAtt Stream.Arn
      StartingPosition: LATEST
      MaximumRecordAgeInSeconds: 30     # -1 or 60-604800
```

## Fix
Set the value within the range in the message.

`esmlint check --fix` brings a literal value to the nearest one Lambda accepts (safe): the
bound it passed, and for `MaximumRecordAgeInSeconds` 60 (a value below −1 becomes −1,
"never discard"). A value chosen by `Fn::If` or taken from a parameter or variable default
is left alone, and the finding says why.

## References
- https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
- https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceSqsQueueParameters.html
- https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceKinesisStreamParameters.html
- https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-eventsourcemapping.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.2, A.4, A.5-5.

from esmlint import fixes
from esmlint.rule import Severity, conditions, report, source_label, where
from esmlint.values import branches

ID = "ESM105"
NAME = "esm-value-out-of-range"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "event-source-mapping")
FIX = "safe"

#: Setting -> (lowest, highest, how the message states the range).
RANGES = {
    "BatchSize": (1, 10000, "a value from 1 to 10000"),
    "MaximumBatchingWindowInSeconds": (0, 300, "a value from 0 to 300"),
    "ParallelizationFactor": (1, 10, "a value from 1 to 10"),
    "MaximumRetryAttempts": (-1, 10000, "a value from -1 to 10000"),
    "MaximumRecordAgeInSeconds": (60, 604800, "-1 (never discard) or a value from 60 to 604800"),
    "TumblingWindowInSeconds": (0, 900, "a value from 0 to 900"),
    "ScalingConfig.MaximumConcurrency": (2, 1000, "a value from 2 to 1000"),
}


#: The Pipes API's ranges for a pipe's source parameters (PipeSource*Parameters).
PIPE_RANGES = {
    "BatchSize": (1, 10000, "a value from 1 to 10000"),
    "MaximumBatchingWindowInSeconds": (0, 300, "a value from 0 to 300"),
    "MaximumRetryAttempts": (-1, 10000, "a value from -1 to 10000"),
    "MaximumRecordAgeInSeconds": (-1, 604800, "a value from -1 (never discard) to 604800"),
}


def allowed(name: str, number: int) -> bool:
    low, high, _ = RANGES[name]
    if name == "MaximumRecordAgeInSeconds" and number == -1:
        return True
    return low <= number <= high


def nearest(name: str, number: int) -> int:
    """The accepted value nearest to ``number``; for ``MaximumRecordAgeInSeconds`` a value
    from 0 to 59 becomes 60, not −1, which would mean "never discard"."""
    low, high, _ = RANGES[name]
    if name == "MaximumRecordAgeInSeconds" and number < -1:
        return -1
    return fixes.nearest(number, low, high)


def check(model, options):
    yield from _mappings(model)
    yield from _pipes(model)


def _pipes(model):
    for fn, source in model.pollers():
        pipe = source.extra.get("pipe")
        if not pipe:
            continue
        for name, (low, high, text) in PIPE_RANGES.items():
            for label, value in branches(source.setting(name)):
                number = value.int()
                if number is None or low <= number <= high:
                    continue
                yield report(
                    value.loc or source.loc,
                    f"pipe {pipe} (invoking function {fn.id}) sets {name} {number} in its "
                    f"source parameters{conditions(label)}, but it must be {text}: "
                    f"CloudFormation and EventBridge Pipes reject anything else and the "
                    f"deploy fails. Set {name} to {text}.",
                    resource=pipe,
                    function=fn.id,
                    key=f"{pipe}:{name}",
                    fix="a pipe's source parameters are not fixed automatically",
                )


def _mappings(model):
    for fn, source in model.poll_sources():
        for name, (_, _, text) in RANGES.items():
            for label, value in branches(source.setting(name)):
                number = value.int()
                if number is None or allowed(name, number):
                    continue
                yield report(
                    value.loc or source.loc,
                    f"{source_label(source)} of function {fn.id} sets {name} {number}"
                    f"{conditions(label)}, but it must be {text}: CloudFormation and Lambda "
                    f"reject anything else and the deploy fails. Set {name} to {text}.",
                    resource=where(source),
                    function=fn.id,
                    key=f"{fn.id}:{source.id}:{name}",
                    fix=f"the value is chosen by Fn::If{conditions(label)}" if label else
                    fixes.safe(f"set {name} of {source_label(source)} to "
                               f"{nearest(name, number)}",
                               fixes.set_property(source.loc, name, value,
                                                  nearest(name, number))),
                )
