"""Serverless Framework variables (``${source:address, fallback}``) resolved in the file.

What resolves, the way the Framework resolves it when the value is in the project:

- ``${self:a.b}`` (and ``${a.b}`` with no source, v1's spelling): a path in this file;
- ``${opt:x, 'default'}`` and ``${env:X, default}``: the fallback written in the file (no
  command line and no environment at lint time, so without a fallback they are Unknown);
- ``${sls:stage}``: ``provider.stage``, else ``dev`` (the Framework's default);
  ``${sls:instanceId}`` is Unknown;
- ``${file(./x.yml):a.b}``: a YAML or JSON file beside the configuration, never outside the
  project folder (the folder of ``serverless.yml``); ``.js`` / ``.ts`` files are Unknown;
- ``${aws:region}`` / ``${aws:accountId}`` / ``${aws:partition}``: CloudFormation's pseudo
  parameters, so ARNs written with them still link to the resources they name.

Everything else (``ssm``, ``cf``, ``s3``, ``param``, ``secretsmanager``, plugins' sources)
is Unknown, so no rule fires on a value that depends on it. Fallbacks are tried in order.
Unknown values are :class:`Unresolved` markers in the resolved tree; the CloudFormation
resolver of this front end turns them into Unknown values with their reason.

The resolved tree keeps the line marks of the file. Values read from an included file are
marked at the line of the ``${file(...)}`` that brings them in.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..yaml import DecodeError, MDict, MList, decode, decode_json

#: Work bound: variables resolved per file (YAML aliases can share nodes many times).
MAX_STEPS = 200_000
MAX_DEPTH = 40
_VAR = re.compile(r"\$\{([^${}]*)\}")  # an innermost ${...}: no nested ${ inside
_PSEUDO = {"region": "AWS::Region", "accountId": "AWS::AccountId",
           "partition": "AWS::Partition"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class Unresolved(dict):
    """A value that depends on something outside the file (``${ssm:...}``...).

    A single-key mapping so that the CloudFormation code treating it as an intrinsic
    function leaves it alone; :class:`~.builder.ServerlessResolver` reads it as Unknown.
    """

    KEY = "esmlint::Unresolved"

    def __init__(self, reason: str) -> None:
        super().__init__()
        self[self.KEY] = reason

    @property
    def reason(self) -> str:
        return str(self[self.KEY])


def is_unresolved(value: Any) -> bool:
    return isinstance(value, Unresolved)


class Variables:
    """Resolves every variable of one decoded ``serverless.yml``."""

    def __init__(self, path: str, root: Any) -> None:
        self.path = path
        self.folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
        self.root = root
        self.steps = 0
        self.memo: dict[int, Any] = {}
        self.files: dict[str, Any] = {}
        self.active: set[str] = set()  # self: paths being resolved (cycles)

    # -- the tree --------------------------------------------------------------------
    def resolve_tree(self, node: Any, depth: int = 0) -> Any:
        """A copy of ``node`` with every variable resolved, marks kept."""
        if isinstance(node, str):
            return self.resolve_string(node, (0, 0), depth) if "${" in node else node
        if not isinstance(node, (dict, list)) or isinstance(node, Unresolved):
            return node
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if depth > MAX_DEPTH:
            return Unresolved("variables nested too deeply")
        if isinstance(node, dict):
            out: Any = MDict(getattr(node, "line", 0), getattr(node, "column", 0))
            self.memo[key] = out
            marks = getattr(node, "marks", {})
            for k, v in node.items():
                mark = marks.get(k, (out.line, out.column))
                out[k] = self._value(v, mark, depth + 1)
                out.marks[k] = mark
        else:
            out = MList(getattr(node, "line", 0), getattr(node, "column", 0))
            self.memo[key] = out
            marks = getattr(node, "marks", [])
            for index, v in enumerate(node):
                mark = marks[index] if index < len(marks) else (out.line, out.column)
                out.append(self._value(v, mark, depth + 1))
                out.marks.append(mark)
        return out

    def _value(self, value: Any, mark: tuple[int, int], depth: int) -> Any:
        if isinstance(value, str) and "${" in value:
            return self.resolve_string(value, mark, depth)
        return self.resolve_tree(value, depth)

    # -- strings ---------------------------------------------------------------------
    def resolve_string(self, text: str, mark: tuple[int, int], depth: int = 0) -> Any:
        """A string's value: the variable's value when the string is one variable, else
        the text with each variable replaced (pseudo parameters become ``Fn::Sub``)."""
        pseudo = False
        for _ in range(64):  # innermost variables first: ${self:custom.${opt:stage}}
            self.steps += 1
            if self.steps > MAX_STEPS or depth > MAX_DEPTH:
                return Unresolved("variables too complex to resolve")
            match = _VAR.search(text)
            if match is None:
                break
            value = self.variable(match.group(1), mark, depth + 1)
            if match.start() == 0 and match.end() == len(text):
                return value if not isinstance(value, _Pseudo) else _sub(str(value))
            if isinstance(value, Unresolved):
                return value
            if isinstance(value, _Pseudo):
                pseudo = True
                value = "\x00" + value.name + "\x01"
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (int, float)):
                value = str(value)
            elif not isinstance(value, str):
                return Unresolved(f"${{{match.group(1)}}} is not text, inside a string")
            text = text[:match.start()] + value + text[match.end():]
        else:
            return Unresolved("variables nested too deeply")
        if pseudo:
            return _sub(text.replace("${", "${!").replace("\x00", "${").replace("\x01", "}"))
        return text

    def variable(self, body: str, mark: tuple[int, int], depth: int) -> Any:
        """One ``${...}``'s value: its sources and fallbacks tried in order."""
        last: Any = Unresolved(f"${{{body.strip()}}} is not resolved")
        for part in _split_fallbacks(body):
            part = part.strip()
            if not part:
                continue
            literal = _literal(part)
            if literal is not None:
                return literal
            value = self.source(part, mark, depth)
            if not isinstance(value, Unresolved) and value is not None:
                return value
            if isinstance(value, Unresolved):
                last = value
        return last

    def source(self, text: str, mark: tuple[int, int], depth: int) -> Any:
        """The value of one ``source:address`` (None when the source has no value)."""
        if text.startswith("file(") and ")" in text:
            name, _, rest = text[5:].partition(")")
            return self.file(name.strip().strip("'\""), rest.lstrip(":").strip(), mark, depth)
        source, sep, address = text.partition(":")
        if not sep:
            # v1 spelling ${custom.x} (and ${self:...}'s address without source).
            source, address = "self", text
        source = source.strip()
        address = address.strip()
        if source == "self":
            return self.self_path(address, depth)
        if source == "sls":
            if address == "stage":
                return self.stage(depth)
            return Unresolved(f"${{sls:{address}}} is known only at deploy time")
        if source == "aws" and address in _PSEUDO:
            return _Pseudo(_PSEUDO[address])
        if source in ("opt", "env"):
            return None  # no command line options and no environment at lint time
        return Unresolved(f"${{{text}}} is read at deploy time ({source} is not in the file)")

    def stage(self, depth: int) -> Any:
        provider = self.root.get("provider") if isinstance(self.root, dict) else None
        if isinstance(provider, dict) and "stage" in provider:
            value = self._value(provider["stage"], (0, 0), depth + 1)
            return value
        return "dev"

    def self_path(self, address: str, depth: int) -> Any:
        if address in self.active:
            return Unresolved(f"${{self:{address}}} refers to itself")
        node: Any = self.root
        for piece in [p for p in address.split(".") if p] if address else []:
            if isinstance(node, str) and "${" in node:
                node = self.resolve_string(node, (0, 0), depth + 1)
            elif isinstance(node, (dict, list)) and not isinstance(node, Unresolved):
                node = self.resolve_tree(node, depth + 1)
            if isinstance(node, Unresolved):
                return node
            if isinstance(node, dict) and piece in node:
                node = node[piece]
            elif isinstance(node, list) and piece.isdigit() and int(piece) < len(node):
                node = node[int(piece)]
            else:
                return None
        self.active.add(address)
        try:
            return self._value(node, (0, 0), depth + 1)
        finally:
            self.active.discard(address)

    def file(self, name: str, address: str, mark: tuple[int, int], depth: int) -> Any:
        if "${" in name or not name:
            return Unresolved(f"file name {name!r} is not resolved")
        target = os.path.realpath(os.path.join(self.folder, name))
        if os.path.commonpath([target, self.folder]) != self.folder:
            return Unresolved(f"{name} is outside the project folder (not read)")
        if not target.lower().endswith((".yml", ".yaml", ".json")):
            return Unresolved(f"{name} is code, run at deploy time (not read)")
        if target not in self.files:
            self.files[target] = self._read(target)
        data = self.files[target]
        if isinstance(data, Unresolved):
            return data
        node: Any = data
        for piece in [p for p in address.split(".") if p] if address else []:
            if isinstance(node, dict) and piece in node:
                node = node[piece]
            else:
                return None
        included = Variables(target, data)
        included.files = self.files
        included.steps = self.steps
        value = included._value(node, mark, depth + 1)
        self.steps = included.steps
        return _remark(value, mark)

    def _read(self, target: str) -> Any:
        try:
            with open(target, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            return Unresolved(f"{os.path.basename(target)} cannot be read ({exc})")
        try:
            return decode_json(text) if target.lower().endswith(".json") else decode(text)
        except DecodeError as exc:
            return Unresolved(f"{os.path.basename(target)} cannot be parsed: {exc.message}")


class _Pseudo(str):
    """A CloudFormation pseudo parameter standing for ``${aws:region}`` and the like."""

    @property
    def name(self) -> str:
        return str(self)


def _sub(text: str) -> MDict:
    out = MDict()
    out["Fn::Sub"] = text if text.startswith("${") or "${" in text else "${" + text + "}"
    return out


def _split_fallbacks(body: str) -> list[str]:
    """``a:b, 'x, y', c`` split at the commas outside quotes and parentheses."""
    parts, current, quote, depth = [], [], "", 0
    for char in body:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == "(":
            depth += 1
            current.append(char)
        elif char == ")":
            depth -= 1
            current.append(char)
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _literal(text: str) -> Any:
    """A fallback literal: a quoted string, a number, true/false/null; None otherwise."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    if text in ("true", "false"):
        return text == "true"
    if ":" not in text and "(" not in text and "." not in text and " " not in text \
            and text != "self":
        return text  # a bare word fallback (${opt:stage, dev})
    return None


def _remark(value: Any, mark: tuple[int, int], _seen: dict | None = None) -> Any:
    """A value from another file, every node marked at ``mark`` (the line that includes
    it): positions inside the other file would point at the wrong lines of this one."""
    seen = {} if _seen is None else _seen
    if isinstance(value, Unresolved) or not isinstance(value, (dict, list)):
        return value
    if id(value) in seen:
        return seen[id(value)]
    if isinstance(value, dict):
        out: Any = MDict(*mark)
        seen[id(value)] = out
        for k, v in value.items():
            out[k] = _remark(v, mark, seen)
            out.marks[k] = mark
        return out
    items = MList(*mark)
    seen[id(value)] = items
    for v in value:
        items.append(_remark(v, mark, seen))
        items.marks.append(mark)
    return items
