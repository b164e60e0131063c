"""Apply fixes to texts: choose the ones that do not overlap, splice their edits, keep the
file's encoding, and show the result as a unified diff.

Fixes are taken in the order of their findings (path, line, column, rule). A fix is
applied whole or not at all: one whose edit overlaps an edit already chosen waits for the
next pass (the file is linted again after each pass, and the rule then proposes it again
against the new text, if it still applies). Two findings that ask for the same edit (two
functions reading one queue) share it.
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..findings import Finding
from . import Edit

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass
class Encoded:
    """How a file's bytes were written: the byte-order mark (if any) and the encoding."""

    bom: bytes = b""
    encoding: str = "utf-8"

    @classmethod
    def of(cls, data: bytes) -> Encoded:
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                return cls(bom, encoding)
        return cls()

    def decode(self, data: bytes) -> str:
        return data[len(self.bom):].decode(self.encoding)

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.path != b.path:
        return False
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at one place: their order is unclear
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return max(a.start, b.start) < min(a.end, b.end)


def choose(findings: Iterable[Finding]) -> tuple[list[Finding], list[Edit]]:
    """The findings whose fixes can be applied together in one pass, and their edits."""
    chosen: list[Edit] = []
    fixed: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        fix = finding.fix
        if fix is None or not fix.edits:
            continue
        new = [edit for edit in fix.edits if edit not in chosen]
        if any(_overlaps(edit, other) for edit in new for other in chosen):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(new) for b in new[i + 1:]):
            continue  # a fix whose own edits collide: a bug of the rule; not applied
        chosen.extend(new)
        fixed.append(finding)
    return fixed, chosen


def splice(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with the (non-overlapping) edits applied."""
    parts: list[str] = []
    last = len(text)
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        parts.append(text[edit.end:last])
        parts.append(edit.content)
        last = edit.start
    parts.append(text[:last])
    return "".join(reversed(parts))


def unified_diff(path: str, before: str, after: str) -> str:
    """The change of one file as ``diff -u`` / ``git diff`` show it."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    path = path.lstrip("/")  # an absolute path: a/work/..., as git shows one
    lines = []
    for line in difflib.unified_diff(old, new, fromfile=f"a/{path}", tofile=f"b/{path}"):
        if line.endswith(("\n", "\r")):
            lines.append(line)
        else:
            lines.append(line + "\n\\ No newline at end of file\n")
    return "".join(lines)
