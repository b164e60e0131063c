"""Bodies over plain values: the resources a module read from its inputs creates.

:class:`~esmlint.loaders.terraform.configuration.LambdaModule` and the registry modules
(:mod:`.registry_modules`) describe what a module call would create as plain values;
:class:`DictBody` answers the builder's questions about them like a configuration block.
"""

from __future__ import annotations

from typing import Any

from ...values import Loc, Sym, Token, Val, known, unknown
from .builder import NOT_SET
from .expressions import JsonDoc, Unknown


class DictBody:
    """A body over plain values (built by :class:`LambdaModule` from module inputs)."""

    def __init__(self, values: dict, loc: Loc, texts: dict[str, str] | None = None) -> None:
        self.values = values
        self.loc = loc
        #: Argument -> the module input it came from, as written (for messages).
        self.texts = texts or {}

    def written(self, name: str) -> str | None:
        return self.texts.get(name)

    def get(self, name: str) -> Val:
        if name not in self.values:
            return unknown(NOT_SET, self.loc)
        value = self.values[name]
        if isinstance(value, Val):
            return value
        if isinstance(value, Unknown):
            return unknown(value.reason, self.loc)
        if value is None:
            return unknown(NOT_SET, self.loc)
        return known(value, self.loc)

    def blocks(self, name: str) -> list | Val:
        value = self.values.get(name)
        if value is None:
            return []
        if isinstance(value, Unknown):
            return unknown(value.reason, self.loc)
        if isinstance(value, Val):
            return value if not value.known else self._blocks(value.value)
        return self._blocks(value)

    def _blocks(self, value: Any) -> list | Val:
        items = value if isinstance(value, list) else [value]
        result: list = []
        for item in items:
            if isinstance(item, dict):
                result.append(DictBody(item, self.loc))
            elif isinstance(item, Unknown):
                return unknown(item.reason, self.loc)
        return result


def _dict_refs(body: Any) -> list[tuple[str, str]]:
    values = getattr(body, "values", {})
    return [(token.ref, name) for name, value in values.items() for token in _tokens(value)]


def _tokens(value: Any, depth: int = 0) -> list[Token]:
    if depth > 20:
        return []
    if isinstance(value, Sym):
        return [t for t in value.tokens if t.kind == "attr"]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tokens(v, depth + 1)]
    if isinstance(value, list):
        return [t for v in value for t in _tokens(v, depth + 1)]
    if isinstance(value, JsonDoc):
        return _tokens(value.value, depth + 1)
    return []
