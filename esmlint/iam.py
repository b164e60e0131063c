"""Does this role allow action A on resource R? Three-valued, so rules stay quiet when blind.

A rule that reports "the execution role cannot call sqs:ReceiveMessage" is only worth
running if it never says so about a role that can. Templates hide a lot from a static
reader: ARNs are built at deploy time (``${AWS::Region}``, generated queue names),
policies arrive from parameters, imports and other stacks, and AWS managed policies are
attached by name. So every answer here is :class:`Tri`: ``YES`` when the statements we can
read grant the call, ``NO`` only when they cannot grant it *and* nothing we cannot read could,
``UNKNOWN`` otherwise. Rules fire on ``NO`` alone (see :func:`missing_actions`).

IAM semantics implemented (identity policies of one role):

- Actions match case-insensitively; ``*`` and ``?`` are wildcards in actions and resources.
- ``NotAction`` / ``NotResource`` match everything their list does not.
- An explicit ``Deny`` wins over any ``Allow``. A ``Deny`` with a ``Condition`` can only make
  the answer ``UNKNOWN``: conditions depend on the request and are not evaluated.
- An ``Allow`` with a ``Condition`` counts as an allow: at worst we miss a finding, we never
  invent one.
- Resource ARNs are compared segment by segment (``arn:partition:service:region:account:
  resource``); deploy-time tokens are atoms that only match themselves or a wildcard, and a
  token facing a plain literal is ``UNKNOWN``, never ``NO``. ``${AWS::Partition}`` equals
  any AWS partition name.

Out of sight on purpose: permission boundaries, SCPs, session policies and resource
policies. A ``Deny`` there is reported as "not found" by the rules, never as "denied".
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from .model import Policy, Role, Statement
from .values import PARTITION, Loc, Sym, Token, Val, known

__all__ = [
    "Answer",
    "Tri",
    "allows",
    "managed_policy",
    "match_action",
    "match_arn",
    "missing_actions",
]

#: A pattern or subject: a plain string, or a string with deploy-time tokens.
Text = str | Sym

#: Partition names ``${AWS::Partition}`` may stand for.
PARTITIONS = (
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f",
    "aws-eusc",
)

_DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "managed_policies.json")


class Tri(enum.Enum):
    """A three-valued answer. Rules act on ``NO`` only; ``UNKNOWN`` means "cannot see"."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Answer:
    """The answer and why: the statement that granted or denied, or what could not be seen.

    ``reason`` is written for users: rules put it in their finding messages. It is given
    as a function and written on first read: most answers only feed a decision, and
    rendering ARNs and statement labels for them cost more than the matching itself.
    """

    __slots__ = ("value", "_reason")

    def __init__(self, value: Tri, reason: str | Callable[[], str]) -> None:
        self.value = value
        self._reason = reason

    @property
    def reason(self) -> str:
        if not isinstance(self._reason, str):
            self._reason = self._reason()
        return self._reason

    def __repr__(self) -> str:
        return f"Answer({self.value}, {self.reason!r})"

    def __bool__(self) -> bool:
        # ``if allows(...):`` would treat UNKNOWN as YES (or NO): make the mistake loud.
        raise TypeError("an Answer is three-valued: compare answer.value with Tri.YES / Tri.NO")


# --------------------------------------------------------------------------- glob matching
#
# Patterns and subjects become tuples of atoms: one-character strings, Token objects, and in
# patterns the wildcards _STAR and _QMARK. A single matcher then serves plain strings and Syms.


class _Wild:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return self.name


_STAR = _Wild("*")
_QMARK = _Wild("?")
_POLICY_VARIABLE = re.compile(r"\$\{[^}]*\}")

Atoms = tuple


@lru_cache(maxsize=8192)
def _pattern_atoms(pattern: Text, fold: bool) -> Atoms:
    """Atoms of a policy pattern. IAM policy variables (``${aws:username}``) become tokens
    no subject can hold: they depend on the request, so they can never give ``YES``."""
    atoms: list[Any] = []
    parts = pattern.parts if isinstance(pattern, Sym) else (pattern,)
    for part in parts:
        if isinstance(part, Token):
            atoms.append(part)
            continue
        text = part.lower() if fold else part
        pos = 0
        for var in _POLICY_VARIABLE.finditer(text):
            atoms.extend(_wild(ch) for ch in text[pos:var.start()])
            atoms.append(Token("policy-variable", var.group(0)))
            pos = var.end()
        atoms.extend(_wild(ch) for ch in text[pos:])
    return tuple(atoms)


def _wild(ch: str) -> Any:
    if ch == "*":
        return _STAR
    if ch == "?":
        return _QMARK
    return ch


@lru_cache(maxsize=8192)
def _subject_atoms(subject: Text, fold: bool) -> Atoms:
    """Atoms of the thing asked about: its ``*`` and ``?`` are plain characters."""
    atoms: list[Any] = []
    parts = subject.parts if isinstance(subject, Sym) else (subject,)
    for part in parts:
        if isinstance(part, Token):
            atoms.append(part)
        else:
            atoms.extend(part.lower() if fold else part)
    return tuple(atoms)


def _glob(pattern: Atoms, subject: Atoms, lax: bool) -> bool:
    """Glob match over atoms.

    Strict (``lax=False``): does the pattern match whatever the tokens turn out to be?
    ``*`` matches any run of atoms, tokens included; ``?`` one literal character; a token
    only the same token. Lax: *could* it match for some values of the tokens? Every token,
    on either side, then stands for any string. Strict true -> YES, lax false -> NO.
    """
    n, m = len(pattern), len(subject)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == n and j == m:
            return True
        p = pattern[i] if i < n else None
        s = subject[j] if j < m else None
        if p is _STAR or (lax and isinstance(p, Token)):
            stack.append((i + 1, j))
            if s is not None:
                stack.append((i, j + 1))
        if lax and isinstance(s, Token):
            stack.append((i, j + 1))  # the token's value ends here
            if p is not None:
                stack.append((i + 1, j))  # ... or also spells pattern atom i
        if p is None or s is None or p is _STAR:
            continue
        if p is _QMARK:
            if isinstance(s, str):
                stack.append((i + 1, j + 1))
        elif isinstance(p, Token):
            if p == s:
                stack.append((i + 1, j + 1))
        elif p == s:
            stack.append((i + 1, j + 1))
    return False


def _has_token(atoms: Atoms) -> bool:
    return any(isinstance(a, Token) for a in atoms)


def _glob_tri(pattern: Atoms, subject: Atoms) -> Tri:
    if pattern == subject or _glob(pattern, subject, lax=False):
        return Tri.YES
    if (_has_token(pattern) or _has_token(subject)) and _glob(pattern, subject, lax=True):
        return Tri.UNKNOWN
    return Tri.NO


def _split_arn(atoms: Atoms, count: int = 6) -> list[Atoms] | None:
    """ARN segments split on the first ``count - 1`` literal colons, the last one holding
    the rest; None when ``atoms`` is not an ARN with that many segments."""
    if atoms[:4] != ("a", "r", "n", ":"):
        return None
    segments: list[Atoms] = []
    start = 0
    for pos, atom in enumerate(atoms):
        if atom == ":" and isinstance(atom, str):
            segments.append(atoms[start:pos])
            start = pos + 1
            if len(segments) == count - 1:
                segments.append(atoms[start:])
                return segments
    return None


def _partition_tri(pattern: Atoms, subject: Atoms) -> Tri:
    """``${AWS::Partition}`` against a partition name: equal to any AWS partition."""
    p_token = pattern == (PARTITION,)
    s_token = subject == (PARTITION,)
    if p_token and s_token:
        return Tri.YES
    if s_token and not _has_token(pattern):
        names = (_subject_atoms(name, False) for name in PARTITIONS)
        return Tri.YES if any(_glob(pattern, n, False) for n in names) else Tri.UNKNOWN
    if p_token and not _has_token(subject):
        return Tri.YES if "".join(subject) in PARTITIONS else Tri.UNKNOWN
    return _glob_tri(pattern, subject)


def all_of(values: Iterable[Tri]) -> Tri:
    """Three-valued "all of these": NO wins, then UNKNOWN; YES when every one is YES."""
    result = Tri.YES
    for value in values:
        if value is Tri.NO:
            return Tri.NO
        if value is Tri.UNKNOWN:
            result = Tri.UNKNOWN
    return result


def any_of(values: Iterable[Tri]) -> Tri:
    """Three-valued "some of these": YES wins, then UNKNOWN; NO when every one is NO."""
    result = Tri.NO
    for value in values:
        if value is Tri.YES:
            return Tri.YES
        if value is Tri.UNKNOWN:
            result = Tri.UNKNOWN
    return result


def _literal(value: Text) -> Text:
    if isinstance(value, Sym):
        text = value.literal()
        if text is not None:
            return text
    return value


def match_arn(pattern: Text, resource: Text) -> Tri:
    """Does a ``Resource`` pattern match a resource ARN? Three-valued.

    ``YES`` when it matches whatever the tokens turn out to be (the same token on both
    sides, or a wildcard facing a token); ``NO`` when some ARN segment cannot match
    whatever the tokens are (another service, two different literal queue names);
    ``UNKNOWN`` when the answer depends on a deploy-time value (a literal account ID
    facing ``${AWS::AccountId}``, a literal name facing a generated one). Patterns that are
    not ARNs (``*``) are plain globs over the whole string.
    """
    return _match_arn(_literal(pattern), _literal(resource))


@lru_cache(maxsize=65536)
def _match_arn(pattern: Text, resource: Text) -> Tri:
    # Cached: the same few policies are asked about the same few resources by many rules.
    if pattern == "*" or pattern == resource:
        return Tri.YES
    p_atoms, p_splits = _prepared(pattern, True)
    s_atoms, s_splits = _prepared(resource, False)
    # Segment by segment when both sides are full ARNs; otherwise still split off the
    # partition when both have one (``arn:aws:sqs:*``), so ``${AWS::Partition}`` compares
    # as a partition; anything else is a plain glob.
    for p_segments, s_segments in zip(p_splits, s_splits, strict=True):
        if p_segments is not None and s_segments is not None:
            break
    else:
        return _glob_tri(p_atoms, s_atoms)
    result = all_of(
        _partition_tri(p, s) if index == 1 else _glob_tri(p, s)
        for index, (p, s) in enumerate(zip(p_segments, s_segments, strict=True))
    )
    if result is Tri.NO and _opaque_prefix(p_segments, s_segments):
        # A token we cannot trace may itself hold colons, so the split may be off: only
        # say NO if no reading of the whole string could match.
        if _glob(p_atoms, s_atoms, lax=True):
            return Tri.UNKNOWN
    return result


@lru_cache(maxsize=8192)
def _prepared(value: Text, pattern: bool) -> tuple[Atoms, tuple[list[Atoms] | None, ...]]:
    """Atoms of a resource or pattern and its 6- and 3-segment ARN splits, computed once."""
    atoms = _pattern_atoms(value, False) if pattern else _subject_atoms(value, False)
    return atoms, (_split_arn(atoms, 6), _split_arn(atoms, 3))


def _opaque_prefix(*sides: list[Atoms]) -> bool:
    """Whether a token that may contain a colon sits before the last ARN segment.

    Pseudo parameters (partition, region, account ID) never do."""
    return any(
        isinstance(atom, Token) and atom.kind != "pseudo"
        for segments in sides
        for segment in segments[:-1]
        for atom in segment
    )


def match_action(pattern: Text, action: str) -> Tri:
    """Does an ``Action`` pattern (``sqs:Receive*``) match an action? Case-insensitive."""
    return _match_action(_literal(pattern), action)


@lru_cache(maxsize=8192)
def _match_action(pattern: Text, action: str) -> Tri:
    if pattern == "*":
        return Tri.YES
    return _glob_tri(_pattern_atoms(pattern, True), _subject_atoms(action, True))


# --------------------------------------------------------------------------- statements


class _Note:
    """Why a statement may or may not apply, formatted only if a message needs it (most
    notes are never shown, and rendering a :class:`Sym` costs more than matching it)."""

    __slots__ = ("prefix", "val", "subject")

    def __init__(self, val: Val | None = None, subject: Text = "", prefix: str = "") -> None:
        self.prefix = prefix
        self.val = val
        self.subject = subject

    def __str__(self) -> str:
        val = self.val
        if val is None:
            text = ""
        elif not val.known or not isinstance(val.value, (str, Sym)):
            text = val.reason or f"value {val.text()} cannot be read"
        else:
            text = f"{val.value} may or may not match {self.subject}"
        return f"{self.prefix}{text}"


def _any_match(values: list[Val], subject: Text, matcher: Any) -> tuple[Tri, _Note | None]:
    """Whether any entry of an Action/Resource list matches; unknown entries give UNKNOWN."""
    result, why = Tri.NO, None
    for val in values:
        if not val.known or not isinstance(val.value, (str, Sym)):
            if result is Tri.NO:
                result, why = Tri.UNKNOWN, _Note(val)
            continue
        tri = matcher(val.value, subject)
        if tri is Tri.YES:
            return Tri.YES, None
        if tri is Tri.UNKNOWN and result is Tri.NO:
            result, why = Tri.UNKNOWN, _Note(val, subject)
    return result, why


def _part(positive: list[Val] | None, negative: list[Val] | None, subject: Text,
          matcher: Any, name: str) -> tuple[Tri, _Note | None]:
    if positive is not None:
        return _any_match(positive, subject, matcher)
    if negative is not None:
        tri, why = _any_match(negative, subject, matcher)
        if tri is Tri.YES:
            return Tri.NO, None
        if tri is Tri.NO:
            return Tri.YES, None
        if why is not None:
            why.prefix = f"Not{name}: "
        return Tri.UNKNOWN, why
    return Tri.UNKNOWN, _Note(prefix=f"statement has neither {name} nor Not{name}")


def _applies(stmt: Statement, action: str, resource: Text) -> tuple[Tri, _Note | None]:
    """Whether a statement covers the request, ignoring its effect and condition."""
    if stmt.unresolved:
        return Tri.UNKNOWN, _Note(prefix=f"it could not be read ({stmt.unresolved})")
    act, act_why = _part(stmt.actions, stmt.not_actions, action, match_action, "Action")
    if act is Tri.NO:
        return Tri.NO, None
    res, res_why = _part(stmt.resources, stmt.not_resources, resource, match_arn, "Resource")
    if res is Tri.NO:
        return Tri.NO, None
    if act is Tri.YES and res is Tri.YES:
        return Tri.YES, None
    return Tri.UNKNOWN, act_why or res_why


def _label(policy: Policy, stmt: Statement, index: int) -> str:
    """Where a statement comes from, for messages: its source, number and line."""
    base = stmt.source or policy.source or "a policy of the role"
    if not stmt.source and len(policy.statements) > 1:
        base = f"{base}, statement {index + 1}"
    loc: Loc | None = stmt.loc or policy.loc
    if loc is not None and loc.line:
        base = f"{base} (line {loc.line})"
    return base


def _documents(role: Role, blind: list[str]) -> Iterator[Policy]:
    """Every policy document of the role; what cannot be resolved goes to ``blind``."""
    yield from role.policies
    for val in role.managed_policies:
        if not val.known or not isinstance(val.value, (str, Sym)):
            blind.append(f"a managed policy ARN cannot be resolved ({val.reason or val.text()})")
            continue
        policy = managed_policy(val.value)
        if policy is None:
            blind.append(f"managed policy {val.value} is not an AWS managed policy esmlint knows")
        else:
            yield policy


def _subject(resource: Text | Val | None) -> Text:
    """The resource asked about; an unknown one is a token only ``*`` matches for sure."""
    if isinstance(resource, Val):
        if resource.known and isinstance(resource.value, (str, Sym)):
            return _literal(resource.value)
        return Sym.of(Token("opaque", resource.reason or "unknown resource"))
    if resource is None:
        return Sym.of(Token("opaque", "unknown resource"))
    return _literal(resource)


def allows(role: Role, action: str, resource: Text | Val | None) -> Answer:
    """Does ``role`` allow ``action`` on ``resource``? See the module docstring for rules.

    ``resource`` is the ARN as a string or :class:`Sym`; a :class:`Val` (unknown -> only a
    ``*`` resource can grant for sure) or None (resource not known) are accepted too.

    ``NO`` needs certainty on both sides: no readable statement grants the call, and
    nothing unreadable (a statement or policy that could not be read, an unknown managed
    policy, an unknown list entry, ``role.open_ended``) could. Only readable ``Deny``
    statements can lower a ``YES``: a ``Deny`` hidden in something we cannot read is the
    same blind spot as SCPs and boundaries.
    """
    subject = _subject(resource)
    allowed: tuple[Policy, Statement, int] | None = None
    # (policy, statement, index, what it may do, why): formatted only if shown.
    allow_maybe: list[tuple[Policy, Statement, int, str, _Note | None]] = []
    deny_maybe: list[tuple[Policy, Statement, int, str, _Note | None]] = []
    blind: list[str] = []
    if role.open_ended:
        blind.append(f"more permissions may be attached outside the template ({role.open_ended})")
    for policy in _documents(role, blind):
        if policy.unresolved:
            label = policy.source or "a policy of the role"
            blind.append(f"{label} could not be read ({policy.unresolved})")
        for index, stmt in enumerate(policy.statements):
            tri, why = _applies(stmt, action, subject)
            if tri is Tri.NO:
                continue
            if stmt.effect == "Deny":
                if tri is Tri.YES and not stmt.has_condition:
                    return Answer(Tri.NO, lambda p=policy, st=stmt, i=index: (
                        f"{action} on {subject} is explicitly denied by {_label(p, st, i)}"))
                what = "denies it under a condition" if tri is Tri.YES else "may deny it"
                deny_maybe.append((policy, stmt, index, what, why))
            elif stmt.effect == "Allow":
                if tri is Tri.YES:
                    allowed = allowed or (policy, stmt, index)
                else:
                    allow_maybe.append((policy, stmt, index, "may allow it", why))
            else:
                what = f"has effect {stmt.effect!r}"
                allow_maybe.append((policy, stmt, index, what, why))
                deny_maybe.append((policy, stmt, index, what, why))
    if allowed is not None:
        grant = allowed
        if deny_maybe:
            return Answer(Tri.UNKNOWN, lambda: (
                f"allowed by {_label(*grant)}, but {_maybe(*deny_maybe[0])}"))
        return Answer(Tri.YES, lambda: f"{action} on {subject} is allowed by {_label(*grant)}")
    if allow_maybe or blind:
        return Answer(Tri.UNKNOWN, lambda: "; ".join(
            ([_maybe(*entry) for entry in allow_maybe[:3]] + blind)[:3]))
    return Answer(Tri.NO, lambda: f"no statement of role {role.id} allows {action} on {subject}")


def allowing_statements(role: Role, action: str, resource: Text | Val | None
                        ) -> list[tuple[str, Statement]]:
    """Every readable ``Allow`` statement of the role that certainly grants ``action`` on
    ``resource``, with its label for messages (where it is written). Denies are not
    weighed: this says *how* a grant is made, :func:`allows` whether it holds."""
    subject = _subject(resource)
    found = []
    for policy in _documents(role, []):
        for index, stmt in enumerate(policy.statements):
            if stmt.effect == "Allow" and _applies(stmt, action, subject)[0] is Tri.YES:
                found.append((_label(policy, stmt, index), stmt))
    return found


def statement_grants(stmt: Statement, action: str, resource: Text | Val | None) -> Tri:
    """Whether one statement covers ``action`` on ``resource`` (effect and conditions
    aside)."""
    return _applies(stmt, action, _subject(resource))[0]


def _maybe(policy: Policy, stmt: Statement, index: int, what: str, why: _Note | None) -> str:
    text = f"{_label(policy, stmt, index)} {what}"
    detail = str(why) if why is not None else ""
    return f"{text}: {detail}" if detail else text


def missing_actions(role: Role, actions: Iterable[str], resource: Text | Val | None
                    ) -> tuple[list[str], list[str]]:
    """Split required actions into (definitely not allowed, cannot tell).

    A rule should report only when the first list is non-empty *and* the second is empty:
    if any action is unknown the role is likely granted through something we cannot see,
    and the "missing" ones may come from there too.
    """
    missing: list[str] = []
    unsure: list[str] = []
    seen: set[str] = set()
    for action in actions:
        if action.lower() in seen:
            continue
        seen.add(action.lower())
        value = allows(role, action, resource).value
        if value is Tri.NO:
            missing.append(action)
        elif value is Tri.UNKNOWN:
            unsure.append(action)
    return missing, unsure


# --------------------------------------------------------------------------- managed policies

_MANAGED_ARN = re.compile(r"arn:([^:]+):iam::aws:policy/((?:[^/]+/)*)([^/]+)")
_PARTITION_MARK = "\x00"


@lru_cache(maxsize=1)
def _managed_data() -> dict[str, Any]:
    """The managed policy documents, read on first use: most runs never need them."""
    import json

    with open(_DATA_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def managed_policy(arn: Text) -> Policy | None:
    """The AWS managed policy an ARN names, or None if esmlint does not know it.

    Accepts ``arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole`` and its
    ``!Sub arn:${AWS::Partition}:iam::aws:policy/...`` spelling. The path must be the
    policy's real one: an ARN with another path names no policy AWS has, and "unknown" is
    the honest answer. Resource ARNs inside the document take the partition of ``arn``.
    """
    arn = _literal(arn)
    if isinstance(arn, Sym):
        pieces = []
        for part in arn.parts:
            if part == PARTITION:
                pieces.append(_PARTITION_MARK)
            elif isinstance(part, Token):
                return None
            else:
                pieces.append(part)
        text = "".join(pieces)
    else:
        text = arn
    found = _MANAGED_ARN.fullmatch(text)
    if found is None:
        return None
    partition, path, name = found.groups()
    if partition != _PARTITION_MARK and partition not in PARTITIONS:
        return None
    return _managed_policy(name, path, PARTITION if partition == _PARTITION_MARK else partition)


@lru_cache(maxsize=256)
def _managed_policy(name: str, path: str, partition: str | Token) -> Policy | None:
    entry = _managed_data().get(name)
    if not isinstance(entry, dict) or name.startswith("_") or entry.get("path", "") != path:
        return None
    source = f"AWS managed policy {name}"
    statements = []
    for raw in entry["statements"]:
        statements.append(Statement(
            effect=raw["Effect"],
            actions=_vals(raw.get("Action")),
            resources=_vals(raw.get("Resource"), partition),
            not_actions=_vals(raw.get("NotAction")),
            not_resources=_vals(raw.get("NotResource"), partition),
            has_condition="Condition" in raw,
            source=source,
        ))
    return Policy(statements=statements, source=source)


def _vals(raw: str | list[str] | None, partition: str | Token = "aws") -> list[Val] | None:
    if raw is None:
        return None
    items = [raw] if isinstance(raw, str) else raw
    return [known(_in_partition(item, partition)) for item in items]


def _in_partition(value: str, partition: str | Token) -> Text:
    """An ``arn:aws:`` resource of a managed policy, moved to the attaching ARN's partition."""
    if partition == "aws" or not value.startswith("arn:aws:"):
        return value
    rest = value[len("arn:aws"):]
    if isinstance(partition, str):
        return f"arn:{partition}{rest}"
    return Sym.of("arn:", partition, rest)
