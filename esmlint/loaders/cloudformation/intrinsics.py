"""Resolve CloudFormation intrinsic functions to values, resource tokens or Unknown.

Resolution happens here, once, so rules never see ``Ref`` or ``Fn::Sub``: parameters
become their defaults, ``Ref`` / ``GetAtt`` of a resource become a :class:`Token` naming
it, pseudo parameters stay symbolic (``${AWS::Region}``) and anything that cannot be
traced (imports, parameters without defaults, conditions) becomes Unknown. Containers
(mappings, lists) are returned as they are: callers resolve what they read, where they
read it, so the location of every value stays exact.
"""

from __future__ import annotations

import re
from typing import Any

from ...values import KNOWN, Loc, NotedLoc, Sym, Token, Val, known, unknown
from ..yaml import MDict, MList, position

PSEUDO = {
    "AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::StackName",
    "AWS::StackId", "AWS::NotificationARNs",
}
NO_VALUE = "AWS::NoValue"
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")
_MAX_DEPTH = 40
#: Resolution steps one top-level lookup may take: YAML aliases can make a small template
#: describe an exponentially large intrinsic tree, which is then Unknown, not a hang.
_MAX_STEPS = 20_000
_ABSENT = object()
_LITERALS = frozenset({str, int, float, bool, MList})
_new_loc = tuple.__new__  # Loc without NamedTuple's keyword-handling constructor


class Resolver:
    """Resolves intrinsics against one template's parameters, mappings and resources."""

    def __init__(self, path: str, template: dict) -> None:
        self.file = path
        params = template.get("Parameters")
        self.parameters: dict = params if isinstance(params, dict) else {}
        mappings = template.get("Mappings")
        self.mappings: dict = mappings if isinstance(mappings, dict) else {}
        resources = template.get("Resources")
        self.resources: dict = resources if isinstance(resources, dict) else {}
        self._active = 0  # nested resolve() calls now running
        self._steps = 0  # steps taken by the current top-level resolve()
        self._params_active: set[str] = set()  # parameters being resolved (cycles)

    # -- locations -------------------------------------------------------------------
    def loc(self, container: Any, key: Any) -> Loc:
        if type(container) is MDict:  # the common case, read once per property
            mark = container.marks.get(key)
            if mark is not None:
                return _new_loc(Loc, (self.file, mark[0], mark[1]))
        line, column = position(container, key)
        notes = getattr(container, "notes", None)
        if notes and key in notes:  # merged in from SAM Globals
            return NotedLoc(self.file, line, column, notes[key])
        return _new_loc(Loc, (self.file, line, column))

    def node_loc(self, node: Any) -> Loc:
        if isinstance(node, (MDict, MList)):
            return Loc(self.file, node.line, node.column)
        return Loc(self.file, 0, 0)

    # -- reading properties ----------------------------------------------------------
    def get(self, container: Any, key: Any, loc: Loc | None = None) -> Val:
        """``container[key]`` resolved, located at its key; unknown "not set" if absent."""
        if type(container) is MDict:  # the common case first: one lookup, no isinstance
            node = container.get(key, _ABSENT)
            if node is not _ABSENT:
                if node.__class__ in _LITERALS:  # nothing to evaluate, nothing to bound
                    return Val(KNOWN, node, self.loc(container, key))
                return self.resolve(node, self.loc(container, key))
        if isinstance(container, dict) and key in container:
            return self.resolve(container[key], self.loc(container, key))
        if isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
            return self.resolve(container[key], self.loc(container, key))
        if isinstance(container, dict) and is_intrinsic(container):
            resolved = self.resolve(container, loc or self.node_loc(container))
            if resolved.known and isinstance(resolved.value, (dict, list)):
                return self.get(resolved.value, key, resolved.loc)
            if not resolved.known:
                return unknown(resolved.reason, resolved.loc)
        return unknown("not set", loc)

    def path(self, container: Any, dotted: str, loc: Loc | None = None) -> Val:
        """A nested property such as ``DestinationConfig.OnFailure.Destination``."""
        current = known(container, loc)
        for part in dotted.split("."):
            if not current.known:
                return current
            current = self.get(current.value, part, current.loc)
        return current

    def has(self, container: Any, key: str) -> bool:
        return isinstance(container, dict) and key in container and not _is_no_value(
            container[key]
        )

    # -- resolution ------------------------------------------------------------------
    def resolve(self, node: Any, loc: Loc | None = None, depth: int = 0) -> Val:
        """The value of ``node``: literal, Sym with tokens, container, or Unknown.

        Bounded whatever the template: nesting (``depth`` and the real call depth) by
        :data:`_MAX_DEPTH`, work per top-level call by :data:`_MAX_STEPS`; beyond either
        the value is Unknown, so circular or alias-bombed intrinsics end quickly.
        """
        if self._active == 0:
            self._steps = 0
        self._steps += 1
        if depth > _MAX_DEPTH or self._active > 2 * _MAX_DEPTH:
            return unknown("intrinsic functions nested too deeply", loc)
        if self._steps > _MAX_STEPS:
            return unknown("intrinsic functions too complex to evaluate", loc)
        if not isinstance(node, dict):  # a literal or a list: nothing to evaluate
            return Val(KNOWN, node, loc) if node is not None else unknown("null", loc)
        self._active += 1
        try:
            return self._resolve(node, loc, depth)
        finally:
            self._active -= 1

    def _resolve(self, node: Any, loc: Loc | None, depth: int) -> Val:
        if node is None:
            return unknown("null", loc)
        if isinstance(node, dict) and len(node) == 1:
            (name, arg), = node.items()
            if name == "Ref":
                return self._ref(arg, loc, depth)
            if isinstance(name, str) and name.startswith("Fn::"):
                handler = _HANDLERS.get(name)
                if handler is None:
                    return unknown(f"{name} is not evaluated", loc)
                try:
                    return handler(self, arg, loc, depth + 1)
                except (TypeError, ValueError, IndexError, KeyError, AttributeError):
                    return unknown(f"{name} has an unexpected shape", loc)
        return known(node, loc)

    def text(self, node: Any, loc: Loc | None = None, depth: int = 0) -> Val:
        """Like :meth:`resolve` but anything that is not a string/Sym is unknown."""
        value = self.resolve(node, loc, depth)
        if value.known and isinstance(value.value, (str, Sym)):
            return value
        if value.known and isinstance(value.value, (int, float)) and not isinstance(
            value.value, bool
        ):
            return known(str(value.value), value.loc)
        if value.known:
            return unknown("not a string", value.loc)
        return value

    def _ref(self, name: Any, loc: Loc | None, depth: int) -> Val:
        if not isinstance(name, str):
            return unknown("Ref of something that is not a name", loc)
        if name in PSEUDO:
            return known(Sym.of(Token("pseudo", name)), loc)
        if name == NO_VALUE:
            return unknown("AWS::NoValue", loc)
        if name in self.parameters:
            if name in self._params_active:
                return unknown(f"parameter {name} refers to itself", loc)
            self._params_active.add(name)
            try:
                return self.parameter(name, loc, depth)
            finally:
                self._params_active.discard(name)
        if name in self.resources:
            return known(Sym.of(Token("attr", name, "Ref")), loc)
        return unknown(f"Ref to {name}, which is not in the template", loc)

    def parameter(self, name: str, loc: Loc | None, depth: int = 0) -> Val:
        param = self.parameters.get(name)
        if isinstance(param, dict) and "Default" in param:
            value = self.resolve(param["Default"], loc, depth + 1)
            ptype = param.get("Type")
            if (
                value.known
                and isinstance(value.value, str)
                and isinstance(ptype, str)
                and (ptype.startswith("List<") or ptype == "CommaDelimitedList")
            ):
                return known([item.strip() for item in value.value.split(",")], loc)
            if value.known and isinstance(ptype, str) and ptype == "Number":
                value = known(_number(value.value), loc)
            if value.known and loc is not None:  # say where the value was written
                line = param.mark("Default")[0] if isinstance(param, MDict) else 0
                via = f"the default of parameter {name}" + (f", line {line}" if line else "")
                prior = getattr(loc, "via", "")
                value = Val(value.state, value.value,
                            NotedLoc(*loc[:3], via=f"{via}, through {prior}" if prior else via),
                            value.reason, value.condition, value.extra)
            return value
        return unknown(f"parameter {name} has no default", loc)

    def sym(self, node: Any, loc: Loc | None = None) -> Sym | None:
        """A string value as a Sym (literal or with tokens), or None if unknown."""
        value = self.text(node, loc)
        if not value.known:
            return None
        return value.value if isinstance(value.value, Sym) else Sym.of(value.value)


def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


def is_intrinsic(node: Any) -> bool:
    if isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))
    return False


def _is_no_value(node: Any) -> bool:
    return isinstance(node, dict) and node.get("Ref") == NO_VALUE and len(node) == 1


def _getatt(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    if isinstance(arg, str):
        resource, _, attr = arg.partition(".")
    elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
        resource, attr = arg[0], arg[1]
        if not isinstance(attr, str):
            attr_val = r.resolve(attr, loc, depth)
            if not (attr_val.known and isinstance(attr_val.value, str)):
                return unknown("GetAtt of a computed attribute", loc)
            attr = attr_val.value
    else:
        return unknown("Fn::GetAtt has an unexpected shape", loc)
    if resource not in r.resources:
        return unknown(f"GetAtt of {resource}, which is not in the template", loc)
    return known(Sym.of(Token("attr", resource, attr)), loc)


def _sub(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    variables: dict = {}
    if isinstance(arg, list):
        if len(arg) != 2 or not isinstance(arg[1], dict):
            return unknown("Fn::Sub has an unexpected shape", loc)
        template, variables = arg[0], arg[1]
    else:
        template = arg
    if not isinstance(template, str):
        return unknown("Fn::Sub of something that is not a string", loc)
    parts: list[str | Token | Sym] = []
    last = 0
    for match in _SUB_VAR.finditer(template):
        parts.append(template[last:match.start()])
        last = match.end()
        name = match.group(1).strip()
        if name.startswith("!"):
            parts.append("${" + name[1:] + "}")
            continue
        if name in variables:
            value = r.text(variables[name], loc, depth)
        elif "." in name and name.split(".", 1)[0] in r.resources:
            resource, attr = name.split(".", 1)
            value = known(Sym.of(Token("attr", resource, attr)), loc)
        else:
            value = r._ref(name, loc, depth)
            if value.known and isinstance(value.value, list):
                value = unknown("a list inside Fn::Sub", loc)
        if value.known and isinstance(value.value, (str, Sym)):
            parts.append(value.value)
        elif value.known and isinstance(value.value, (int, float)) and not isinstance(
            value.value, bool
        ):
            parts.append(str(value.value))
        else:
            parts.append(Token("opaque", name))
    parts.append(template[last:])
    return _as_value(Sym.of(*parts), loc)


def _as_value(sym: Sym, loc: Loc | None) -> Val:
    literal = sym.literal()
    return known(literal if literal is not None else sym, loc)


def _join(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    if not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[0], str):
        return unknown("Fn::Join has an unexpected shape", loc)
    delimiter, items = arg
    items_val = r.resolve(items, loc, depth)
    if not items_val.known or not isinstance(items_val.value, list):
        return unknown("Fn::Join of a computed list", loc)
    parts: list[str | Token | Sym] = []
    for index, item in enumerate(items_val.value):
        if index:
            parts.append(delimiter)
        value = r.text(item, loc, depth)
        if value.known:
            parts.append(value.value)
        else:
            parts.append(Token("opaque", f"Join[{index}]"))
    return _as_value(Sym.of(*parts), loc)


def _select(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    if not isinstance(arg, list) or len(arg) != 2:
        return unknown("Fn::Select has an unexpected shape", loc)
    index_val = r.resolve(arg[0], loc, depth)
    items_val = r.resolve(arg[1], loc, depth)
    if not index_val.known or not items_val.known or not isinstance(items_val.value, list):
        return unknown("Fn::Select of a computed list", loc)
    index = index_val.value
    if isinstance(index, str) and index.isdigit():
        index = int(index)
    if not isinstance(index, int) or isinstance(index, bool) or not (
        0 <= index < len(items_val.value)
    ):
        return unknown("Fn::Select index out of range", loc)
    return r.resolve(items_val.value[index], loc, depth)


def _split(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    if not isinstance(arg, list) or len(arg) != 2 or not isinstance(arg[0], str):
        return unknown("Fn::Split has an unexpected shape", loc)
    value = r.text(arg[1], loc, depth)
    if value.known and isinstance(value.value, str) and arg[0]:
        return known(value.value.split(arg[0]), loc)
    return unknown("Fn::Split of a computed string", loc)


def _if(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
        return unknown("Fn::If has an unexpected shape", loc)
    condition = arg[0]
    when_true = r.resolve(arg[1], loc, depth)
    when_false = r.resolve(arg[2], loc, depth)
    if (
        when_true.state == KNOWN
        and when_false.state == KNOWN
        and _plain(when_true.value)
        and when_true.value == when_false.value
    ):
        return when_true
    branches = ((condition, True, when_true), (condition, False, when_false))
    return Val("unknown", None, loc, reason=f"chosen by condition {condition}", extra=branches)


def _plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, Sym))


def _find_in_map(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    if not isinstance(arg, list) or len(arg) != 3:
        return unknown("Fn::FindInMap has an unexpected shape", loc)
    keys = []
    for item in arg:
        value = r.text(item, loc, depth)
        if not (value.known and isinstance(value.value, str)):
            return unknown("Fn::FindInMap with a computed key", loc)
        keys.append(value.value)
    current: Any = r.mappings
    for key in keys:
        if not isinstance(current, dict) or key not in current:
            return unknown("Fn::FindInMap key not in the mapping", loc)
        current = current[key]
    return r.resolve(current, loc, depth)


def _import(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    return unknown("imported from another stack (Fn::ImportValue)", loc)


def _base64(r: Resolver, arg: Any, loc: Loc | None, depth: int) -> Val:
    return r.resolve(arg, loc, depth)


_HANDLERS = {
    "Fn::GetAtt": _getatt,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::FindInMap": _find_in_map,
    "Fn::ImportValue": _import,
    "Fn::Base64": _base64,
}
