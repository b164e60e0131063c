"""Terraform expressions: parse HCL expression text and evaluate it to esmlint values.

Both Terraform syntaxes meet here: an HCL attribute's expression text (``aws_sqs_queue.q.arn``,
``jsonencode({...})``, ``var.timeout * 6``) and a ``.tf.json`` string (a template such as
``"${aws_sqs_queue.q.arn}"``). tree-sitter (:mod:`.hcl`) finds blocks and attributes and
where they are; this module reads the expressions themselves, so both syntaxes share one
evaluator.

Evaluation gives plain Python values where Terraform would know them at plan time (numbers,
strings, bools, lists, maps), :class:`~esmlint.values.Sym` for strings holding deploy-time
parts (the ARN of a resource in the same configuration is ``Token("attr", address,
"arn")``), :class:`Unknown` for anything that cannot be known statically (an input
without default, a value of another ``count`` / ``for_each`` instance, a function esmlint
does not evaluate), and :class:`JsonDoc` for ``jsonencode`` of a value that holds such parts.
Unknown is contagious: an operation on it is unknown, so rules stay quiet.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...values import Sym

# --------------------------------------------------------------------------- values


class Unknown:
    """A value that cannot be known statically, with the reason users read."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class JsonDoc:
    """``jsonencode(value)`` of a value that holds deploy-time parts or unknowns.

    Kept as the structure, so that a policy or redrive policy built with ``jsonencode``
    can be read without a round trip through text.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"JsonDoc({self.value!r})"


class HclError(Exception):
    """An expression that cannot be parsed (the evaluator turns it into Unknown)."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def first_unknown(values: Any) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
    return None


def contains_unknown(value: Any, depth: int = 0) -> bool:
    if isinstance(value, Unknown):
        return True
    if depth > 30:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v, depth + 1) for v in value)
    if isinstance(value, JsonDoc):
        return contains_unknown(value.value, depth + 1)
    return False


def contains_sym(value: Any, depth: int = 0) -> bool:
    if isinstance(value, Sym):
        return True
    if depth > 30:
        return False
    if isinstance(value, dict):
        return any(contains_sym(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(contains_sym(v, depth + 1) for v in value)
    return False


# --------------------------------------------------------------------------- syntax tree


@dataclass
class Node:
    offset: int


@dataclass
class Lit(Node):
    value: Any


@dataclass
class Template(Node):
    """A string template: literal strings and interpolated expressions."""

    parts: list
    directive: bool = False


@dataclass
class Var(Node):
    name: str


@dataclass
class GetAttr(Node):
    target: Node
    name: str


@dataclass
class Index(Node):
    target: Node
    key: Node


@dataclass
class Splat(Node):
    target: Node
    rest: list


@dataclass
class Call(Node):
    name: str
    args: list
    expand: bool = False


@dataclass
class TupleCons(Node):
    items: list


@dataclass
class ObjectCons(Node):
    items: list  # (key node, value node)


@dataclass
class ForExpr(Node):
    key_var: str | None
    value_var: str
    collection: Node
    key: Node | None
    value: Node
    cond: Node | None
    group: bool
    is_object: bool


@dataclass
class Cond(Node):
    cond: Node
    then: Node
    other: Node


@dataclass
class BinOp(Node):
    op: str
    left: Node
    right: Node


@dataclass
class UnOp(Node):
    op: str
    operand: Node


# --------------------------------------------------------------------------- lexer

_PUNCT = ("==", "!=", "<=", ">=", "&&", "||", "=>", "...", "::")
_PUNCT_RE = re.compile("|".join(re.escape(punct) for punct in _PUNCT))
_SINGLE = "+-*/%<>!?:=.,[](){}"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_\-]*)[ \t]*\r?\n")


@dataclass
class Tok:
    kind: str  # ident, number, string, heredoc, punct, eof
    value: Any
    offset: int


class Lexer:
    """Turns expression text into tokens; string templates become token lists of parts."""

    def __init__(self, text: str, base: int = 0) -> None:
        self.text = text
        self.pos = 0
        self.base = base

    def error(self, message: str) -> HclError:
        return HclError(message, self.base + self.pos)

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n":
                self.pos += 1
            elif ch == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unclosed comment")
                self.pos = end + 2
            else:
                break

    def tokens(self) -> list[Tok]:
        result: list[Tok] = []
        while True:
            self.skip()
            if self.pos >= len(self.text):
                result.append(Tok("eof", None, self.base + self.pos))
                return result
            result.append(self.next())

    def next(self) -> Tok:
        text, start = self.text, self.pos
        ch = text[start]
        if ch == '"':
            parts = self.template_string()
            return Tok("string", parts, self.base + start)
        if text.startswith("<<", start):
            match = _HEREDOC.match(text, start)
            if match:
                return Tok("string", self.heredoc(match), self.base + start)
        match = _NUMBER.match(text, start)
        if match and ch.isdigit():
            self.pos = match.end()
            raw = match.group(0)
            try:
                number: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
            except ValueError:  # more digits than Python converts (4300)
                raise self.error(f"number {raw[:20]}... is too long") from None
            if isinstance(number, float) and number.is_integer() and "e" not in raw.lower():
                number = int(number) if "." not in raw else number
            return Tok("number", number, self.base + start)
        match = _IDENT.match(text, start)
        if match:
            self.pos = match.end()
            return Tok("ident", match.group(0), self.base + start)
        match = _PUNCT_RE.match(text, start)
        if match:
            punct = match.group(0)
            self.pos += len(punct)
            return Tok("punct", punct, self.base + start)
        if ch in _SINGLE:
            self.pos += 1
            return Tok("punct", ch, self.base + start)
        raise self.error(f"unexpected character {ch!r}")

    # -- templates -----------------------------------------------------------------
    def template_string(self) -> list:
        """A quoted template: list of str and (offset, text) interpolations/directives."""
        text = self.text
        plain = _PLAIN_STRING.match(text, self.pos)
        if plain is not None:  # no escape, interpolation or directive: most strings
            self.pos = plain.end()
            return [plain.group(1)] if plain.group(1) else []
        self.pos += 1
        parts: list = []
        buf: list[str] = []
        while True:
            if self.pos >= len(text):
                raise self.error("unclosed string")
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                break
            if ch == "\\":
                buf.append(self.escape())
                continue
            if ch == "\n":
                raise self.error("newline in string")
            if text.startswith("$${", self.pos) or text.startswith("%%{", self.pos):
                buf.append(text[self.pos + 1: self.pos + 3])
                self.pos += 3
                continue
            if text.startswith("${", self.pos) or text.startswith("%{", self.pos):
                if buf:
                    parts.append("".join(buf))
                    buf = []
                parts.append(self.interpolation())
                continue
            buf.append(ch)
            self.pos += 1
        if buf:
            parts.append("".join(buf))
        return parts

    def escape(self) -> str:
        text = self.text
        seq = text[self.pos + 1: self.pos + 2]
        simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
        if seq in simple:
            self.pos += 2
            return simple[seq]
        if seq in ("u", "U"):
            width = 4 if seq == "u" else 8
            digits = text[self.pos + 2: self.pos + 2 + width]
            try:
                value = chr(int(digits, 16))
            except ValueError:
                raise self.error("bad unicode escape") from None
            self.pos += 2 + width
            return value
        raise self.error(f"bad escape \\{seq}")

    def interpolation(self) -> tuple:
        """``${ expr }`` or ``%{ directive }``: (kind, offset, inner text)."""
        text = self.text
        kind = "interp" if text[self.pos] == "$" else "directive"
        start = self.pos + 2
        depth = 0
        i = start
        while i < len(text):
            ch = text[i]
            if ch == '"':
                sub = Lexer(text, self.base)
                sub.pos = i
                sub.template_string()
                i = sub.pos
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                if depth == 0:
                    inner = text[start:i]
                    self.pos = i + 1
                    return (kind, self.base + start, inner)
                depth -= 1
            i += 1
        raise self.error("unclosed interpolation")

    def heredoc(self, match: re.Match) -> list:
        strip, marker = match.group(1) == "-", match.group(2)
        body_start = match.end()
        lines: list[str] = []
        pos = body_start
        text = self.text
        while True:
            end = text.find("\n", pos)
            line = text[pos:] if end < 0 else text[pos:end]
            if line.strip() == marker:
                self.pos = len(text) if end < 0 else end
                break
            lines.append(line)
            if end < 0:
                raise self.error(f"heredoc {marker} is not closed")
            pos = end + 1
        if strip:
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
            cut = min(indents) if indents else 0
            lines = [ln[cut:] for ln in lines]
        body = "\n".join(lines) + ("\n" if lines else "")
        return _template_parts(body, self.base + body_start)


def _template_parts(body: str, base: int) -> list:
    """Parts of an unquoted template body (heredoc content, a .tf.json string)."""
    parts: list = []
    buf: list[str] = []
    pos = 0
    lexer = Lexer(body, base)
    while pos < len(body):
        special = _TEMPLATE_SPECIAL.search(body, pos)
        if special is None:
            buf.append(body[pos:])
            break
        if special.start() > pos:
            buf.append(body[pos:special.start()])
        pos = special.start()
        if special.group(0) in ("$${", "%%{"):
            buf.append(body[pos + 1: pos + 3])
            pos += 3
            continue
        if buf:
            parts.append("".join(buf))
            buf = []
        lexer.pos = pos
        parts.append(lexer.interpolation())
        pos = lexer.pos
    if buf:
        parts.append("".join(buf))
    return parts


#: What ends plain text in a template: an escaped or a real interpolation or directive.
_TEMPLATE_SPECIAL = re.compile(r"\$\$\{|%%\{|\$\{|%\{")


# --------------------------------------------------------------------------- parser

_BINARY = [
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
]


class Parser:
    def __init__(self, text: str, base: int = 0) -> None:
        self.toks = Lexer(text, base).tokens()
        self.i = 0

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def at(self, value: str) -> bool:
        tok = self.tok
        return tok.kind == "punct" and tok.value == value

    def eat(self, value: str) -> Tok:
        tok = self.tok
        if tok.kind != "punct" or tok.value != value:
            raise HclError(f"expected {value!r}", tok.offset)
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expression()
        if self.tok.kind != "eof":
            raise HclError("unexpected text after the expression", self.tok.offset)
        return node

    def expression(self) -> Node:
        cond = self.binary(0)
        if self.at("?"):
            self.i += 1
            then = self.expression()
            self.eat(":")
            other = self.expression()
            return Cond(cond.offset, cond, then, other)
        return cond

    def binary(self, level: int) -> Node:
        if level >= len(_BINARY):
            return self.unary()
        left = self.binary(level + 1)
        while self.tok.kind == "punct" and self.tok.value in _BINARY[level]:
            op = self.tok.value
            self.i += 1
            right = self.binary(level + 1)
            left = BinOp(left.offset, op, left, right)
        return left

    def unary(self) -> Node:
        if self.at("!") or self.at("-"):
            tok = self.tok
            self.i += 1
            return UnOp(tok.offset, tok.value, self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("."):
                self.i += 1
                tok = self.tok
                if tok.kind == "ident":
                    self.i += 1
                    node = GetAttr(node.offset, node, tok.value)
                elif tok.kind == "number":
                    self.i += 1
                    node = Index(node.offset, node, Lit(tok.offset, tok.value))
                elif self.at("*"):
                    self.i += 1
                    node = Splat(node.offset, node, self.splat_rest())
                else:
                    raise HclError("expected an attribute name", tok.offset)
            elif self.at("["):
                self.i += 1
                if self.at("*"):
                    self.i += 1
                    self.eat("]")
                    node = Splat(node.offset, node, self.splat_rest())
                else:
                    key = self.expression()
                    self.eat("]")
                    node = Index(node.offset, node, key)
            else:
                return node

    def splat_rest(self) -> list:
        rest: list = []
        while self.at(".") or self.at("["):
            if self.at("."):
                after = self.toks[self.i + 1]
                if after.kind == "punct" and after.value == "*":
                    break  # another splat: postfix reads it
                self.i += 1
                tok = self.tok
                if tok.kind == "number" and isinstance(tok.value, int):
                    self.i += 1  # a legacy index: .0
                    rest.append(("index", Lit(tok.offset, tok.value)))
                    continue
                if tok.kind != "ident":
                    raise HclError("expected an attribute name", tok.offset)
                self.i += 1
                rest.append(("attr", tok.value))
            else:
                self.i += 1
                key = self.expression()
                self.eat("]")
                rest.append(("index", key))
        return rest

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self.i += 1
            return Lit(tok.offset, tok.value)
        if tok.kind == "string":
            self.i += 1
            return template_node(tok.value, tok.offset)
        if tok.kind == "ident":
            self.i += 1
            name = tok.value
            if name == "true":
                return Lit(tok.offset, True)
            if name == "false":
                return Lit(tok.offset, False)
            if name == "null":
                return Lit(tok.offset, None)
            if self.at("::"):
                # provider::aws::arn_parse(...) style provider functions
                while self.at("::"):
                    self.i += 1
                    name += "::" + self.tok.value
                    self.i += 1
            if self.at("("):
                return self.call(name, tok.offset)
            return Var(tok.offset, name)
        if self.at("("):
            self.i += 1
            node = self.expression()
            self.eat(")")
            return node
        if self.at("["):
            return self.tuple_or_for()
        if self.at("{"):
            return self.object_or_for()
        raise HclError("expected an expression", tok.offset)

    def call(self, name: str, offset: int) -> Node:
        self.eat("(")
        args: list = []
        expand = False
        while not self.at(")"):
            args.append(self.expression())
            if self.at("..."):
                self.i += 1
                expand = True
            if self.at(","):
                self.i += 1
            elif not self.at(")"):
                raise HclError("expected ',' or ')'", self.tok.offset)
        self.eat(")")
        return Call(offset, name, args, expand)

    def tuple_or_for(self) -> Node:
        start = self.eat("[")
        if self.tok.kind == "ident" and self.tok.value == "for":
            return self.for_expr(start.offset, False)
        items: list = []
        while not self.at("]"):
            items.append(self.expression())
            if self.at(","):
                self.i += 1
            elif not self.at("]"):
                raise HclError("expected ',' or ']'", self.tok.offset)
        self.eat("]")
        return TupleCons(start.offset, items)

    def object_or_for(self) -> Node:
        start = self.eat("{")
        if self.tok.kind == "ident" and self.tok.value == "for" and not (
            self.toks[self.i + 1].kind == "punct" and self.toks[self.i + 1].value in ("=", ":")
        ):
            return self.for_expr(start.offset, True)
        items: list = []
        while not self.at("}"):
            key_tok = self.tok
            if key_tok.kind == "ident" and self.toks[self.i + 1].kind == "punct" and \
                    self.toks[self.i + 1].value in ("=", ":"):
                self.i += 1
                key: Node = Lit(key_tok.offset, key_tok.value)
            else:
                key = self.expression()
            if self.at("=") or self.at(":"):
                self.i += 1
            else:
                raise HclError("expected '=' in object", self.tok.offset)
            value = self.expression()
            items.append((key, value))
            if self.at(","):
                self.i += 1
        self.eat("}")
        return ObjectCons(start.offset, items)

    def for_expr(self, offset: int, is_object: bool) -> Node:
        self.i += 1  # 'for'
        first = self.tok
        if first.kind != "ident":
            raise HclError("expected a variable name", first.offset)
        self.i += 1
        key_var: str | None = None
        value_var = first.value
        if self.at(","):
            self.i += 1
            key_var, value_var = value_var, self.tok.value
            self.i += 1
        if not (self.tok.kind == "ident" and self.tok.value == "in"):
            raise HclError("expected 'in'", self.tok.offset)
        self.i += 1
        collection = self.expression()
        self.eat(":")
        key = None
        if is_object:
            key = self.expression()
            self.eat("=>")
        value = self.expression()
        group = False
        if self.at("..."):
            self.i += 1
            group = True
        cond = None
        if self.tok.kind == "ident" and self.tok.value == "if":
            self.i += 1
            cond = self.expression()
        self.eat("}" if is_object else "]")
        return ForExpr(offset, key_var, value_var, collection, key, value, cond, group,
                       is_object)


def template_node(parts: list, offset: int) -> Node:
    """The node of a template from lexer parts; a lone ``${x}`` keeps x's type."""
    nodes: list = []
    directive = False
    for part in parts:
        if isinstance(part, str):
            nodes.append(part)
            continue
        kind, start, inner = part
        if kind == "directive":
            directive = True
            continue
        text = inner.strip("~")  # strip markers ${~ x ~}
        nodes.append(Parser(text, start).parse())
    if directive:
        return Template(offset, nodes, directive=True)
    if len(nodes) == 1 and isinstance(nodes[0], Node):
        return nodes[0]
    return Template(offset, nodes)


def parse_expression(text: str, base: int = 0) -> Node:
    """Parse HCL expression text (an attribute's right-hand side). Raises HclError."""
    simple = _simple(text, base)
    if simple is not None:
        return simple
    return Parser(text, base).parse()


#: A quoted string with nothing to decode in it.
_PLAIN_STRING = re.compile(r'"([^"\\$%\n]*)"')
_PLAIN_EXPRESSION = re.compile(
    r'(?:"(?P<string>[^"\\$%\n]*)"|(?P<number>[0-9]+)|'
    r"(?P<path>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*))\Z")


def _simple(text: str, base: int) -> Node | None:
    """The node of the commonest expressions without the parser (the same node it gives):
    a plain string, a whole number, a name or a chain of attributes (``aws_sqs_queue.q.arn``).
    None for anything else."""
    match = _PLAIN_EXPRESSION.match(text)
    if match is None:
        return None
    string = match.group("string")
    if string is not None:
        return Template(base, [string] if string else [])
    number = match.group("number")
    if number is not None:
        if len(number) > 4000:
            return None  # the parser says why
        return Lit(base, int(number))
    names = match.group("path").split(".")
    first = names[0]
    if first in ("true", "false", "null"):
        if len(names) > 1:
            return None
        return Lit(base, {"true": True, "false": False, "null": None}[first])
    node: Node = Var(base, first)
    for name in names[1:]:
        node = GetAttr(base, node, name)
    return node


def parse_template(text: str, base: int = 0) -> Node:
    """Parse a .tf.json string: a template whose interpolations are expressions."""
    if "${" not in text and "%{" not in text:
        return Lit(base, text.replace("$${", "${").replace("%%{", "%{"))
    return template_node(_template_parts(text, base), base)


# --------------------------------------------------------------------------- evaluation

#: Resolves a root variable traversal: (name, [steps]) -> value. Steps are ("attr", name)
#: or ("index", value). The resolver returns (value, steps consumed).
Resolve = Callable[[str, list], tuple[Any, int]]

#: Bounds on what one attribute's evaluation may do, so that a configuration cannot make
#: esmlint build a gigabyte string by joining joins, walk lists of lists shared a million
#: times, or loop for hours: beyond them the value is Unknown (README "Bounds on input").
MAX_STEPS = 100_000  # evaluation steps for one attribute
MAX_TEXT = 1_000_000  # characters in one string
MAX_ITEMS = 100_000  # elements of one value, nested collections counted unfolded
MAX_INT_BITS = 10_000  # about 3,000 decimal digits


class Evaluator:
    """Evaluates nodes against a resolver for root names (var, local, resources...)."""

    def __init__(self, resolve: Resolve) -> None:
        self.resolve = resolve
        self.bindings: list[dict[str, Any]] = []
        #: The functions evaluated; a caller may add some (``file()`` for documents).
        self.functions: dict[str, Callable[..., Any]] = FUNCTIONS
        self.steps = 0
        self._sizes: dict[int, tuple[Any, int]] = {}

    def eval(self, node: Node, depth: int = 0) -> Any:
        if depth > 60:
            return Unknown("expression nested too deeply")
        self.steps += 1
        if self.steps > MAX_STEPS:
            return Unknown("expression too complex to evaluate")
        method = getattr(self, "_" + type(node).__name__)
        value = method(node, depth + 1)
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                return Unknown(f"a string longer than {MAX_TEXT:,} characters")
        elif isinstance(value, (list, dict, JsonDoc)):
            if self.size(value) > MAX_ITEMS:
                return Unknown(f"a value of more than {MAX_ITEMS:,} elements")
        elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            return Unknown("a number too large to evaluate")
        return value

    def size(self, value: Any, depth: int = 0) -> int:
        """Elements in ``value`` with shared collections counted each time they appear;
        each collection is measured once (memoised), and counting stops past the bound."""
        hit = self._sizes.get(id(value))
        if hit is not None:
            return hit[1]
        if depth > 100:
            return MAX_ITEMS + 1
        if isinstance(value, JsonDoc):
            items: Any = [value.value]
        elif isinstance(value, dict):
            items = value.values()
        else:
            items = value
        total = 1
        for item in items:
            total += self.size(item, depth + 1) if isinstance(item, (list, dict, JsonDoc)) \
                else 1
            if total > MAX_ITEMS:
                break
        self._sizes[id(value)] = (value, total)  # the value is kept: its id stays its own
        return total

    # -- leaves ----------------------------------------------------------------------
    def _Lit(self, node: Lit, depth: int) -> Any:
        return node.value

    def _Template(self, node: Template, depth: int) -> Any:
        if node.directive:
            return Unknown("template directives (%{...}) are not evaluated")
        pieces: list = []
        for part in node.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = self.eval(part, depth)
            if isinstance(value, Unknown):
                return value
            text = to_text(value)
            if isinstance(text, Unknown):
                return text
            pieces.append(text)
        _check_length(pieces)
        if any(isinstance(p, Sym) for p in pieces):
            return Sym.of(*pieces)
        return "".join(pieces)

    def _Var(self, node: Var, depth: int) -> Any:
        return self.traverse(node, [], depth)

    def _GetAttr(self, node: GetAttr, depth: int) -> Any:
        return self.traversal(node, depth)

    def _Index(self, node: Index, depth: int) -> Any:
        return self.traversal(node, depth)

    def traversal(self, node: Node, depth: int) -> Any:
        steps: list = []
        current = node
        while isinstance(current, (GetAttr, Index)):
            if isinstance(current, GetAttr):
                steps.append(("attr", current.name))
            else:
                steps.append(("index", self.eval(current.key, depth)))
            current = current.target
        steps.reverse()
        if isinstance(current, Var):
            return self.traverse(current, steps, depth)
        return self.apply(self.eval(current, depth), steps)

    def traverse(self, var: Var, steps: list, depth: int) -> Any:
        for scope in reversed(self.bindings):
            if var.name in scope:
                return self.apply(scope[var.name], steps)
        value, used = self.resolve(var.name, steps)
        return self.apply(value, steps[used:])

    @staticmethod
    def apply(value: Any, steps: list) -> Any:
        for _kind, key in steps:
            if isinstance(value, Unknown):
                return value
            if isinstance(key, Unknown):
                return key
            if isinstance(value, dict):
                if isinstance(key, (str, int, float)) and str(key) in value:
                    value = value[str(key)] if str(key) in value else value[key]
                elif isinstance(key, (str, int, float, bool)) and key in value:
                    value = value[key]
                else:  # a list or map as a key (unhashable) names nothing either
                    return Unknown(f"no attribute {key!r}")
            elif isinstance(value, list):
                index = key if isinstance(key, int) else _int(key)
                if index is None or not 0 <= index < len(value):
                    return Unknown(f"index {key!r} out of range")
                value = value[index]
            elif value is None:
                return Unknown(f"attribute {key!r} of null")
            else:
                return Unknown(f"cannot read {key!r} of a {type(value).__name__}")
        return value

    def _Splat(self, node: Splat, depth: int) -> Any:
        target = self.eval(node.target, depth)
        if isinstance(target, Unknown):
            return target
        if target is None:
            return []
        items = target if isinstance(target, list) else [target]
        result = []
        for item in items:
            steps = []
            for kind, key in node.rest:
                steps.append((kind, key if kind == "attr" else self.eval(key, depth)))
            result.append(self.apply(item, steps))
        return result

    # -- constructors ------------------------------------------------------------------
    def _TupleCons(self, node: TupleCons, depth: int) -> Any:
        return [self.eval(item, depth) for item in node.items]

    def _ObjectCons(self, node: ObjectCons, depth: int) -> Any:
        result: dict = {}
        for key_node, value_node in node.items:
            key = self.eval(key_node, depth)
            if isinstance(key, Unknown):
                return Unknown("an object key cannot be known")
            if isinstance(key, Sym):
                return Unknown("an object key is only known at apply time")
            result[str(key) if not isinstance(key, bool) else str(key).lower()] = self.eval(
                value_node, depth)
        return result

    def _ForExpr(self, node: ForExpr, depth: int) -> Any:
        collection = self.eval(node.collection, depth)
        if isinstance(collection, Unknown):
            return collection
        if isinstance(collection, dict):
            pairs = list(collection.items())
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        elif collection is None:
            return Unknown("for expression over null")
        else:
            return Unknown("for expression over a value that is not a collection")
        if len(pairs) > 1000:
            return Unknown("for expression over a large collection")
        out_list: list = []
        out_map: dict = {}
        for key, value in pairs:
            scope = {node.value_var: value}
            if node.key_var:
                scope[node.key_var] = key
            self.bindings.append(scope)
            try:
                if node.cond is not None:
                    keep = self.eval(node.cond, depth)
                    if isinstance(keep, Unknown):
                        return keep
                    if keep is not True:
                        continue
                item = self.eval(node.value, depth)
                if node.is_object:
                    out_key = self.eval(node.key, depth) if node.key else key
                    if isinstance(out_key, (Unknown, Sym)) or isinstance(out_key, (dict, list)):
                        return Unknown("a for expression key cannot be known")
                    out_key = str(out_key)
                    if node.group:
                        out_map.setdefault(out_key, []).append(item)
                    else:
                        out_map[out_key] = item
                else:
                    out_list.append(item)
            finally:
                self.bindings.pop()
        return out_map if node.is_object else out_list

    # -- operators -----------------------------------------------------------------------
    def _Cond(self, node: Cond, depth: int) -> Any:
        cond = self.eval(node.cond, depth)
        if cond is True:
            return self.eval(node.then, depth)
        if cond is False:
            return self.eval(node.other, depth)
        then = self.eval(node.then, depth)
        other = self.eval(node.other, depth)
        if not isinstance(then, Unknown) and then == other and not contains_unknown(then):
            return then
        reason = cond.reason if isinstance(cond, Unknown) else "condition is not a bool"
        return Unknown(f"conditional expression: {reason}")

    def _UnOp(self, node: UnOp, depth: int) -> Any:
        value = self.eval(node.operand, depth)
        if isinstance(value, Unknown):
            return value
        if node.op == "!":
            return (not value) if isinstance(value, bool) else Unknown("! of a non-bool")
        number = _number(value)
        if number is None:
            return Unknown("- of a non-number")
        return -number

    def _BinOp(self, node: BinOp, depth: int) -> Any:
        op = node.op
        left = self.eval(node.left, depth)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.eval(node.right, depth)
        if op == "&&":
            if right is False:
                return False
            if left is True and right is True:
                return True
            return _unknown_of(left, right, "&& of unknown values")
        if op == "||":
            if right is True:
                return True
            if left is False and right is False:
                return False
            return _unknown_of(left, right, "|| of unknown values")
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return _unknown_of(left, right, "")
        if op in ("==", "!="):
            if isinstance(left, Sym) or isinstance(right, Sym) or contains_sym(left) or \
                    contains_sym(right):
                return Unknown("comparison of values known only at apply time")
            if contains_unknown(left) or contains_unknown(right):
                return Unknown("comparison of unknown values")
            a, b = _number(left), _number(right)
            equal = (a == b) if (a is not None and b is not None and
                                 not isinstance(left, str) and not isinstance(right, str)) \
                else left == right
            return equal if op == "==" else not equal
        a, b = _number(left), _number(right)
        if a is None or b is None:
            return Unknown(f"{op} of non-numbers")
        try:
            if op == "+":
                return _tidy(a + b)
            if op == "-":
                return _tidy(a - b)
            if op == "*":
                return _tidy(a * b)
            if op == "/":
                return _tidy(a / b) if b else Unknown("division by zero")
            if op == "%":
                return _tidy(math.fmod(a, b)) if b else Unknown("modulo by zero")
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        except (OverflowError, ValueError):
            return Unknown("arithmetic overflow")

    # -- functions -----------------------------------------------------------------------
    def _Call(self, node: Call, depth: int) -> Any:
        name = node.name
        if name == "try":
            return self.try_(node, depth)
        if name == "can":
            value = self.eval(node.args[0], depth) if node.args else None
            if isinstance(value, Unknown):
                return Unknown("can() of an unknown value")
            return True
        args = [self.eval(arg, depth) for arg in node.args]
        if node.expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                return Unknown("expanded argument is not a list")
            args.extend(last)
        function = self.functions.get(name)
        if function is None:
            return Unknown(f"function {name}() is not evaluated by esmlint")
        try:
            return function(*args)
        except _Stop as stop:
            return stop.value
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError,
                RecursionError):
            return Unknown(f"{name}() could not be evaluated")

    def try_(self, node: Call, depth: int) -> Any:
        for arg in node.args:
            value = self.eval(arg, depth)
            if isinstance(value, Unknown):
                if value.reason.startswith(("no attribute", "index", "attribute", "cannot read")):
                    continue  # an error try() catches: the next argument is used
                return value
            return value
        return Unknown("try(): no argument could be evaluated")


class _Stop(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


def _unknown_of(left: Any, right: Any, reason: str) -> Unknown:
    for value in (left, right):
        if isinstance(value, Unknown):
            return value
    return Unknown(reason or "unknown value")


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return _tidy(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return None
    return None


def _int(value: Any) -> int | None:
    number = _number(value)
    if isinstance(number, float):
        return int(number) if number.is_integer() else None
    return number


def _tidy(number: float | int) -> float | int:
    if isinstance(number, float) and number.is_integer() and abs(number) < 2 ** 53:
        return int(number)
    return number


def to_text(value: Any) -> Any:
    """A value as template text: str, Sym, or Unknown for what cannot be text."""
    if isinstance(value, (str, Sym)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(_tidy(value))
    if value is None:
        return Unknown("null in a string template")
    if isinstance(value, Unknown):
        return value
    return Unknown("a collection in a string template")


def to_json(value: Any) -> Any:
    """``jsonencode``: text for plain values, JsonDoc when deploy-time parts remain."""
    if contains_unknown(value) or contains_sym(value) or _has_doc(value):
        return JsonDoc(value)
    return json.dumps(value, separators=(",", ":"))


def _has_doc(value: Any) -> bool:
    if isinstance(value, JsonDoc):
        return True
    if isinstance(value, dict):
        return any(_has_doc(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_doc(v) for v in value)
    return False


def from_json(text: Any) -> Any:
    if isinstance(text, JsonDoc):
        return text.value
    if isinstance(text, Unknown):
        return text
    if not isinstance(text, str):
        return Unknown("jsondecode() of a value known only at apply time")
    return json.loads(text)


def _check_length(pieces: list) -> None:
    """Refuse to join strings into one longer than :data:`MAX_TEXT`."""
    if sum(len(p) for p in pieces if isinstance(p, str)) > MAX_TEXT:
        raise _Stop(Unknown(f"a string longer than {MAX_TEXT:,} characters"))


def _check(*values: Any) -> None:
    for value in values:
        if isinstance(value, Unknown):
            raise _Stop(value)


def _deep_check(value: Any) -> None:
    if contains_unknown(value):
        raise _Stop(Unknown("a collection holds an unknown value"))


def _f_tostring(value: Any) -> Any:
    _check(value)
    if value is None:
        return None
    return to_text(value)


def _f_tonumber(value: Any) -> Any:
    _check(value)
    if value is None:
        return None
    number = _number(value)
    if number is None:
        raise ValueError("not a number")
    return number


def _f_tobool(value: Any) -> Any:
    _check(value)
    if isinstance(value, bool) or value is None:
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("not a bool")


def _f_identity(value: Any) -> Any:
    return value


def _f_concat(*lists: Any) -> Any:
    _check(*lists)
    result: list = []
    for item in lists:
        if not isinstance(item, list):
            raise TypeError("concat of a non-list")
        result.extend(item)
    return result


def _f_merge(*maps: Any) -> Any:
    _check(*maps)
    result: dict = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise TypeError("merge of a non-map")
        result.update(item)
    return result


def _f_lookup(mapping: Any, key: Any, *fallback: Any) -> Any:
    _check(mapping, key)
    if not isinstance(mapping, dict):
        raise TypeError("lookup of a non-map")
    if str(key) in mapping:
        return mapping[str(key)]
    if fallback:
        return fallback[0]
    raise KeyError(key)


def _f_coalesce(*values: Any) -> Any:
    for value in values:
        if isinstance(value, Unknown):
            raise _Stop(value)
        if value is not None and value != "":
            return value
    raise ValueError("no non-null argument")


def _f_element(items: Any, index: Any) -> Any:
    _check(items, index)
    if not isinstance(items, list) or not items:
        raise TypeError("element of a non-list")
    number = _int(index)
    if number is None:
        raise TypeError("bad index")
    return items[number % len(items)]


def _f_length(value: Any) -> Any:
    _check(value)
    if isinstance(value, Sym):
        raise _Stop(Unknown("length of a string known only at apply time"))
    if isinstance(value, (list, dict, str)):
        return len(value)
    raise TypeError("length of a non-collection")


def _f_join(separator: Any, *lists: Any) -> Any:
    _check(separator, *lists)
    pieces: list = []
    for index, items in enumerate(lists):
        if not isinstance(items, list):
            raise TypeError("join of a non-list")
        for item in items:
            text = to_text(item)
            _check(text)
            if pieces or index:
                pieces.append(separator)
            pieces.append(text)
    if pieces and pieces[0] == separator:
        pieces = pieces[1:]
    _check_length(pieces)
    if any(isinstance(p, Sym) for p in pieces):
        return Sym.of(*pieces)
    return "".join(pieces)


def _f_split(separator: Any, text: Any) -> Any:
    _check(separator, text)
    if not isinstance(text, str) or not isinstance(separator, str):
        raise _Stop(Unknown("split of a value known only at apply time"))
    return text.split(separator)


def _f_format(spec: Any, *args: Any) -> Any:
    _check(spec, *args)
    if not isinstance(spec, str):
        raise TypeError("format spec")
    pieces: list = []
    index = 0
    pos = 0
    while pos < len(spec):
        ch = spec[pos]
        if ch == "%" and pos + 1 < len(spec):
            verb = spec[pos + 1]
            if verb == "%":
                pieces.append("%")
            elif verb in "sdvq":
                value = args[index]
                index += 1
                if verb == "d":
                    number = _int(value)
                    if number is None:
                        raise TypeError("%d of a non-number")
                    pieces.append(str(number))
                else:
                    text = to_text(value)
                    _check(text)
                    pieces.append(f'"{text}"' if verb == "q" and isinstance(text, str) else text)
            else:
                raise _Stop(Unknown(f"format verb %{verb} is not evaluated"))
            pos += 2
            continue
        pieces.append(ch)
        pos += 1
    _check_length(pieces)
    if any(isinstance(p, Sym) for p in pieces):
        return Sym.of(*pieces)
    return "".join(pieces)


def _f_flatten(items: Any) -> Any:
    _check(items)
    if not isinstance(items, list):
        raise TypeError("flatten of a non-list")
    result: list = []
    for item in items:
        if isinstance(item, Unknown):
            raise _Stop(item)
        if isinstance(item, list):
            result.extend(_f_flatten(item))
        else:
            result.append(item)
    return result


def _f_distinct(items: Any) -> Any:
    _check(items)
    result: list = []
    for item in items:
        if item not in result:
            result.append(item)
    return result


def _f_compact(items: Any) -> Any:
    _check(items)
    _deep_check(items)
    return [item for item in items if item not in (None, "")]


def _f_keys(mapping: Any) -> Any:
    _check(mapping)
    return sorted(mapping)


def _f_values(mapping: Any) -> Any:
    _check(mapping)
    return [mapping[key] for key in sorted(mapping)]


def _f_contains(items: Any, value: Any) -> Any:
    _check(items, value)
    _deep_check(items)
    if contains_sym(items) or isinstance(value, Sym):
        raise _Stop(Unknown("contains() over values known only at apply time"))
    return value in items


def _f_one(items: Any) -> Any:
    _check(items)
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    raise ValueError("one() of several items")


def _f_minmax(function: Callable) -> Callable:
    def run(*values: Any) -> Any:
        _check(*values)
        numbers = [_number(v) for v in values]
        if any(n is None for n in numbers):
            raise TypeError("not numbers")
        return function(numbers)
    return run


def _f_upper(text: Any) -> Any:
    _check(text)
    if not isinstance(text, str):
        raise _Stop(Unknown("upper() of a value known only at apply time"))
    return text.upper()


def _f_lower(text: Any) -> Any:
    _check(text)
    if not isinstance(text, str):
        raise _Stop(Unknown("lower() of a value known only at apply time"))
    return text.lower()


def _f_replace(text: Any, old: Any, new: Any) -> Any:
    _check(text, old, new)
    if not all(isinstance(v, str) for v in (text, old, new)):
        raise _Stop(Unknown("replace() of a value known only at apply time"))
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise _Stop(Unknown("replace() with a regular expression is not evaluated"))
    count = text.count(old) if old else len(text) + 1
    if len(text) + count * (len(new) - len(old)) > MAX_TEXT:
        raise _Stop(Unknown(f"a string longer than {MAX_TEXT:,} characters"))
    return text.replace(old, new)


def _f_zipmap(keys: Any, values: Any) -> Any:
    _check(keys, values)
    return {str(k): v for k, v in zip(keys, values, strict=False)}


def _f_toset(items: Any) -> Any:
    _check(items)
    if isinstance(items, list):
        return _f_distinct(items)
    raise TypeError("toset of a non-list")


def _f_trimspace(text: Any) -> Any:
    _check(text)
    if not isinstance(text, str):
        raise _Stop(Unknown("trimspace() of a value known only at apply time"))
    return text.strip()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jsonencode": lambda value: to_json(value),
    "jsondecode": from_json,
    "tostring": _f_tostring,
    "tonumber": _f_tonumber,
    "tobool": _f_tobool,
    "tolist": _f_identity,
    "toset": _f_toset,
    "tomap": _f_identity,
    "sensitive": _f_identity,
    "nonsensitive": _f_identity,
    "concat": _f_concat,
    "merge": _f_merge,
    "lookup": _f_lookup,
    "coalesce": _f_coalesce,
    "element": _f_element,
    "length": _f_length,
    "join": _f_join,
    "split": _f_split,
    "format": _f_format,
    "flatten": _f_flatten,
    "distinct": _f_distinct,
    "compact": _f_compact,
    "keys": _f_keys,
    "values": _f_values,
    "contains": _f_contains,
    "one": _f_one,
    "min": _f_minmax(min),
    "max": _f_minmax(max),
    "abs": lambda value: abs(_f_tonumber(value)),
    "upper": _f_upper,
    "lower": _f_lower,
    "replace": _f_replace,
    "zipmap": _f_zipmap,
    "trimspace": _f_trimspace,
}
