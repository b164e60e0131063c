"""Text edits in YAML and JSON templates, at the spans libyaml reports.

The decoder (:mod:`esmlint.loaders.yaml`) keeps the line and column of every key and list
item, and the model's values carry them. To fix a file, this module reads the same text
again with the same parser (libyaml's events, only when fixing) into a tree of spans: each
mapping with its entries (key and value, their character offsets, flow or block style),
each sequence with its items, each scalar with its quoting. A position the model holds
(where a property's key is) finds the entry; an edit replaces exactly the characters of a
value, or inserts an entry or an item where the collection ends, written in the
collection's own style (block or flow, the file's indentation, quoting and line ending).
Nothing else of the file is touched, so comments, key order and formatting stay as they
are. JSON is YAML's flow style: the same tree serves both, with JSON's spelling for what
is inserted.

Before an edit the writer checks that the text says what the model read: a literal that
still reads the old value, not a ``!Ref``, an anchor shared by aliases or a merged key.
When it does not, :class:`NoFix` says why, and the fix is not made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

try:  # pragma: no cover - which parser exists depends on the PyYAML build
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class NoFix(Exception):
    """A change that cannot be made in this text; the message says why."""


class Node:
    """One node of the span tree: offsets are characters of the text, lines and columns
    1-based as the decoder's marks."""

    __slots__ = ("kind", "start", "end", "line", "column", "tag", "style", "flow", "items",
                 "text", "implicit", "anchor", "shared")

    def __init__(self, kind: str, mark: Any, tag: Any = None) -> None:
        self.kind = kind  # "scalar", "map", "seq" or "alias"
        self.start = mark.index
        self.end = mark.index
        self.line = mark.line + 1
        self.column = mark.column + 1
        self.tag = tag
        self.style: str | None = None
        self.flow = False
        self.items: list[Any] = []  # map: [(key, value)], seq: [node]
        self.text = ""  # a scalar's value, an alias's anchor
        self.implicit: Any = (True, False)
        self.anchor: str | None = None
        self.shared = False  # under an anchor: aliases elsewhere read the same text

    def keys(self) -> list[Any]:
        return [key.text for key, _ in self.items if key.kind == "scalar"]

    def get(self, key: str) -> Node | None:
        for k, value in self.items:
            if k.kind == "scalar" and k.text == key:
                return value
        return None


_INTRINSICS = {"Ref": "Ref", "Condition": "Condition", "GetAtt": "Fn::GetAtt"}
for _name in ("Sub", "Join", "Select", "Split", "If", "ImportValue", "FindInMap", "GetAZs",
              "Base64", "Cidr", "Equals", "And", "Or", "Not", "Transform", "Length",
              "ToJsonString", "ForEach", "GetParam"):
    _INTRINSICS[_name] = "Fn::" + _name

_NATIVE = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
           "tag:yaml.org,2002:null"}


class Tree:
    """The span tree of one YAML or JSON text."""

    def __init__(self, text: str, json_syntax: bool = False) -> None:
        self.text = text
        self.json = json_syntax
        self.eol = "\r\n" if "\r\n" in text else ("\r" if "\r" in text and "\n" not in text
                                                  else "\n")
        self.root: Node | None = None
        #: (line, column) of a key -> (the mapping, the entry's index)
        self.keys: dict[tuple[int, int], tuple[Node, int]] = {}
        #: id of a collection -> (the collection holding it, its key there, or None)
        self.parents: dict[int, tuple[Node, Node | None]] = {}
        self.anchors: dict[str, Node] = {}
        try:
            self._build()
        except yaml.YAMLError as exc:
            raise NoFix(f"the file does not parse ({exc})") from None
        self.unit = self._unit()
        #: One step of indentation as text: a tab in JSON indented with tabs.
        self.unit_text = "\t" if json_syntax and re.search(r"^\t+\"", text, re.MULTILINE) \
            else " " * self.unit
        self.short_tags = not json_syntax and _uses_short_tags(text)
        self.item_separator, self.key_separator = self._separators()

    # -- building --------------------------------------------------------------------
    def _build(self) -> None:
        stack: list[tuple[Node, list]] = []  # (collection, [pending key]) for maps
        loader = _Loader(self.text)
        try:
            while loader.check_event():
                event = loader.get_event()
                kind = type(event)
                if kind is yaml.ScalarEvent:
                    node = Node("scalar", event.start_mark, event.tag)
                    node.end = event.end_mark.index
                    node.style = event.style or None
                    node.text = event.value
                    node.implicit = event.implicit
                elif kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                    node = Node("map" if kind is yaml.MappingStartEvent else "seq",
                                event.start_mark, event.tag)
                    node.flow = bool(event.flow_style)
                    node.anchor = event.anchor
                    if event.anchor:
                        self.anchors[event.anchor] = node
                    stack.append((node, []))
                    continue
                elif kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                    node, _ = stack.pop()
                    node.end = event.end_mark.index
                elif kind is yaml.AliasEvent:
                    node = Node("alias", event.start_mark)
                    node.end = event.end_mark.index
                    node.text = event.anchor
                    node.shared = True
                else:
                    continue
                if kind is yaml.ScalarEvent and event.anchor:
                    node.anchor = event.anchor
                    self.anchors[event.anchor] = node
                if not stack:
                    self.root = node
                    continue
                parent, pending = stack[-1]
                if parent.kind == "seq":
                    parent.items.append(node)
                    self.parents[id(node)] = (parent, None)
                elif not pending:
                    pending.append(node)
                else:
                    key = pending.pop()
                    parent.items.append((key, node))
                    self.keys[(key.line, key.column)] = (parent, len(parent.items) - 1)
                    self.parents[id(node)] = (parent, key)
        finally:
            loader.dispose()
        for anchored in list(self.anchors.values()):
            for node in _walk(anchored):
                node.shared = True

    def _unit(self) -> int:
        """The file's indentation step: how far a nested key sits right of its parent."""
        for node in _walk(self.root):
            if node.kind != "map":
                continue
            for key, value in node.items:
                if value.kind == "map" and value.items:
                    first = value.items[0][0]
                    if first.line > key.line and first.column > key.column:
                        return first.column - key.column
        return 2

    def _separators(self) -> tuple[str, str]:
        """How one-line flow collections separate items (``", "`` or ``","``) and a key from
        its value (``": "`` or ``":"``), as the file writes them (minified JSON)."""
        text = self.text
        for node in _walk(self.root):
            if node.kind != "map" or not node.flow or len(node.items) < 2:
                continue
            (_, first), (second, _) = node.items[0], node.items[1]
            if second.line != first.line:
                continue
            between = text[first.end:second.start]
            key, value = node.items[0]
            colon = text[key.end:value.start]
            if between.strip() == "," and colon.strip() == ":":
                return between, colon
        return ", ", ": "

    # -- reading ---------------------------------------------------------------------
    def entry(self, line: int, column: int) -> tuple[Node, Node]:
        """The (key, value) of the mapping entry whose key is at ``line``:``column``."""
        found = self.keys.get((line, column))
        if found is None:
            raise NoFix(f"nothing is written at line {line}, column {column} any more")
        parent, index = found
        return parent.items[index]

    def value(self, node: Node, depth: int = 0, budget: list[int] | None = None) -> Any:
        """What a node decodes to, with intrinsic functions in their long form. Bounded:
        aliases can make a small text an enormous value, which is then not checked."""
        budget = budget if budget is not None else [10_000]
        budget[0] -= 1
        if depth > 50 or budget[0] < 0:
            raise NoFix("the value is too large to check")
        if node.kind == "alias":
            target = self.anchors.get(node.text)
            if target is None:
                raise NoFix("an alias to an unknown anchor")
            return self.value(target, depth + 1, budget)
        wrap = None
        if node.tag and node.tag.startswith("!") and len(node.tag) > 1:
            wrap = _INTRINSICS.get(node.tag[1:])
        if node.kind == "scalar":
            if wrap == "Fn::GetAtt":
                return {wrap: node.text.split(".", 1)}
            if wrap:
                return {wrap: node.text}
            return _scalar(node)
        if node.kind == "map":
            result: Any = {self.value(k, depth + 1, budget): self.value(v, depth + 1, budget)
                           for k, v in node.items}
        else:
            result = [self.value(item, depth + 1, budget) for item in node.items]
        return {wrap: result} if wrap else result

    def path(self, node: Node) -> list[str]:
        """The keys from the document's root to ``node`` (an item of a list counts as
        "[]")."""
        keys: list[str] = []
        current = node
        for _ in range(1000):
            found = self.parents.get(id(current))
            if found is None:
                break
            parent, key = found
            keys.append(key.text if key is not None else "[]")
            current = parent
        return list(reversed(keys))

    def pad(self, node: Node) -> str:
        """The whitespace before ``node`` on its line (spaces for its column otherwise)."""
        start = max(self.text.rfind("\n", 0, node.start), self.text.rfind("\r", 0, node.start))
        head = self.text[start + 1:node.start]
        return head if not head.strip() else " " * (node.column - 1)

    def end_of(self, node: Node) -> tuple[int, bool]:
        """Where text that follows ``node`` (block style) goes: (offset, at line start).

        After a block scalar that is the start of the line after it; otherwise the end of
        the line the node's last part ends on (a comment there stays on its line).
        """
        leaf = node
        while leaf.kind in ("map", "seq") and not leaf.flow and leaf.items:
            last = leaf.items[-1]
            leaf = last[1] if leaf.kind == "map" else last
        text = self.text
        if leaf.kind == "scalar" and leaf.style in ("|", ">"):
            end = leaf.end
            return end, end > 0 and text[end - 1] in "\r\n"
        end = leaf.end
        newline = _next_line_break(text, end)
        return newline, False


def _walk(node: Node | None) -> Iterator[Node]:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        yield current
        if current.kind == "map":
            for key, value in current.items:
                stack.extend((key, value))
        elif current.kind == "seq":
            stack.extend(current.items)


def _next_line_break(text: str, offset: int) -> int:
    """The offset of the line break that ends the line holding ``offset`` (or the end)."""
    positions = [p for p in (text.find("\n", offset), text.find("\r", offset)) if p >= 0]
    return min(positions) if positions else len(text)


def _uses_short_tags(text: str) -> bool:
    """Whether a YAML template writes intrinsic functions as ``!Ref`` (most do) rather
    than as ``Ref:`` / ``Fn::GetAtt:`` mappings; new values follow the same habit."""
    short = len(re.findall(r"!(?:Ref|GetAtt|Sub|Join|If|Select|Split|FindInMap)\b", text))
    long_ = len(re.findall(r"(?:\bRef|Fn::\w+)\s*:", text))
    return short >= long_ or short > 0


_SAFE_CONSTRUCTOR = yaml.SafeLoader("")
_RESOLVER = yaml.resolver.Resolver()


def _scalar(node: Node) -> Any:
    tag = node.tag
    if tag is None or tag == "!":
        if node.style is not None and node.style not in ("", None):
            return node.text  # quoted or block: a string
        tag = _RESOLVER.resolve(yaml.ScalarNode, node.text, node.implicit)
    if tag in _NATIVE:
        try:
            constructor = _SAFE_CONSTRUCTOR.yaml_constructors[tag]
            return constructor(_SAFE_CONSTRUCTOR, yaml.ScalarNode(tag, node.text))
        except Exception:  # noqa: BLE001 - as the decoder: the text then
            return node.text
    return node.text


# --------------------------------------------------------------------------- comparing


def same(a: Any, b: Any) -> bool:
    """Whether two decoded values are the same value: numbers by value (``"30"`` and
    ``30`` too, as Lambda reads them), ``Fn::GetAtt`` as ``"A.B"`` or ``[A, B]``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    number_a, number_b = _number(a), _number(b)
    if number_a is not None and number_b is not None:
        return number_a == number_b
    if isinstance(a, dict) and isinstance(b, dict):
        a, b = _normal(a), _normal(b)
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _number(value: Any) -> float | None:
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


def _normal(value: dict) -> dict:
    if list(value) == ["Fn::GetAtt"] and isinstance(value["Fn::GetAtt"], str):
        return {"Fn::GetAtt": value["Fn::GetAtt"].split(".", 1)}
    return value


# --------------------------------------------------------------------------- rendering


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(next(iter(value)), str) \
        and (next(iter(value)) in ("Ref", "Condition") or next(iter(value)).startswith("Fn::"))


_INDICATORS = set("-?:,[]{}#&*!|>'\"%@`")


def yaml_scalar(value: Any, flow: bool = False) -> str:
    """A scalar as YAML writes it: plain where that reads back as the same string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _plain_ok(text, flow):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text[0] in _INDICATORS:
        return False
    if ": " in text or " #" in text or text.endswith(":") or any(c in text for c in "\t\r\n"):
        return False
    if flow and any(c in text for c in ",[]{}"):
        return False
    if not text.isprintable() or not any(c.isalnum() for c in text):
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


def yaml_inline(value: Any, short: bool = True, flow: bool = False) -> str:
    """A value on one line: scalars, intrinsic functions (``!GetAtt A.B``), flow
    collections. ``flow``: inside a flow collection (stricter plain scalars)."""
    if is_intrinsic(value):
        (name, arg), = value.items()
        if short:
            tag = name[4:] if name.startswith("Fn::") else name
            if tag == "GetAtt" and isinstance(arg, list) and len(arg) == 2 and \
                    all(isinstance(part, str) for part in arg):
                return f"!GetAtt {arg[0]}.{arg[1]}"
            if isinstance(arg, (list, dict)):
                return f"!{tag} {yaml_inline(arg, short, True)}"
            return f"!{tag} {yaml_scalar(arg, flow)}"
    if isinstance(value, dict):
        items = [f"{yaml_scalar(k, True)}: {yaml_inline(v, short, True)}"
                 for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_inline(v, short, True) for v in value) + "]"
    return yaml_scalar(value, flow)


def yaml_entry(key: str, value: Any, indent: int, unit: int, short: bool) -> list[str]:
    """The lines of a block mapping entry, each indented."""
    pad = " " * indent
    if isinstance(value, dict) and value and not is_intrinsic(value):
        lines = [f"{pad}{yaml_scalar(key)}:"]
        for k, v in value.items():
            lines.extend(yaml_entry(k, v, indent + unit, unit, short))
        return lines
    if isinstance(value, list) and value:
        lines = [f"{pad}{yaml_scalar(key)}:"]
        for item in value:
            lines.extend(yaml_item(item, indent + unit, unit, short))
        return lines
    return [f"{pad}{yaml_scalar(key)}: {yaml_inline(value, short)}"]


def yaml_item(item: Any, indent: int, unit: int, short: bool, gap: int = 1) -> list[str]:
    """The lines of a block sequence item: ``- `` at ``indent``, then ``gap`` spaces."""
    lead = " " * indent + "-" + " " * gap
    inner = indent + 1 + gap
    if isinstance(item, dict) and item and not is_intrinsic(item):
        lines: list[str] = []
        for k, v in item.items():
            lines.extend(yaml_entry(k, v, inner, unit, short))
        lines[0] = lead + lines[0][inner:]
        return lines
    return [lead + yaml_inline(item, short)]


def json_value(value: Any, indent: str, unit: str, multiline: bool, eol: str) -> str:
    """A value in JSON; objects and arrays over several lines when ``multiline``, the
    closing bracket after ``indent`` and the members one ``unit`` further."""
    if not multiline or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    inner = indent + unit
    if isinstance(value, dict):
        members = [f"{inner}{json.dumps(k, ensure_ascii=False)}: "
                   f"{json_value(v, inner, unit, True, eol)}" for k, v in value.items()]
        return "{" + eol + ("," + eol).join(members) + eol + indent + "}"
    items = [inner + json_value(v, inner, unit, True, eol) for v in value]
    return "[" + eol + ("," + eol).join(items) + eol + indent + "]"


def scalar_like(tree: Tree, node: Node, new: Any) -> str:
    """``new`` written as the scalar it replaces is: the same quoting, and a string stays
    a string (``'30'`` becomes ``'180'``)."""
    if tree.json:
        if node.style == '"' and not isinstance(new, (dict, list)):
            return json.dumps(_as_text(new), ensure_ascii=False)
        return _compact(json.dumps(new, ensure_ascii=False), tree)
    if isinstance(new, (dict, list)):
        return yaml_inline(new, tree.short_tags)
    if node.style == "'":
        return "'" + _as_text(new).replace("'", "''") + "'"
    if node.style == '"':
        return json.dumps(_as_text(new), ensure_ascii=False)
    if isinstance(_scalar(node), str) and not isinstance(new, str):
        return json.dumps(_as_text(new))  # a plain string such as "30s": keep a string
    return yaml_scalar(new)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- editing


class Writer:
    """Edits of one YAML or JSON file; offsets are into ``tree.text``."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree

    def replace(self, line: int, column: int, old: Any, new: Any) -> tuple[int, int, str]:
        """Replace the value of the entry whose key is at ``line``:``column``, which must
        still read ``old``."""
        key, node = self.tree.entry(line, column)
        if node.shared or key.shared:
            raise NoFix(f"the value at line {line} is shared through a YAML anchor")
        if key.kind == "scalar" and key.text == "<<":
            raise NoFix(f"the value at line {line} is merged in with <<")
        if node.kind == "scalar" and node.tag and node.tag not in _NATIVE and \
                not isinstance(old, dict):
            raise NoFix(f"the value at line {line} is not a literal ({node.tag} "
                        f"{node.text})")
        current = self.tree.value(node)
        if not same(current, old):
            raise NoFix(f"the value at line {line} is not a literal {_show(old)} there")
        if node.kind == "scalar" and node.style in ("|", ">"):
            raise NoFix(f"the value at line {line} is a block scalar")
        if node.kind == "scalar" or node.flow or node.kind == "alias":
            return node.start, node.end, scalar_like(self.tree, node, new)
        # A block collection (a long-form intrinsic function): from after the colon to
        # the end of its last line, replaced by the value on one line.
        start = self.tree.text.index(":", key.end) + 1
        end, at_line_start = self.tree.end_of(node)
        if at_line_start:
            raise NoFix(f"the value at line {line} ends in a block scalar")
        return start, end, " " + (json.dumps(new) if self.tree.json
                                  else yaml_inline(new, self.tree.short_tags))

    def owner(self, line: int, column: int) -> Node:
        """The mapping declared at ``line``:``column`` (a resource, an event)."""
        key, node = self.tree.entry(line, column)
        if node.kind != "map":
            raise NoFix(f"what is declared at line {line} is not written as a mapping")
        if node.shared:
            raise NoFix(f"what is declared at line {line} is shared through a YAML anchor")
        return node

    def insert(self, mapping: Node, tree: dict) -> list[tuple[int, int, str]]:
        """Add the entries of ``tree`` (nested: ``{"Properties": {"A": 1, "B": 2}}``)
        below ``mapping``: where a key exists the entries go inside it, the missing ones
        are written together, one edit per mapping that grows."""
        edits: list[tuple[int, int, str]] = []
        new: list[tuple[str, Any]] = []
        for key, value in tree.items():
            child = mapping.get(key)
            if child is None:
                new.append((key, value))
            elif isinstance(value, dict) and value and not is_intrinsic(value):
                if child.kind != "map" or child.shared:
                    raise NoFix(f"{key} is not written as a mapping")
                edits.extend(self.insert(child, value))
            else:
                raise NoFix(f"{key} is already set")
        if new:
            edits.append(self.add_entries(mapping, new))
        return edits

    def append(self, mapping: Node, path: tuple[str, ...], item: Any) -> tuple[int, int, str]:
        """Add ``item`` to the list at ``path`` below ``mapping`` (created if absent)."""
        node = mapping
        for index, key in enumerate(path):
            child = node.get(key)
            if child is None:
                value: Any = [item]
                for inner in reversed(path[index + 1:]):
                    value = {inner: value}
                return self.add_entries(node, [(key, value)])
            if index == len(path) - 1:
                if child.kind != "seq" or child.shared or child.tag:
                    raise NoFix(f"{'.'.join(path)} is not written as a list")
                return self.add_item(child, item)
            if child.kind != "map" or child.shared:
                raise NoFix(f"{'.'.join(path[:index + 1])} is not written as a mapping")
            node = child
        raise NoFix("nothing to add to")  # pragma: no cover - path is never empty

    # -- the two ways a collection grows ----------------------------------------------
    def add_entries(self, mapping: Node, entries: list[tuple[str, Any]]
                    ) -> tuple[int, int, str]:
        """Add entries to a mapping, after its last one, in its style."""
        tree, eol = self.tree, self.tree.eol
        if mapping.tag:
            raise NoFix("the mapping is an intrinsic function")
        if mapping.flow:
            rendered = [self._flow_entry(key, value, mapping) for key, value in entries]
            return self._flow_add(mapping, rendered)
        if not mapping.items:
            raise NoFix("an empty block mapping")
        indent = mapping.items[0][0].column - 1
        lines = [line for key, value in entries
                 for line in yaml_entry(key, value, indent, tree.unit, tree.short_tags)]
        offset, at_line_start = tree.end_of(mapping)
        if at_line_start:
            return offset, offset, eol.join(lines) + eol
        return offset, offset, eol + eol.join(lines)

    def add_item(self, sequence: Node, item: Any) -> tuple[int, int, str]:
        tree, eol = self.tree, self.tree.eol
        if sequence.flow:
            rendered = json.dumps(item, ensure_ascii=False) if tree.json else \
                yaml_inline(item, tree.short_tags, True)
            if tree.json and self._multiline(sequence):
                rendered = json_value(item, tree.pad(sequence.items[-1]), tree.unit_text,
                                      True, eol)
            return self._flow_add(sequence, [rendered])
        if not sequence.items:
            raise NoFix("an empty block sequence")
        dash = sequence.column - 1
        first = sequence.items[0]
        gap = max(1, first.column - 1 - dash - 1) if first.line == sequence.line else 1
        lines = yaml_item(item, dash, tree.unit, tree.short_tags, gap)
        offset, at_line_start = tree.end_of(sequence)
        if at_line_start:
            return offset, offset, eol.join(lines) + eol
        return offset, offset, eol + eol.join(lines)

    def _flow_entry(self, key: str, value: Any, mapping: Node) -> str:
        tree = self.tree
        if tree.json:
            multiline = self._multiline(mapping)
            pad = tree.pad(mapping.items[-1][0]) if mapping.items else ""
            colon = ": " if multiline else tree.key_separator
            rendered = json_value(value, pad, tree.unit_text, multiline, tree.eol)
            return f"{json.dumps(key, ensure_ascii=False)}{colon}{_compact(rendered, tree)}"
        return f"{yaml_scalar(key, True)}: {yaml_inline(value, tree.short_tags, True)}"

    def _multiline(self, collection: Node) -> bool:
        items = collection.items
        if not items:
            return False
        last = items[-1][0] if collection.kind == "map" else items[-1]
        return last.line > collection.line

    def _flow_add(self, collection: Node, rendered: list[str]) -> tuple[int, int, str]:
        """Entries or items written after the last one of a flow collection."""
        text, eol = self.tree.text, self.tree.eol
        if not collection.items:
            opening = text.index("{" if collection.kind == "map" else "[", collection.start)
            return opening + 1, opening + 1, self.tree.item_separator.join(rendered)
        last = collection.items[-1]
        last_value = last[1] if collection.kind == "map" else last
        end = last_value.end
        if self._multiline(collection):
            first = last[0] if collection.kind == "map" else last
            separator = "," + eol + self.tree.pad(first)
        else:
            separator = self.tree.item_separator
        return end, end, "".join(separator + item for item in rendered)


def _compact(rendered: str, tree: Tree) -> str:
    """A one-line JSON value with the file's separators (``{"a":1}`` in minified JSON)."""
    if tree.item_separator == ", " and tree.key_separator == ": ":
        return rendered
    if "\n" in rendered or "\r" in rendered:
        return rendered
    return json.dumps(json.loads(rendered), ensure_ascii=False,
                      separators=(tree.item_separator, tree.key_separator))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, default=str)
