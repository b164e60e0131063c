"""Decode CloudFormation YAML and JSON into plain containers that remember line marks.

libyaml (PyYAML's C parser) composes the node tree; this module turns it into
:class:`MDict` / :class:`MList` with the position of every key and item, and turns the
short intrinsic tags (``!Ref``, ``!GetAtt A.B``, ``!Sub``...) into their long forms. JSON
is a subset of YAML, so CDK output goes through the same fast path and keeps its marks.

Bounds that keep hostile input harmless (documented in the README): nesting depth
:data:`MAX_DEPTH`, :data:`MAX_NODES` constructed nodes (an alias is built once and shared,
so alias bombs cost nothing), and files over :data:`MAX_BYTES` are refused before parsing.
"""

from __future__ import annotations

import gc
import re
from typing import Any

import yaml

try:  # pragma: no cover - which parser exists depends on the PyYAML build
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_DEPTH = 200
MAX_NODES = 5_000_000
MAX_BYTES = 50 * 1024 * 1024


class DecodeError(Exception):
    """A file that cannot be decoded; line and column are 1-based (0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class MDict(dict):
    """A mapping that knows where it starts and where each of its keys is."""

    __slots__ = ("line", "column", "marks")

    def __init__(self, line: int = 0, column: int = 0) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.marks: dict[Any, tuple[int, int]] = {}

    def mark(self, key: Any) -> tuple[int, int]:
        return self.marks.get(key, (self.line, self.column))

    def __repr__(self) -> str:
        return preview(self)


class NotedMDict(MDict):
    """An :class:`MDict` some of whose keys carry a provenance note (``notes[key]``): the
    properties of a SAM function with its ``Globals`` merged in."""

    __slots__ = ("notes",)

    def __init__(self, line: int = 0, column: int = 0) -> None:
        super().__init__(line, column)
        self.notes: dict[Any, str] = {}


class MList(list):
    """A sequence that knows where it starts and where each item is."""

    __slots__ = ("line", "column", "marks")

    def __init__(self, line: int = 0, column: int = 0) -> None:
        super().__init__()
        self.line = line
        self.column = column
        self.marks: list[tuple[int, int]] = []

    def mark(self, index: int) -> tuple[int, int]:
        if 0 <= index < len(self.marks):
            return self.marks[index]
        return (self.line, self.column)

    def __repr__(self) -> str:
        return preview(self)


def preview(value: Any, depth: int = 0) -> str:
    """``repr`` of decoded data, bounded: small values read as Python writes them; large,
    deep or alias-shared ones (an alias bomb unfolds to billions of items) are cut with
    ``...``. ``str()`` of a template value in a message can never take long."""
    if depth > 4:
        return "..."
    if isinstance(value, dict):
        items = [f"{preview(k, depth + 1)}: {preview(v, depth + 1)}"
                 for k, v in list(value.items())[:8]]
        return "{" + ", ".join(items + (["..."] if len(value) > 8 else [])) + "}"
    if isinstance(value, list):
        items = [preview(v, depth + 1) for v in value[:8]]
        return "[" + ", ".join(items + (["..."] if len(value) > 8 else [])) + "]"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def position(container: Any, key: Any) -> tuple[int, int]:
    """The (line, column) of ``container[key]``, or of the container, or (0, 0)."""
    if isinstance(container, (MDict, MList)):
        return container.mark(key)
    return (0, 0)


# Short-form intrinsic tags and the long form each one stands for.
_FUNCTIONS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "GetAtt": "Fn::GetAtt",
}
for _name in (
    "Sub", "Join", "Select", "Split", "If", "ImportValue", "FindInMap", "GetAZs", "Base64",
    "Cidr", "Equals", "And", "Or", "Not", "Transform", "Length", "ToJsonString",
    "ForEach", "GetParam",
):
    _FUNCTIONS[_name] = "Fn::" + _name

_SCALAR_TAGS_NATIVE = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


_MERGE_TAG = "tag:yaml.org,2002:merge"
_NO_KEY = object()  # a mapping frame waiting for its next key
_OPEN = object()  # an anchor whose node is still being built


class BoundError(DecodeError):
    """A file beyond one of the decoding bounds (depth, number of values, size)."""


class _Frame:
    """One open mapping or sequence while the events are read."""

    __slots__ = ("container", "is_map", "key", "key_mark", "merge", "anchor", "wrap",
                 "weight", "line", "column")

    def __init__(self, container: Any, is_map: bool, anchor: Any, wrap: str | None,
                 weight: int, line: int, column: int) -> None:
        self.container = container
        self.is_map = is_map
        self.key: Any = _NO_KEY
        self.key_mark = (0, 0)
        self.merge = False
        self.anchor = anchor
        self.wrap = wrap
        self.weight = weight
        self.line = line
        self.column = column


class _Builder:
    """Builds MDict/MList straight from libyaml's events, with a stack, not recursion.

    PyYAML's composer is recursive (C recursion in the libyaml binding: 100,000 nested
    brackets crash the interpreter) and reads the whole document before returning; the
    event stream is produced lazily by libyaml's state machine, so the nesting and size
    bounds stop the parse as soon as they are crossed, and nothing here recurses.
    Aliases return the object built for their anchor (shared, never copied).
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.count = 0
        self.anchors: dict[str, tuple[Any, Any]] = {}  # anchor -> (value, raw key text)
        self.plain: dict[str, Any] = {}  # plain scalar text -> its value (a cache)

    def document(self) -> Any:
        """The single document of the stream (None when the stream is empty)."""
        get = self.loader.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None
        value = self.node()
        get()  # DocumentEndEvent
        event = get()
        if not isinstance(event, yaml.StreamEndEvent):
            mark = event.start_mark
            raise DecodeError("expected a single document in the stream but found another "
                              "document", mark.line + 1, mark.column + 1)
        return value

    def _too_many(self, mark: Any) -> BoundError:
        return BoundError(f"more than {MAX_NODES:,} values (alias expansion or a huge "
                          "file); not parsed", mark.line + 1, mark.column + 1)

    def node(self) -> Any:
        """Read events until one complete node is built; return its value.

        The loop runs once per event (a million for a 10 MB template), so it reads
        attributes into locals, counts values inline and computes a scalar's position
        only where it is stored.
        """
        get = self.loader.get_event
        scalar = self.scalar
        anchors = self.anchors
        plain = self.plain
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        stack: list[_Frame] = []
        parent: _Frame | None = None
        depth = 0
        count = self.count
        try:
            while True:
                event = get()
                kind = type(event)
                raw: Any = None  # the text of a scalar, for use as a mapping key
                key_tag = ""
                if kind is scalar_event:
                    count += 1
                    if count > MAX_NODES:
                        raise self._too_many(event.start_mark)
                    raw = event.value
                    found = plain.get(raw) if event.tag is None and event.implicit[0] \
                        else None
                    if found is None:
                        found = scalar(event)
                    value, key_tag = found
                    if event.anchor is not None:
                        anchors[event.anchor] = (value, raw)
                    mark = event.start_mark
                elif kind is mapping_start or kind is sequence_start:
                    mark = event.start_mark
                    line, column = mark.line + 1, mark.column + 1
                    if parent is not None and parent.is_map and parent.key is _NO_KEY:
                        raise DecodeError("a mapping key must be a plain value", line, column)
                    count += 1
                    if count > MAX_NODES:
                        raise self._too_many(mark)
                    wrap = None
                    tag = event.tag
                    if tag and tag.startswith("!") and len(tag) > 1:
                        wrap = _FUNCTIONS.get(tag[1:])
                    weight = 2 if wrap else 1
                    depth += weight
                    if depth > MAX_DEPTH:
                        raise BoundError(f"nesting deeper than {MAX_DEPTH} levels", line,
                                         column)
                    is_map = kind is mapping_start
                    container = MDict(line, column) if is_map else MList(line, column)
                    if event.anchor is not None:
                        anchors[event.anchor] = (_OPEN, None)
                    parent = _Frame(container, is_map, event.anchor, wrap, weight, line,
                                    column)
                    stack.append(parent)
                    continue
                elif kind is mapping_end or kind is sequence_end:
                    frame = stack.pop()
                    depth -= frame.weight
                    value = frame.container
                    mark = None
                    if frame.wrap is not None:
                        wrapper = MDict(frame.line, frame.column)
                        wrapper[frame.wrap] = value
                        wrapper.marks[frame.wrap] = (frame.line, frame.column)
                        value = wrapper
                    if frame.anchor is not None:
                        anchors[frame.anchor] = (value, None)
                    if not stack:
                        return value
                    parent = stack[-1]
                    if parent.is_map and parent.key is _NO_KEY:
                        raise DecodeError("a mapping key must be a plain value", frame.line,
                                          frame.column)
                elif kind is alias_event:
                    mark = event.start_mark
                    found = anchors.get(event.anchor)
                    if found is None:
                        raise DecodeError(f"found undefined alias {event.anchor!r}",
                                          mark.line + 1, mark.column + 1)
                    value, raw = found
                    if value is _OPEN:
                        raise DecodeError(f"alias {event.anchor!r} refers to a node that "
                                          "contains it (a recursive structure)",
                                          mark.line + 1, mark.column + 1)
                else:  # pragma: no cover - libyaml sends no other event inside a document
                    mark = event.start_mark
                    raise DecodeError(f"unexpected {kind.__name__}", mark.line + 1,
                                      mark.column + 1)

                if parent is None:
                    return value
                if not parent.is_map:
                    parent.container.append(value)
                    parent.container.marks.append(
                        (frame.line, frame.column) if mark is None
                        else (mark.line + 1, mark.column + 1))
                elif parent.key is _NO_KEY:
                    if raw is None:
                        raise DecodeError("a mapping key must be a plain value",
                                          mark.line + 1, mark.column + 1)
                    parent.key = raw
                    parent.key_mark = (mark.line + 1, mark.column + 1)
                    parent.merge = raw == "<<" and key_tag == _MERGE_TAG
                else:
                    target = parent.container
                    if parent.merge:
                        for item in value if isinstance(value, list) else [value]:
                            if isinstance(item, MDict):
                                for k, v in item.items():
                                    if k not in target:
                                        target[k] = v
                                        target.marks[k] = item.mark(k)
                    else:
                        # A duplicate key keeps the last value, as CloudFormation's parser
                        # does.
                        target[parent.key] = value
                        target.marks[parent.key] = parent.key_mark
                    parent.key = _NO_KEY
                    parent.merge = False
        finally:
            self.count = count

    def scalar(self, event: Any) -> tuple[Any, str]:
        """A scalar's value and its resolved tag (the tag matters for ``<<`` keys)."""
        value = event.value
        tag = event.tag
        if tag is None or tag == "!":
            plain = event.implicit[0] and tag is None
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)
            result = (self._native(tag, value), tag)
            if plain and len(self.plain) < 100_000:
                self.plain[value] = result
            return result
        if tag.startswith("!"):
            long_name = _FUNCTIONS.get(tag[1:])
            if long_name is None:
                return value, tag  # an unknown local tag is data: keep the value
            mark = event.start_mark
            line, column = mark.line + 1, mark.column + 1
            inner: Any = value
            if long_name == "Fn::GetAtt":
                first, _, rest = value.partition(".")
                inner = MList(line, column)
                inner.extend([first, rest])
                inner.marks.extend([(line, column)] * 2)
            wrapper = MDict(line, column)
            wrapper[long_name] = inner
            wrapper.marks[long_name] = (line, column)
            return wrapper, tag
        return self._native(tag, value), tag

    def _native(self, tag: str, value: str) -> Any:
        """int, float, bool and null as Python values; every other tag is the text."""
        if tag in _SCALAR_TAGS_NATIVE:
            try:
                constructor = self.loader.yaml_constructors[tag]
                return constructor(self.loader, yaml.ScalarNode(tag, value))
            except Exception:  # noqa: BLE001 - a scalar libyaml accepted but Python cannot
                return value
        return value


def decode(text: str) -> Any:
    """Decode YAML or JSON text; raise :class:`DecodeError` with the position on failure."""
    if len(text) > MAX_BYTES:
        raise BoundError(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB; not parsed")
    try:
        loader = _BaseLoader(text)
    except UnicodeEncodeError as exc:  # a lone surrogate: text that is not Unicode
        line = text.count("\n", 0, exc.start) + 1
        column = exc.start - (text.rfind("\n", 0, exc.start) + 1) + 1
        raise DecodeError(f"character U+{ord(text[exc.start]):04X} is not valid Unicode text",
                          line, column) from None
    # The builder makes no reference cycles; the cyclic collector, running again and again
    # over millions of new containers, would only double the time a large file takes.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Builder(loader).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) \
            or "cannot be parsed"
        if mark is not None:
            raise DecodeError(message, mark.line + 1, mark.column + 1) from None
        raise DecodeError(message) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; no mark
        position = max(0, exc.position)
        if _BaseLoader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes
            position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        position = min(position, len(text))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(
            str(exc.character)[:1] or "\0")
        raise DecodeError(f"character #x{code:04x} is not allowed in YAML (a control "
                          "character)", line, column) from None
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "cannot be parsed"
        raise DecodeError(first) from None
    finally:
        if collecting:
            gc.enable()
        loader.dispose()


_SURROGATE_ESCAPE = re.compile(
    r"(\\+)u([dD][89a-fA-F][0-9a-fA-F]{2})(?:\\u([dD][c-fC-F][0-9a-fA-F]{2}))?")


def valid_json_escapes(text: str) -> str:
    """JSON text with each ``\\uD800``-style escape of a lone surrogate replaced by
    ``\\uFFFD`` (same length, so positions stay right).

    Python's JSON parser accepts lone surrogates, which are not Unicode: a finding naming
    such a string could not be printed. A valid pair (high, then low) is kept.
    """
    if "\\u" not in text or not _SURROGATE_ESCAPE.search(text):
        return text

    def fix(match: re.Match) -> str:
        slashes, first, second = match.group(1), match.group(2), match.group(3)
        if len(slashes) % 2 == 0:
            return match.group(0)  # an escaped backslash, then the letters "u d8..."
        if second is not None and int(first, 16) <= 0xDBFF:
            return match.group(0)  # a surrogate pair: one character
        return slashes + "uFFFD" + ("\\uFFFD" if second is not None else "")

    return _SURROGATE_ESCAPE.sub(fix, text)


def load_json(text: str, **kwargs: Any) -> Any:
    """``json.loads`` within :func:`decode`'s bounds, for JSON written inside a template
    (policy documents, RedrivePolicy, filter patterns, plan files).

    Raises ValueError (never RecursionError) when the text is not JSON or nests deeper
    than :data:`MAX_DEPTH`, so callers that already catch ValueError stay safe.
    """
    import json

    try:
        value = json.loads(valid_json_escapes(text), **kwargs)
    except RecursionError:
        raise ValueError(f"nesting deeper than {MAX_DEPTH} levels") from None
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return value


def unmarked(value: Any, depth: int = 0) -> Any:
    """Plain decoded data as MDict/MList without positions (line 0: the whole file)."""
    if depth > MAX_DEPTH:
        raise DecodeError(f"nesting deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        result = MDict()
        for key, item in value.items():
            result[key] = unmarked(item, depth + 1)
        return result
    if isinstance(value, list):
        items = MList()
        for item in value:
            items.append(unmarked(item, depth + 1))
        return items
    return value


def decode_json(text: str) -> object:
    """JSON is checked by the strict JSON parser, then decoded by libyaml for its marks.

    libyaml accepts things JSON does not (trailing commas, comments), so the strict parse
    comes first; if libyaml then fails on valid JSON (rare escapes), the JSON value is
    used without marks.
    """
    import json

    text = valid_json_escapes(text)
    try:
        plain = json.loads(text)
    except RecursionError:
        # Deeper than Python's JSON parser goes: the YAML reader stops at MAX_DEPTH and
        # says where.
        decode(text)
        raise DecodeError(f"nesting deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        column = getattr(exc, "colno", 0)
        message = getattr(exc, "msg", str(exc)).split(";")[0]
        raise DecodeError(f"invalid JSON: {message}", line, column) from None
    try:
        return decode(text)
    except BoundError:
        raise
    except DecodeError:
        return unmarked(plain)
