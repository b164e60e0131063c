"""The edit that silences one finding where it is reported ("ignore this finding here").

In YAML templates, ``serverless.yml`` and Terraform ``.tf`` files it is the inline
suppression comment :mod:`esmlint.suppress` reads, ``# esmlint: ignore[ESM101]``: added
to the comment that already suppresses something on that line (or on the comment lines
just above it), else written on a line of its own above the finding's line, indented as
that line is (such a comment covers the next line that is not a comment). JSON has no
comments: a CloudFormation JSON template gets the rule in the resource's ``Metadata``
(``"esmlint": {"ignore": ["ESM101"]}``). Terraform JSON has neither, so nothing is offered
there.
"""

from __future__ import annotations

import re

from ..suppress import comment_directive
from . import Edit
from .yaml import NoFix

_COMMENT_ONLY = re.compile(r"^[ \t]*(#|//)")


def ignore_edit(path: str, text: str, line: int, rule: str, resource: str = "",
                reason: str = "") -> Edit:
    """The edit that suppresses ``rule`` on ``line`` (1-based) of ``text``."""
    lower = path.lower()
    if lower.endswith(".tf.json"):
        raise NoFix("Terraform JSON has no comments: list the address in ignore-resources "
                    "of the configuration")
    if lower.endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{"):
        return _metadata(path, text, rule, resource)
    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        raise NoFix(f"line {line} is not in the file")
    offsets = [0]
    for item in lines:
        offsets.append(offsets[-1] + len(item))
    hcl = lower.endswith((".tf", ".hcl"))
    # A suppression comment on the line, or on the comment lines right above it.
    candidates = [line]
    above = line - 1
    while above >= 1 and _COMMENT_ONLY.match(lines[above - 1]):
        candidates.append(above)
        above -= 1
    for number in candidates:
        body = lines[number - 1].rstrip("\r\n")
        found = comment_directive(body, hcl)
        if found is not None:
            closing = found  # the offset of "]" in the line
            return Edit(path, offsets[number - 1] + closing, offsets[number - 1] + closing,
                        f",{rule}", _at(number, closing + 1), _at(number, closing + 1))
    target = lines[line - 1]
    indent = target[:len(target) - len(target.lstrip(" \t"))]
    eol = "\r\n" if target.endswith("\r\n") else ("\r" if target.endswith("\r") else "\n")
    note = f" {reason}" if reason else ""
    content = f"{indent}# esmlint: ignore[{rule}]{note}{eol}"
    start = offsets[line - 1]
    return Edit(path, start, start, content, _at(line, 1), _at(line, 1))


def _at(line: int, column: int) -> tuple[int, int]:
    return (line, column)


def _metadata(path: str, text: str, rule: str, resource: str) -> Edit:
    from .resolve import position
    from .yaml import Tree, Writer

    tree = Tree(text, json_syntax=True)
    root = tree.root
    resources = root.get("Resources") if root is not None and root.kind == "map" else None
    node = resources.get(resource) if resources is not None and resource else None
    if node is None or node.kind != "map":
        raise NoFix("JSON has no comments, and the finding names no resource of the "
                    "template whose Metadata could hold the suppression")
    start, end, content = Writer(tree).append(node, ("Metadata", "esmlint", "ignore"), rule)
    texts = {path: text}
    return Edit(path, start, end, content, position(texts, path, start),
                position(texts, path, end))
