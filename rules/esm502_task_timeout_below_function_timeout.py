"""A Step Functions Lambda task gives up before the function's Timeout.

## What it does
For every `Task` state that invokes a function of the template synchronously (the
optimized `arn:aws:states:::lambda:invoke` integration, the SDK integration
`aws-sdk:lambda:invoke`, or the function's ARN as `Resource`), compares the state's
`TimeoutSeconds` with the function's `Timeout` (3 s when not set; SAM `Globals` applied;
each branch of an `Fn::If`). It fires when the task's timeout is shorter.

A task without `TimeoutSeconds` waits 99999999 seconds, far beyond any function, and is
not reported; nor is `TimeoutSecondsPath` (known only at run time), a `.waitForTaskToken`
task (its timeout covers the callback, not the function) or an `InvocationType: Event`
invocation.

## Why is this bad?
When the task's timeout runs out, the state fails with `States.Timeout` while Lambda keeps
running the function to its own timeout. The workflow moves on (or fails) without the
result, and a `Retry` that matches `States.Timeout` (or `States.ALL`) invokes the function
again while the first run is still working: the same work is done twice, at the same
time.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    Timeout: 120
Flow:
  Type: AWS::Serverless::StateMachine
  Properties:
    Definition:
      StartAt: Work
      States:
        Work:
          Type: Task
          Resource: arn:aws:states:::lambda:invoke
          TimeoutSeconds: 60                    # the function may run 120 s
          Parameters: {FunctionName: !GetAtt Worker.Arn}
          End: true
```

## Fix
Set the task's `TimeoutSeconds` at least to the function's `Timeout` (with a few seconds
for the invocation itself), or lower the function's `Timeout` to what the workflow waits.

## References
- https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
- https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
"""

# The AWS facts behind this rule: the Task state's TimeoutSeconds and its default
# 99999999 (state-task), Lambda's function timeout (configuration-timeout). Not yet in
# esmlint's spec.

from esmlint.model import SYNC
from esmlint.rule import Severity, conditions, described, report, where
from esmlint.values import branches

ID = "ESM502"
NAME = "task-timeout-below-function-timeout"
SEVERITY = Severity.WARNING
PRECISION = "high"
TAGS = ("reliability", "step-functions")

#: Task patterns that wait for the function's answer.
WAITING = ("invoke", "sdk", "arn")


def check(model, options):
    for fn, source in model.sources(kinds=("states",)):
        if fn.external or source.extra.get("pattern") not in WAITING:
            continue
        if source.invocation != SYNC:
            continue
        task_timeout = source.extra.get("timeout")
        if task_timeout is None or task_timeout.is_default:
            continue
        seconds = task_timeout.int()
        if seconds is None:
            continue
        state = source.extra.get("state", source.id)
        machine = source.invoker or source.id
        for condition, timeout in branches(fn.timeout, None):
            limit = timeout.int()
            if limit is None or seconds >= limit:
                continue
            yield report(
                source.loc,
                f"state {state} of state machine {machine} waits \"TimeoutSeconds\": "
                f"{seconds} for function {fn.id}, whose Timeout is "
                f"{described(timeout, 's')}{conditions(condition)}: the task fails with "
                f"States.Timeout while the function runs on, and a Retry on States.Timeout "
                f"starts it a second time while the first run still works. Set "
                f"\"TimeoutSeconds\" to at least {limit} or lower the function's Timeout.",
                resource=where(source),
                function=fn.id,
                key=f"{machine}:{state}:{fn.id}:{condition}",
            )
