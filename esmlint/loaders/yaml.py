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


class _Builder:
    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.count = 0
        self.memo: dict[int, Any] = {}

    def build(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            mark = node.start_mark
            raise DecodeError(
                f"nesting deeper than {MAX_DEPTH} levels", mark.line + 1, mark.column + 1
            )
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        self.count += 1
        if self.count > MAX_NODES:
            mark = node.start_mark
            raise DecodeError(
                f"more than {MAX_NODES} values (alias expansion or a huge file)",
                mark.line + 1,
                mark.column + 1,
            )
        tag = node.tag or ""
        if tag.startswith("!"):
            result = self._intrinsic(node, tag[1:], depth)
        elif isinstance(node, yaml.MappingNode):
            result = self._mapping(node, depth)
        elif isinstance(node, yaml.SequenceNode):
            result = self._sequence(node, depth)
        else:
            result = self._scalar(node)
        self.memo[key] = result
        return result

    def _scalar(self, node: Any) -> Any:
        if node.tag in _SCALAR_TAGS_NATIVE:
            try:
                return self.loader.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 - a scalar libyaml accepted but Python cannot
                return node.value
        return node.value

    def _mapping(self, node: Any, depth: int) -> MDict:
        mark = node.start_mark
        result = MDict(mark.line + 1, mark.column + 1)
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node, depth + 1)
                    for item in merged if isinstance(merged, list) else [merged]:
                        if isinstance(item, MDict):
                            for k, v in item.items():
                                if k not in result:
                                    result[k] = v
                                    result.marks[k] = item.mark(k)
                    continue
            else:
                key_mark = key_node.start_mark
                raise DecodeError(
                    "a mapping key must be a plain value", key_mark.line + 1, key_mark.column + 1
                )
            key_mark = key_node.start_mark
            # A duplicate key keeps the last value, as CloudFormation's own parser does.
            result[key] = self.build(value_node, depth + 1)
            result.marks[key] = (key_mark.line + 1, key_mark.column + 1)
        return result

    def _sequence(self, node: Any, depth: int) -> MList:
        mark = node.start_mark
        result = MList(mark.line + 1, mark.column + 1)
        for item in node.value:
            item_mark = item.start_mark
            result.append(self.build(item, depth + 1))
            result.marks.append((item_mark.line + 1, item_mark.column + 1))
        return result

    def _intrinsic(self, node: Any, name: str, depth: int) -> Any:
        mark = node.start_mark
        long_name = _FUNCTIONS.get(name)
        if long_name is None:
            # An unknown local tag is data: keep the value, drop the tag.
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, depth)
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, depth)
            return node.value
        if isinstance(node, yaml.MappingNode):
            inner: Any = self._mapping(node, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            inner = self._sequence(node, depth + 1)
        else:
            inner = node.value
            if long_name == "Fn::GetAtt" and isinstance(inner, str):
                first, _, rest = inner.partition(".")
                parts = MList(mark.line + 1, mark.column + 1)
                parts.extend([first, rest])
                parts.marks.extend([(mark.line + 1, mark.column + 1)] * 2)
                inner = parts
            elif long_name == "Fn::GetAZs" and inner == "":
                inner = ""
        result = MDict(mark.line + 1, mark.column + 1)
        result[long_name] = inner
        result.marks[long_name] = (mark.line + 1, mark.column + 1)
        return result


def decode(text: str) -> Any:
    """Decode YAML or JSON text; raise :class:`DecodeError` with the position on failure."""
    if len(text) > MAX_BYTES:
        raise DecodeError(f"file larger than {MAX_BYTES // (1024 * 1024)} MiB; not parsed")
    loader = _BaseLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(
                part for part in (exc.context, exc.problem) if part
            ) or "cannot be parsed"
            if mark is not None:
                raise DecodeError(message, mark.line + 1, mark.column + 1) from None
            raise DecodeError(message) from None
        except yaml.YAMLError as exc:
            first = str(exc).splitlines()[0] if str(exc) else "cannot be parsed"
            raise DecodeError(first) from None
        except RecursionError:
            raise DecodeError(f"nesting deeper than {MAX_DEPTH} levels") from None
        if node is None:
            return None
        try:
            return _Builder(loader).build(node)
        except RecursionError:
            raise DecodeError(f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()


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
