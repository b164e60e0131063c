"""Where a broken ``.tf`` file breaks, and why: the message and position of ESM001.

tree-sitter (:mod:`.hcl`) decides what parses and keeps what does, but its error nodes
start where its recovery began, often lines before the mistake. This module reads a broken
piece of a file again, the way HCL's own parser does (newlines end arguments; the
expressions go through :mod:`.expressions`, the reader every argument goes through), and
stops at the first token that cannot be read: that is what the user sees. It runs only on
the pieces that did not parse, so its speed does not matter; when it finds nothing wrong
(tree-sitter and HCL disagree), the caller falls back on tree-sitter's error node.
"""

from __future__ import annotations

import re

from .expressions import _HEREDOC, HclError, Lexer, parse_expression

_IDENT = re.compile(r"[^\W\d][\w\-]*(?:::[^\W\d][\w\-]*)*")
#: A line that ends with one of these goes on on the next line (as in HCL's grammar).
_CONTINUES = ("&&", "||", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "<", ">", "?",
              ":", "!")


class Problem(Exception):
    """The first thing that cannot be read: a message and a character offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def first_problem(text: str, start: int, end: int) -> Problem | None:
    """The first problem in ``text[start:end]`` (a run of whole top-level blocks), or None
    when this reading finds the piece valid."""
    scan = _Scan(text, start, end)
    try:
        scan.body(None, "")
    except Problem as problem:
        return problem
    except (HclError, RecursionError, IndexError, ValueError):
        return None
    return None


class _Scan:
    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.pos = start
        self.end = end

    # -- tokens ---------------------------------------------------------------------
    def token(self, pos: int) -> str:
        """The token at ``pos``, quoted, for a message."""
        text = self.text
        if pos >= self.end:
            return "end of file"
        if text[pos] == "\n":
            return "end of line"
        line = text[pos:min(self.end, pos + 40)].split("\n", 1)[0]
        match = re.match(r"[^\W\d][\w\-]*|\d+|==|!=|<=|>=|&&|\|\||=>|\.\.\.|\S", line)
        return repr(match.group(0) if match else line[:1])

    def skip_inline(self) -> None:
        """Spaces and comments up to the end of the line (a block comment may span
        lines: HCL reads it as a line break)."""
        text, end = self.text, self.end
        while self.pos < end:
            ch = text[self.pos]
            if ch in " \t\r":
                self.pos += 1
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2, end)
                if close < 0:
                    raise Problem("unclosed comment: '*/' expected", self.pos)
                self.pos = close + 2
            else:
                return

    def skip_all(self) -> None:
        """Spaces, line breaks and comments."""
        text, end = self.text, self.end
        while self.pos < end:
            self.skip_inline()
            if self.pos >= end:
                return
            ch = text[self.pos]
            if ch == "\n":
                self.pos += 1
            elif ch == "#" or text.startswith("//", self.pos):
                newline = text.find("\n", self.pos, end)
                self.pos = end if newline < 0 else newline + 1
            else:
                return

    def at_line_end(self) -> bool:
        text = self.text
        return self.pos >= self.end or text[self.pos] == "\n" or text[self.pos] == "#" or \
            text.startswith("//", self.pos)

    # -- structure ------------------------------------------------------------------
    def body(self, opened: int | None, header: str) -> None:
        text = self.text
        while True:
            self.skip_all()
            if self.pos >= self.end:
                if opened is not None:
                    line = text.count("\n", 0, opened) + 1
                    if text[self.end:].strip():
                        raise Problem(f"block {header} (line {line}) is not closed: '}}' "
                                      "expected before the next block", self.pos)
                    raise Problem(f"unexpected end of file: block {header} (line {line}) is "
                                  "not closed, '}' expected", self.pos)
                return
            if text[self.pos] == "}":
                if opened is None:
                    raise Problem("unexpected '}': no block is open here", self.pos)
                self.pos += 1
                return
            match = _IDENT.match(text, self.pos, self.end)
            if match is None:
                raise Problem(f"unexpected {self.token(self.pos)}: an argument or a block "
                              "is expected", self.pos)
            begin = self.pos
            self.pos = match.end()
            self.skip_inline()
            if text.startswith("=", self.pos) and not text.startswith(("==", "=>"),
                                                                      self.pos):
                self.pos += 1
                self.attribute(match.group(0))
            else:
                self.block(begin, match.group(0))

    def attribute(self, name: str) -> None:
        self.skip_inline()
        if self.at_line_end() or self.text[self.pos] == "}":
            raise Problem(f"argument {name} has no value: an expression is expected after "
                          "'='", self.pos)
        start = self.pos
        end = self.expression_end(start)
        try:
            parse_expression(self.text[start:end], start)
        except HclError as exc:
            offset = max(start, min(exc.offset, end))
            message = str(exc)
            if message.startswith("expected") and offset < end:
                message = f"{message}, found {self.token(offset)}"
            elif message.startswith("expected"):
                message = f"{message}, found {self.token(end)}"
            raise Problem(message, offset) from None
        except RecursionError:
            raise Problem("expression nested too deeply", start) from None
        self.pos = end

    def block(self, begin: int, btype: str) -> None:
        text = self.text
        labels = [btype]
        while self.pos < self.end:
            ch = text[self.pos]
            if ch == '"':
                lexer = Lexer(text)
                lexer.pos = self.pos
                try:
                    parts = lexer.template_string()
                except HclError as exc:
                    raise Problem(str(exc), exc.offset) from None
                if any(not isinstance(part, str) for part in parts):
                    raise Problem("a block label cannot hold an interpolation", self.pos)
                labels.append(text[self.pos:lexer.pos])
                self.pos = lexer.pos
            else:
                match = _IDENT.match(text, self.pos, self.end)
                if match is None:
                    break
                labels.append(match.group(0))
                self.pos = match.end()
            self.skip_inline()
        self.skip_all()
        if self.pos >= self.end or text[self.pos] != "{":
            what = "'=' or '{'" if len(labels) == 1 else "'{'"
            raise Problem(f"unexpected {self.token(self.pos)}: {what} expected after "
                          f"{' '.join(labels)}", self.pos)
        self.pos += 1
        self.body(begin, " ".join(labels))

    # -- expressions ----------------------------------------------------------------
    def expression_end(self, start: int) -> int:
        """Where the expression that starts at ``start`` ends: a line break outside
        brackets (unless the line ends with an operator), or the ``}`` of its block."""
        text, end = self.text, self.end
        pos = start
        depth = 0
        last = ""
        while pos < end:
            ch = text[pos]
            if ch == '"':
                lexer = Lexer(text)
                lexer.pos = pos
                try:
                    lexer.template_string()
                except HclError as exc:
                    if str(exc) in ("newline in string", "unclosed string"):
                        raise Problem("unclosed string: this '\"' is not closed on its line",
                                      pos) from None
                    return self.line_end(pos)
                pos = lexer.pos
                last = '"'
                continue
            if text.startswith("<<", pos):
                match = _HEREDOC.match(text, pos)
                if match:
                    lexer = Lexer(text)
                    lexer.pos = pos
                    try:
                        lexer.heredoc(match)
                    except HclError:
                        return end
                    pos = lexer.pos
                    last = "heredoc"
                    continue
            if ch == "#" or text.startswith("//", pos):
                newline = text.find("\n", pos, end)
                pos = end if newline < 0 else newline
                continue
            if text.startswith("/*", pos):
                close = text.find("*/", pos + 2, end)
                pos = end if close < 0 else close + 2
                continue
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                if depth == 0:
                    return pos
                depth -= 1
            elif ch == "\n" and depth == 0:
                if last in _CONTINUES or self.next_line_continues(pos + 1):
                    pos += 1
                    continue
                return pos
            if ch not in " \t\r\n":
                two = text[pos:pos + 2]
                last = two if two in _CONTINUES else ch
                if two in _CONTINUES and len(two) == 2:
                    pos += 2
                    continue
            pos += 1
        return end

    def line_end(self, pos: int) -> int:
        newline = self.text.find("\n", pos, self.end)
        return self.end if newline < 0 else newline

    def next_line_continues(self, pos: int) -> bool:
        """A conditional's ``?`` or ``:`` may begin the next line."""
        text = self.text
        while pos < self.end and text[pos] in " \t\r":
            pos += 1
        return pos < self.end and text[pos] in "?:" and not text.startswith("::", pos)
