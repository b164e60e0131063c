"""Text edits in Terraform HCL (``.tf``) files.

Only positions are taken from the Terraform front end: the line and column where a block
starts and where an argument is written (what :class:`~esmlint.values.Loc` carries,
whichever parser produced it). From there a small scanner reads the text itself: where
the block's braces open and close (strings, ``${...}`` interpolations, heredocs and the
three kinds of comments skipped), which arguments the block has at its top level and
where each one ends, and whether a value is a literal (a number, ``true``/``false``, a
string without interpolation). So the edits do not depend on the HCL parser's internals
and keep the rest of the file as written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .yaml import NoFix

_ATTR = re.compile(r"([A-Za-z_][\w-]*)[ \t]*=(?![=>])[ \t]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_BOOL = re.compile(r"(?:true|false)(?![\w-])")
_STRING = re.compile(r'"(?:[^"\\$%\r\n]|\\.|\$\$\{|%%\{|\$(?!\{)|%(?!\{))*"')
_REST = re.compile(r"[ \t]*(?:(?:#|//).*|/\*.*?\*/[ \t]*)?(?=\r?\n|\r|$)|[ \t]*(?=\})")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*(?=\r?\n)")


class HclText:
    """One ``.tf`` file's text, with the scanner the edits need."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.eol = "\r\n" if "\r\n" in text else "\n"
        self.starts = [0]
        for match in re.finditer(r"\r\n|\n|\r", text):
            self.starts.append(match.end())

    # -- positions -------------------------------------------------------------------
    def line_span(self, line: int) -> tuple[int, int]:
        """Start and end (before the line break) of a 1-based line."""
        if not 1 <= line <= len(self.starts):
            raise NoFix(f"line {line} is not in the file")
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n":
            end -= 1
        return start, end

    def indentation(self, offset: int) -> str:
        line_start = self.text.rfind("\n", 0, offset) + 1
        head = self.text[line_start:offset]
        return head[:len(head) - len(head.lstrip(" \t"))]

    # -- scanning --------------------------------------------------------------------
    def skip_string(self, i: int) -> int:
        """From the opening quote at ``i`` to just after the closing one."""
        text, n = self.text, len(self.text)
        i += 1
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            elif c in "$%" and text.startswith(c + c + "{", i):
                i += 3
            elif c in "$%" and text.startswith("{", i + 1):
                i = self.matching(i + 1) + 1
            elif c in "\r\n":
                return i  # not closed on its line: not HCL, let the parser say so
            else:
                i += 1
        return n

    def skip_comment(self, i: int) -> int:
        text = self.text
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            return len(text) if end < 0 else end + 2
        positions = [p for p in (text.find("\n", i), text.find("\r", i)) if p >= 0]
        return min(positions) if positions else len(text)

    def skip_heredoc(self, i: int) -> int | None:
        """After ``<<EOF ... EOF`` (the line break that ends the closing line stays)."""
        match = _HEREDOC.match(self.text, i)
        if match is None:
            return None
        word = match.group(1)
        closing = re.compile(r"^[ \t]*" + re.escape(word) + r"[ \t]*(?=\r?$)", re.MULTILINE)
        found = closing.search(self.text, match.end())
        if found is None:
            return len(self.text)
        return found.end()

    def matching(self, i: int) -> int:
        """The offset of the bracket that closes the one at ``i``."""
        text, n = self.text, len(self.text)
        pairs = {"(": ")", "[": "]", "{": "}"}
        stack = [pairs[text[i]]]
        j = i + 1
        while j < n:
            c = text[j]
            if c == '"':
                j = self.skip_string(j)
                continue
            if c == "#" or text.startswith(("//", "/*"), j):
                j = self.skip_comment(j)
                continue
            if c == "<" and text.startswith("<<", j):
                after = self.skip_heredoc(j)
                if after is not None:
                    j = after
                    continue
            if c in pairs:
                stack.append(pairs[c])
            elif c in ")]}":
                if c != stack[-1]:
                    raise NoFix(f"unbalanced {c!r} at offset {j}")
                stack.pop()
                if not stack:
                    return j
            j += 1
        raise NoFix("a bracket is not closed")

    def block(self, line: int, column: int) -> tuple[int, int]:
        """The offsets of the ``{`` and ``}`` of the block that starts at the position."""
        start, end = self.line_span(line)
        i = start + max(column - 1, 0)
        if i > end or not re.match(r"[A-Za-z_]", self.text[i:i + 1]):
            found = re.search(r"[A-Za-z_]", self.text[start:end])
            if found is None:
                raise NoFix(f"no block starts at line {line}")
            i = start + found.start()
        text, n = self.text, len(self.text)
        while i < n:
            c = text[i]
            if c == '"':
                i = self.skip_string(i)
            elif c == "{":
                return i, self.matching(i)
            elif c in "=\r\n" or c == "#":
                raise NoFix(f"no block starts at line {line}")
            else:
                i += 1
        raise NoFix(f"no block starts at line {line}")

    def block_type(self, line: int, column: int) -> str:
        """The type of the block that starts at the position (``resource``, ``module``)."""
        start, end = self.line_span(line)
        found = re.match(r"[ \t]*([A-Za-z_][\w-]*)", self.text[start:end])
        return found.group(1) if found else ""

    def arguments(self, open_: int, close: int) -> list[tuple[str, int, int]]:
        """The block's own arguments (not those of nested blocks): name, start and end
        (before the line break that ends it)."""
        text = self.text
        found: list[tuple[str, int, int]] = []
        depth, j, line_start = 0, open_ + 1, True
        current: list[Any] | None = None
        while j < close:
            c = text[j]
            if line_start and c in " \t":
                j += 1
                continue
            if line_start:
                line_start = False
                if depth == 0:
                    match = _ATTR.match(text, j)
                    current = [match.group(1), j] if match else None
            if c in "\r\n":
                if depth == 0:
                    if current is not None:
                        found.append((current[0], current[1], j))
                        current = None
                    line_start = True
                j += 1
                continue
            if c == '"':
                j = self.skip_string(j)
                continue
            if c == "#" or text.startswith(("//", "/*"), j):
                j = self.skip_comment(j)
                continue
            if c == "<" and text.startswith("<<", j):
                after = self.skip_heredoc(j)
                if after is not None:
                    j = after
                    continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            j += 1
        if current is not None:
            end = close
            while end > current[1] and text[end - 1] in " \t":
                end -= 1
            found.append((current[0], current[1], end))
        return found

    # -- reading values --------------------------------------------------------------
    def literal_at(self, line: int, column: int) -> tuple[int, int, Any, str]:
        """The literal value of the argument written at the position: (start, end, value,
        kind), kind "number", "bool" or "string". NoFix if it is an expression."""
        start, end = self.line_span(line)
        segment = self.text[start:end]
        matches = [m for m in _ATTR.finditer(segment)]
        chosen = [m for m in matches if m.start() == column - 1] or (
            matches if len(matches) == 1 else [])
        if not chosen:
            raise NoFix(f"no argument is written at line {line} any more")
        value_start = start + chosen[0].end()
        text = self.text
        for kind, pattern in (("string", _STRING), ("bool", _BOOL), ("number", _NUMBER)):
            match = pattern.match(text, value_start)
            if match is None:
                continue
            if _REST.match(text, match.end()) is None:
                break  # more follows: an expression (``30 * 6``), not a literal
            raw = match.group(0)
            if kind == "number":
                value: Any = float(raw) if any(c in raw for c in ".eE") else int(raw)
            elif kind == "bool":
                value = raw == "true"
            else:
                try:
                    value = json.loads(raw.replace("$${", "${").replace("%%{", "%{"))
                except ValueError:
                    break
            return value_start, match.end(), value, kind
        expression = re.split(r"\s(?:#|//)", text[value_start:end], maxsplit=1)[0].strip()
        if len(expression) > 60:
            expression = expression[:57] + "..."
        raise NoFix(f"the value at line {line} is an expression ({expression}), not a "
                    "literal")


def hcl_value(value: Any) -> str:
    """A value in HCL: numbers, ``true``/``false``, strings, lists of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    raise NoFix(f"{value!r} cannot be written in HCL")


def like(kind: str, new: Any) -> str:
    """``new`` written as the literal it replaces is (a string stays a string)."""
    if kind == "string" and not isinstance(new, str):
        return hcl_value(str(new).lower() if isinstance(new, bool) else str(new))
    return hcl_value(new)


class HclWriter:
    """Edits of one ``.tf`` file."""

    def __init__(self, text: str) -> None:
        self.hcl = HclText(text)

    def replace(self, line: int, column: int, old: Any, new: Any) -> tuple[int, int, str]:
        from .yaml import same

        start, end, value, kind = self.hcl.literal_at(line, column)
        if not same(value, old):
            raise NoFix(f"the value at line {line} is not {old!r} any more")
        return start, end, like(kind, new)

    def add_arguments(self, line: int, column: int, items: list[tuple[str, Any]]
                      ) -> tuple[int, int, str]:
        """Add ``name = value`` lines to the block that starts at the position, after its
        last argument (before its nested blocks)."""
        hcl, text = self.hcl, self.hcl.text
        kind = hcl.block_type(line, column)
        if kind != "resource":
            raise NoFix(f"line {line} does not start a resource block (a module's inputs "
                        "are not the arguments of the resources it creates): change the "
                        "setting where the module takes it")
        open_, close = hcl.block(line, column)
        arguments = hcl.arguments(open_, close)
        for name, _ in items:
            if any(arg == name for arg, _, _ in arguments):
                raise NoFix(f"{name} is already set")
        rendered = [(name, hcl_value(value)) for name, value in items]
        body = text[open_ + 1:close]
        if "\n" not in body and "\r" not in body:
            if body.strip():
                raise NoFix(f"the block at line {line} is written on one line")
            indent = hcl.indentation(open_)
            lines = "".join(hcl.eol + indent + "  " + f"{name} = {value}"
                            for name, value in rendered)
            return open_, close + 1, "{" + lines + hcl.eol + indent + "}"
        if arguments:
            _, start, end = arguments[-1]
            return end, end, self._aligned(arguments, rendered)
        after_open = min(p for p in (text.find("\n", open_), text.find("\r", open_)) if p >= 0)
        indent = hcl.indentation(open_) + "  "
        return after_open, after_open, "".join(hcl.eol + indent + f"{name} = {value}"
                                               for name, value in rendered)

    def _aligned(self, arguments: list[tuple[str, int, int]], rendered: list[tuple[str, str]]
                 ) -> str:
        """The new ``name = value`` lines as ``terraform fmt`` leaves them after the last
        argument.

        fmt aligns the ``=`` of consecutive one-line arguments. Names that fit the column
        of the arguments above are padded to it; a longer one would make fmt move the lines
        above, so the new lines then start a group of their own after a blank line (aligned
        among themselves), and no other byte of the file changes.
        """
        text, eol = self.hcl.text, self.hcl.eol
        _, last_start, _ = arguments[-1]
        indent = self.hcl.indentation(last_start)
        group: list[tuple[str, int]] = []
        for arg, start, end in reversed(arguments):
            line = text[start:end]
            if "\n" in line or "\r" in line or self.hcl.indentation(start) != indent:
                break
            if group and not self._adjacent(start, group[-1][1]):
                break
            group.append((arg, start))
        longest = max(len(name) for name, _ in rendered)
        column = max((text.index("=", start) - start for _, start in group), default=0)
        lead = eol
        if longest + 1 > column:
            column = longest + 1
            lead = eol + eol if group else eol
        return lead + eol.join(indent + name.ljust(column) + "= " + value
                               for name, value in rendered)

    def _adjacent(self, earlier: int, later: int) -> bool:
        """Whether the line at ``earlier`` is the line just before the one at ``later``."""
        between = self.hcl.text[earlier:later]
        return between.count("\n") == 1 or (between.count("\r") == 1 and "\n" not in between)

    def append_to_list(self, line: int, column: int, name: str, item: Any
                       ) -> tuple[int, int, str] | None:
        """Add ``item`` to the list literal of argument ``name`` of the block at the
        position; None when the block has no such argument; NoFix when it is not a list
        literal."""
        hcl, text = self.hcl, self.hcl.text
        open_, close = hcl.block(line, column)
        for arg, start, _end in hcl.arguments(open_, close):
            if arg != name:
                continue
            match = _ATTR.match(text, start)
            value_start = match.end() if match else start
            if not text.startswith("[", value_start):
                raise NoFix(f"{name} is not written as a list")
            closing = hcl.matching(value_start)
            inside = text[value_start + 1:closing]
            rendered = hcl_value(item)
            if not inside.strip():
                return value_start + 1, closing, rendered
            stripped = inside.rstrip()
            last = value_start + 1 + len(stripped)
            if stripped.endswith(","):
                last -= 1
            if "\n" in inside:
                first_item = len(inside) - len(inside.lstrip())
                item_indent = hcl.indentation(value_start + 1 + first_item)
                return last, last, "," + hcl.eol + item_indent + rendered
            return last, last, ", " + rendered
        return None

    def add_block_after(self, line: int, column: int, block: str) -> tuple[int, int, str]:
        """Add a top-level block after the one that starts at the position."""
        hcl, text = self.hcl, self.hcl.text
        _, close = hcl.block(line, column)
        end = close + 1
        positions = [p for p in (text.find("\n", end), text.find("\r", end)) if p >= 0]
        end = min(positions) if positions else len(text)
        lines = block.split("\n")
        return end, end, hcl.eol + hcl.eol + hcl.eol.join(lines)
