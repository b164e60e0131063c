"""Inline suppressions, and ESM002 for the ones that are wrong or do nothing.

Where a suppression can be written:

* a resource's ``Metadata`` (CloudFormation and SAM): ``esmlint: {ignore: [...]}`` covers
  the findings about that resource and, for a SAM function, about every resource SAM
  generates for it (its events' mappings and permissions, its role...);
* the template's ``Metadata``: ``esmlint: {ignore: [...]}`` covers the whole file;
* a comment ``# esmlint: ignore[ESM201] reason`` (``//`` also in Terraform files; several
  rules as ``ignore[ESM201,ESM301]``), at the end of a line or on a line of its own: it
  covers findings reported on its line (the next line that is not a comment, for a comment
  on its own line) and findings about the resource declared on that line;
* the configuration's ``ignore-resources`` (resource addresses or logical IDs, for Terraform
  plan JSON and everything else): see :mod:`esmlint.config`.

``ignore`` lists hold rule IDs or names, or ``{rule: ESM201, reason: text}`` mappings. A
reason is optional and for readers.

Suppressions are matched after the rules ran, by the engine, from the model's Metadata and
the file's text: rules never see them. Then ESM002 (``bad-suppression``) reports an inline
suppression that names an unknown rule, cannot be read, or suppresses nothing. "Nothing"
is only said of a rule that ran on the file (a rule switched off by ``--select``,
``ignore`` or ``per-file-ignores`` might have matched) and did not fail with an internal
error. Suppressions in the configuration never get ESM002: a configuration serves many
runs over different files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .findings import Finding, Severity
from .model import Model

BAD_SUPPRESSION_ID = "ESM002"
BAD_SUPPRESSION_NAME = "bad-suppression"

_COMMENT = re.compile(r"(?:^|(?<=\s))(#|//)\s*esmlint\s*:(?P<body>.*)$")
_DIRECTIVE = re.compile(r"\s*ignore\s*\[(?P<rules>[^\]]*)\]\s*(?P<reason>.*)$")
_REASON_LEAD = re.compile(r"^[\s:\-–—]+")
_COMMENT_ONLY = re.compile(r"^\s*(#|//)")
_EXAMPLE = "# esmlint: ignore[ESM201] reason"


@dataclass
class Suppression:
    """One rule silenced somewhere; ``used`` once it hid a finding."""

    rule: str          # the rule ID
    kind: str          # "comment", "resource", "template" or "config"
    written: str       # as the user wrote the rule
    line: int          # where it is written
    column: int
    target: str = ""   # resource id ("resource"), covered line as text ("comment")
    covered_line: int = 0
    reason: str = ""
    used: bool = False


@dataclass
class _Index:
    """What matching needs from the model: origins and where resources are declared."""

    model: Model

    def __post_init__(self) -> None:
        self.declared: dict[int, set[str]] = {}
        for rid, loc in self.model.locations.items():
            if loc is not None and (not loc.path or loc.path == self.model.path):
                self.declared.setdefault(loc.line, set()).add(rid)

    def owners(self, finding: Finding) -> set[str]:
        """The finding's resource and every resource it was generated from."""
        owners: set[str] = set()
        current = finding.resource
        while current and current not in owners:
            owners.add(current)
            current = self.model.origins.get(current, "")
        return owners


def apply(
    findings: Sequence[Finding],
    model: Model,
    text: str | None,
    *,
    rules: Sequence[Any],
    enabled: Callable[[str], bool],
    config: Any = None,
) -> list[Finding]:
    """``findings`` without the suppressed ones, plus ESM002 findings.

    ``enabled(rule_id)`` tells whether a rule ran on this file; ``config`` may carry
    ``ignore_resources`` (see :class:`esmlint.config.Config`).
    """
    bad = _bad_rule(rules)
    inline, problems = collect(model, text, rules=rules)
    ignores = tuple(getattr(config, "ignore_resources", ()) or ())
    if not inline and not problems and not ignores:
        return list(findings)

    index = _Index(model)
    kept: list[Finding] = []
    for finding in findings:
        owners = index.owners(finding)
        hit = False
        for suppression in inline:
            if suppression.rule == finding.rule and _covers(suppression, finding, owners,
                                                            index):
                suppression.used = hit = True
        constructs = {model.construct_paths[o] for o in owners if o in model.construct_paths}
        for entry in ignores:
            if entry.rule == finding.rule and any(entry.covers(o) for o in owners | constructs):
                hit = True
        if not hit:
            kept.append(finding)

    if not enabled(BAD_SUPPRESSION_ID):
        return kept
    failed = {f.rule for f in findings if f.name == "internal-error"}
    for suppression in inline:
        if (suppression.used or suppression.rule == BAD_SUPPRESSION_ID
                or suppression.rule in failed or not enabled(suppression.rule)
                or not _has_check(rules, suppression.rule)):
            continue
        problems.append(_unused(suppression, model, bad))
    # ESM002 findings can themselves be suppressed (for example in a generated template).
    for finding in problems:
        owners = index.owners(finding)
        if not any(s.rule == BAD_SUPPRESSION_ID and _covers(s, finding, owners, index)
                   for s in inline):
            kept.append(finding)
    kept.sort(key=Finding.sort_key)
    return kept


def collect(model: Model, text: str | None, *, rules: Sequence[Any]
            ) -> tuple[list[Suppression], list[Finding]]:
    """The inline suppressions of one file, and ESM002 findings for those that name an
    unknown rule or cannot be read."""
    resolve = _resolver(rules)
    bad = _bad_rule(rules)
    inline: list[Suppression] = []
    problems: list[Finding] = []
    _from_metadata(model, text, resolve, inline, problems, bad)
    if text and "esmlint" in text:
        _from_comments(model, text, resolve, inline, problems, bad)
    return inline, problems


def _covers(suppression: Suppression, finding: Finding, owners: set[str],
            index: _Index) -> bool:
    if suppression.kind == "template":
        return True
    if suppression.kind == "resource":
        return suppression.target in owners
    # A comment: the finding is on the covered line, or is about a resource declared there.
    line = suppression.covered_line
    if finding.line == line and (not finding.path or finding.path == index.model.path):
        return True
    return bool(owners & index.declared.get(line, set()))


def _has_check(rules: Sequence[Any], rule_id: str) -> bool:
    return any(r.id == rule_id and r.check is not None for r in rules)


def _resolver(rules: Sequence[Any]) -> Callable[[str], str | None]:
    by_token = {}
    for rule in rules:
        by_token[rule.id.lower()] = rule.id
        by_token[rule.name.lower()] = rule.id

    def resolve(token: str) -> str | None:
        return by_token.get(token.strip().lower())

    return resolve


def _bad_rule(rules: Sequence[Any]) -> tuple[str, Severity]:
    for rule in rules:
        if rule.id == BAD_SUPPRESSION_ID:
            return rule.name, rule.severity
    return BAD_SUPPRESSION_NAME, Severity.WARNING


def _finding(model: Model, bad: tuple[str, Severity], line: int, column: int, message: str,
             key: str, resource: str = "") -> Finding:
    return Finding(
        rule=BAD_SUPPRESSION_ID, severity=bad[1], path=model.path, line=max(line, 1),
        column=max(column, 1), message=message, resource=resource, name=bad[0], key=key,
    )


# --- Metadata ---------------------------------------------------------------------------------


def _from_metadata(model: Model, text: str | None, resolve: Callable[[str], str | None],
                   out: list[Suppression], problems: list[Finding],
                   bad: tuple[str, Severity]) -> None:
    options = model.options if isinstance(model.options, dict) else {}
    if "ignore" in options:
        line, column = _template_ignore_position(text)
        _read_ignore(model, options["ignore"], "template", "", line, column, resolve, out,
                     problems, bad)
    for rid, meta in model.metadata.items():
        if isinstance(meta, dict) and "ignore" in meta:
            line, column = _mark(meta, "ignore")
            if not line:
                loc = model.locations.get(rid)
                line, column = (loc.line, loc.column) if loc is not None else (1, 1)
            _read_ignore(model, meta["ignore"], "resource", rid, line, column, resolve, out,
                         problems, bad)


def _mark(container: Any, key: Any) -> tuple[int, int]:
    mark = getattr(container, "mark", None)
    if callable(mark):
        line, column = mark(key)
        return line, column
    return 0, 0


def _template_ignore_position(text: str | None) -> tuple[int, int]:
    """Where the template-level ``ignore`` is written, for a scalar ``ignore`` (a list's
    items keep their marks in the model; the ``esmlint`` mapping itself does not)."""
    section = esmlint = False
    for number, line in enumerate((text or "").splitlines(), start=1):
        if re.match(r"^[^\s#]", line):
            section = bool(re.match(r"^[\"']?Metadata[\"']?\s*:", line))
            esmlint = False
        elif section and re.match(r"^\s+[\"']?esmlint[\"']?\s*:", line):
            esmlint = True
        elif esmlint:
            match = re.match(r"^(\s*)[\"']?ignore[\"']?\s*:", line)
            if match:
                return number, len(match.group(1)) + 1
    return 1, 1


def _read_ignore(model: Model, value: Any, kind: str, rid: str, line: int, column: int,
                 resolve: Callable[[str], str | None], out: list[Suppression],
                 problems: list[Finding], bad: tuple[str, Severity]) -> None:
    where = ("the template's Metadata" if kind == "template"
             else f"the Metadata of {rid}")
    items = value if isinstance(value, list) else [value]
    for index, item in enumerate(items):
        item_line, item_column = _mark(value, index) if isinstance(value, list) else (0, 0)
        item_line, item_column = (item_line, item_column) if item_line else (line, column)
        token, reason = None, ""
        if isinstance(item, str) and item.strip():
            token = item.strip()
        elif isinstance(item, dict) and isinstance(item.get("rule"), str):
            token = item["rule"].strip()
            reason = str(item.get("reason", "") or "")
            if set(item) - {"rule", "reason"}:
                token = None
        if not token:
            problems.append(_finding(
                model, bad, item_line, item_column,
                f"cannot read the esmlint ignore in {where}: expected a list of rule IDs "
                f"or names, or of {{rule: ESM201, reason: text}} mappings",
                f"malformed:{kind}:{rid}", rid))
            continue
        rule = resolve(token)
        if rule is None:
            problems.append(_finding(
                model, bad, item_line, item_column,
                f"the esmlint ignore in {where} names unknown rule {token!r}; 'esmlint "
                f"rules' lists the rule IDs and names: correct or remove it",
                f"unknown-rule:{kind}:{rid}:{token}", rid))
            continue
        out.append(Suppression(rule, kind, token, item_line, item_column, target=rid,
                               reason=reason))


# --- comments ---------------------------------------------------------------------------------


def _from_comments(model: Model, text: str, resolve: Callable[[str], str | None],
                   out: list[Suppression], problems: list[Finding],
                   bad: tuple[str, Severity]) -> None:
    lines = text.splitlines()
    hcl = model.path.lower().endswith((".tf", ".hcl"))
    index = None
    for number, line in enumerate(lines, start=1):
        if "esmlint" not in line:
            continue
        match = _COMMENT.search(line)
        if not match or (match.group(1) == "//" and not hcl):
            continue
        column = match.start() + 1
        own_line = bool(_COMMENT_ONLY.match(line)) and line[:match.start()].strip() == ""
        covered = _next_code_line(lines, number) if own_line else number
        directive = _DIRECTIVE.match(match.group("body"))
        if index is None:
            index = _Index(model)
        declared = sorted(index.declared.get(covered, set()))
        resource = declared[0] if declared else ""
        if not directive or not directive.group("rules").strip():
            problems.append(_finding(
                model, bad, number, column,
                f"cannot read this suppression comment; write `{_EXAMPLE}` (rule IDs or "
                f"names in the brackets, separated by commas)",
                f"malformed:comment:{resource}", resource))
            continue
        reason = _REASON_LEAD.sub("", directive.group("reason")).strip()
        for token in directive.group("rules").split(","):
            token = token.strip()
            if not token:
                continue
            rule = resolve(token)
            if rule is None:
                problems.append(_finding(
                    model, bad, number, column,
                    f"`esmlint: ignore[{token}]` names an unknown rule; 'esmlint rules' "
                    f"lists the rule IDs and names: correct or remove it",
                    f"unknown-rule:comment:{resource}:{token}", resource))
                continue
            out.append(Suppression(rule, "comment", token, number, column,
                                   target=resource, covered_line=covered, reason=reason))


def comment_directive(line: str, hcl: bool = False) -> int | None:
    """Where the rule list of a readable ``esmlint: ignore[...]`` comment in ``line`` ends
    (the offset of its ``]``), or None: editors add a rule there instead of writing a
    second comment."""
    if "esmlint" not in line:
        return None
    match = _COMMENT.search(line)
    if not match or (match.group(1) == "//" and not hcl):
        return None
    directive = _DIRECTIVE.match(match.group("body"))
    if not directive or not directive.group("rules").strip():
        return None
    return match.start("body") + directive.end("rules")


def _next_code_line(lines: list[str], number: int) -> int:
    """The line a comment on its own line covers: the next one that is not a comment."""
    current = number + 1
    while current <= len(lines) and _COMMENT_ONLY.match(lines[current - 1]):
        current += 1
    return current


def _unused(suppression: Suppression, model: Model, bad: tuple[str, Severity]) -> Finding:
    rule = suppression.rule
    if suppression.kind == "template":
        message = (f"the esmlint ignore of {rule} in the template's Metadata suppresses "
                   f"nothing: {rule} reports nothing in this template; remove it")
        key = f"unused:template:{rule}"
    elif suppression.kind == "resource":
        rid = suppression.target
        fn = model.function(rid)
        generated = " or the resources SAM generates for it" if fn is not None and fn.is_sam \
            else ""
        message = (f"the esmlint ignore of {rule} in the Metadata of {rid} suppresses "
                   f"nothing: {rule} reports nothing about {rid}{generated} (a finding "
                   f"names its resource in brackets); remove it")
        key = f"unused:resource:{rid}:{rule}"
    else:
        about = (f" or about {suppression.target}, declared there" if suppression.target
                 else "")
        message = (f"`esmlint: ignore[{suppression.written}]` suppresses nothing: {rule} "
                   f"reports nothing on line {suppression.covered_line}{about}; remove it")
        key = f"unused:comment:{suppression.target}:{rule}"
    return _finding(model, bad, suppression.line, suppression.column, message, key,
                    suppression.target)
