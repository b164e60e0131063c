"""A Step Functions Lambda task does not retry Lambda's transient service errors.

## What it does
For every `Task` state that invokes a Lambda function (the optimized integration, its
`.waitForTaskToken` form, the SDK integration or the function's ARN as `Resource`),
reads the state's `Retry` and reports the errors of
`Lambda.ServiceException`, `Lambda.AWSLambdaException` and `Lambda.SdkClientException`
that no retrier retries: the transient service errors that AWS's best-practice example
and the retrier the Step Functions console and the CDK write both list. (The console also
lists `Lambda.TooManyRequestsException`, AWS's example and the CDK list
`Lambda.ClientExecutionTimeoutException` instead: a task that follows either is not
reported for the other's fourth error.) A retrier whose `ErrorEquals`
holds `States.ALL` or `States.TaskFailed` retries them all; one with `MaxAttempts: 0`
retries nothing. A `Retry` it cannot read (a parameter, an unresolved value) is not
judged. It applies to tasks of functions the template does not define too: only the
task's own settings matter.

## Why is this bad?
Lambda occasionally fails an invocation with a transient service error (a 500 such as
`ServiceException`, `AWSLambdaException`, `SdkClientException`) or throttles it
(`TooManyRequestsException`). Step Functions does not retry a task by itself: without a
matching `Retry`, the task fails, and the execution with it unless a `Catch` handles it.
AWS recommends retrying these errors in every state machine that invokes Lambda.

## Example
```yaml
Work:
  Type: Task
  Resource: arn:aws:states:::lambda:invoke
  Parameters: {FunctionName: !GetAtt Worker.Arn}
  End: true                                   # no Retry
```

## Fix
```yaml
  Retry:
    - ErrorEquals:
        - Lambda.ServiceException
        - Lambda.AWSLambdaException
        - Lambda.SdkClientException
        - Lambda.TooManyRequestsException
      IntervalSeconds: 1
      MaxAttempts: 3
      BackoffRate: 2
```
(AWS's example adds `Lambda.ClientExecutionTimeoutException`; retrying throttles,
`Lambda.TooManyRequestsException`, as above, is worth it too.)

## References
- https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
- https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html
"""

# The AWS facts behind this rule: Step Functions' best practice for Lambda service
# exceptions (bp-lambda-serviceexception), Retry and the States.ALL / States.TaskFailed
# wildcards (concepts-error-handling). Not yet in esmlint's spec.

from esmlint.rule import Severity, report, where

ID = "ESM503"
NAME = "lambda-task-without-service-retry"
SEVERITY = Severity.WARNING
PRECISION = "very-high"
TAGS = ("reliability", "step-functions")

#: The transient errors AWS's example and the console's and CDK's retriers all retry.
ERRORS = ("Lambda.ServiceException", "Lambda.AWSLambdaException",
          "Lambda.SdkClientException")
#: Error names that match every error a Lambda task can raise (but States.Timeout).
WILDCARDS = ("States.ALL", "States.TaskFailed")


def covers(retried, error) -> bool:
    """Whether some retrier (its ErrorEquals, MaxAttempts above 0) retries ``error``."""
    return any(error in names or any(w in names for w in WILDCARDS) for names in retried)


def check(model, options):
    for fn, source in model.sources(kinds=("states",)):
        retried = source.extra.get("retried")
        if retried is None or not source.extra.get("retry_readable", False):
            continue
        missing = [error for error in ERRORS if not covers(retried, error)]
        if not missing:
            continue
        state = source.extra.get("state", source.id)
        machine = source.invoker or source.id
        if source.extra.get("retry_absent"):
            has = "no Retry"
        else:
            has = f"no Retry for {', '.join(missing)}"
        yield report(
            source.loc,
            f"state {state} of state machine {machine} invokes function {fn.id} with "
            f"{has}: a transient Lambda service error fails the task (and the execution, unless a "
            f"Catch handles it). Add a Retry whose \"ErrorEquals\" "
            f"lists {', '.join(missing)} (for example \"IntervalSeconds\": 1, "
            f"\"MaxAttempts\": 3, \"BackoffRate\": 2).",
            resource=where(source),
            function=fn.id,
            key=f"{machine}:{state}",
        )
