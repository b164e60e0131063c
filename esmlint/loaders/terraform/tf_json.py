"""Terraform JSON configuration syntax (``.tf.json``): the same blocks as HCL, from JSON.

The structure mirrors HCL (``{"resource": {"aws_sqs_queue": {"q": {...}}}}``); every
string is a template whose ``${...}`` interpolations are HCL expressions (spec G.4), read
by the same expression reader as ``.tf`` files. Whether a nested object is a block or an
object-valued argument depends on the provider schema, so a :class:`JsonBlock` answers both
questions and the mapping (which knows the schema) asks the right one. Lines come from the
JSON decoder's marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...values import Loc
from .expressions import Lit, Node, ObjectCons, TupleCons, parse_template
from .hcl import TfSyntaxError

#: Top-level block types and how many labels each takes in JSON nesting.
LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1,
          "provider": 1, "locals": 0, "terraform": 0, "moved": 0, "import": 0,
          "check": 1, "removed": 0}


def _loc(path: str, container: Any, key: Any) -> Loc:
    from ..yaml import position

    line, column = position(container, key)
    return Loc(path, line, column)


def json_node(value: Any, path: str, depth: int = 0) -> Node:
    """A JSON value as an expression node: strings are templates."""
    if depth > 100:
        return Lit(0, None)
    if isinstance(value, str):
        return parse_template(value)
    if isinstance(value, list):
        return TupleCons(0, [json_node(v, path, depth + 1) for v in value])
    if isinstance(value, dict):
        items = [(Lit(0, str(k)), json_node(v, path, depth + 1)) for k, v in value.items()
                 if k != "//"]
        return ObjectCons(0, items)
    return Lit(0, value)


@dataclass
class JsonAttr:
    value: Any
    loc: Loc
    path: str
    literal: bool = False
    _node: Node | None = None

    def node(self) -> Node:
        if self._node is None:
            self._node = Lit(0, self.value) if self.literal else json_node(self.value,
                                                                             self.path)
        return self._node


class JsonBlock:
    """A block of JSON configuration syntax."""

    def __init__(self, btype: str, labels: tuple[str, ...], loc: Loc, obj: Any,
                 path: str) -> None:
        self.type = btype
        self.labels = labels
        self.loc = loc
        self.obj = obj if isinstance(obj, dict) else {}
        self.path = path

    def attr(self, name: str) -> JsonAttr | None:
        if name not in self.obj or name == "//":
            return None
        # A variable's default is a literal JSON value, not a template.
        literal = self.type == "variable" and name == "default"
        return JsonAttr(self.obj[name], _loc(self.path, self.obj, name), self.path, literal)

    def attr_names(self) -> list[str]:
        return [k for k in self.obj if k != "//"]

    def children(self, btype: str) -> list[JsonBlock]:
        if btype not in self.obj or btype == "dynamic":
            return []
        value = self.obj[btype]
        loc = _loc(self.path, self.obj, btype)
        items = value if isinstance(value, list) else [value]
        result = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                item_loc = _loc(self.path, value, index) if isinstance(value, list) else loc
                result.append(JsonBlock(btype, (), item_loc, item, self.path))
        return result

    def dynamic(self, btype: str) -> list[JsonBlock]:
        result = []
        for holder in self.children_raw("dynamic"):
            if isinstance(holder, dict) and btype in holder:
                value = holder[btype]
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict):
                        result.append(JsonBlock("dynamic", (btype,),
                                                _loc(self.path, holder, btype), item,
                                                self.path))
        return result

    def children_raw(self, key: str) -> list:
        value = self.obj.get(key)
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def all_children(self) -> list[JsonBlock]:
        result = []
        for key, value in self.obj.items():
            if isinstance(value, dict) or (isinstance(value, list) and value and all(
                    isinstance(v, dict) for v in value)):
                result.extend(self.children(key))
        return result


def parse_tf_json(path: str, text: str) -> list[JsonBlock]:
    """The top-level blocks of one ``.tf.json`` file. Raises :class:`TfSyntaxError`."""
    from ..yaml import DecodeError, decode_json

    try:
        data = decode_json(text)
    except DecodeError as exc:
        raise TfSyntaxError(exc.message, exc.line, exc.column) from None
    if not isinstance(data, dict):
        raise TfSyntaxError("a .tf.json file must hold a JSON object", 1, 1)
    blocks: list[JsonBlock] = []
    for btype, body in data.items():
        if btype == "//":
            continue
        depth = LABELS.get(btype, 0)
        loc = _loc(path, data, btype)
        _collect(blocks, btype, (), body, depth, loc, path)
    return blocks


def _collect(out: list, btype: str, labels: tuple[str, ...], body: Any, depth: int,
             loc: Loc, path: str) -> None:
    if isinstance(body, list):
        for index, item in enumerate(body):
            _collect(out, btype, labels, item, depth, _loc(path, body, index), path)
        return
    if not isinstance(body, dict):
        return
    if depth == 0:
        out.append(JsonBlock(btype, labels, loc, body, path))
        return
    for key, value in body.items():
        if key == "//":
            continue
        _collect(out, btype, labels + (str(key),), value, depth - 1, _loc(path, body, key),
                 path)
