"""FIFO queue read with a BatchSize above 10.

## What it does
Reports SQS mappings whose source is a FIFO queue and whose `BatchSize` is above 10. A
queue is FIFO when the template sets `FifoQueue: true` on it, or when the mapping names
it by an ARN whose queue name ends in `.fifo`. Each branch of an `Fn::If` is checked.

## Why is this bad?
A FIFO queue delivers at most 10 messages per batch: "For FIFO queues, the maximum is
10." Lambda refuses a larger `BatchSize`, and the deploy fails. A batching window does
not help: FIFO sources do not support one. (cfn-lint E3705 covers plain
CloudFormation only.)

## Example
```yaml
Orders:
  Type: AWS::SQS::Queue
  Properties: {FifoQueue: true}
Mapping:
  Type: AWS::Lambda::EventSourceMapping
  Properties:
    FunctionName: !Ref Worker
    EventSourceArn: !GetAtt Orders.Arn
    BatchSize: 50
```

## Fix
Set `BatchSize` to 10 or less.

`esmlint check --fix` sets it to 10, the nearest value Lambda accepts, where it is a
literal in the file (safe). A `BatchSize` chosen by `Fn::If` or taken from a parameter or
variable default is left alone, and the finding says why.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.0, A.2.

from esmlint import fixes
from esmlint.rule import Severity, conditions, fifo_queue, report, source_label, where
from esmlint.values import branches

ID = "ESM104"
NAME = "fifo-batch-too-large"
SEVERITY = Severity.ERROR
PRECISION = "very-high"
TAGS = ("correctness", "event-source-mapping", "sqs")
FIX = "safe"


def check(model, options):
    for fn, source in model.poll_sources(("sqs",)):
        if fifo_queue(source) is not True:
            continue
        queue = f"FIFO queue {source.resource.id}" if source.resource is not None else \
            f"FIFO queue {source.arn.text()}"
        for label, batch in branches(source.setting("BatchSize")):
            size = batch.int()
            if size is None or size <= 10:
                continue
            yield report(
                batch.loc or source.loc,
                f"{source_label(source)} of function {fn.id} reads {queue} with BatchSize "
                f"{size}{conditions(label)}: FIFO queues deliver at most 10 messages per "
                f"batch, so Lambda rejects the mapping and the deploy fails. Set BatchSize to "
                f"10 or less.",
                resource=where(source),
                function=fn.id,
                key=f"{fn.id}:{source.id}",
                fix=f"the BatchSize is chosen by Fn::If{conditions(label)}" if label else
                fixes.safe(f"set BatchSize of {source_label(source)} to 10",
                           fixes.set_property(source.loc, "BatchSize", batch, 10)),
            )
