"""Resource-based policies: does a key, queue, topic or bucket policy grant a role an action
by itself, or leave the decision to the role's own IAM policies?

Within one account, a request is allowed when the role's identity policies allow it *or*
the resource's policy allows it to that role (an explicit Deny aside). KMS is stricter:
the key policy must allow it, either by naming the role (or ``*``) or by allowing the
account root, which lets IAM policies decide. Both questions are answered here,
three-valued like :mod:`esmlint.iam`: ``NO`` only when every statement that could matter
is readable and none grants.

Principals are read as the loader flattens them (``Service``, ``AWS``... values in one
list): ``*`` is everyone; a value built on the role (``!GetAtt Role.Arn``, ``!Sub
...:role/${Role}``) is the role; ``${AWS::AccountId}`` or ``arn:...:iam::${AWS::AccountId}:root``
is this account; a literal role ARN or 12-digit account may be either, so it is unknown;
services, users and other resources of the template are neither.
"""

from __future__ import annotations

import re

from .iam import Tri, all_of, allows, any_of
from .model import Policy, Role, Statement
from .values import ACCOUNT_ID, Sym, Val

_LITERAL_ACCOUNT = re.compile(r"arn:[^:]+:iam::(\d{12}):root|\d{12}")

__all__ = ["grants", "is_account", "names_role"]


def names_role(principal: Val, role: Role) -> Tri:
    """Does a principal stand for this role (``*`` counts: it is everyone)?"""
    if not principal.known:
        return Tri.UNKNOWN
    value = principal.value
    if value == "*":
        return Tri.YES
    if isinstance(value, Sym):
        if any(t.kind == "attr" and t.ref == role.id for t in value.tokens):
            return Tri.YES
        if any(t.kind not in ("attr", "pseudo") for t in value.tokens):
            return Tri.UNKNOWN
        return Tri.NO  # another resource of the template, or the account root
    if isinstance(value, str):
        # A role ARN written out may be this role's: its name is not in the model.
        return Tri.UNKNOWN if ":role/" in value else Tri.NO
    return Tri.UNKNOWN


def is_account(principal: Val) -> Tri:
    """Does a principal stand for this account (its root), so that IAM policies decide?"""
    if not principal.known:
        return Tri.UNKNOWN
    value = principal.value
    if isinstance(value, Sym):
        if value.parts == (ACCOUNT_ID,):
            return Tri.YES
        tokens = list(value.tokens)
        text = "".join(p for p in value.parts if isinstance(p, str))
        if tokens and all(t.kind == "pseudo" for t in tokens) and text.endswith(":root") \
                and ":iam::" in text:
            return Tri.YES if ACCOUNT_ID in tokens else Tri.UNKNOWN
        if any(t.kind not in ("attr", "pseudo") for t in tokens):
            return Tri.UNKNOWN
        return Tri.NO
    if isinstance(value, str):
        return Tri.UNKNOWN if _LITERAL_ACCOUNT.fullmatch(value) else Tri.NO
    return Tri.UNKNOWN


def _covers(statement: Statement, action: str, resource) -> Tri:
    """Whether a statement's Action and Resource cover the request (effect aside)."""
    probe = Role("resource policy", statement.loc, policies=[Policy([statement])])
    return allows(probe, action, resource).value


def grants(policy: Policy | None, role: Role, action: str, resource) -> tuple[Tri, Tri]:
    """(allows ``role`` directly, allows this account so IAM decides) for ``action`` on
    ``resource`` under a resource policy. Deny statements are not weighed: they can only
    take away, so at worst a finding is missed."""
    if policy is None or policy.unresolved:
        return Tri.UNKNOWN, Tri.UNKNOWN
    direct = account = Tri.NO
    for statement in policy.statements:
        if statement.effect != "Allow" and not statement.unresolved:
            continue
        covers = _covers(statement, action, resource)
        if covers is Tri.NO:
            continue
        principals = statement.principals
        if not principals:  # NotPrincipal, or nothing readable
            direct, account = any_of((direct, Tri.UNKNOWN)), any_of((account, Tri.UNKNOWN))
            continue
        direct = any_of((direct, all_of((covers, any_of(names_role(p, role) for p in principals)))))
        account = any_of((account, all_of((covers, any_of(is_account(p) for p in principals)))))
    return direct, account
