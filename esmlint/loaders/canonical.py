"""One spelling for references to resources, whatever the format wrote.

A policy may name a queue as ``!GetAtt Queue.Arn``, ``!Sub arn:...:${Queue.QueueName}``
or ``aws_sqs_queue.q.arn``; the mapping that reads the queue may use another of these.
Each front end knows what its references mean (``canonical_token``: a CloudFormation
``Ref`` of a queue is its URL, a Terraform ``.id`` of a queue is its URL too); this
module applies that knowledge to every place of the model that holds a reference, so the
IAM evaluator compares like with like.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import Model, Policy
from ..values import Sym, Token, Val

#: A front end's reading of one reference token: an ARN or name Sym, a string, or the token.
TokenReader = Callable[[Token], Any]


def rewrite(sym: Sym, read: TokenReader) -> Sym:
    """``sym`` with every resource token replaced by what ``read`` makes of it."""
    if not any(isinstance(p, Token) and p.kind == "attr" for p in sym.parts):
        return sym
    return Sym.of(*(read(p) if isinstance(p, Token) and p.kind == "attr" else p
                    for p in sym.parts))


def rewrite_val(value: Val, read: TokenReader) -> Val:
    if value.known and isinstance(value.value, Sym):
        return Val(value.state, rewrite(value.value, read), value.loc, value.reason,
                   value.condition, value.extra)
    return value


def policies(model: Model) -> list[Policy]:
    """Every policy document of the model: roles (and their trust), key and resource
    policies, and the role SAM would have generated for a function that sets Role."""
    found: list[Policy] = []
    for role in model.roles.values():
        found.extend(role.policies)
        if role.trust is not None:
            found.append(role.trust)
    for res in model.resources.values():
        key_policy = res.props.get("key_policy")
        if key_policy is not None and isinstance(key_policy.value, Policy):
            found.append(key_policy.value)
        attached = res.props.get("resource_policies")
        if attached is not None and attached.known:
            found.extend(attached.value)
    for fn in model.functions:
        dropped = getattr(fn, "sam_dropped_role", None)
        if dropped is not None:
            found.extend(dropped.policies)
    return found


def canonicalize(model: Model, read: TokenReader) -> None:
    """Rewrite the references of policies, sources, destinations and permissions."""
    for fn in model.functions:
        fn.dead_letter = rewrite_val(fn.dead_letter, read)
        for source in fn.sources:
            source.arn = rewrite_val(source.arn, read)
    for source in model.pipes:  # the poll side of EventBridge pipes
        source.arn = rewrite_val(source.arn, read)
    for config in model.invoke_configs:
        config.on_failure = rewrite_val(config.on_failure, read)
        config.on_success = rewrite_val(config.on_success, read)
    for perm in model.permissions:
        perm.source_arn = rewrite_val(perm.source_arn, read)
    seen: set[int] = set()
    for policy in policies(model):
        if id(policy) in seen:
            continue
        seen.add(id(policy))
        for statement in policy.statements:
            for name in ("resources", "not_resources"):
                items = getattr(statement, name)
                if items:
                    setattr(statement, name, [rewrite_val(v, read) for v in items])
