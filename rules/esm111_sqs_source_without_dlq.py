"""The SQS source queue has no dead-letter queue, or sends to it too early.

## What it does
For every queue in the template that a function reads through an event source mapping,
checks the queue's `RedrivePolicy`: a queue without one is reported, and so is one whose
`maxReceiveCount` is below 5. The queue SAM creates for an SNS event with
`SqsSubscription: true` has no redrive policy and is reported on the function. A
`RedrivePolicy` that cannot be read (a parameter without default, a condition) is not
judged. Queues known only by ARN are not checked.

Queues an EventBridge pipe reads (with a Lambda enrichment or target) are checked for a
redrive policy too: a pipe also leaves a failed batch in the queue, to be received again
after the visibility timeout.

## Why is this bad?
Without a redrive policy a message that always makes the function fail is received again
and again until the queue's retention period (4 days by default) runs out, and is then
deleted: lost, after costing an invocation per visibility timeout. With a
`maxReceiveCount` below 5, messages that failed only because the function was throttled
or a batch partly failed move to the dead-letter queue too early; AWS advises "set the
maxReceiveCount on the source queue's redrive policy to at least 5".

## Example
```yaml
Queue:
  Type: AWS::SQS::Queue            # no RedrivePolicy
  Properties:
    VisibilityTimeout: 180
```

## Fix
Add a dead-letter queue and a redrive policy to the source queue:
```yaml
Queue:
  Type: AWS::SQS::Queue
  Properties:
    VisibilityTimeout: 180
    RedrivePolicy:
      deadLetterTargetArn: !GetAtt DeadLetters.Arn
      maxReceiveCount: 5
```
For an `SqsSubscription: true`, define the queue (with its redrive policy) yourself and
pass it as `SqsSubscription: {QueueArn, QueueUrl}`.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
- https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections A.5-3.

from esmlint.rule import Severity, report, where

ID = "ESM111"
NAME = "sqs-source-without-dlq"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "event-source-mapping", "sqs")

MIN_RECEIVE_COUNT = 5


def readers_text(pairs) -> str:
    """Who reads the queue, for the message: its functions, then its pipes."""
    functions = sorted({fn.id for fn, source in pairs if not source.extra.get("pipe")})
    pipes = sorted({source.extra["pipe"] for _, source in pairs if source.extra.get("pipe")})
    names = []
    if functions:
        names.append(("function " if len(functions) == 1 else "functions ")
                     + ", ".join(functions))
    if pipes:
        names.append(("pipe " if len(pipes) == 1 else "pipes ") + ", ".join(pipes))
    return " and ".join(names)


def check(model, options):
    readers: dict[str, list] = {}
    for fn, source in model.pollers(("sqs",)):
        queue = source.resource
        if queue is not None and queue.kind == "sqs":
            readers.setdefault(queue.id, []).append((fn, source))
    for qid, pairs in readers.items():
        queue = model.resources[qid]
        functions = sorted({fn.id for fn, _ in pairs})
        names = readers_text(pairs)
        fn, source = pairs[0]
        if queue.origin:
            # A queue SAM generates: the finding belongs to the function that asks for it.
            loc, resource = source.loc, where(source)
        else:
            loc, resource = queue.loc, queue.id
        redrive = queue.get("redrive")
        if not redrive.known:
            continue
        if redrive.value is None:
            generated = queue.origin and " (created by SAM for an SqsSubscription)" or ""
            fix = ("define the queue yourself with a RedrivePolicy and pass it as "
                   "SqsSubscription: {QueueArn, QueueUrl}" if queue.origin else
                   f"add a RedrivePolicy to {qid} with a deadLetterTargetArn and a "
                   f"maxReceiveCount of at least {MIN_RECEIVE_COUNT}")
            yield report(
                loc,
                f"SQS queue {qid}{generated}, read by {names}, has no "
                f"RedrivePolicy: a message that keeps failing is received again until the "
                f"queue's retention period ends, then deleted and lost. Fix: {fix}.",
                resource=resource,
                function=functions[0],
                key=f"{qid}:no-redrive",
            )
            continue
        if all(source.extra.get("pipe") for _, source in pairs):
            continue  # the advice on maxReceiveCount is Lambda's, for its mappings
        count_val = queue.get("max_receive_count")
        count = count_val.int()
        if count is None or count >= MIN_RECEIVE_COUNT:
            continue
        yield report(
            count_val.loc or loc,
            f"SQS queue {qid}, read by {names}, sends messages to its dead-letter "
            f"queue after maxReceiveCount {count} receives: a message that failed only "
            f"because of throttling or a partial batch failure can end there. Set "
            f"maxReceiveCount to at least {MIN_RECEIVE_COUNT}.",
            resource=resource,
            function=functions[0],
            key=f"{qid}:max-receive-count",
        )
