"""An asynchronously invoked function has no dead-letter queue and no on-failure destination.

## What it does
Reports a function that a source in the template invokes asynchronously (S3
notifications, SNS subscriptions, EventBridge rules and schedules, EventBridge Scheduler,
CloudWatch Logs subscriptions, IoT rules, SES receipt rules with the default `Event`
invocation, CodeCommit triggers, AWS Config custom rules) when it has neither a
dead-letter queue (`DeadLetterConfig` / SAM `DeadLetterQueue`) nor an event invoke
configuration. Where the function has an `EventInvokeConfig`, ESM302 checks that
configuration instead: either a dead-letter queue or an `OnFailure` destination is
enough. Custom resource handlers are not reported: CloudFormation waits for their answer
and a dead-letter queue would not change the outcome. Nor is a function the template
does not define (`Endpoint: arn:...:function:name`, `module.fn.lambda_function_arn`): its
dead-letter queue and invoke configuration are set where it is defined.

A `DeadLetterConfig` on an EventBridge rule target, a SAM `Schedule`, `ScheduleV2` or
`EventBridgeRule` event, or an EventBridge Scheduler schedule target does not count, and
the message says why: that queue receives the events EventBridge could not deliver to
Lambda (the invocation request itself failed: a missing permission, a function that
does not exist), not the events the function fails on, which Lambda's own asynchronous
retries handle and then drop (SAM documentation of the schedule `DeadLetterConfig`).

Step Functions tasks that pass `InvocationType: Event` and EventBridge pipes whose
Lambda target is invoked `FIRE_AND_FORGET` invoke asynchronously too, and count. A
`.waitForTaskToken` task does not: Step Functions waits for the task token (the state's
timeout and the workflow's own error handling apply), and AWS does not document which
invocation type it uses for the call itself.

## Why is this bad?
Lambda queues asynchronous events and retries a failing one twice. After the last
attempt, or after six hours in the queue, the event is dropped, and nothing records it.

## Example
```yaml
Thumbnailer:
  Type: AWS::Serverless::Function
  Properties:
    Events:
      Upload: {Type: S3, Properties: {Bucket: !Ref Bucket, Events: s3:ObjectCreated:*}}
```

## Fix
Add an on-failure destination (SAM `EventInvokeConfig.DestinationConfig.OnFailure`,
`AWS::Lambda::EventInvokeConfig`) or a dead-letter queue (`DeadLetterQueue` /
`DeadLetterConfig`), and allow the execution role to send to it.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html#eb-rule-dlq
- https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-scheduledeadletterconfig.html
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections B.1, B.2, B.4, B.5.

from esmlint.model import ASYNC
from esmlint.rule import Severity, report

ID = "ESM301"
NAME = "async-without-failure-handling"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "async")

LABELS = {"s3": "S3 notification", "sns": "SNS subscription", "eventbridge": "EventBridge rule",
          "schedule": "schedule", "scheduler": "EventBridge Scheduler schedule",
          "logs": "CloudWatch Logs subscription", "iot": "IoT rule",
          "ses": "SES receipt rule", "codecommit": "CodeCommit trigger",
          "config": "Config rule",
          "api": "API Gateway integration (X-Amz-Invocation-Type 'Event') of",
          "states": "state machine (\"InvocationType\": \"Event\")",
          "pipes": "pipe (InvocationType FIRE_AND_FORGET)"}

#: Asynchronous invokers a dead-letter queue does not help: CloudFormation waits for the
#: custom resource's response and fails the stack either way.
NOT_CHECKED = ("cloudformation",)


def check(model, options):
    if "invoke-config" in model.unlinked:
        return  # an EventInvokeConfig names a function esmlint could not match
    for fn in model.functions:
        if fn.external:
            continue  # its dead-letter queue and invoke configs are set where it is defined
        invokers = [s for s in fn.sources if s.mode == ASYNC
                    and s.kind not in NOT_CHECKED and not s.extra.get("mode_unknown")
                    and not s.extra.get("callback")]
        if not invokers or fn.invoke_configs:
            continue
        if not fn.dead_letter.absent:
            continue  # set, or hidden behind a condition
        names = sorted({f"{LABELS.get(s.kind, s.kind)} {s.invoker or s.id}" for s in invokers})
        target_dlq = any(s.extra.get("target_dlq") for s in invokers)
        note = (" (the DeadLetterConfig on the EventBridge rule or schedule target does not "
                "change this: it catches delivery failures, events EventBridge could not hand "
                "to Lambda, not errors of the function)"
                if target_dlq else "")
        yield report(
            fn.loc,
            f"function {fn.id} is invoked asynchronously by {', '.join(names)} but has "
            f"neither a dead-letter queue nor an on-failure destination: events that still "
            f"fail after 2 retries are dropped{note}. Add an EventInvokeConfig with "
            f"DestinationConfig.OnFailure (or a DeadLetterQueue).",
            resource=fn.id,
            function=fn.id,
            key=fn.id,
        )
