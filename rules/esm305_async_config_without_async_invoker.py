"""A dead-letter queue or EventInvokeConfig sits on a function nothing invokes asynchronously.

## What it does
Reports a function's dead-letter queue (`DeadLetterConfig` / SAM `DeadLetterQueue`) and
event invoke configurations when every invoker of the function is in the template and
none of them is asynchronous: they are event source mappings (SQS, Kinesis, DynamoDB,
Kafka, MQ...) or synchronous callers (API Gateway, load balancers, Function URLs,
Cognito...).

Step Functions tasks that wait for the function (`lambda:invoke` without
`InvocationType: Event`, a function ARN as `Resource`) and EventBridge pipes invoking
their target with `REQUEST_RESPONSE` (or an enrichment) are synchronous invokers; a
`.waitForTaskToken` task, an `InvocationType: Event` task, a `FIRE_AND_FORGET` pipe
target, a Scheduler schedule are asynchronous, and AppSync data sources count as unknown
(resolvers may ask for the `Event` invocation type). The role such an invoker uses does
not count as "a role that may invoke the function" when only that service can assume it
and no function of the template uses it.

"Every invoker is in the template" is judged conservatively. The rule stays silent when
the function has no invoker in the template at all (it is then invoked from elsewhere);
when a permission lets an asynchronous service, an account or anyone invoke it; when any
other role of the template may call `lambda:InvokeFunction` on it; when anything else
in the template refers to it (another function's environment, a state machine whose
definition esmlint cannot read, an exported output, a parameter store value...); when
some invoker in the template could not be linked to its function, or an API's OpenAPI
definition could not be read in full (it may invoke with `X-Amz-Invocation-Type:
'Event'`); when the function has a fixed name while some function's
role is defined outside the template; and for a function the template names but does not
define (its other invokers are where it is defined).

## Why is this bad?
Dead-letter queues, `MaximumRetryAttempts`, `MaximumEventAgeInSeconds` and destinations
apply to asynchronous invocations only. Event source mappings and synchronous callers
never use them: a failed SQS message goes back to its queue (and to the queue's own
dead-letter queue), a failed stream batch is retried per the mapping. The configuration
looks like failure handling but catches nothing.

## Example
```yaml
Worker:
  Type: AWS::Serverless::Function
  Properties:
    DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt WorkerDlq.Arn}   # never used
    Events:
      Jobs: {Type: SQS, Properties: {Queue: !GetAtt Jobs.Arn}}
```

## Fix
Handle failures where the invoker keeps them: a `RedrivePolicy` on the SQS source queue,
`DestinationConfig.OnFailure` with bounded retries on a stream mapping, error responses
for synchronous callers. Remove the function-level dead-letter queue or event invoke
configuration, or keep it deliberately if something outside the template invokes the
function asynchronously.

## References
- https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
- https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-queueconfig
"""

# The AWS facts behind this rule, with their sources: esmlint's spec,
# aws-lambda-invocation.md, sections B.5, D.

from esmlint.iam import Tri, allows
from esmlint.model import ASYNC, POLL, ROLE_INVOKERS, ROLE_PRINCIPALS
from esmlint.rule import Severity, principal_text, report
from esmlint.rules.esm401_missing_invoke_permission import principal_tri
from esmlint.targets import target

ID = "ESM305"
NAME = "async-config-without-async-invoker"
SEVERITY = Severity.INFO
PRECISION = "medium"
TAGS = ("maintainability", "async")

#: Unlinked invokers that might be an asynchronous invoker of any function.
UNLINKED = {"s3", "sns", "eventbridge", "scheduler", "logs", "iot", "ses", "codecommit",
            "config", "cloudformation", "permission", "cognito", "openapi", "states",
            "pipes", "appsync"}
#: How the role-based invokers are named in the message.
INVOKER_LABELS = {"states": "state machine", "pipes": "pipe",
                  "appsync": "AppSync data source"}
#: Role policy resources that attach to exactly one role.
ONE_ROLE_POLICIES = {"AWS::IAM::RolePolicy", "aws_iam_role_policy"}
#: Principals of services that only invoke synchronously.
SYNC_PRINCIPALS = ("apigateway.amazonaws.com", "elasticloadbalancing.amazonaws.com",
                   "cognito-idp.amazonaws.com", "alexa-appkit.amazon.com",
                   "lex.amazonaws.com", "secretsmanager.amazonaws.com")
#: Resource types that refer to a function without invoking it asynchronously
#: (None: under any property; else only under these top-level properties).
HARMLESS = {
    "AWS::Lambda::Permission": None,
    "AWS::Lambda::EventInvokeConfig": ("FunctionName",),
    "AWS::Lambda::Alias": ("FunctionName",),
    "AWS::Lambda::Version": ("FunctionName",),
    "AWS::Lambda::EventSourceMapping": ("FunctionName",),
    "AWS::Lambda::Url": None,
    "AWS::Logs::LogGroup": None,
    "AWS::CloudWatch::Alarm": ("Dimensions", "Metrics", "AlarmName", "AlarmDescription"),
    "AWS::CloudWatch::Dashboard": None,
    "AWS::ApplicationAutoScaling::ScalableTarget": None,
    "AWS::ApplicationAutoScaling::ScalingPolicy": None,
    "AWS::ApiGateway::Method": None,
    "AWS::ApiGateway::Authorizer": None,
    "AWS::ApiGateway::RestApi": None,
    "AWS::ApiGatewayV2::Integration": None,
    "AWS::ApiGatewayV2::Authorizer": None,
    "AWS::ApiGatewayV2::Api": None,
    "AWS::Serverless::Api": None,
    "AWS::Serverless::HttpApi": None,
    "AWS::ElasticLoadBalancingV2::TargetGroup": None,
    "AWS::SecretsManager::RotationSchedule": None,
}
SENDERS = ("CustomSMSSender", "CustomEmailSender")


def invoker_roles(model, fn) -> set[str]:
    """The roles of the function's role-based invokers (state machines, pipes...) that
    only those services can assume, and that no function of the template uses: they
    invoke the function only the way the invokers do, which are all in the model."""
    kinds: dict[str, set[str]] = {}
    for source in fn.sources:
        if source.kind in ROLE_INVOKERS and source.role is not None:
            kinds.setdefault(source.role.id, set()).add(ROLE_PRINCIPALS[source.kind])
    used_by_functions = {f.role.id for f in model.functions if f.role is not None}
    found = set()
    for rid, services in kinds.items():
        role = model.roles.get(rid)
        if role is None or rid in used_by_functions or role.open_ended:
            continue
        if _trusts_only(role, services):
            found.add(rid)
    return found


def _trusts_only(role, services) -> bool:
    """Whether the role's trust policy lets only these service principals assume it."""
    trust = role.trust
    if trust is None or trust.unresolved or not trust.statements:
        return False
    for statement in trust.statements:
        if statement.unresolved:
            return False
        if statement.effect != "Allow":
            continue
        if not statement.principals:
            return False
        for principal in statement.principals:
            text = principal_text(principal)
            if text is None or text.removesuffix(".cn") not in services:
                return False
    return True


def _referrers_ok(model, fn) -> bool:
    """Whether everything in the template that names the function is understood."""
    accounted = invoker_roles(model, fn)
    ids = [fn.id]
    for rid, _ in model.referrers.get(fn.id, ()):
        res = model.resources.get(rid)
        if res is not None and res.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            ids.append(rid)
    linked = {s.id for s in fn.sources} | {s.invoker for s in fn.sources}
    for named in ids:
        for rid, key in model.referrers.get(named, ()):
            if rid == "Outputs":
                if key == "Export":
                    return False
                continue
            if rid in linked or rid in ids or rid in accounted:
                continue
            res = model.resources.get(rid)
            if res is not None and res.type in ONE_ROLE_POLICIES and _attached_to(
                    model, f"{res.type} {rid}", accounted):
                continue
            if res is None or res.type not in HARMLESS:
                return False
            keys = HARMLESS[res.type]
            if keys is not None and key not in keys:
                return False
    return True


def _attached_to(model, source, accounted) -> bool:
    """Whether the policy labelled ``source`` is attached only to accounted roles."""
    holders = [rid for rid, role in model.roles.items()
               if any(policy.source == source for policy in role.policies)]
    return bool(holders) and all(rid in accounted for rid in holders)


def _permissions_ok(model, fn) -> bool:
    for perm in model.permissions:
        if perm.resolved is None:
            return False
        if perm.resolved is not fn:
            continue
        if not perm.url_auth_type.absent or (perm.invoked_via_url.known
                                             and perm.invoked_via_url.value in (True, "true")):
            continue
        if not any(principal_tri(perm.principal, p) is Tri.YES for p in SYNC_PRINCIPALS):
            return False
        if principal_tri(perm.principal, "esmlint.invalid") is not Tri.NO:
            return False  # "*" or unreadable
    return True


def _roles_ok(model, fn) -> bool:
    if fn.arn is None:
        return False
    accounted = invoker_roles(model, fn)
    for role in model.roles.values():
        if role.id in accounted:
            continue  # the role of a state machine or pipe whose invocations are known
        if allows(role, "lambda:InvokeFunction", fn.arn).value is not Tri.NO:
            return False
    if not fn.name.absent and any(
            other.role is None for other in model.functions
            if other is not fn and not other.external):
        return False
    return True


def only_sync_invokers(model, fn) -> bool:
    if not fn.sources or model.unlinked & UNLINKED:
        return False
    for source in fn.sources:
        if source.mode == ASYNC or source.extra.get("mode_unknown"):
            return False
        trigger = source.extra.get("trigger")
        if source.kind == "cognito" and (trigger in SENDERS or not isinstance(trigger, str)):
            return False
    return _referrers_ok(model, fn) and _permissions_ok(model, fn) and _roles_ok(model, fn)


def _invokers(fn) -> str:
    labels = sorted({"event source mapping" if s.mode == POLL else
                     INVOKER_LABELS.get(s.kind, s.kind) for s in fn.sources})
    return ", ".join(labels)


def check(model, options):
    for fn in model.functions:
        if fn.external:
            continue  # defined elsewhere: its other invokers are not in this file
        if fn.dead_letter.absent and not fn.invoke_configs:
            continue
        if not only_sync_invokers(model, fn):
            continue
        invokers = _invokers(fn)
        tail = (f"nothing in the template invokes function {fn.id} asynchronously (its "
                f"invokers here: {invokers}), and dead-letter queues and event invoke "
                f"configurations only apply to asynchronous invocations: unless something "
                f"outside the template invokes it asynchronously, this has no effect. Handle "
                f"failures at the source (the SQS queue's RedrivePolicy, a stream mapping's "
                f"DestinationConfig.OnFailure) or remove it.")
        if not fn.dead_letter.absent:
            loc = fn.dead_letter.loc if fn.dead_letter.loc and fn.dead_letter.loc.line \
                else fn.loc
            found = target(model, fn.dead_letter)
            name = f" {found.name}" if found is not None else (
                f" {fn.dead_letter.text()}" if fn.dead_letter.known else "")
            yield report(loc, f"dead-letter queue{name}: {tail}",
                         resource=fn.id, function=fn.id, key=f"{fn.id}:DeadLetter")
        for config in fn.invoke_configs:
            what = "EventInvokeConfig" if config.origin else f"event invoke configuration " \
                f"{config.id}"
            yield report(config.loc, f"{what}: {tail}", resource=config.origin or config.id,
                         function=fn.id, key=f"{fn.id}:{config.id}")
