"""Terraform HCL (``.tf``) files: blocks and attributes with their lines, via python-hcl2.

python-hcl2 is imported here only, lazily: it (and lark) cost start-up time that users
linting only CloudFormation must not pay. It finds the structure (blocks, labels,
attributes) and where each piece is; the text of every attribute's expression is kept and
read by :mod:`esmlint.loaders.terraform.expressions`, the same reader ``.tf.json`` strings go
through. Everything else, evaluating a module and mapping it onto the model, is shared with
the other Terraform front ends (:mod:`esmlint.loaders.terraform.configuration`,
:mod:`esmlint.loaders.terraform.builder`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...values import Loc
from .expressions import Node, parse_expression


class TfSyntaxError(Exception):
    """A file that is not valid HCL (or JSON configuration syntax)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class HclAttr:
    """One attribute: its expression text, parsed on first use."""

    text: str
    loc: Loc
    offset: int = 0
    _node: Node | None = None

    def node(self) -> Node:
        if self._node is None:
            self._node = parse_expression(self.text, self.offset)
        return self._node


@dataclass
class HclBlock:
    """A block (``resource "aws_sqs_queue" "q" { ... }``) or a nested block."""

    type: str
    labels: tuple[str, ...]
    loc: Loc
    attrs: dict[str, HclAttr] = field(default_factory=dict)
    blocks: list[HclBlock] = field(default_factory=list)

    def attr(self, name: str) -> HclAttr | None:
        return self.attrs.get(name)

    def attr_names(self) -> list[str]:
        return list(self.attrs)

    def children(self, btype: str) -> list[HclBlock]:
        return [b for b in self.blocks if b.type == btype]

    def dynamic(self, btype: str) -> list[HclBlock]:
        return [b for b in self.blocks if b.type == "dynamic" and b.labels[:1] == (btype,)]

    def all_children(self) -> list[HclBlock]:
        return list(self.blocks)


_ERROR_POS = re.compile(r"line (\d+),? col(?:umn)? (\d+)", re.IGNORECASE)


def parse_hcl(path: str, text: str) -> list[HclBlock]:
    """The top-level blocks of one ``.tf`` file. Raises :class:`TfSyntaxError`."""
    import hcl2  # noqa: PLC0415 - lazy on purpose: only .tf files need it
    from hcl2.rules.base import AttributeRule, BlockRule

    try:
        tree = hcl2.parses(text, discard_comments=True)
    except Exception as exc:  # noqa: BLE001 - lark raises many types; all mean "not HCL"
        if isinstance(exc, RecursionError) or isinstance(
                getattr(exc, "orig_exc", None), RecursionError):
            line, column = _deepest(text)
            raise TfSyntaxError("invalid HCL: nested too deeply to read", line, column) from None
        line = getattr(exc, "line", 0) or 0
        column = getattr(exc, "column", 0) or 0
        message = _describe(exc)
        if not line and hasattr(exc, "orig_exc"):
            # lark's VisitError: python-hcl2 rejected a node it had parsed (a template
            # directive left open, say); the node knows where it is, the cause says why.
            meta = getattr(getattr(exc, "obj", None), "meta", None)
            line = getattr(meta, "line", 0) or 0
            column = getattr(meta, "column", 0) or 0
            cause = str(exc.orig_exc).strip().splitlines()
            message = cause[0][:200] if cause else message
        if not line:
            match = _ERROR_POS.search(str(exc))
            if match:
                line, column = int(match.group(1)), int(match.group(2))
        raise TfSyntaxError(f"invalid HCL: {message}", int(line), int(column)) from None

    def label(rule) -> str:
        value = rule.serialize()
        if isinstance(value, str) and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            return value[1:-1]
        return str(value)

    def convert(rule, depth: int = 0) -> HclBlock:
        meta = getattr(rule, "_meta", None)
        line = getattr(meta, "line", 0) or 0
        column = getattr(meta, "column", 0) or 0
        labels = [label(item) for item in rule.labels]
        block = HclBlock(labels[0], tuple(labels[1:]), Loc(path, line, column))
        fill(block, rule.body, depth + 1)
        return block

    def fill(block: HclBlock, body, depth: int) -> None:
        if depth > 60:
            raise TfSyntaxError("blocks nested too deeply")
        for child in body.children:
            if isinstance(child, BlockRule):
                block.blocks.append(convert(child, depth))
            elif isinstance(child, AttributeRule):
                meta = getattr(child, "_meta", None)
                expr_meta = getattr(child.expression, "_meta", None)
                start = getattr(expr_meta, "start_pos", None)
                end = getattr(expr_meta, "end_pos", None)
                if start is None or end is None:
                    raise TfSyntaxError("python-hcl2 gave no positions for an attribute")
                name = label(child.identifier)
                block.attrs[name] = HclAttr(
                    text[start:end],
                    Loc(path, getattr(meta, "line", 0) or 0, getattr(meta, "column", 0) or 0),
                    start,
                )

    root = HclBlock("", (), Loc(path, 0, 0))
    fill(root, tree.body, 0)
    return root.blocks


def _deepest(text: str) -> tuple[int, int]:
    """Line and column where brackets and braces nest deepest (strings not told apart:
    only used to point at a file python-hcl2 found too deep to read)."""
    depth = best = best_at = 0
    for match in re.finditer(r"[\[{(\])}]", text):
        depth += 1 if match.group() in "[{(" else -1
        if depth > best:
            best, best_at = depth, match.start()
    line = text.count("\n", 0, best_at) + 1
    return line, best_at - (text.rfind("\n", 0, best_at) + 1) + 1


def _describe(exc: Exception) -> str:
    """A short reason from lark's exceptions (their text lists every expected token)."""
    token = getattr(exc, "token", None)
    if token is not None:
        if getattr(token, "type", "") == "$END":
            return "unexpected end of file"
        text = str(token).strip().splitlines()[0] if str(token).strip() else str(token)
        return f"unexpected {text[:40]!r}" if text else "unexpected line break"
    char = getattr(exc, "char", None)
    if char is not None:
        return f"unexpected character {char!r}"
    first = str(exc).strip().splitlines()
    return first[0][:200] if first else type(exc).__name__


def parse_tfvars(path: str, text: str) -> dict[str, HclAttr]:
    """The assignments of a ``.tfvars`` file."""
    import hcl2  # noqa: PLC0415
    from hcl2.rules.base import AttributeRule

    try:
        tree = hcl2.parses(text, discard_comments=True)
    except Exception as exc:  # noqa: BLE001
        raise TfSyntaxError(f"invalid tfvars: {exc}") from None
    result: dict[str, HclAttr] = {}
    for child in tree.body.children:
        if isinstance(child, AttributeRule):
            meta = getattr(child.expression, "_meta", None)
            start, end = getattr(meta, "start_pos", 0), getattr(meta, "end_pos", 0)
            name = str(child.identifier.serialize())
            line = getattr(getattr(child, "_meta", None), "line", 0) or 0
            result[name] = HclAttr(text[start:end], Loc(path, line, 1), start)
    return result
