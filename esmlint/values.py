"""Three-valued property values with source locations.

Every property the model exposes is a :class:`Val`: *known* (written in the template, or
resolved from a parameter default, a SAM Global, a Terraform variable default), *default*
(the documented AWS or provider default, located at the resource that omits it) or
*unknown* (a parameter without default, an import, a value computed at apply time).
Rules fire only on known and default values; that is how esmlint stays quiet where it
cannot see.

Strings that mix literal text with things only known at deploy time (``${AWS::Region}``,
the generated name of a queue) are kept as :class:`Sym`: a tuple of literal parts and
:class:`Token` parts. Two ``Sym`` values that name the same token compare equal, which is
what lets ``!Sub arn:${AWS::Partition}:sqs:...:${Queue.QueueName}`` in a policy match the
queue it names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

KNOWN = "known"
DEFAULT = "default"
UNKNOWN = "unknown"


class Loc(NamedTuple):
    """A place in a file: 1-based line and column; line 0 means "the file as a whole"."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class NotedLoc(Loc):
    """A :class:`Loc` with a note on where the value there comes from.

    A value merged in from SAM ``Globals`` or taken from a Terraform variable's default is
    located where it is used, but users look for it on the resource: ``via`` names the
    place it was written ("Globals.Function.Timeout, line 5"). It compares and hashes as
    the plain location, so findings and keys do not change.
    """

    via: str

    def __new__(cls, path: str, line: int = 0, column: int = 0, via: str = "") -> NotedLoc:
        self = super().__new__(cls, path, line, column)
        self.via = via
        return self

    def __getnewargs__(self) -> tuple:  # pickled for ``--jobs``
        return (self.path, self.line, self.column, self.via)


def provenance(val: Any) -> str:
    """Where a value was written when that is not where it is used, else ""."""
    loc = getattr(val, "loc", None)
    return getattr(loc, "via", "") if loc is not None else ""


@dataclass(frozen=True)
class Token:
    """A part of a string that is only known at deploy time.

    ``kind`` is ``pseudo`` (AWS::Region...), ``attr`` (a resource attribute, ``ref`` the
    logical ID and ``name`` the attribute, ``Ref`` for a plain Ref) or ``opaque`` (anything
    else that cannot be traced, such as an import).
    """

    kind: str
    ref: str
    name: str = ""

    def render(self) -> str:
        if self.kind == "pseudo":
            return "${" + self.ref + "}"
        if self.kind == "attr":
            return "${" + (self.ref if self.name == "Ref" else f"{self.ref}.{self.name}") + "}"
        return "${?" + self.ref + "}"


#: The pseudo parameters ARNs are built from, shared by every front end and rule.
PARTITION = Token("pseudo", "AWS::Partition")
REGION = Token("pseudo", "AWS::Region")
ACCOUNT_ID = Token("pseudo", "AWS::AccountId")


@dataclass(frozen=True)
class Sym:
    """A string made of literal parts and deploy-time tokens."""

    parts: tuple[str | Token, ...]

    @staticmethod
    def of(*parts: str | Token) -> Sym:
        if len(parts) == 1:  # one token or one string: most calls, nothing to merge
            part = parts[0]
            if isinstance(part, Token):
                return Sym((part,))
            if isinstance(part, str):
                return Sym((part,) if part else ())
        merged: list[str | Token] = []
        text = False  # whether merged ends with a string
        for part in parts:
            items = part.parts if isinstance(part, Sym) else (part,)
            for item in items:
                if isinstance(item, str):
                    if not item:
                        continue
                    if text:
                        merged[-1] = merged[-1] + item
                        continue
                    text = True
                else:
                    text = False
                merged.append(item)
        return Sym(tuple(merged))

    @property
    def tokens(self) -> Iterator[Token]:
        return (p for p in self.parts if isinstance(p, Token))

    def literal(self) -> str | None:
        """The plain string when there is no token left, else None."""
        if not self.parts:
            return ""
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        return None

    def __str__(self) -> str:
        return "".join(p if isinstance(p, str) else p.render() for p in self.parts)


@dataclass(frozen=True)
class RefTo:
    """A value that is a reference to a resource in the same model.

    ``attr`` is ``Ref`` for ``!Ref X`` or the attribute of ``!GetAtt X.Attr``; for
    Terraform it is the attribute name (``arn``, ``url``, ``name``...).
    """

    resource: str
    attr: str = "Ref"

    def __str__(self) -> str:
        return self.resource if self.attr == "Ref" else f"{self.resource}.{self.attr}"


class Val:
    """A property value: its state, the value, where it came from and why it is unknown.

    Treated as immutable. A plain slotted class rather than a frozen dataclass: the
    loaders create one for every property they read, and this is several times faster.
    """

    __slots__ = ("state", "value", "loc", "reason", "condition", "extra")

    def __init__(self, state: str, value: Any = None, loc: Loc | None = None,
                 reason: str = "", condition: str = "", extra: tuple = ()) -> None:
        self.state = state
        self.value = value
        self.loc = loc
        self.reason = reason
        self.condition = condition
        self.extra = extra

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Val):
            return NotImplemented
        return (self.state, self.value, self.loc, self.reason, self.condition) == (
            other.state, other.value, other.loc, other.reason, other.condition)

    def __hash__(self) -> int:
        try:
            return hash((self.state, self.value, self.loc, self.reason))
        except TypeError:
            return hash((self.state, self.loc, self.reason))

    def __repr__(self) -> str:
        return (f"Val(state={self.state!r}, value={self.value!r}, loc={self.loc!r}, "
                f"reason={self.reason!r})")

    @property
    def known(self) -> bool:
        """True for known and default values: the ones rules may fire on."""
        return self.state != UNKNOWN

    @property
    def absent(self) -> bool:
        """True when the template does not set the property at all (or sets AWS::NoValue)."""
        return self.state == UNKNOWN and self.reason in ("not set", "AWS::NoValue")

    @property
    def is_default(self) -> bool:
        return self.state == DEFAULT

    @property
    def is_unknown(self) -> bool:
        return self.state == UNKNOWN

    def text(self) -> str:
        """The value as users wrote it, for messages."""
        if self.state == UNKNOWN:
            return "unknown"
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)

    def int(self) -> int | None:
        """The value as an integer when it is a known whole number (or numeric string)."""
        if self.state == UNKNOWN:
            return None
        return as_int(self.value)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def maybe_absent(value: Val) -> bool:
    """Whether an unknown value may not be set at all: a Terraform ``dynamic`` block whose
    ``for_each`` cannot be evaluated makes zero or more blocks. Rules that fire because a
    setting is present treat it as absent."""
    return value.state == UNKNOWN and value.reason.startswith("dynamic ")


def known(value: Any, loc: Loc | None = None, condition: str = "") -> Val:
    return Val(KNOWN, value, loc, "", condition)


def default(value: Any, loc: Loc | None = None) -> Val:
    return Val(DEFAULT, value, loc)


def unknown(reason: str, loc: Loc | None = None) -> Val:
    return Val(UNKNOWN, None, loc, reason=reason)


MISSING = Val(UNKNOWN, None, None, reason="not set")


def branches(value: Val, fallback: Val | None = None) -> list[tuple[str, Val]]:
    """The values a property can take, each with the condition that picks it.

    A value chosen by ``Fn::If`` is unknown as a whole, but each branch may be known:
    rules check every branch and name the condition in their message. A branch that is
    ``AWS::NoValue`` takes ``fallback`` (the property's default). Anything else gives the
    value itself with an empty label.
    """
    if value.state != UNKNOWN or not value.extra or not value.reason.startswith("chosen by"):
        return [("", value)]
    result: list[tuple[str, Val]] = []
    for condition, truth, branch in value.extra:
        label = f"when condition {condition} is {'true' if truth else 'false'}"
        if branch.absent and fallback is not None:
            result.append((label, fallback))
            continue
        for inner_label, inner in branches(branch, fallback):
            result.append((f"{label} and {inner_label[5:]}" if inner_label else label, inner))
    return result


def flatten_sym(value: str | Sym) -> tuple[str, list[Token]]:
    """A string with each token of ``value`` replaced by a colon-free placeholder
    (``NUL index NUL``), and the tokens: so that a regular expression can match an ARN
    whose parts are only known at deploy time. :func:`unflatten_sym` puts them back."""
    if isinstance(value, str):
        return value, []
    text, tokens = [], []
    for part in value.parts:
        if isinstance(part, Token):
            text.append(f"\x00{len(tokens)}\x00")
            tokens.append(part)
        else:
            text.append(part)
    return "".join(text), tokens


def unflatten_sym(text: str, tokens: list[Token]) -> Sym:
    """The :class:`Sym` a piece of :func:`flatten_sym`'s text stands for."""
    pieces = text.split("\x00")
    return Sym.of(*(tokens[int(p)] if i % 2 else p for i, p in enumerate(pieces)))
