"""Automatic fixes: what a rule proposes, and the text edits that carry it out.

The shape follows ruff's (``Fix``, ``Edit``, ``Applicability``), with one layer more,
because esmlint's rules never see text: they read the invocation model, whose values know
only where they were read (a :class:`~esmlint.values.Loc`: file, line, column).

1. A rule attaches a :class:`Fix` to a finding: a message, an applicability
   (:data:`SAFE` or :data:`UNSAFE`) and one or more *changes* — :class:`SetProperty`,
   :class:`AppendItem`, :class:`AttachManagedPolicy` — written with the model's positions
   and CloudFormation's property names, whatever the file's format. A rule that fixes its
   findings but cannot fix this one gives the reason instead (``report(..., fix="...")``);
   the helpers here (:func:`set_property`, :func:`safe`, :func:`unsafe`) return that reason
   when a value is not a literal the rule may edit.
2. :mod:`esmlint.fixes.resolve` turns the changes into :class:`Edit` objects: spans of the
   file's decoded text and what replaces them, made by the writer of the file's format
   (:mod:`esmlint.fixes.yaml` for YAML and JSON, :mod:`esmlint.fixes.hcl` for ``.tf``).
   The writer first checks that the text still says what the model read there (a literal
   ``30``, not a ``!Ref`` or a variable): a fix that would edit anything else is dropped,
   with the reason. Everything around a span is kept byte for byte.
3. :mod:`esmlint.fixes.apply` applies the edits of non-overlapping fixes to the text, and
   :mod:`esmlint.fixes.run` (``esmlint check --fix`` / ``--diff``) lints, fixes and lints
   again until nothing more can be fixed.

This module is imported by rule modules: it holds only small data classes and helpers,
nothing that parses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..values import Loc, Val, provenance

#: A fix that keeps the template's meaning apart from the defect: apply it unasked.
SAFE = "safe"
#: A fix that changes behaviour the user may rely on (broader permissions, other retry
#: behaviour): applied only with ``--unsafe-fixes``.
UNSAFE = "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` of the file ``path`` by ``content``.

    Offsets count characters (code points) of the file's decoded text; an insertion has
    ``start == end``. Line endings and encoding are the file's: writers produce content
    with the file's own line ending, and the file is encoded back as it was read.
    """

    path: str
    start: int
    end: int
    content: str
    #: (line, column) of ``start`` and ``end``, both 1-based, columns in characters:
    #: filled when the edit is made, for machine output and editors.
    start_position: tuple[int, int] = field(default=(0, 0), compare=False)
    end_position: tuple[int, int] = field(default=(0, 0), compare=False)


@dataclass(frozen=True)
class SetProperty:
    """Property ``name`` of what is declared at ``owner`` (a resource, a SAM event, a
    Terraform block) takes the value ``new``.

    ``at`` is where the current value is written (the position of its key, as the model
    has it) and ``old`` that value: the writer replaces the literal there after checking it
    still reads ``old``. Without ``at`` the property is not written, and the writer adds
    it (under ``Properties`` in CloudFormation and SAM). ``name`` is CloudFormation's
    spelling, dotted for a nested property; the writers translate it (Terraform's
    ``visibility_timeout_seconds``). ``new`` is plain data, with intrinsic functions in
    their long form (``{"Fn::GetAtt": ["Queue", "QueueName"]}``).
    """

    owner: Loc | None
    name: str
    new: Any
    at: Loc | None = None
    old: Any = None


@dataclass(frozen=True)
class AppendItem:
    """Add ``item`` to the list property ``name`` of what is declared at ``owner``; the
    list is created when the property is absent."""

    owner: Loc
    name: str
    item: Any


@dataclass(frozen=True)
class AttachManagedPolicy:
    """Attach the AWS managed policy ``policy`` (``service-role/AWSLambdaSQSQueueExecutionRole``)
    to the role ``role`` declared at ``owner``: ``ManagedPolicyArns`` in CloudFormation,
    ``managed_policy_arns`` or an ``aws_iam_role_policy_attachment`` in Terraform."""

    owner: Loc
    role: str
    policy: str


Change = SetProperty | AppendItem | AttachManagedPolicy


@dataclass
class Fix:
    """A finding's automatic fix: what it does (``message``, in the rule's words), whether
    it is safe, the changes the rule asked for, and, once resolved against the file's text,
    the edits. All edits of a fix are applied together or not at all."""

    message: str
    applicability: str
    changes: tuple[Change, ...] = ()
    edits: tuple[Edit, ...] = field(default=())

    @property
    def safe(self) -> bool:
        return self.applicability == SAFE

    def to_dict(self) -> dict:
        """The fix for machine output (``--format json --show-fixes``)."""
        edits = [{"path": edit.path,
                  "start": {"line": edit.start_position[0], "column": edit.start_position[1]},
                  "end": {"line": edit.end_position[0], "column": edit.end_position[1]},
                  "content": edit.content} for edit in self.edits]
        return {"applicability": self.applicability, "message": self.message,
                "edits": edits}


def offer(message: str, applicability: str, *changes: Change | str) -> Fix | str:
    """A fix made of ``changes``, or the first reason among them (a string) when one of
    the changes could not be made: the finding then says why it has no fix."""
    if applicability not in APPLICABILITIES:
        raise ValueError(f"applicability must be one of {APPLICABILITIES}")
    for change in changes:
        if isinstance(change, str):
            return change
    return Fix(message, applicability, tuple(changes))  # type: ignore[arg-type]


def safe(message: str, *changes: Change | str) -> Fix | str:
    """:func:`offer` with :data:`SAFE`."""
    return offer(message, SAFE, *changes)


def unsafe(message: str, *changes: Change | str) -> Fix | str:
    """:func:`offer` with :data:`UNSAFE`."""
    return offer(message, UNSAFE, *changes)


def not_literal(value: Val, what: str, *, shared_ok: bool = False) -> str:
    """Why ``value`` cannot be edited where it is written, or "" when it may be.

    A value taken from a parameter's or a variable's default is not edited: a deployment
    may pass another value, and other properties may use the same one. A value merged in
    from SAM ``Globals`` is edited there only when the rule says every function that
    inherits it has the same finding (``shared_ok``): the one place it comes from is then
    unambiguous. Whether the text at the position is a literal is checked by the writer.
    """
    if value.is_unknown:
        return f"{what} is not known ({value.reason})" if value.reason else \
            f"{what} is not known"
    via = provenance(value)
    if via.startswith("Globals.") and not shared_ok:
        return (f"{what} comes from {via}, which other functions share: change it there "
                "or on the function")
    if via and not via.startswith("Globals."):
        return (f"{what} comes from {via}: esmlint does not edit defaults that a deployment "
                "may override and other properties may use")
    if value.loc is None or value.loc.line <= 0:
        return f"{what} is not written in the file"
    return ""


def set_property(owner: Loc | None, name: str, current: Val, new: Any, what: str = "",
                 *, shared_ok: bool = False) -> SetProperty | str:
    """The change that gives property ``name`` the value ``new``, or why there is none.

    ``current`` is the property as the model read it: absent (or an AWS default, located
    at the owner) means the property is added; a known value is replaced where it is
    written, if it is a literal there (see :func:`not_literal`).
    """
    label = what or name
    if current.absent or current.is_default:
        if owner is None or owner.line <= 0:
            return f"the resource that would take {label} is not written in the file"
        return SetProperty(owner, name, new)
    reason = not_literal(current, label, shared_ok=shared_ok)
    if reason:
        return reason
    return SetProperty(owner, name, new, at=current.loc, old=current.value)


def nearest(number: float, low: float, high: float) -> int:
    """The whole number within ``low``..``high`` nearest to ``number`` (halves round up;
    infinities go to the bound on their side). Not a number (NaN) raises ValueError:
    nothing is nearest to it."""
    import math

    if math.isnan(number):
        raise ValueError("NaN has no nearest value")
    if math.isinf(number):
        return int(high if number > 0 else low)
    whole = math.floor(number + 0.5)
    return int(min(max(whole, low), high))


def clamp_fix(message: str, owner: Loc | None, name: str, current: Val, number: float,
              low: float, high: float, *, shared_ok: bool = False) -> Fix | str:
    """The safe fix that brings ``current`` (read as ``number``) to the nearest whole
    number from ``low`` to ``high``; ``message`` is formatted with ``{value}``."""
    try:
        value = nearest(number, low, high)
    except ValueError:
        return f"{name} is not a number"
    return safe(message.format(value=value),
                set_property(owner, name, current, value, shared_ok=shared_ok))
