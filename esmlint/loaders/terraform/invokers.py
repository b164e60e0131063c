"""Role-based invokers in Terraform: state machines, pipes, AppSync data sources, schedules.

The Terraform half of :mod:`esmlint.loaders.cloudformation.invokers` (issue 21):
``aws_sfn_state_machine`` (its ``definition``: JSON text, ``jsonencode(...)``, a file read
with ``file()`` / ``templatefile()``), ``aws_pipes_pipe``, ``aws_appsync_datasource`` and
the role, ``retry_policy`` and ``dead_letter_config`` of ``aws_scheduler_schedule``. Each
function takes the builder and one resource, and reads it only through the
:class:`~esmlint.loaders.terraform.builder.Body` interface, so any front end that produces
``TfResource`` values (plan JSON, ``.tf.json``, HCL) feeds it alike.
"""

from __future__ import annotations

from typing import Any, Protocol

from ...model import ASYNC, POLL, SYNC, Function, Model, Resource, Retry, Role, Source
from ...values import Loc, Sym, Val, default, known, unknown
from .. import states as asl

NOT_SET = "not set"


class Builder(Protocol):
    """What this module needs of :class:`~esmlint.loaders.terraform.builder.TfBuilder`."""

    model: Model

    def find_function(self, value: Val) -> tuple[Function | None, str]: ...
    def outside(self, value: Val, written: str | None, item: Any, sure: bool = True
                ) -> tuple[Function | None, str]: ...
    def role_named(self, value: Val) -> Role | None: ...
    def source_kind(self, arn: Val) -> tuple[str, Resource | None]: ...
    def push(self, fn_value: Val, item: Any, kind: str, mode: str, loc: Loc, invoker: str,
             extra: dict | None = None, qualifier: str = "", outside: str = "",
             written: str | None = None) -> Source | None: ...


def _absent(value: Val) -> bool:
    return (value.state == "unknown" and value.reason == NOT_SET) or (
        value.known and value.value is None)


def _located(value: Val, fallback: Loc) -> Loc:
    return value.loc if value.loc is not None and value.loc.line else fallback


def _role(b: Builder, item: Any, name: str = "role_arn", body: Any = None
          ) -> tuple[Val, Role | None]:
    value = (body or item.body).get(name)
    if value.loc is None or not value.loc.line:
        value = Val(value.state, value.value, item.loc, value.reason)
    if _absent(value):
        return value, None
    return value, b.role_named(value)


def _written(body: Any, name: str) -> str | None:
    written = getattr(body, "written", None)
    return written(name) if callable(written) else None


# --------------------------------------------------------------------------- state machines


def state_machine(b: Builder, item: Any) -> None:
    """aws_sfn_state_machine: each Lambda task a ``states`` source on its function."""
    role_ref, role = _role(b, item)
    value = item.body.get("definition")
    document = getattr(item.body, "document", None)
    if callable(document) and not _absent(value):  # with file() / templatefile() read
        value = document("definition")
    loc = _located(value, item.loc)
    if not value.known:
        definition = unknown(value.reason or "the definition cannot be read", loc)
    elif isinstance(value.value, (str, Sym)):
        definition = asl.json_text(value.value, loc, "definition")
    elif isinstance(getattr(value.value, "value", None), (dict, list)):  # jsonencode(...)
        definition = known(value.value.value, loc)
    elif isinstance(value.value, dict):
        definition = known(value.value, loc)
    else:
        definition = unknown("the definition is not JSON", loc)
    found = asl.lambda_tasks(definition, asl.plain_reader(loc))
    if found.unread:
        b.model.unlinked.add("states")
    for task in found.tasks:
        target = task.function
        fn, qualifier = b.find_function(target)
        if fn is None:
            b.model.unlinked.add("states")
            fn, qualifier = b.outside(target, None, item, task.pattern != "arn")
            if fn is None:
                continue
        if not task.qualifier.absent:
            qualifier = str(task.qualifier.value) if task.qualifier.known else "?"
        extra = asl.task_extra(task)
        if not task.mode:
            extra["mode_unknown"] = True
        if task.pattern == "callback":
            extra["callback"] = True
        if item.conditional:
            extra["conditional"] = item.conditional
        source = Source(f"{item.address}.{task.name}", task.mode or SYNC, "states", loc, fn,
                        qualifier=qualifier, origin=item.address, invoker=item.address,
                        extra=extra, role_ref=role_ref, role=role,
                        retry=Retry("invoker", detail=f"Retry of state {task.name}"))
        fn.sources.append(source)


# --------------------------------------------------------------------------- pipes

#: Blocks of ``source_parameters`` -> (model kind, argument -> CloudFormation setting).
PIPE_PARAMETERS = {
    "sqs_queue_parameters": ("sqs", {"batch_size": "BatchSize",
                                     "maximum_batching_window_in_seconds":
                                         "MaximumBatchingWindowInSeconds"}),
    "kinesis_stream_parameters": ("kinesis", {
        "batch_size": "BatchSize",
        "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
        "maximum_record_age_in_seconds": "MaximumRecordAgeInSeconds",
        "maximum_retry_attempts": "MaximumRetryAttempts",
        "on_partial_batch_item_failure": "OnPartialBatchItemFailure",
        "parallelization_factor": "ParallelizationFactor",
        "starting_position": "StartingPosition",
        "starting_position_timestamp": "StartingPositionTimestamp"}),
    "dynamodb_stream_parameters": ("dynamodb", {
        "batch_size": "BatchSize",
        "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
        "maximum_record_age_in_seconds": "MaximumRecordAgeInSeconds",
        "maximum_retry_attempts": "MaximumRetryAttempts",
        "on_partial_batch_item_failure": "OnPartialBatchItemFailure",
        "parallelization_factor": "ParallelizationFactor",
        "starting_position": "StartingPosition"}),
    "activemq_broker_parameters": ("mq", {
        "batch_size": "BatchSize",
        "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
        "queue_name": "QueueName"}),
    "rabbitmq_broker_parameters": ("mq", {
        "batch_size": "BatchSize",
        "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
        "queue_name": "QueueName", "virtual_host": "VirtualHost"}),
    "managed_streaming_kafka_parameters": ("msk", {
        "batch_size": "BatchSize",
        "maximum_batching_window_in_seconds": "MaximumBatchingWindowInSeconds",
        "starting_position": "StartingPosition", "topic_name": "TopicName",
        "consumer_group_id": "ConsumerGroupID"}),
}
PIPE_KINDS = ("sqs", "kinesis", "dynamodb", "mq", "msk")


def _function_of(b: Builder, value: Val, written: str | None, item: Any, kind: str,
                 sure: bool) -> tuple[Function | None, str]:
    """The function an invoker names: one in the module, else one outside it when the value
    may be a Lambda function (the invoker kind is then marked as not fully linked), else
    None (a queue, a bus, a state machine...)."""
    fn, qualifier = b.find_function(value)
    if fn is not None or not _may_be_lambda(value, b.model):
        return fn, qualifier
    b.model.unlinked.add(kind)
    return b.outside(value, written, item, sure)


def _may_be_lambda(value: Val, model: Model | None = None) -> bool:
    """Whether an enrichment, target or data source ARN may name a Lambda function: a
    Lambda ARN, or a reference to something that is not a queue, topic, stream..."""
    if not value.known or not isinstance(value.value, (str, Sym)):
        return True
    if model is not None and isinstance(value.value, Sym):
        refs = [t.ref for t in value.value.tokens if t.kind == "attr"]
        if refs and all(r in model.resources and model.resources[r].kind not in (
                "other", "alias") for r in refs):
            return False
    text = asl.resource_text(value.value) or ""
    if text.startswith("arn:"):
        pieces = text.split(":")
        return len(pieces) > 2 and pieces[2] in ("lambda", "\x00")
    return "\x00" in text


def pipe(b: Builder, item: Any) -> None:
    """aws_pipes_pipe with a Lambda enrichment or target."""
    body = item.body
    role_ref, role = _role(b, item)
    invoked: list[tuple[Function, Source]] = []
    for step in ("enrichment", "target"):
        value = body.get(step)
        if _absent(value):
            continue
        fn, qualifier = _function_of(b, value, _written(body, step), item, "pipes", False)
        if fn is None:
            continue
        mode, unknown_mode = SYNC, False
        if step == "target":
            blocks = body.blocks("target_parameters")
            invocation: Val = unknown(NOT_SET)
            if isinstance(blocks, Val):
                invocation = blocks
            elif blocks:
                inner = blocks[0].blocks("lambda_function_parameters")
                if isinstance(inner, Val):
                    invocation = inner
                elif inner:
                    invocation = inner[0].get("invocation_type")
            if not _absent(invocation):
                if invocation.known and invocation.value in ("REQUEST_RESPONSE",
                                                              "FIRE_AND_FORGET"):
                    mode = SYNC if invocation.value == "REQUEST_RESPONSE" else ASYNC
                else:
                    unknown_mode = True
        extra: dict = {"pipe_step": step, "mode_unknown": unknown_mode}
        if item.conditional:
            extra["conditional"] = item.conditional
        source = Source(f"{item.address}.{step}", mode, "pipes", _located(value, item.loc),
                        fn, qualifier=qualifier, origin=item.address, invoker=item.address,
                        extra=extra, role_ref=role_ref, role=role)
        fn.sources.append(source)
        invoked.append((fn, source))
    if invoked:
        _pipe_poll(b, item, role_ref, role, invoked)


def _pipe_poll(b: Builder, item: Any, role_ref: Val, role: Role | None,
               invoked: list[tuple[Function, Source]]) -> None:
    body = item.body
    arn = body.get("source")
    kind, resource = b.source_kind(arn)
    if kind not in PIPE_KINDS:
        return
    poll = Source(item.address, POLL, kind, _located(arn, item.loc), invoked[0][0],
                  resource=resource, arn=arn, invoker=item.address,
                  extra={"pipe": item.address, "functions": [f.id for f, _ in invoked]},
                  role_ref=role_ref, role=role)
    if item.conditional:
        poll.extra["conditional"] = item.conditional
    params = body.blocks("source_parameters")
    if isinstance(params, Val):
        poll.extra["settings_unknown"] = params.reason
        params = []
    for block in params[:1]:
        for name, (pkind, arguments) in PIPE_PARAMETERS.items():
            if pkind != kind:
                continue
            groups = block.blocks(name)
            if isinstance(groups, Val):
                poll.extra["settings_unknown"] = groups.reason
                continue
            for group in groups[:1]:
                for argument, setting in arguments.items():
                    value = group.get(argument)
                    if not _absent(value):
                        poll.settings[setting] = value
                dead = group.blocks("dead_letter_config")
                if isinstance(dead, Val):
                    poll.settings["DestinationConfig.OnFailure"] = dead
                    poll.settings["DestinationConfig.OnFailure.Destination"] = dead
                elif dead:
                    target = dead[0].get("arn")
                    value = target if not _absent(target) else unknown(
                        "dead_letter_config without arn", dead[0].loc)
                    poll.settings["DestinationConfig.OnFailure"] = value
                    poll.settings["DestinationConfig.OnFailure.Destination"] = value
                credentials = group.blocks("credentials")
                if isinstance(credentials, Val):
                    poll.settings["access.secrets"] = credentials
                elif credentials:
                    secrets: list[Val] = []
                    for argument in ("basic_auth", "client_certificate_tls_auth",
                                     "sasl_scram_512_auth"):
                        secret = credentials[0].get(argument)
                        if not _absent(secret):
                            secrets.append(secret)
                    poll.settings["access.secrets"] = known(secrets, credentials[0].loc)
    poll.retry = Retry("source", attempts=poll.setting("MaximumRetryAttempts"),
                       max_age=poll.setting("MaximumRecordAgeInSeconds"),
                       dead_letter=poll.setting("DestinationConfig.OnFailure.Destination"),
                       detail=f"source_parameters of {item.address}")
    b.model.pipes.append(poll)


# --------------------------------------------------------------------------- AppSync


def appsync_datasource(b: Builder, item: Any) -> None:
    """aws_appsync_datasource of type AWS_LAMBDA (mode left unknown: resolvers may ask
    for the Event invocation type, which esmlint does not read)."""
    body = item.body
    dtype = body.get("type")
    if dtype.known and dtype.value != "AWS_LAMBDA":
        return
    configs = body.blocks("lambda_config")
    if isinstance(configs, Val):
        b.model.unlinked.add("appsync")
        return
    if not configs:
        return
    target = configs[0].get("function_arn")
    if _absent(target):
        return
    fn, qualifier = _function_of(b, target, _written(configs[0], "function_arn"), item,
                                 "appsync", True)
    if fn is None:
        return
    role_ref, role = _role(b, item, "service_role_arn")
    extra: dict = {"mode_unknown": True}
    if item.conditional:
        extra["conditional"] = item.conditional
    fn.sources.append(Source(item.address, SYNC, "appsync", _located(target, item.loc), fn,
                             qualifier=qualifier, invoker=item.address, extra=extra,
                             role_ref=role_ref, role=role, retry=Retry("caller")))


# --------------------------------------------------------------------------- Scheduler


def schedule(b: Builder, item: Any) -> None:
    """aws_scheduler_schedule: the Scheduler push source, with its role and retries."""
    targets = item.body.blocks("target")
    if not isinstance(targets, list):
        return
    for block in targets:
        dead = block.blocks("dead_letter_config")
        source = b.push(block.get("arn"), item, "scheduler", ASYNC, item.loc, item.address,
                        {"target_dlq": isinstance(dead, Val) or bool(dead)})
        if source is None:
            continue
        source.role_ref, source.role = _role(b, item, body=block)
        if source.role_ref.loc is None or not source.role_ref.loc.line:
            source.role_ref = Val(source.role_ref.state, source.role_ref.value, block.loc,
                                  source.role_ref.reason)
        attempts: Val = default(185, block.loc)
        age: Val = default(86400, block.loc)
        policies = block.blocks("retry_policy")
        if isinstance(policies, Val):
            attempts = age = policies
        elif policies:
            given = policies[0].get("maximum_retry_attempts")
            attempts = given if not _absent(given) else attempts
            given = policies[0].get("maximum_event_age_in_seconds")
            age = given if not _absent(given) else age
        if isinstance(dead, Val):
            letter: Val = dead
        elif dead:
            letter = dead[0].get("arn")
        else:
            letter = unknown(NOT_SET, block.loc)
        source.retry = Retry("invoker", attempts=attempts, max_age=age, dead_letter=letter,
                             detail=f"retry_policy of {item.address}")
