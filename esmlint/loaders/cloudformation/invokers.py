"""Role-based invokers in CloudFormation and SAM: state machines, pipes, AppSync, Scheduler.

Issue 21: Step Functions state machines (``AWS::StepFunctions::StateMachine``,
``AWS::Serverless::StateMachine``), EventBridge pipes (``AWS::Pipes::Pipe``), AppSync
Lambda data sources (``AWS::AppSync::DataSource``) and EventBridge Scheduler schedules call
``lambda:InvokeFunction`` with a role of their own. Each becomes a :class:`Source` on the
function it invokes, with the invocation mode, the role (``Source.role_ref`` /
``Source.role``) and the retry behaviour the invoker sets; a pipe's poll side also goes
to ``Model.pipes`` (see :mod:`esmlint.model`).

Kept apart from ``builder.py`` so the invokers other changes add there (OpenAPI bodies,
CloudFront) and these stay out of each other's way. The functions take the builder as
their first argument and reach it only through :class:`TemplateBuilder`.
"""

from __future__ import annotations

from typing import Any, Protocol

from ...model import (
    ASYNC,
    POLL,
    SYNC,
    Function,
    Model,
    Policy,
    Resource,
    Retry,
    Role,
    Source,
    Statement,
)
from ...values import Loc, Sym, Val, default, known, unknown
from .. import states as asl
from .intrinsics import Resolver


class TemplateBuilder(Protocol):
    """What this module needs of the CloudFormation builder (see ``sam.py``)."""

    path: str
    raw: dict
    resolver: Resolver
    model: Model
    sam_expander: Any

    def loc(self, rid: str) -> Loc: ...
    def props(self, rid: str) -> dict: ...
    def type_of(self, rid: str) -> str: ...
    def model_ref(self, value: Val) -> str: ...
    def role_from_ref(self, ref: Val) -> Role | None: ...
    def role_named(self, value: Val) -> Role | None: ...
    def find_function(self, value: Val) -> tuple[Function | None, str]: ...
    def may_be_function(self, value: Val) -> bool: ...
    def outside(self, value: Val, node: Any, rid: str, sure: bool = True
                ) -> tuple[Function | None, str]: ...
    def add_source(self, fn: Function, source: Source) -> None: ...
    def source_kind(self, arn: Val) -> tuple[str, Resource | None]: ...
    def open_all_roles(self, reason: str) -> None: ...


#: Resource types this module links (the builder's ``_LINKERS`` takes them from here).
STATE_MACHINES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")


# --------------------------------------------------------------------------- roles


def register(b: TemplateBuilder) -> None:
    """Before anything resolves: the role SAM generates for a state machine without
    ``Role`` (``<Id>Role``) is a resource Refs may name."""
    for rid in b.raw:
        if isinstance(rid, str) and b.type_of(rid) == "AWS::Serverless::StateMachine" \
                and not _set(b.props(rid), "Role"):
            b.resolver.resources.setdefault(f"{rid}Role", {"Type": "AWS::IAM::Role"})


def generated_roles(b: TemplateBuilder) -> None:
    """The roles SAM generates for state machines without ``Role``, built from their
    ``Policies`` as SAM builds them (managed policy names, ARNs, statements, policy
    templates; the X-Ray policy with ``Tracing``). Added before policies are attached,
    so an ``AWS::IAM::Policy`` naming ``<Id>Role`` finds it."""
    expander = b.sam_expander
    if expander is None:
        return
    for rid in b.raw:
        if not isinstance(rid, str) or b.type_of(rid) != "AWS::Serverless::StateMachine":
            continue
        props = b.props(rid)
        if _set(props, "Role"):
            continue
        role = Role(f"{rid}Role", b.loc(rid), sam_generated=True, origin=rid)
        source = "trust policy added by SAM"
        role.trust = Policy([Statement("Allow", [known("sts:AssumeRole")], None,
                                       principals=[known("states.amazonaws.com")],
                                       source=source)], source=source)
        uses = len(b.model.policy_template_uses)
        policies = b.resolver.get(props, "Policies")
        if _set(props, "Policies"):
            if policies.known and isinstance(policies.value, list):
                for index in range(len(policies.value)):
                    expander.policy_entry(role, b.resolver.get(policies.value, index,
                                                               policies.loc), rid)
            else:
                expander.policy_entry(role, policies, rid)
        tracing = b.resolver.path(props, "Tracing.Enabled")
        if tracing.known and tracing.value in (True, "true", "True"):
            role.managed_policies.append(expander.managed("AWSXRayDaemonWriteAccess"))
        # ESM205 reads the policy template uses of functions; a state machine's are not
        # its business (its messages speak of functions).
        del b.model.policy_template_uses[uses:]
        b.model.roles[role.id] = role
        b.model.origins[role.id] = rid


def connectors(b: TemplateBuilder) -> None:
    """SAM connectors add policies to the roles of the resources they connect, which
    esmlint does not expand: with any connector, every role may have more permissions
    than it shows (rules that need a "no" stay silent)."""
    for rid in b.raw:
        resource = b.raw.get(rid)
        if b.type_of(rid) == "AWS::Serverless::Connector" or (
                isinstance(resource, dict) and "Connectors" in resource):
            b.open_all_roles(f"SAM connector {rid} adds permissions esmlint does not expand")
            return


def _set(props: Any, key: str) -> bool:
    return isinstance(props, dict) and props.get(key) is not None and not (
        isinstance(props[key], dict) and props[key] == {"Ref": "AWS::NoValue"})


def _role(b: TemplateBuilder, value: Val) -> Role | None:
    """The model's role a RoleArn names (a reference, or a literal ARN or name)."""
    role = b.role_from_ref(value)
    if role is None and value.known and isinstance(value.value, str):
        role = b.role_named(value)
    return role


# --------------------------------------------------------------------------- state machines


def state_machine(b: TemplateBuilder, rid: str, props: dict) -> None:
    """A state machine's Lambda tasks, each a source of kind ``states`` on its function."""
    sam = b.type_of(rid) == "AWS::Serverless::StateMachine"
    if sam and not _set(props, "Role"):
        role = b.model.roles.get(f"{rid}Role")
        role_ref = known(f"the role SAM generates for {rid}", b.loc(rid))
    else:
        role_ref = b.resolver.get(props, "Role" if sam else "RoleArn")
        if role_ref.loc is None or not role_ref.loc.line:
            role_ref = Val(role_ref.state, role_ref.value, b.loc(rid), role_ref.reason)
        role = _role(b, role_ref)
    definition, fallback = _definition(b, rid, props, sam)
    substitutions = _substitutions(b, props)
    if b.resolver.has(props, "Definition"):
        read = _reader(b, fallback, substitutions)
    else:  # decoded from text or a file: plain data, located at the property
        read = _text_reader(fallback, substitutions)
    found = asl.lambda_tasks(definition, read)
    if found.unread:
        b.model.unlinked.add("states")
    for task in found.tasks:
        _task_source(b, rid, task, role_ref, role, fallback)


def _definition(b: TemplateBuilder, rid: str, props: dict, sam: bool
                ) -> tuple[Val, Loc]:
    """The definition as a structure, and where values read from text are located."""
    here = b.loc(rid)
    if b.resolver.has(props, "Definition"):
        value = b.resolver.get(props, "Definition")
        return value, value.loc if value.loc is not None and value.loc.line else here
    key = "DefinitionUri" if sam else "DefinitionS3Location"
    if b.resolver.has(props, "DefinitionString"):
        value = b.resolver.get(props, "DefinitionString")
        loc = value.loc if value.loc is not None and value.loc.line else here
        return _json_text(value, loc), loc
    if b.resolver.has(props, key):
        value = b.resolver.get(props, key)
        loc = value.loc if value.loc is not None and value.loc.line else here
        if value.known and isinstance(value.value, dict):
            return unknown(f"the definition is in S3 ({key})", loc), loc
        return asl.definition_file(b.path, value), loc
    return unknown("the state machine has no definition", here), here


def _json_text(value: Val, loc: Loc) -> Val:
    """DefinitionString: JSON text, or a Fn::Sub'ed JSON with deploy-time parts kept."""
    if not value.known:
        return unknown(value.reason or "DefinitionString cannot be read", loc)
    if isinstance(value.value, (str, Sym)):
        return asl.json_text(value.value, loc, "DefinitionString")
    return unknown("DefinitionString is not a string", loc)


def _substitutions(b: TemplateBuilder, props: dict) -> dict[str, Val]:
    value = b.resolver.get(props, "DefinitionSubstitutions")
    if not value.known or not isinstance(value.value, dict):
        return {}
    return {str(name): b.resolver.get(value.value, name, value.loc) for name in value.value}


def _reader(b: TemplateBuilder, fallback: Loc, substitutions: dict[str, Val]) -> asl.Reader:
    resolver = b.resolver

    def read(container: Any, key: Any, loc: Loc | None = None) -> Val:
        value = resolver.get(container, key, loc)
        if value.loc is None or not value.loc.line:
            value = Val(value.state, value.value, fallback, value.reason, value.condition,
                        value.extra)
        return asl.substituted(value, substitutions)

    return read


def _text_reader(fallback: Loc, substitutions: dict[str, Val]) -> asl.Reader:
    plain = asl.plain_reader(fallback)

    def read(container: Any, key: Any, loc: Loc | None = None) -> Val:
        return asl.substituted(plain(container, key, loc), substitutions)

    return read


def _task_source(b: TemplateBuilder, rid: str, task: asl.LambdaTask, role_ref: Val,
                 role: Role | None, fallback: Loc) -> None:
    value = task.function
    fn, qualifier = b.find_function(value)
    if fn is None:
        if task.pattern == "arn" and not (value.known and isinstance(value.value, str)):
            if not b.may_be_function(value):
                return  # a reference to an activity or another resource, not a function
        b.model.unlinked.add("states")
        fn, qualifier = b.outside(value, None, rid, task.pattern != "arn")
        if fn is None:
            return
    if not task.qualifier.absent:
        qualifier = str(task.qualifier.value) if task.qualifier.known else "?"
    loc = task.loc if task.loc is not None and task.loc.line else fallback
    mode = task.mode or SYNC
    extra: dict = asl.task_extra(task)
    if not task.mode:
        extra["mode_unknown"] = True
    if task.pattern == "callback":
        extra["callback"] = True
    source = Source(f"{rid}.{task.name}", mode, "states", loc, fn, qualifier=qualifier,
                    origin=rid, invoker=rid, extra=extra, role_ref=role_ref, role=role,
                    retry=Retry("invoker", detail=f"Retry of state {task.name}"))
    b.add_source(fn, source)


# --------------------------------------------------------------------------- pipes

#: Pipe source parameters -> (model kind, the ESM-named settings they give).
PIPE_PARAMETERS = {
    "SqsQueueParameters": ("sqs", ("BatchSize", "MaximumBatchingWindowInSeconds")),
    "KinesisStreamParameters": ("kinesis", (
        "BatchSize", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
        "MaximumRetryAttempts", "OnPartialBatchItemFailure", "ParallelizationFactor",
        "StartingPosition", "StartingPositionTimestamp")),
    "DynamoDBStreamParameters": ("dynamodb", (
        "BatchSize", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
        "MaximumRetryAttempts", "OnPartialBatchItemFailure", "ParallelizationFactor",
        "StartingPosition")),
    "ActiveMQBrokerParameters": ("mq", ("BatchSize", "MaximumBatchingWindowInSeconds",
                                        "QueueName")),
    "RabbitMQBrokerParameters": ("mq", ("BatchSize", "MaximumBatchingWindowInSeconds",
                                        "QueueName", "VirtualHost")),
    "ManagedStreamingKafkaParameters": ("msk", (
        "BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition", "TopicName",
        "ConsumerGroupID")),
}
#: Pipe source kinds the model keeps (spec: SQS, Kinesis, DynamoDB, MQ, MSK sources).
PIPE_KINDS = ("sqs", "kinesis", "dynamodb", "mq", "msk")


def pipe(b: TemplateBuilder, rid: str, props: dict) -> None:
    """A pipe with a Lambda enrichment or target: a ``pipes`` source on each function it
    invokes, and its poll side in ``Model.pipes``."""
    role_ref = b.resolver.get(props, "RoleArn")
    if role_ref.loc is None or not role_ref.loc.line:
        role_ref = Val(role_ref.state, role_ref.value, b.loc(rid), role_ref.reason)
    role = _role(b, role_ref)
    invoked: list[tuple[Function, Source]] = []
    steps = (("enrichment", b.resolver.get(props, "Enrichment"),
              unknown("not set")),
             ("target", b.resolver.get(props, "Target"),
              b.resolver.path(props, "TargetParameters.LambdaFunctionParameters."
                                     "InvocationType")))
    for step, value, invocation in steps:
        if value.absent:
            continue
        fn, qualifier = b.find_function(value)
        if fn is None:
            if not b.may_be_function(value) or not _lambda_arn(value):
                if not value.known:
                    b.model.unlinked.add("pipes")
                continue
            b.model.unlinked.add("pipes")
            fn, qualifier = b.outside(value, None, rid, False)
            if fn is None:
                continue
        loc = value.loc if value.loc is not None and value.loc.line else b.loc(rid)
        if step == "enrichment" or invocation.absent:
            mode, unknown_mode = SYNC, False
        elif invocation.known and invocation.value in ("REQUEST_RESPONSE", "FIRE_AND_FORGET"):
            mode, unknown_mode = (SYNC if invocation.value == "REQUEST_RESPONSE" else ASYNC,
                                  False)
        else:
            mode, unknown_mode = SYNC, True
        source = Source(f"{rid}.{step.capitalize()}", mode, "pipes", loc, fn,
                        qualifier=qualifier, origin=rid, invoker=rid,
                        extra={"pipe_step": step, "mode_unknown": unknown_mode},
                        role_ref=role_ref, role=role)
        b.add_source(fn, source)
        invoked.append((fn, source))
    if invoked:
        _pipe_poll(b, rid, props, role_ref, role, invoked)


def _lambda_arn(value: Val) -> bool:
    """Whether a pipe's Enrichment / Target may be a Lambda function: a reference, or a
    Lambda ARN (a pipe also targets queues, streams, buses, state machines...)."""
    if not value.known or not isinstance(value.value, (str, Sym)):
        return True
    text = asl.resource_text(value.value) or ""
    if text.startswith("arn:"):
        pieces = text.split(":")
        return len(pieces) > 2 and pieces[2] in ("lambda", "\x00")
    return "\x00" in text


def _pipe_poll(b: TemplateBuilder, rid: str, props: dict, role_ref: Val,
               role: Role | None, invoked: list[tuple[Function, Source]]) -> None:
    arn = b.resolver.get(props, "Source")
    kind, resource = b.source_kind(arn)
    if kind not in PIPE_KINDS:
        return
    fn = invoked[0][0]
    loc = arn.loc if arn.loc is not None and arn.loc.line else b.loc(rid)
    poll = Source(rid, POLL, kind, loc, fn, resource=resource, arn=arn, invoker=rid,
                  extra={"pipe": rid, "functions": [f.id for f, _ in invoked]},
                  role_ref=role_ref, role=role)
    params = b.resolver.get(props, "SourceParameters")
    body = params.value if params.known and isinstance(params.value, dict) else {}
    if not params.known and not params.absent:
        poll.extra["settings_unknown"] = params.reason
    for key, (pkind, names) in PIPE_PARAMETERS.items():
        if pkind != kind or key not in body:
            continue
        group = b.resolver.get(body, key, params.loc)
        if not group.known or not isinstance(group.value, dict):
            poll.extra["settings_unknown"] = group.reason or f"{key} cannot be read"
            continue
        for name in names:
            if name in group.value:
                poll.settings[name] = b.resolver.get(group.value, name, group.loc)
        dead = b.resolver.path(group.value, "DeadLetterConfig.Arn", group.loc)
        if not dead.absent:
            poll.settings["DestinationConfig.OnFailure"] = dead
            poll.settings["DestinationConfig.OnFailure.Destination"] = dead
        secrets: list[Val] = []
        credentials = b.resolver.get(group.value, "Credentials", group.loc)
        if credentials.known and isinstance(credentials.value, dict):
            for ckey in credentials.value:
                secrets.append(b.resolver.get(credentials.value, ckey, credentials.loc))
            poll.settings["access.secrets"] = known(secrets, credentials.loc)
        elif not credentials.absent:
            poll.settings["access.secrets"] = unknown(credentials.reason, credentials.loc)
    poll.retry = Retry("source", attempts=poll.setting("MaximumRetryAttempts"),
                       max_age=poll.setting("MaximumRecordAgeInSeconds"),
                       dead_letter=poll.setting("DestinationConfig.OnFailure.Destination"),
                       detail=f"source parameters of pipe {rid}")
    b.model.pipes.append(poll)


# --------------------------------------------------------------------------- AppSync


def appsync_datasource(b: TemplateBuilder, rid: str, props: dict) -> None:
    """An AppSync data source of type AWS_LAMBDA: a synchronous invoker with a service
    role. Resolvers and channel namespace handlers may ask for the ``Event`` invocation
    type, which esmlint does not read: the mode is left unknown for the rules."""
    dtype = b.resolver.get(props, "Type")
    if dtype.known and dtype.value != "AWS_LAMBDA":
        return
    target = b.resolver.path(props, "LambdaConfig.LambdaFunctionArn")
    if target.absent:
        return
    fn, qualifier = b.find_function(target)
    if fn is None:
        b.model.unlinked.add("appsync")
        if not _lambda_arn(target):
            return
        fn, qualifier = b.outside(target, None, rid, True)
        if fn is None:
            return
    role_ref = b.resolver.get(props, "ServiceRoleArn")
    if role_ref.loc is None or not role_ref.loc.line:
        role_ref = Val(role_ref.state, role_ref.value, b.loc(rid), role_ref.reason)
    loc = target.loc if target.loc is not None and target.loc.line else b.loc(rid)
    source = Source(rid, SYNC, "appsync", loc, fn, qualifier=qualifier, invoker=rid,
                    extra={"mode_unknown": True}, role_ref=role_ref,
                    role=_role(b, role_ref) if not role_ref.absent else None,
                    retry=Retry("caller"))
    b.add_source(fn, source)


# --------------------------------------------------------------------------- Scheduler


def schedule(b: Any, rid: str, props: dict) -> None:
    """AWS::Scheduler::Schedule: the builder's push source, with the target's role, its
    RetryPolicy (185 attempts and 86400 s by default) and its DeadLetterConfig."""
    source = b.schedule(rid, props)
    if source is None:
        return
    target = b.resolver.get(props, "Target")
    body = target.value if target.known and isinstance(target.value, dict) else {}
    where = target.loc or b.loc(rid)
    role_ref = b.resolver.get(body, "RoleArn", where)
    source.role_ref = role_ref
    source.role = _role(b, role_ref) if not role_ref.absent else None
    source.retry = scheduler_retry(b.resolver, body, where, f"schedule {rid}")


def scheduler_retry(resolver: Resolver, body: Any, where: Loc | None, who: str) -> Retry:
    """A Scheduler target's RetryPolicy and DeadLetterConfig (the documented defaults when
    absent: 185 retries over at most 86400 seconds)."""
    attempts = resolver.path(body, "RetryPolicy.MaximumRetryAttempts", where)
    age = resolver.path(body, "RetryPolicy.MaximumEventAgeInSeconds", where)
    return Retry(
        "invoker",
        attempts=default(185, where) if attempts.absent else attempts,
        max_age=default(86400, where) if age.absent else age,
        dead_letter=resolver.path(body, "DeadLetterConfig.Arn", where),
        detail=f"RetryPolicy of {who}")


def sam_schedule(b: Any, source: Source, props: dict, loc: Loc) -> None:
    """A SAM ``ScheduleV2`` event: its ``RoleArn`` (without one, SAM generates a role that
    may invoke the function: no role is kept, so ESM406 stays silent), ``RetryPolicy`` and
    ``DeadLetterConfig``."""
    role_ref = b.resolver.get(props, "RoleArn", loc)
    if role_ref.absent:
        source.role_ref = unknown("the role SAM generates for the event", loc)
    else:
        source.role_ref = role_ref
        source.role = _role(b, role_ref)
    source.retry = scheduler_retry(b.resolver, props, loc, f"event {source.extra.get('event')}")
