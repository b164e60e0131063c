"""The invocation model: every function, everything that invokes it, and its role.

Every front end (CloudFormation, SAM, Terraform) produces this model and rules only read
it, so a rule written once covers every format. Property names are the model's own
(snake_case), not any format's; each front end maps its spellings onto them.

Resource kinds and the properties the front ends fill (all :class:`~esmlint.values.Val`):

=============  =================================================================
kind           props
=============  =================================================================
``sqs``        visibility_timeout, fifo, max_receive_count, dead_letter_target,
               kms_key, message_retention, name
``sns``        fifo, kms_key, name
``kinesis``    kms_key, name
``dynamodb``   stream_enabled, name
``s3``         name
``kms``        key_policy (a :class:`Policy`; KMS's default policy, as a default
               value, when the template sets none)
``kms-alias``  name, target_key
``eventbus``   name
``states``     a state machine (its invocations are sources of kind ``states``)
``pipes``      an EventBridge pipe (its poll side is in :attr:`Model.pipes`)
``appsync``    an AppSync data source
``mq``, ``msk``, ``docdb``, ``rule``, ``api``, ``httpapi``, ``userpool``...
=============  =================================================================

Every source also says how the function is invoked and by whom (:attr:`Source.invocation`,
:attr:`Source.principal`, :attr:`Source.role` for the invokers that call with a role of
their own) and how failed invocations are retried (:attr:`Source.retries`): see the block
"who invokes, how, and how it is retried" below.

Source settings keep CloudFormation's ``AWS::Lambda::EventSourceMapping`` property names
(``BatchSize``, ``MaximumBatchingWindowInSeconds``, ``StartingPosition``,
``DestinationConfig.OnFailure.Destination``...) because those are the names users read in
the AWS documentation; Terraform front ends map onto them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from weakref import ref

from .values import MISSING, Loc, Sym, Token, Val, default, unknown

POLL = "poll"
ASYNC = "async"
SYNC = "sync"

#: Event source mapping source kinds.
POLL_KINDS = ("sqs", "kinesis", "dynamodb", "msk", "kafka", "mq", "documentdb")
#: Sources whose records sit in ordered shards or partitions.
STREAM_KINDS = ("kinesis", "dynamodb", "msk", "kafka")
#: ``BatchSize`` Lambda uses when a mapping does not set it, per source kind (spec A.2).
BATCH_SIZE_DEFAULTS = {"sqs": 10, "kinesis": 100, "dynamodb": 100, "msk": 100, "kafka": 100,
                       "mq": 100, "documentdb": 100}
#: How messages name a source kind ("dynamodb-table": a table given where its stream belongs).
KIND_LABELS = {"sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB Streams",
               "dynamodb-table": "DynamoDB table", "msk": "Amazon MSK",
               "kafka": "self-managed Kafka", "mq": "Amazon MQ", "documentdb": "DocumentDB"}


@dataclass(eq=False)
class Resource:
    """A resource that is not a function or a role: a queue, stream, table, topic..."""

    id: str
    kind: str
    type: str
    loc: Loc
    props: dict[str, Val] = field(default_factory=dict)
    arn: Sym | None = None
    origin: str = ""

    def get(self, name: str) -> Val:
        return self.props.get(name, MISSING)


@dataclass(eq=False)
class Statement:
    """One IAM policy statement, its parts resolved.

    ``actions`` / ``resources`` are None when absent (NotAction / NotResource used
    instead). A part that could not be resolved is an unknown :class:`Val` in the list;
    the evaluator then answers "unknown" instead of "no".
    """

    effect: str
    actions: list[Val] | None
    resources: list[Val] | None
    not_actions: list[Val] | None = None
    not_resources: list[Val] | None = None
    has_condition: bool = False
    principals: list[Val] | None = None
    loc: Loc | None = None
    source: str = ""
    unresolved: str = ""


@dataclass(eq=False)
class Policy:
    """A policy document: its statements, and whether any part could not be read."""

    statements: list[Statement] = field(default_factory=list)
    unresolved: str = ""
    source: str = ""
    loc: Loc | None = None


@dataclass(eq=False)
class Role:
    """An execution role: its trust policy and every policy that applies to it."""

    id: str
    loc: Loc
    trust: Policy | None = None
    policies: list[Policy] = field(default_factory=list)
    managed_policies: list[Val] = field(default_factory=list)
    sam_generated: bool = False
    origin: str = ""
    #: Set when something may attach further permissions the loader cannot see.
    open_ended: str = ""


@dataclass(eq=False)
class Retry:
    """How an invoker retries a failed invocation (issue 21, item 5).

    ``by`` says who retries: ``lambda`` (Lambda's own asynchronous queue: two retries by
    default, an event invoke configuration changes that), ``source`` (the poller leaves
    the record in its queue or stream: the queue's redrive policy or the mapping's
    MaximumRetryAttempts decide), ``invoker`` (the invoker's own policy: a Step Functions
    task's ``Retry``, a Scheduler target's ``RetryPolicy``) or ``caller`` (a synchronous
    caller: nobody retries unless the client does).
    """

    by: str
    attempts: Val = MISSING
    max_age: Val = MISSING
    #: Where the invoker itself sends what it gives up on (a Scheduler target's or a
    #: pipe's dead-letter queue); absent when it keeps none.
    dead_letter: Val = MISSING
    #: Readable detail for messages ("Retry of state ProcessOrder").
    detail: str = ""


class _Owner:
    """A reference from a part to the function that owns it, held weakly.

    A function lists its sources and each source names its function: as two strong
    references that is a cycle, and a 10,000-function model then waits for the cyclic
    collector, which walks every object of it (about a tenth of the run). Held weakly,
    the model is freed the moment the last strong reference to it goes.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            raise AttributeError(self.slot)  # dataclasses: the field has no default
        target = obj.__dict__[self.slot]
        return target() if isinstance(target, ref) else target

    def __set__(self, obj: Any, value: Any) -> None:
        try:
            obj.__dict__[self.slot] = ref(value)
        except TypeError:  # None, or a value that cannot be weakly referenced
            obj.__dict__[self.slot] = value


@dataclass(eq=False)
class Source:
    """One way a function is invoked.

    For a poll source ``settings`` holds the mapping's properties; ``resource`` is the
    queue, stream, table, broker or cluster it reads, when it is in the model.
    """

    id: str
    mode: str
    kind: str
    loc: Loc
    function: Function = _Owner()  # type: ignore[assignment]
    resource: Resource | None = None
    arn: Val = MISSING
    settings: dict[str, Val] = field(default_factory=dict)
    qualifier: str = ""
    sam_event: str = ""
    origin: str = ""
    #: The invoking resource for push sources (bucket, topic, rule...), as its id.
    invoker: str = ""
    extra: dict = field(default_factory=dict)
    # -- who invokes, how, and how it is retried (see the block below the classes) ------
    #: For invokers that call Lambda with a role of their own (:data:`ROLE_INVOKERS`):
    #: the role as written, and the model's role when the file defines it.
    role_ref: Val = MISSING
    role: Role | None = None
    #: How the invoker retries a failed invocation, when it says so itself (a Scheduler
    #: target's RetryPolicy, a Step Functions task's Retry, a pipe's source parameters);
    #: None for the documented behaviour of the kind (see :func:`retry_behaviour`).
    retry: Retry | None = None

    def setting(self, name: str) -> Val:
        return self.settings.get(name, MISSING)

    @property
    def invocation(self) -> str:
        """How the function is invoked: :data:`SYNC` or :data:`ASYNC`, or "" when the file
        does not tell (an invocation type mapped from the request...). An event source
        mapping invokes synchronously, like every poller."""
        if self.extra.get("mode_unknown"):
            return ""
        return SYNC if self.mode == POLL else self.mode

    @property
    def principal(self) -> str:
        """The service principal a resource-based policy must let invoke the function
        ("" for role-based invokers and event source mappings, which use roles)."""
        if self.kind in ROLE_INVOKERS or self.mode == POLL:
            return ""
        return SERVICE_PRINCIPALS.get(self.kind, "")

    @property
    def retries(self) -> Retry:
        """How a failed invocation is retried: what the invoker says, else the documented
        behaviour of the kind."""
        return self.retry if self.retry is not None else retry_behaviour(self)


@dataclass(eq=False)
class InvokeConfig:
    """Asynchronous invocation configuration for a function and qualifier."""

    id: str
    loc: Loc
    function: Function = _Owner()  # type: ignore[assignment]
    qualifier: str = "$LATEST"
    max_retry_attempts: Val = MISSING
    max_event_age: Val = MISSING
    on_success: Val = MISSING
    on_failure: Val = MISSING
    on_success_type: Val = MISSING
    on_failure_type: Val = MISSING
    origin: str = ""
    #: The CloudFormation ``Condition`` of the resource (or of the SAM function), if any.
    condition: str = ""


@dataclass(eq=False)
class Permission:
    """A resource-based policy statement on a function (``AWS::Lambda::Permission``)."""

    id: str
    loc: Loc
    function: Val
    action: Val = MISSING
    principal: Val = MISSING
    source_arn: Val = MISSING
    source_account: Val = MISSING
    qualifier: Val = MISSING
    url_auth_type: Val = MISSING
    origin: str = ""
    depends_on: tuple[str, ...] = ()
    #: The function ``function`` names, when it is in the model; None when it cannot be
    #: resolved (rules that match permissions then stay silent). ``qualifier`` is set with it.
    resolved: Function | None = None
    event_source_token: Val = MISSING
    principal_org_id: Val = MISSING
    invoked_via_url: Val = MISSING


@dataclass(eq=False)
class Function:
    """A Lambda function and everything the model knows about how it is invoked."""

    id: str
    type: str
    loc: Loc
    timeout: Val = MISSING
    reserved_concurrency: Val = MISSING
    recursive_loop: Val = MISSING
    role: Role | None = None
    #: The role as written: unknown when it is defined outside the model.
    role_ref: Val = MISSING
    dead_letter: Val = MISSING
    dead_letter_type: Val = MISSING
    invoke_configs: list[InvokeConfig] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    arn: Sym | None = None
    name: Val = MISSING
    vpc: bool = False
    is_sam: bool = False
    #: For SAM functions: the ``Role`` property is set, so SAM generates no role.
    sam_role_set: bool = False
    #: For SAM functions with ``Role``: the role SAM would have generated (Policies, event,
    #: dead-letter and destination policies), which SAM drops. Not used by the function.
    sam_dropped_role: Role | None = None
    #: The part of ``sam_dropped_role`` that comes from the function's ``Policies``.
    sam_dropped_policies: Role | None = None
    aliases: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)
    props: dict[str, Val] = field(default_factory=dict)
    #: Set (to the reason) for a function the file invokes but does not define: a literal
    #: name, a parameter, an import, a module output. See :func:`outside_function`.
    external: str = ""

    def get(self, name: str) -> Val:
        if self.external:
            return self.props.get(name, unknown(self.external, self.loc))
        return self.props.get(name, MISSING)


def outside_function(written: str, ftype: str, loc: Loc, reason: str,
                     arn: Sym | None = None) -> Function:
    """A function named by an invoker but defined outside the file, as written there.

    Its invokers are still in the model, so the rules that need only the invoker's own
    settings (a mapping's retries, batch size, filters; an invoke config's ranges) check
    them. Everything about the function itself is Unknown, never absent: its timeout,
    role, dead-letter queue and the permissions, invoke configs and other invokers it may
    have elsewhere. Rules whose findings rest on the absence of something (no dead-letter
    queue, no permission, no asynchronous invoker) skip external functions outright.
    """
    why = unknown(reason, loc)
    return Function(written, ftype, loc, timeout=why, reserved_concurrency=why,
                    recursive_loop=why, role_ref=why, dead_letter=why, dead_letter_type=why,
                    arn=arn, name=why, external=reason)


@dataclass(eq=False)
class PolicyTemplateUse:
    """A SAM policy template in a function's ``Policies``, with the values given to it."""

    name: str
    function: str
    #: Parameter name -> the value given, located where it is written.
    params: dict[str, Val]
    loc: Loc | None = None


@dataclass
class Template:
    """A file that was loaded, with template-level metadata."""

    path: str
    format: str
    options: dict = field(default_factory=dict)
    suppressions: list = field(default_factory=list)


@dataclass
class Model:
    """Everything loaded from one template (or one Terraform module)."""

    path: str
    format: str
    functions: list[Function] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    permissions: list[Permission] = field(default_factory=list)
    invoke_configs: list[InvokeConfig] = field(default_factory=list)
    options: dict = field(default_factory=dict)
    #: Resource id -> (line, column) and file, for findings about any resource.
    locations: dict[str, Loc] = field(default_factory=dict)
    #: Every generated resource id -> the SAM function (or module) it came from.
    origins: dict[str, str] = field(default_factory=dict)
    #: Resource id -> options from its Metadata (``esmlint`` key), for suppressions.
    metadata: dict[str, dict] = field(default_factory=dict)
    #: CDK output: logical ID -> construct path (``OrdersStack/Worker``), and logical ID ->
    #: (file, line, column) of the user's code that created the construct, when known.
    construct_paths: dict[str, str] = field(default_factory=dict)
    construct_created: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    #: Links the loader could not make ("invoke-config", "permission", "esm"...): rules
    #: that need to see every invoker of a function stay silent when these are present.
    unlinked: set[str] = field(default_factory=set)
    _depends: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _referrers: dict[str, list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    #: Fills ``depends`` and ``referrers`` when a rule first reads them: walking every
    #: property of every resource costs time that most templates' rules never need.
    reference_indexer: Callable[[Model], None] | None = field(default=None, repr=False)
    #: Every SAM policy template use (expanded or dropped because ``Role`` is set).
    policy_template_uses: list[PolicyTemplateUse] = field(default_factory=list)
    #: The poll side of every EventBridge pipe with a Lambda enrichment or target: one
    #: :class:`Source` of mode ``poll`` per pipe (kind ``sqs``, ``kinesis``...), owned by
    #: the first function the pipe invokes, with the pipe's role in ``role``. Kept out of
    #: ``Function.sources`` (the function sees the pipe as a ``pipes`` source): the rules
    #: that apply to pipes read them through :meth:`pollers`.
    pipes: list[Source] = field(default_factory=list)

    @property
    def depends(self) -> dict[str, set[str]]:
        """Resource id -> the ids it depends on in CloudFormation's order of creation
        (``DependsOn`` and every Ref / GetAtt / Sub in its properties)."""
        self._index_references()
        return self._depends

    @property
    def referrers(self) -> dict[str, list[tuple[str, str]]]:
        """Resource id -> (referring resource id, top-level property) for every Ref /
        GetAtt / Sub naming it; Outputs appear as ("Outputs", "Value") or ("Outputs",
        "Export")."""
        self._index_references()
        return self._referrers

    def _index_references(self) -> None:
        indexer, self.reference_indexer = self.reference_indexer, None
        if indexer is not None:
            indexer(self)

    def function(self, fid: str) -> Function | None:
        """The function the file defines with this id; indexed, since loaders ask once
        per invoker. External functions (:func:`outside_function`) are named as written,
        which may spell a resource's id by chance: they are never found here."""
        index = self.__dict__.get("_function_index")
        if index is None or self.__dict__.get("_function_count") != len(self.functions):
            index = {}
            for fn in self.functions:
                if not fn.external:
                    index.setdefault(fn.id, fn)
            self.__dict__["_function_index"] = index
            self.__dict__["_function_count"] = len(self.functions)
        return index.get(fid)

    def sources(self, mode: str | None = None, kinds: tuple[str, ...] | None = None
                ) -> Iterator[tuple[Function, Source]]:
        """Every (function, source) pair, optionally of one mode and some kinds."""
        for fn in self.functions:
            for source in fn.sources:
                if mode is not None and source.mode != mode:
                    continue
                if kinds is not None and source.kind not in kinds:
                    continue
                yield fn, source

    def poll_sources(self, kinds: tuple[str, ...] | None = None
                     ) -> Iterator[tuple[Function, Source]]:
        return self.sources(POLL, kinds)

    def pollers(self, kinds: tuple[str, ...] | None = None
                ) -> Iterator[tuple[Function, Source]]:
        """Every event source mapping, then the poll side of every pipe (see
        :attr:`pipes`): for the rules whose facts hold for both. A pipe's source has
        ``extra["pipe"]`` set and its role in ``role``; see :func:`polling_role`."""
        yield from self.sources(POLL, kinds)
        for source in self.pipes:
            if kinds is not None and source.kind not in kinds:
                continue
            fn = source.function
            if fn is not None:
                yield fn, source

    def referenced(self, value: Val) -> Resource | Function | Role | None:
        """The resource a value refers to (a Ref / GetAtt token), if it is in the model."""
        if not value.known or not isinstance(value.value, Sym):
            return None
        tokens = list(value.value.tokens)
        if len(value.value.parts) != 1 or len(tokens) != 1 or tokens[0].kind != "attr":
            return None
        return self.lookup(tokens[0].ref)

    def lookup(self, rid: str) -> Resource | Function | Role | None:
        if rid in self.resources:
            return self.resources[rid]
        if rid in self.roles:
            return self.roles[rid]
        return self.function(rid)


def options_from_tags(pairs: Iterable[tuple[Any, Any]]) -> dict:
    """Per-function rule options from tags named ``esmlint:RULE:option`` (where a resource
    has no Metadata), as {RULE: {option: value}}."""
    options: dict = {}
    for key, value in pairs:
        if isinstance(key, str) and key.startswith("esmlint:"):
            pieces = key.split(":")
            if len(pieces) == 3:
                options.setdefault(pieces[1], {})[pieces[2]] = value
    return options


def fifo_by_name(name: Any, loc: Loc | None) -> Val:
    """The FIFO flag a queue or topic gets when none is set: a FIFO one must have a name
    ending in ``.fifo``, so that name (a literal string) is the only sign it is one."""
    return default(isinstance(name, str) and name.endswith(".fifo"), loc)


def function_name_parts(text: str) -> tuple[str, str] | None:
    """(name, qualifier) of a function named by a literal name, ``name:qualifier`` or a
    Lambda function ARN; None for an ARN of something else. Every front end links invokers
    written with literal names through this one reading."""
    if text.startswith("arn:"):
        pieces = text.split(":")
        if len(pieces) < 7 or pieces[5] != "function":
            return None
        return pieces[6], pieces[7] if len(pieces) > 7 else ""
    name, _, qualifier = text.partition(":")
    return name, qualifier


def ref_token(value: Val) -> Token | None:
    """The single attribute token of a value that is exactly one Ref / GetAtt."""
    if not value.known or not isinstance(value.value, Sym):
        return None
    parts = value.value.parts
    if len(parts) == 1 and isinstance(parts[0], Token) and parts[0].kind == "attr":
        return parts[0]
    return None


# --------------------------------------------------------------------------- who invokes
#
# Issue 21, item 5: every invoker says how it invokes (Source.invocation), who invokes (a
# service principal for resource-based invokers, a role for the others) and how failed
# invocations are retried (Source.retries). Rules read these instead of keeping their own
# tables per kind.

#: Invokers that call ``lambda:InvokeFunction`` with a role of their own, not with the
#: function's resource-based policy: Step Functions state machines, EventBridge pipes,
#: AppSync data sources and EventBridge Scheduler schedules.
ROLE_INVOKERS = ("states", "pipes", "appsync", "scheduler")

#: The service principal of each invoker kind that uses the function's resource-based
#: policy (spec C).
SERVICE_PRINCIPALS = {
    "s3": "s3.amazonaws.com", "sns": "sns.amazonaws.com",
    "eventbridge": "events.amazonaws.com", "schedule": "events.amazonaws.com",
    "logs": "logs.amazonaws.com", "iot": "iot.amazonaws.com",
    "cognito": "cognito-idp.amazonaws.com", "api": "apigateway.amazonaws.com",
    "httpapi": "apigateway.amazonaws.com", "websocket": "apigateway.amazonaws.com",
    "alb": "elasticloadbalancing.amazonaws.com", "ses": "ses.amazonaws.com",
    "codecommit": "codecommit.amazonaws.com", "config": "config.amazonaws.com",
    "alexa": "alexa-appkit.amazon.com", "secretsmanager": "secretsmanager.amazonaws.com",
}

#: The service that assumes the role of each role-based invoker kind.
ROLE_PRINCIPALS = {"states": "states.amazonaws.com", "pipes": "pipes.amazonaws.com",
                   "appsync": "appsync.amazonaws.com",
                   "scheduler": "scheduler.amazonaws.com"}


def retry_behaviour(source: Source) -> Retry:
    """The documented retry behaviour of a source's kind, when it says nothing itself.

    Event source mappings leave failed records in their source (``source``); asynchronous
    invokers hand the event to Lambda's queue, which retries twice (``lambda``);
    synchronous callers retry nothing themselves (``caller``).
    """
    if source.mode == POLL:
        return Retry("source", attempts=source.setting("MaximumRetryAttempts"),
                     max_age=source.setting("MaximumRecordAgeInSeconds"),
                     dead_letter=source.setting("DestinationConfig.OnFailure.Destination"))
    if source.invocation == ASYNC:
        return Retry("lambda", attempts=default(2, source.loc),
                     max_age=default(21600, source.loc))
    return Retry("caller")


def polling_role(source: Source) -> Role | None:
    """The role that reads a poll source: a pipe's own role, else the function's
    execution role (an event source mapping polls with it)."""
    if source.extra.get("pipe"):
        return source.role
    fn = source.function
    return fn.role if fn is not None else None
