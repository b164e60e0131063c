"""Terraform HCL (``.tf``) files: blocks and attributes with their lines, via tree-sitter.

The structure of a file (blocks, labels, attributes, and where each one is) comes from the
compiled tree-sitter HCL grammar (PyPI ``tree-sitter`` and ``tree-sitter-hcl``), imported
here only and lazily: users linting only CloudFormation do not pay for it. The text of
every attribute's expression is kept and read by
:mod:`esmlint.loaders.terraform.expressions`, the same reader ``.tf.json`` strings go
through. Everything else, evaluating a module and mapping it onto the model, is shared with
the other Terraform front ends (:mod:`esmlint.loaders.terraform.configuration`,
:mod:`esmlint.loaders.terraform.builder`).

A file that does not parse is read block by block (:func:`read_hcl`): the blocks that parse
are kept, and each broken place is reported where it is, so a half-typed buffer in an
editor still gets the findings of the rest of the file. A broken block whose kind and
labels can still be read (``resource "aws_sqs_queue" "jobs" {`` ...) stays in the module
as a :class:`BrokenBlock`: every argument of it is unknown, so nothing it may have said is
taken for absent (no default stands in for a half-typed value). A broken place that cannot
be named at all marks the file incomplete: the caller does not lint the module then, as a
module read in part could look like it lacks what the broken place defines.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from ...values import Loc
from .expressions import HclError, Node, parse_expression


class TfSyntaxError(Exception):
    """A file that is not valid HCL (or JSON configuration syntax)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(slots=True)
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

    #: Why the block could not be read ("" for a block that parsed).
    broken = ""

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


class BrokenAttr:
    """Any argument of a :class:`BrokenBlock`: its value cannot be read."""

    text = ""
    offset = 0

    def __init__(self, loc: Loc, reason: str) -> None:
        self.loc = loc
        self.reason = reason

    def node(self) -> Node:
        raise HclError(self.reason, 0)


class BrokenBlock(HclBlock):
    """A top-level block with a syntax error whose type and labels could be read.

    It answers like a block in which every argument is written but unknown: asked for any
    argument it gives a :class:`BrokenAttr` (never None, which would mean "not set" and
    let a default stand in), and its nested blocks are unknown
    (:class:`~esmlint.loaders.terraform.configuration.ConfigBody` checks ``broken``).
    """

    def __init__(self, btype: str, labels: tuple[str, ...], loc: Loc, reason: str) -> None:
        super().__init__(btype, labels, loc)
        self.broken = reason

    def attr(self, name: str) -> BrokenAttr:  # type: ignore[override]
        return BrokenAttr(self.loc, self.broken)

    def attr_names(self) -> list[str]:
        return []


@dataclass
class HclFile:
    """One ``.tf`` file read tolerantly (:func:`read_hcl`)."""

    blocks: list[HclBlock]
    #: Each broken place, located; empty for a file that parsed.
    errors: list[TfSyntaxError] = field(default_factory=list)
    #: False when a broken place could not be named (no block type and labels): the
    #: module is then not linted.
    complete: bool = True


#: Nested blocks deeper than this are refused (no provider schema comes near it).
MAX_BLOCK_DEPTH = 60
#: Brackets, braces and parentheses nested deeper than this in one expression are refused:
#: the expression reader is recursive, and no real configuration comes near it.
MAX_EXPRESSION_DEPTH = 200

#: Block types that begin a top-level block; a broken file is cut into pieces at lines
#: that start with one of them.
TOP_LEVEL = ("terraform", "provider", "variable", "locals", "output", "module", "resource",
             "data", "moved", "import", "removed", "check", "ephemeral")
_HEADER = re.compile(
    rb"^(?:" + b"|".join(t.encode() for t in TOP_LEVEL) + rb")(?=[ \t{\"])", re.M)
_INNER_HEADER = re.compile(
    rb"^[ \t]+(?:resource|data|module|variable|output)[ \t]+\"", re.M)

_TEMPLATE_SEQUENCE = re.compile(rb"(?<![$%])[$%]\{")
_EXPONENT = re.compile(rb"(?<![\w.])[0-9]+[eE][+-]?[0-9]+(?![\w.])")

_PARSER: Any = None


def _parser() -> Any:
    global _PARSER
    if _PARSER is None:
        import tree_sitter_hcl  # noqa: PLC0415 - lazy on purpose: only .tf files need it
        from tree_sitter import Language, Parser  # noqa: PLC0415

        _PARSER = Parser(Language(tree_sitter_hcl.language()))
    return _PARSER


class _Source:
    """The text of one file and its UTF-8 bytes (what tree-sitter reads), with the
    conversion of byte positions to the character lines, columns and offsets esmlint
    reports (they are the same when the file is ASCII, the common case)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self.ascii = len(self.data) == len(text)
        #: What tree-sitter parses: the bytes, with any number written with an exponent
        #: but no fraction (``1e3``, valid HCL the grammar does not take) replaced by as
        #: many digits, so that every position stays where it is.
        self.parsed = self.data if not _EXPONENT.search(self.data) else \
            _EXPONENT.sub(lambda match: b"1" * len(match.group()), self.data)
        self._line_bytes: list[int] | None = None
        self._line_chars: list[int] | None = None

    def _lines(self) -> tuple[list[int], list[int]]:
        if self._line_bytes is None:
            starts, chars = [0], [0]
            count = 0
            previous = 0
            for match in re.finditer(rb"\n", self.data):
                end = match.end()
                count += len(self.data[previous:end].decode("utf-8", "surrogatepass"))
                starts.append(end)
                chars.append(count)
                previous = end
            self._line_bytes, self._line_chars = starts, chars
        return self._line_bytes, self._line_chars  # type: ignore[return-value]

    def column(self, row: int, byte_column: int) -> int:
        """The 1-based character column of a tree-sitter point."""
        if self.ascii:
            return byte_column + 1
        starts, _ = self._lines()
        start = starts[row] if row < len(starts) else len(self.data)
        return len(self.data[start:start + byte_column].decode("utf-8", "replace")) + 1

    def offset(self, row: int, byte: int) -> int:
        """The character offset of a byte offset on line ``row`` (0-based)."""
        if self.ascii:
            return byte
        starts, chars = self._lines()
        if row >= len(starts):
            row = len(starts) - 1
        return chars[row] + len(self.data[starts[row]:byte].decode("utf-8", "replace"))

    def char_offset(self, byte: int) -> int:
        """The character offset of any byte offset (at a character boundary)."""
        if self.ascii:
            return byte
        starts, _ = self._lines()
        return self.offset(bisect.bisect_right(starts, byte) - 1, byte)

    def loc(self, point: Any) -> Loc:
        row, col = point
        return Loc(self.path, row + 1, self.column(row, col))

    def error(self, message: str, point: Any) -> TfSyntaxError:
        row, col = point
        return TfSyntaxError(f"invalid HCL: {message}", row + 1, self.column(row, col))


# --------------------------------------------------------------------------- reading


def parse_hcl(path: str, text: str) -> list[HclBlock]:
    """The top-level blocks of one ``.tf`` file. Raises :class:`TfSyntaxError` at the
    first broken place."""
    result = read_hcl(path, text)
    if result.errors:
        raise result.errors[0]
    return result.blocks


def read_hcl(path: str, text: str) -> HclFile:
    """One ``.tf`` file, read as far as it parses: its blocks, and its broken places."""
    source = _Source(path, text)
    if len(source.parsed) > 2 * PIECE_BYTES:
        result = _read_in_pieces(source)
        if result is not None:
            return result
    root = _parser().parse(source.parsed).root_node
    result = HclFile([])
    if root.has_error:
        _read_broken(source, root, result)
    else:
        _read_tree(source, root, 0, 0, result)
    return result


#: A large file is parsed in pieces of about this size: a syntax tree takes some 80 bytes
#: of memory per byte of text, and a piece's tree is freed before the next is parsed.
PIECE_BYTES = 128 * 1024


def _read_in_pieces(source: _Source) -> HclFile | None:
    """A large file, parsed a piece at a time, each piece cut where a top-level block
    begins; None when a piece does not parse (a cut inside a heredoc or a comment leaves
    it unterminated, so the piece before it shows the mistake) or a block is refused: the
    file is then read whole."""
    data = source.parsed
    parser = _parser()
    result = HclFile([])
    begin = 0
    cuts = (match.start() for match in _HEADER.finditer(data, PIECE_BYTES))
    while begin < len(data):
        end = len(data)
        for cut in cuts:
            if cut >= begin + PIECE_BYTES:
                end = cut
                break
        piece = data[begin:end]
        root = parser.parse(piece).root_node
        if root.has_error:
            return None
        _read_tree(source, root, data.count(b"\n", 0, begin), begin, result)
        if result.errors:
            return None
        begin = end
    return result


def _read_tree(source: _Source, root: Any, row_base: int, byte_base: int,
               result: HclFile) -> None:
    """The blocks of a tree that parsed (positions shifted by the bases when the tree is
    one piece of a larger file). Top-level attributes are not part of a configuration and
    are dropped; so is a JSON-like object (a ``.tfvars`` in JSON)."""
    for body in root.children:
        if body.type == "body":
            for child in body.children:
                if child.type == "block":
                    _top_block(source, child, row_base, byte_base, result)


def _top_block(source: _Source, node: Any, row_base: int, byte_base: int,
               result: HclFile) -> None:
    """One top-level block into ``result``: whole, or broken when HCL refuses what the
    grammar took (labels on another line than the type, an argument's value on the line
    after its '=', nesting beyond the bounds)."""
    block, problem = _header(source, node, row_base, byte_base)
    try:
        if problem is not None:
            raise problem
        _fill(source, block, node, 1, row_base, byte_base)
    except TfSyntaxError as exc:
        start = source.char_offset(node.start_byte + byte_base)
        end = source.char_offset(node.end_byte + byte_base)
        result.errors.append(_diagnosed(source, start, end) or exc)
        _add_broken(result, block.type, block.labels, block.loc, result.errors[-1])
        return
    result.blocks.append(block)


def _add_broken(result: HclFile, btype: str, labels: tuple[str, ...], loc: Loc,
                error: TfSyntaxError) -> None:
    """A broken block into ``result``: as a :class:`BrokenBlock` when its type and labels
    are those of a top-level block, else the file is incomplete."""
    if btype in TOP_LEVEL and len(labels) == _LABELS.get(btype, 0):
        result.blocks.append(BrokenBlock(btype, labels, loc,
                                         f"the {btype} block does not parse "
                                         f"(line {error.line}: {error.message})"))
    else:
        result.complete = False


#: How many labels each top-level block type takes.
_LABELS = {"resource": 2, "data": 2, "ephemeral": 2, "module": 1, "variable": 1,
           "output": 1, "provider": 1, "check": 1}


def _fill(source: _Source, block: HclBlock, node: Any, depth: int, row_base: int,
          byte_base: int) -> None:
    """The attributes and nested blocks of a ``block`` node into ``block``.

    This is the loop every attribute of every file goes through: it reads each node
    once, and checks HCL's line rules on the bytes rather than through more nodes."""
    text = source.text
    data = source.data
    path = source.path
    ascii_only = source.ascii
    attrs = block.attrs
    for body in node.children:
        if body.type != "body":
            continue
        for child in body.children:
            kind = child.type
            if kind == "attribute":
                name_node, equals, expr = child.children
                begin = child.start_byte + byte_base
                start = expr.start_byte + byte_base
                if data.find(b"\n", begin, start) >= 0:
                    raise source.error("an argument's name, '=' and value must begin on "
                                       "one line", _shift(equals.start_point, row_base))
                end = expr.end_byte + byte_base
                if end - start >= MAX_EXPRESSION_DEPTH:
                    _check_expression(source, expr, row_base)
                row, col = child.start_point
                row += row_base
                if ascii_only:
                    attrs[text[begin:name_node.end_byte + byte_base]] = HclAttr(
                        text[start:end], Loc(path, row + 1, col + 1), start)
                else:
                    name = data[begin:name_node.end_byte + byte_base].decode("utf-8",
                                                                             "surrogatepass")
                    start_char = source.offset(row, start)
                    value = text[start_char:source.offset(expr.end_point[0] + row_base, end)]
                    attrs[name] = HclAttr(value, Loc(path, row + 1, source.column(row, col)),
                                          start_char)
            elif kind == "block":
                if depth >= MAX_BLOCK_DEPTH:
                    raise source.error("blocks nested too deeply",
                                       _shift(child.start_point, row_base))
                inner, problem = _header(source, child, row_base, byte_base)
                if problem is not None:
                    raise problem
                _fill(source, inner, child, depth + 1, row_base, byte_base)
                block.blocks.append(inner)


def _shift(point: Any, row_base: int) -> tuple[int, int]:
    return (point[0] + row_base, point[1])


def _header(source: _Source, node: Any, row_base: int, byte_base: int
            ) -> tuple[HclBlock, TfSyntaxError | None]:
    """A block's type, labels and position, from its first children; and what HCL
    refuses in them: labels on another line than the type (its '{' may follow on the
    next), a template sequence in a label."""
    data = source.data
    names: list[str] = []
    last = None
    for part in node.children:
        kind = part.type
        if kind == "identifier":
            names.append(data[part.start_byte + byte_base:part.end_byte + byte_base]
                         .decode("utf-8", "surrogatepass"))
            last = part
        elif kind == "string_lit":
            # The label as written between its quotes (escapes are not decoded).
            inner = data[part.start_byte + byte_base + 1:part.end_byte + byte_base - 1]
            names.append(inner.decode("utf-8", "surrogatepass"))
            last = part
        elif kind != "comment":
            break
    row, col = node.start_point
    row += row_base
    column = col + 1 if source.ascii else source.column(row, col)
    block = HclBlock(names[0] if names else "", tuple(names[1:]), Loc(source.path, row + 1,
                                                                      column))
    problem = None
    if last is not None and data.find(b"\n", node.start_byte + byte_base,
                                      last.end_byte + byte_base) >= 0:
        for part in node.children:
            if part.type in ("identifier", "string_lit") and part.start_point[0] + row_base \
                    != row:
                problem = source.error("a block's type and labels must be on one line",
                                       _shift(part.start_point, row_base))
                break
    if problem is None and "{" in "".join(names):
        for part in node.children:
            if part.type == "string_lit" and _TEMPLATE_SEQUENCE.search(part.text):
                problem = source.error("a block label cannot hold a template sequence "
                                       "('${' or '%{')", _shift(part.start_point, row_base))
                break
            if part.type == "block_start":
                break
    return block, problem


def _check_expression(source: _Source, expr: Any, row_base: int) -> None:
    """Refuse an expression nested deeper than the expression reader can follow.

    Counting brackets is cheap and bounds the depth from above, so the tree is walked
    only for an expression with that many of them."""
    data = source.data
    start, end = expr.start_byte, expr.end_byte
    if end - start < MAX_EXPRESSION_DEPTH:
        return
    opened = data.count(b"(", start, end) + data.count(b"[", start, end) + \
        data.count(b"{", start, end)
    if opened < MAX_EXPRESSION_DEPTH // 2:
        return
    # Depth in tree nodes: each bracket level is two to four nodes deep.
    limit = MAX_EXPRESSION_DEPTH * 2
    cursor = expr.walk()
    depth = 0
    while True:
        if cursor.goto_first_child():
            depth += 1
            if depth > limit:
                raise source.error("expression nested too deeply",
                                   _shift(cursor.node.start_point, row_base))
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
            depth -= 1
            if depth <= 0:
                return


# --------------------------------------------------------------------------- broken files


def _read_broken(source: _Source, root: Any, result: HclFile) -> None:
    """A file with syntax errors, read piece by piece.

    tree-sitter recovers from errors, but an unclosed brace makes every later block look
    nested in the broken one. The file is cut at the lines where a top-level block begins
    (``resource``, ``module``... at the start of a line, outside strings and comments);
    each piece is parsed alone, keeping its positions, and a piece that parses gives its
    blocks.
    """
    data = source.parsed
    starts = [0]
    for match in _HEADER.finditer(data):
        pos = match.start()
        if pos == 0:
            continue
        node = root.descendant_for_byte_range(pos, pos + 1)
        if node is not None and (node.type == "comment" or _in_heredoc(node)):
            continue  # inside a comment or a heredoc: not a block (a quoted string
            # cannot hold a line break, so one left open ends at its line)
        starts.append(pos)
    starts.append(len(data))
    parser = _parser()
    for begin, end in zip(starts, starts[1:], strict=False):
        piece = data[begin:end]
        if not piece.strip():
            continue
        row_base = data.count(b"\n", 0, begin)
        tree = parser.parse(piece)
        if tree.root_node.has_error:
            _read_broken_piece(source, tree.root_node, piece, row_base, begin, result)
        else:
            _read_tree(source, tree.root_node, row_base, begin, result)
    if not result.errors:  # the pieces parse where the whole did not: say so at the start
        result.errors.append(_diagnosed(source, 0, len(source.text)) or
                             _first_problem(source, root, data, 0))


def _in_heredoc(node: Any) -> bool:
    while node is not None:
        if node.type == "heredoc_template":
            return True
        if node.type in ("block", "attribute", "config_file"):
            return False
        node = node.parent
    return False


def _read_broken_piece(source: _Source, root: Any, piece: bytes, row_base: int,
                       byte_base: int, result: HclFile) -> None:
    start = source.char_offset(byte_base)
    error = _diagnosed(source, start, source.char_offset(byte_base + len(piece))) or \
        _first_problem(source, root, piece, row_base)
    result.errors.append(error)
    items = [root] if root.type == "ERROR" else [
        child for body in root.children for child in
        (body.children if body.type == "body" else [body])]
    broken = [item for item in items if item.type != "comment" and
              (item.has_error or item.type not in ("block", "attribute"))]
    # Blocks of the piece that parsed (before a stray '}', say) are kept.
    for item in items:
        if item.type == "block" and not item.has_error:
            _top_block(source, item, row_base, byte_base, result)
    named = _broken_header(source, broken[0] if broken else root, row_base, byte_base)
    hidden = _INNER_HEADER.search(piece)
    if named is not None and len(broken) == 1 and (hidden is None or hidden.start() == 0):
        _add_broken(result, *named, error)
    elif any(b"{" in piece[item.start_byte:item.end_byte] for item in broken):
        # A broken place with no block type and labels, or one that may hide other blocks
        # (indented ones, after an unclosed brace): it may define anything.
        result.complete = False


def _diagnosed(source: _Source, start: int, end: int) -> TfSyntaxError | None:
    """The first problem of ``text[start:end]`` as HCL reads it (:mod:`.diagnose`)."""
    from .diagnose import first_problem  # noqa: PLC0415 - only broken files need it

    problem = first_problem(source.text, start, end)
    if problem is None:
        return None
    text = source.text
    offset = min(problem.offset, len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return TfSyntaxError(f"invalid HCL: {problem.message}", line, column)


def _broken_header(source: _Source, node: Any, row_base: int, byte_base: int
                   ) -> tuple[str, tuple[str, ...], Loc] | None:
    """(type, labels, position) of a broken top-level block, when its header is whole:
    a block type, its labels on the type's line, and the opening brace."""
    parts = node.children if node.type in ("block", "ERROR", "config_file") else []
    while len(parts) == 1 and parts[0].type in ("body", "ERROR"):
        parts = parts[0].children
    names: list[str] = []
    data = source.data
    first = None
    opened = False
    for part in parts:
        kind = part.type
        if kind == "comment":
            continue
        if kind == "identifier" or (kind == "string_lit" and names):
            if first is not None and part.start_point[0] != first.start_point[0]:
                break
            raw = data[part.start_byte + byte_base:part.end_byte + byte_base]
            names.append((raw[1:-1] if kind == "string_lit" else raw)
                         .decode("utf-8", "surrogatepass"))
            first = first or part
            continue
        opened = kind == "block_start"
        break
    if not opened or first is None:
        return None
    row, col = first.start_point
    return names[0], tuple(names[1:]), Loc(source.path, row + row_base + 1,
                                           source.column(row + row_base, col))


#: What tree-sitter's node names mean, for messages.
_TOKENS = {"block_end": "'}'", "object_end": "'}'", "tuple_end": "']'",
           "quoted_template_end": "'\"'", "template_interpolation_end": "'}'",
           "template_directive_end": "'}'", "heredoc_identifier": "the end of the heredoc"}


class _Piece:
    """One parsed piece of a file: its bytes and where it starts in the file."""

    def __init__(self, source: _Source, data: bytes, row_base: int) -> None:
        self.source = source
        self.data = data
        self.row_base = row_base

    def error(self, message: str, point: Any) -> TfSyntaxError:
        return self.source.error(message, _shift(point, self.row_base))

    def text(self, node: Any) -> str:
        return self.data[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def token(self, byte: int) -> str:
        """The token at ``byte``, quoted for a message."""
        rest = self.data[byte:byte + 40].split(b"\n", 1)[0].strip()
        if not rest:
            return "end of line" if self.data[byte:].strip() else "end of file"
        word = re.match(rb"[A-Za-z_][\w\-]*|\d+|==|!=|<=|>=|&&|\|\||=>|\.\.\.|\S", rest)
        return repr((word.group(0) if word else rest[:1]).decode("utf-8", "replace"))


def _first_problem(source: _Source, root: Any, data: bytes, row_base: int
                   ) -> TfSyntaxError:
    """The first broken place of a tree (parsed from ``data``), located and explained."""
    piece = _Piece(source, data, row_base)
    node = _first_error(root)
    if node is None:  # has_error without an error node: should not happen
        return piece.error("syntax error", root.start_point)
    if node.is_missing:
        return _missing(piece, node)
    return _unexpected(piece, node)


def _first_error(root: Any) -> Any:
    """The first ERROR or MISSING node in document order."""
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.type == "ERROR" or node.is_missing:
            return node
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None


def _missing(piece: _Piece, node: Any) -> TfSyntaxError:
    kind = node.type
    point = node.start_point
    if kind in ("}", "block_end"):
        block = node.parent
        while block is not None and block.type != "block":
            block = block.parent
        where = "before this line" if piece.data[node.start_byte:].strip() else \
            "before the end of the file"
        if block is not None and block.child_count:
            header = piece.data[block.start_byte:block.child(0).end_byte]
            for part in block.children[1:]:
                if part.type not in ("identifier", "string_lit"):
                    break
                header = piece.data[block.start_byte:part.end_byte]
            row = block.start_point[0] + piece.row_base + 1
            return piece.error(f"block {header.decode('utf-8', 'replace')} (line {row}) is "
                               f"not closed: '}}' expected {where}", point)
        return piece.error(f"'}}' expected {where}", point)
    if kind in ("]", ")", "\""):
        return piece.error(f"{kind!r} expected", point)
    if kind in _TOKENS:
        return piece.error(f"{_TOKENS[kind]} expected", point)
    # tree-sitter invented a token to go on (a '<<' before a stray '='): the text there
    # is what was not expected.
    return piece.error(f"unexpected {piece.token(node.start_byte)}", point)


def _unexpected(piece: _Piece, node: Any) -> TfSyntaxError:
    """What went wrong in an ERROR node."""
    template = _open_template(node)
    if template is not None:
        what, at = template
        return piece.error(what, at.start_point)
    parts = [part for part in node.children if part.type != "comment"]
    if len(parts) >= 2 and parts[-1].type == "=" and parts[-2].type == "identifier":
        return piece.error(f"argument {piece.text(parts[-2])} has no value: an expression "
                           "is expected after '='", parts[-2].start_point)
    leaf = node
    while leaf.child_count:
        leaf = leaf.child(0)
    if leaf.type in ("identifier", "string_lit") or leaf.parent is not node:
        # The error swallowed a valid beginning: point at the first piece that is not.
        for part in parts:
            if part.type not in ("identifier", "string_lit", "block_start", "attribute",
                                 "block", "body"):
                leaf = part
                while leaf.child_count:
                    leaf = leaf.child(0)
                break
    return piece.error(f"unexpected {piece.token(leaf.start_byte)}", leaf.start_point)


def _open_template(node: Any) -> tuple[str, Any] | None:
    """An unterminated template directive, interpolation or string inside an ERROR node:
    (message, node to point at)."""
    strings: list[Any] = []
    for part in node.children:
        kind = part.type
        if kind in ("quoted_template_start", "heredoc_start"):
            strings.append(part)
        elif kind == "template_if_intro":
            return "Unterminated template if directive", strings[-1] if strings else part
        elif kind == "template_for_start":
            return "Unterminated template for directive", strings[-1] if strings else part
        elif kind == "template_interpolation_start":
            return "unclosed interpolation: '}' expected", part
        elif kind == "quoted_template_end" and strings:
            strings.pop()
    if strings and strings[-1].type == "quoted_template_start":
        return "unclosed string: '\"' expected", strings[-1]
    return None


# --------------------------------------------------------------------------- tfvars


def parse_tfvars(path: str, text: str) -> dict[str, HclAttr]:
    """The assignments of a ``.tfvars`` file."""
    source = _Source(path, text)
    root = _parser().parse(source.parsed).root_node
    if root.has_error:
        error = _first_problem(source, root, source.parsed, 0)
        raise TfSyntaxError(error.message.replace("invalid HCL", "invalid tfvars", 1),
                            error.line, error.column)
    result: dict[str, HclAttr] = {}
    for body in root.children:
        if body.type != "body":
            continue
        for child in body.children:
            if child.type != "attribute":
                continue
            name_node, expr = child.child(0), child.child(2)
            _check_expression(source, expr, 0)
            start = source.offset(expr.start_point[0], expr.start_byte)
            end = source.offset(expr.end_point[0], expr.end_byte)
            name = name_node.text.decode("utf-8", "surrogatepass")
            result[name] = HclAttr(text[start:end], Loc(path, child.start_point[0] + 1, 1),
                                   start)
    return result
