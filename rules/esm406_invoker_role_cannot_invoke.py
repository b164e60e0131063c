"""The role a state machine, pipe, AppSync data source or schedule invokes with cannot invoke the function.

## What it does
Step Functions state machines, EventBridge pipes (target and enrichment), AppSync Lambda
data sources and EventBridge Scheduler schedules do not use the function's
resource-based policy: they call `lambda:InvokeFunction` with a role of their own
(`RoleArn` of the state machine, pipe or schedule target, SAM `Role`, or the role SAM
generates from a state machine's `Policies`; `ServiceRoleArn` of the data source). For
every such invoker in the template, the rule asks the IAM evaluator whether that role
allows `lambda:InvokeFunction` on the ARN the invoker calls: the function's ARN, or the
qualified ARN (`...:function:name:alias`) when it calls a version or alias. It reads
inline policies, attached policy resources, AWS managed policies and SAM policy
templates (`LambdaInvokePolicy`), and fires only when the answer is a certain no.

It stays silent where it cannot see: a role defined outside the template or chosen by a
parameter, a policy it cannot resolve, a managed policy it does not know, a template with
SAM connectors (they add policies esmlint does not expand), a qualifier it cannot read,
and the role SAM generates for a `ScheduleV2` event (SAM grants the invocation itself).

## Why is this bad?
A grant on the unqualified ARN covers only the unqualified ARN: Lambda "accepts requests
that reference the unqualified ARN but denies requests that reference a qualified ARN",
and the other way round. Without the permission every invocation is denied: the Step
Functions task fails, the pipe's records are retried until EventBridge disables the pipe,
AppSync resolvers return errors, and every scheduled run fails (into the schedule's
dead-letter queue, if it has one).

## Example
```yaml
Flow:
  Type: AWS::StepFunctions::StateMachine
  Properties:
    RoleArn: !GetAtt FlowRole.Arn          # FlowRole allows lambda:InvokeFunction on Other
    Definition:
      StartAt: Work
      States:
        Work:
          Type: Task
          Resource: arn:aws:states:::lambda:invoke
          Parameters: {FunctionName: !GetAtt Worker.Arn}
          End: true
```

## Fix
Allow `lambda:InvokeFunction` on the function's ARN in the invoker's role, and on
`<function ARN>:*` when it calls a version or alias (SAM: add
`LambdaInvokePolicy: {FunctionName: !Ref Worker}` to the state machine's `Policies`).

## References
- https://docs.aws.amazon.com/step-functions/latest/dg/lambda-iam.html
- https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
- https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html
- https://docs.aws.amazon.com/appsync/latest/devguide/attaching-a-data-source.html
- https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
- https://docs.aws.amazon.com/lambda/latest/dg/with-eventbridge-scheduler.html
"""

# The AWS facts behind this rule: Step Functions' IAM policies for Lambda (lambda-iam),
# Lambda's qualified and unqualified ARNs in policies (lambda-api-permissions-ref),
# EventBridge Pipes' enrichment and target permissions (eb-pipes-permissions) and its
# disabling of pipes on continuous 4xx errors (eb-pipes-error-troubleshooting), AppSync
# data source service roles, Scheduler execution roles. Not yet in esmlint's spec.

from esmlint.iam import Tri, allows
from esmlint.model import ROLE_INVOKERS
from esmlint.rule import Severity, report, where
from esmlint.values import Sym

ID = "ESM406"
NAME = "invoker-role-cannot-invoke"
SEVERITY = Severity.ERROR
PRECISION = "high"
TAGS = ("correctness", "iam")

ACTION = "lambda:InvokeFunction"
LABELS = {"states": "state machine", "pipes": "pipe", "appsync": "AppSync data source",
          "scheduler": "EventBridge Scheduler schedule"}


def invoked_arn(fn, source):
    """The ARN the invoker calls (qualified when it names a version or alias); None when
    it cannot be spelled."""
    if fn.arn is None:
        return None
    qualifier = source.qualifier
    if qualifier in ("?", "version"):
        return None
    return Sym.of(fn.arn, f":{qualifier}") if qualifier else fn.arn


def consequence(model, source) -> str:
    kind = source.kind
    if kind == "states":
        state = source.extra.get("state", "")
        return (f"every run of state {state} fails with an access-denied error (and the "
                f"execution with it, unless a Catch handles it)")
    if kind == "pipes":
        step = source.extra.get("pipe_step", "target")
        return (f"the pipe cannot invoke its {step}: records are retried, then EventBridge "
                f"disables a pipe that keeps failing on permissions")
    if kind == "appsync":
        return "every resolver that uses the data source returns an error"
    retry = source.retries
    dead = retry.dead_letter if retry is not None else None
    if dead is not None and not dead.absent:
        found = model.referenced(dead)
        name = found.id if found is not None else (
            dead.text() if dead.known and isinstance(dead.value, str) else "")
        where_to = f"they go to its dead-letter queue {name}".rstrip()
    else:
        where_to = "the schedule has no DeadLetterConfig, so they are dropped"
    return f"every scheduled invocation fails: {where_to}"


def check(model, options):
    for fn, source in model.sources():
        if source.kind not in ROLE_INVOKERS:
            continue
        role = source.role
        if role is None:
            continue  # outside the template, chosen at deploy time, or generated by SAM
        arn = invoked_arn(fn, source)
        if arn is None:
            continue
        answer = allows(role, ACTION, arn)
        if answer.value is not Tri.NO:
            continue
        label = LABELS[source.kind]
        invoker = source.invoker or source.id
        what = "service role" if source.kind == "appsync" else "role"
        generated = ""
        if role.sam_generated:
            generated = " (generated by SAM from its Policies)"
        qualifier = source.qualifier
        if qualifier:
            called = f"function {fn.id} through {qualifier} ({arn})"
            fix = (f"Allow {ACTION} on that ARN (or on {fn.arn}:*) in role {role.id}: a grant "
                   f"on the unqualified ARN does not cover a version or alias.")
        else:
            called = f"function {fn.id} ({arn})"
            fix = f"Allow {ACTION} on that ARN in role {role.id}"
            if role.sam_generated and source.kind == "states":
                fix += (f" (add LambdaInvokePolicy: {{FunctionName: !Ref {fn.id}}} to the "
                        f"Policies of {invoker})")
            fix += "."
        yield report(
            source.loc,
            f"{what} {role.id}{generated} of {label} {invoker} does not allow {ACTION} on "
            f"{called}, which it invokes: {consequence(model, source)}. {fix}",
            resource=where(source),
            function=fn.id,
            key=f"{invoker}:{source.id}:{fn.id}",
        )
