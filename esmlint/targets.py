"""Destinations and dead-letter targets: what a function sends failed events to, and what
its execution role needs to do so.

A function hands events on to three kinds of target: a mapping's
``DestinationConfig.OnFailure`` (stream and Kafka sources), an asynchronous
``OnSuccess`` / ``OnFailure`` destination (``EventInvokeConfig``), and its dead-letter
queue. Each is an ARN; what it is comes from the resource the ARN names when that
resource is in the model, else from the ARN's service (``arn:aws:sqs:...``). Rules that
check targets (permissions, FIFO-ness, recursion) share this reading so that they agree
on what a target is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .model import Function, Model, Resource, ref_token
from .rule import source_label
from .values import Loc, Sym, Val, branches

#: Target kind -> the action the execution role needs to deliver to it (spec A.1, B.4, B.5).
SEND_ACTION = {
    "sqs": "sqs:SendMessage",
    "sns": "sns:Publish",
    "lambda": "lambda:InvokeFunction",
    "eventbus": "events:PutEvents",
    "s3": "s3:PutObject",
}

#: Target kind -> how users call it.
LABEL = {"sqs": "SQS queue", "sns": "SNS topic", "lambda": "Lambda function",
         "eventbus": "EventBridge event bus", "s3": "S3 bucket"}

#: Attributes that give a resource's ARN (``Ref`` of a topic is its ARN; of a queue, its URL).
_ARN_ATTRS = {"sqs": ("Arn",), "sns": ("Ref", "TopicArn"), "s3": ("Arn",),
              "eventbus": ("Arn",), "kinesis": ("Arn",), "kms": ("Arn",)}

#: ARN service -> target kind.
_SERVICES = {"sqs": "sqs", "sns": "sns", "lambda": "lambda", "events": "eventbus", "s3": "s3"}

#: Target kinds each place accepts (spec A.4, B.4, B.5); others are ESM304's to report.
ESM_ON_FAILURE = ("sqs", "sns", "s3")
ASYNC_DESTINATION = ("sqs", "sns", "lambda", "eventbus", "s3")
DEAD_LETTER = ("sqs", "sns")


@dataclass(frozen=True)
class Target:
    """What a destination ARN points at: its kind, ARN as the model spells it, and the
    resource or function when it is in the model."""

    kind: str
    arn: str | Sym
    resource: Resource | Function | None = None

    @property
    def name(self) -> str:
        """The target as users know it: its logical ID, else its ARN."""
        return self.resource.id if self.resource is not None else str(self.arn)

    @property
    def label(self) -> str:
        return f"{LABEL[self.kind]} {self.name}"

    def needs(self) -> tuple[str, str | Sym]:
        """(action, resource ARN) the execution role must allow to deliver here."""
        action = SEND_ACTION[self.kind]
        if self.kind == "s3":
            return action, Sym.of(self.arn, "/*") if isinstance(self.arn, Sym) else (
                f"{self.arn}/*")
        return action, self.arn


def arn_segments(value: Val) -> list[str] | None:
    """The ``:``-separated segments of a known ARN; a deploy-time part reads as ``\\0``."""
    if not value.known:
        return None
    raw = value.value
    if isinstance(raw, Sym):
        text = "".join(part if isinstance(part, str) else "\0" for part in raw.parts)
    elif isinstance(raw, str):
        text = raw
    else:
        return None
    if not text.startswith("arn:"):
        return None
    segments = text.split(":")
    return segments if len(segments) >= 6 else None


def named(model: Model, value: Val) -> Resource | Function | None:
    """The resource or function whose ARN ``value`` is (a Ref / GetAtt that gives an ARN,
    or the ARN the model spells for it); None for anything else, a queue URL included."""
    token = ref_token(value)
    if token is not None:
        fn = model.function(token.ref)
        if fn is not None:
            return fn if token.name == "Arn" else None
        res = model.resources.get(token.ref)
        if res is not None and token.name in _ARN_ATTRS.get(res.kind, ()):
            return res
        # Else it may still be the ARN the model spells for a resource SAM creates.
    if value.known and isinstance(value.value, Sym):
        for res in model.resources.values():
            if res.arn is not None and res.arn == value.value:
                return res
        for fn in model.functions:
            if fn.arn is not None and fn.arn == value.value:
                return fn
    return None


def target(model: Model, value: Val) -> Target | None:
    """What a destination value points at, or None when that cannot be told."""
    found = named(model, value)
    if isinstance(found, Function):
        return Target("lambda", found.arn, found) if found.arn is not None else None
    if found is not None:
        if found.kind in ("sqs", "sns", "s3", "eventbus") and found.arn is not None:
            return Target(found.kind, found.arn, found)
        return None
    segments = arn_segments(value)
    if segments is None or "\0" in segments[2]:
        return None
    kind = _SERVICES.get(segments[2])
    if kind is None:
        return None
    if kind == "lambda" and (len(segments) != 7 or segments[5] != "function"):
        return None  # a version or alias: IAM matches qualified ARNs differently
    if kind == "eventbus" and not segments[5].startswith("event-bus/"):
        return None
    return Target(kind, value.value)


@dataclass(frozen=True)
class Destination:
    """One place a function sends events to: a mapping's OnFailure, an async destination,
    or the dead-letter queue, with the value as written and where it is written."""

    what: str
    value: Val
    loc: Loc
    resource: str
    accepts: tuple[str, ...]
    key: str
    condition: str = ""
    #: Set by a SAM construct (event, ``EventInvokeConfig``, ``DeadLetterQueue``).
    sam: bool = False
    #: The SAM ``Type`` written beside the destination, if any (SAM adds a policy by it).
    sam_type: str = ""


def destinations(fn: Function) -> Iterator[Destination]:
    """Every destination and dead-letter target of ``fn`` that the template sets.

    A value chosen by ``Fn::If`` gives one entry per branch, with the condition named.
    """
    for source in fn.sources:
        value = source.setting("DestinationConfig.OnFailure.Destination")
        sam_type = source.setting("DestinationConfig.OnFailure.Type")
        yield from _entries(
            f"OnFailure destination of {source_label(source)}", value,
            source.loc, source.origin or source.id, ESM_ON_FAILURE,
            f"{fn.id}:{source.id}:OnFailure", sam_type if source.sam_event else None)
    for config in fn.invoke_configs:
        for when, value, sam_type in (("OnSuccess", config.on_success, config.on_success_type),
                                      ("OnFailure", config.on_failure, config.on_failure_type)):
            owner = "in EventInvokeConfig" if config.origin else f"of {config.id}"
            yield from _entries(
                f"asynchronous {when} destination {owner}", value, config.loc,
                config.origin or config.id, ASYNC_DESTINATION, f"{fn.id}:{config.id}:{when}",
                sam_type if config.origin else None)
    yield from _entries("dead-letter queue", fn.dead_letter, fn.loc, fn.id, DEAD_LETTER,
                        f"{fn.id}:DeadLetter", fn.dead_letter_type if fn.is_sam else None)


def _entries(what: str, value: Val, fallback: Loc, resource: str, accepts: tuple[str, ...],
             key: str, sam_type: Val | None) -> Iterator[Destination]:
    if value.absent:
        return
    type_text = ""
    if sam_type is not None and sam_type.known and isinstance(sam_type.value, str):
        type_text = sam_type.value
    for condition, branch in branches(value):
        if branch.absent or not branch.known:
            continue
        loc = branch.loc if branch.loc is not None and branch.loc.line else fallback
        yield Destination(what, branch, loc, resource, accepts, key, condition,
                          sam_type is not None, type_text)
