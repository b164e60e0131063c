"""esmlint's rules inside cfn-lint: ``cfn-lint --append-rules esmlint.cfn_lint -- template.yaml``.

cfn-lint imports this module and registers every ``CloudFormationLintRule`` subclass it
finds in it. One class is made here per esmlint rule and severity, so the findings come
out in cfn-lint's own output formats, pass through its ``--ignore-checks`` /
``--include-checks`` / ``--mandatory-checks`` and its template suppressions
(``Metadata: cfn-lint: config: ignore_checks: [...]`` on a resource), and fail its exit
code like its own rules.

Rule IDs: cfn-lint reads a rule's severity from the first letter of its ID, so an
esmlint rule is registered as that letter followed by the esmlint ID: ``EESM101`` (error),
``WESM102`` (warning), ``IESM112`` (info; cfn-lint shows ``I`` rules only with
``--include-checks I``). A finding takes the letter of its own severity; a rule is
registered at its default severity and at each lower one, because some rules report part
of their findings lower (ESM108 is a warning, and info where both the timeout and the
batch size are defaults: ``WESM108`` and ``IESM108``). ``shortdesc`` is
``ESM101 sqs-visibility-below-timeout`` and ``source_url`` the rule's documentation page.

The rules run on the template *as written*: the file is read again and linted by
esmlint's own loaders. cfn-lint before 1.54 expands SAM with the SAM translator before
rules run, and later releases no longer expand it; either way esmlint sees the SAM
functions and their events, and reports their lines. A template cfn-lint read from
standard input has no file to read: esmlint then lints the template cfn-lint decoded
(which cfn-lint < 1.54 has already expanded from SAM) and places findings at their
resource.

Rule options are cfn-lint rule configuration: ``--configure-rule WESM102:multiplier=4``.

Only cfn-lint imports this module; ``esmlint check`` never does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from . import registry, runner
from .findings import Finding, Severity
from .reporters import rule_url

#: cfn-lint's severity letters.
LETTERS = {Severity.ERROR: "E", Severity.WARNING: "W", Severity.INFO: "I"}

_CONFIG_TYPES = {bool: "boolean", int: "integer", str: "string", list: "list"}


def cfn_lint_id(rule_id: str, severity: Severity) -> str:
    """The cfn-lint rule ID of esmlint's ``rule_id`` at ``severity``: ``EESM101``."""
    return LETTERS[severity] + rule_id


class EsmlintRule(CloudFormationLintRule):
    """One esmlint rule at one severity, as a cfn-lint rule (subclassed per rule below)."""

    esmlint_id: str = ""
    esmlint_severity: Severity = Severity.ERROR
    esmlint_options: dict = {}
    tags = ["esmlint", "lambda"]

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = {
            name: _config_definition(default)
            for name, default in self.esmlint_options.items()
        }
        self.configure()
        _INSTANCES[self.id] = self

    def match(self, cfn: Any) -> Iterator[RuleMatch]:
        for finding, location in _findings(cfn):
            if finding.rule == self.esmlint_id and _letter(finding, self) == self.id[0]:
                path = ["Resources", finding.resource] if finding.resource else []
                yield RuleMatch(path, _message(finding), location=location)


# Registered rules by cfn-lint ID, to read their --configure-rule options.
_INSTANCES: dict[str, EsmlintRule] = {}


def _config_definition(default: Any) -> dict:
    kind = _CONFIG_TYPES.get(type(default), "string")
    definition = {"default": default, "type": kind}
    if kind == "list":
        definition["itemtype"] = "string"
    return definition


def _letter(finding: Finding, rule: EsmlintRule) -> str:
    """The severity letter a finding is reported under: its own, unless the rule is not
    registered that high (a finding above its rule's default keeps the default)."""
    if finding.severity > rule.esmlint_severity:
        return LETTERS[rule.esmlint_severity]
    return LETTERS[finding.severity]


def _message(finding: Finding) -> str:
    resource = f" [{finding.resource}]" if finding.resource else ""
    return f"{finding.message}{resource}"


def _options() -> dict[str, dict]:
    """esmlint rule options from the cfn-lint rule configuration (``-x RULE:key=value``)."""
    options: dict[str, dict] = {}
    for rule in list(_INSTANCES.values()):
        for name, default in rule.esmlint_options.items():
            value = rule.config.get(name, default)
            if isinstance(default, float) and not isinstance(value, float):
                try:
                    value = float(value)
                except (TypeError, ValueError):
                    continue
            if value != default:
                options.setdefault(rule.esmlint_id, {})[name] = value
    return options


_LOCK = threading.Lock()
_CACHE: dict[str, list[tuple[Finding, tuple[int, int, int, int]]]] = {}


def _findings(cfn: Any) -> list[tuple[Finding, tuple[int, int, int, int]]]:
    """esmlint's findings on the template cfn-lint is checking, with cfn-lint locations.

    Every esmlint rule class asks; the template is linted once (per content and options)
    and the answer kept for the classes after it.
    """
    filename = getattr(cfn, "filename", None)
    data: bytes | None = None
    if filename and filename != "-" and os.path.isfile(filename):
        try:
            with open(filename, "rb") as handle:
                data = handle.read()
        except OSError:
            data = None
    decoded = data is None
    if decoded:
        data = json.dumps(cfn.template, indent=1, default=str, ensure_ascii=False).encode()
    options = _options()
    key = hashlib.sha256(
        data + repr((filename, sorted(options.items()))).encode("utf-8")).hexdigest()
    with _LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        path = filename if filename and not decoded else (
            "template.json" if not filename or filename == "-" else filename + ".json")
        findings, _counted, _notes = runner.lint_buffer(path, data, options=options)
        text = data.decode("utf-8", errors="replace")
        located = [(f, _location(f, cfn, text, decoded)) for f in findings]
        _CACHE.clear()  # one template at a time: cfn-lint runs every rule on it in turn
        _CACHE[key] = located
        return located


_TOKEN_END = re.compile(r"[^\s:,\]\}]*")


def _location(finding: Finding, cfn: Any, text: str, decoded: bool
              ) -> tuple[int, int, int, int]:
    """cfn-lint's zero-based (line, column, end line, end column) of a finding."""
    if decoded:
        # The JSON esmlint read is not the file: place the finding at its resource.
        where = None
        if finding.resource:
            try:
                where = cfn.get_location_yaml(cfn.template, ["Resources", finding.resource])
            except Exception:  # noqa: BLE001 - a location is a nicety, never a failure
                where = None
        if where:
            return tuple(where)  # type: ignore[return-value]
        return (0, 0, 0, 1)
    line, column = max(finding.line, 1) - 1, max(finding.column, 1) - 1
    lines = text.splitlines()
    end = column + 1
    if line < len(lines):
        token = _TOKEN_END.match(lines[line], column)
        if token and token.end() > column:
            end = token.end()
    return (line, column, line, end)


def _class_name(rule_id: str, name: str, letter: str) -> str:
    words = "".join(part.capitalize() for part in name.split("-"))
    return f"{letter}{rule_id}{words}"


def _make_rules() -> dict[str, type[EsmlintRule]]:
    made: dict[str, type[EsmlintRule]] = {}
    for rule in registry.load_rules():
        for severity in sorted(Severity, reverse=True):
            if severity > rule.severity:
                continue
            lower = severity < rule.severity
            shortdesc = f"{rule.id} {rule.name}" + (f" (as {severity.label})" if lower else "")
            attrs = {
                "id": cfn_lint_id(rule.id, severity),
                "shortdesc": shortdesc,
                "description": rule.summary + (
                    f" Findings this rule reports as {severity.label}s." if lower else ""),
                "source_url": rule_url(rule.id),
                "tags": ["esmlint", "lambda", rule.name],
                "esmlint_id": rule.id,
                "esmlint_severity": rule.severity,
                "esmlint_options": dict(rule.options),
                "__module__": __name__,
                "__doc__": rule.summary,
            }
            name = _class_name(rule.id, rule.name, LETTERS[severity])
            made[name] = type(name, (EsmlintRule,), attrs)
    return made


globals().update(_make_rules())
