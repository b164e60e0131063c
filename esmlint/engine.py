"""Run the rules over one model and complete their findings.

Two promises live here. First, one broken rule never stops the run: a rule that raises
becomes an error finding that names the rule and the resource it was looking at, while
every other rule is still checked. Second, the output is deterministic: rules run in ID
order and findings are sorted by :meth:`Finding.sort_key`, so CI logs and baselines are
stable.

What a model goes through after the rules (inline suppressions, ESM002, the file's
configuration) is here too (:func:`lint_model`), so that files read from disk
(:mod:`esmlint.runner`) and buffers from editors go through the same steps. Reading files,
discovering paths and worker processes are the runner's job, not this module's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from . import suppress as _suppress
from .findings import Finding, Severity
from .model import Function, InvokeConfig, Model, Permission, Resource, Role, Source
from .registry import (
    INTERNAL_ERROR_NAME,
    RuleInfo,
    is_enabled,
    load_rules,
    parse_error_rule,
)


def rule_options(rule: RuleInfo, model: Model | None,
                 options: Mapping[str, Mapping[str, Any]] | None) -> dict:
    """The options a rule's check gets: its defaults, then configuration, then template.

    Configuration and template-level options are keyed by rule ID or name.
    """
    merged = dict(rule.options)
    template = model.options if model is not None else None
    if not options and not template:
        return merged  # the common case: nothing configured (asked per rule and file)
    for layer in (options or {}, template or {}):
        for key in (rule.id, rule.name):
            value = layer.get(key) if isinstance(layer, Mapping) else None
            if isinstance(value, Mapping):
                merged.update(value)
    return merged


def run(
    model: Model,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Sequence[RuleInfo] | None = None,
) -> list[Finding]:
    """Run every enabled rule over one model; findings come back filled in and sorted."""
    findings: list[Finding] = []
    for rule in rules if rules is not None else load_rules():
        if rule.check is None or not is_enabled(rule.id, select, ignore):
            continue
        findings.extend(_run_rule(rule, model, rule_options(rule, model, options)))
    findings.sort(key=Finding.sort_key)
    return findings


def _run_rule(rule: RuleInfo, model: Model, options: dict) -> list[Finding]:
    """One rule over one model: its findings, or what it found plus an internal error."""
    found: list[Finding] = []
    try:
        for finding in rule.check(model, options) or ():
            if not isinstance(finding, Finding):
                raise TypeError(f"check() yielded {type(finding).__name__}, not a Finding")
            found.append(_complete(finding, rule, model))
    except Exception as exc:  # noqa: BLE001 - a rule's bug must not stop the others
        found.append(internal_error(rule, model, exc, exc.__traceback__))
    return found


def _complete(finding: Finding, rule: RuleInfo, model: Model) -> Finding:
    """Fill what the engine owns: rule ID, name, default severity, path and position, and
    the message in the input's vocabulary."""
    finding.rule = rule.id
    finding.name = rule.name
    if not finding.extra.get("explicit_severity"):
        finding.severity = rule.severity
    if not finding.path:
        finding.path = model.path
    translate = None
    if model.format.startswith("terraform"):
        translate = _terraform_terms()  # rules speak CloudFormation
    elif model.format == "serverless":
        from .terms import for_serverless as translate
    if translate is not None:
        finding.message = translate(finding.message)
        if finding.fix is not None:
            finding.fix.message = translate(finding.fix.message)
        if finding.fix_note:
            finding.fix_note = translate(finding.fix_note)
    if model.construct_paths:
        from .constructs import name_by_construct  # CDK output only

        name_by_construct(finding, model)
    finding.line = max(finding.line, 1)
    finding.column = max(finding.column, 1)
    return finding


@functools.cache
def _terraform_terms() -> Callable[[str], str]:
    """:func:`esmlint.terms.for_terraform`, imported once, when a Terraform model is
    linted (rules speak CloudFormation: see :mod:`esmlint.terms`)."""
    from .terms import for_terraform

    return for_terraform


_MODEL_TYPES = (Source, InvokeConfig, Permission, Resource, Role, Function)


def internal_error(rule: RuleInfo, model: Model, exc: BaseException,
                   tb: TracebackType | None) -> Finding:
    """The finding for a rule that raised, naming the resource it was checking.

    The resource is read from the rule's innermost frame that holds a model object in a
    local variable: a rule is a loop over functions and sources, so that is the one it was
    looking at when it failed. Without one, the finding names the template.
    """
    subject = _subject(tb, rule.module)
    resource = function = ""
    line = column = 1
    if subject is not None:
        # A SAM event's source is generated; the template resource is the function.
        resource = getattr(subject, "origin", "") if isinstance(subject, Source) else ""
        resource = resource or subject.id
        owner = getattr(subject, "function", None)
        function = owner.id if isinstance(owner, Function) else ""
        if isinstance(subject, Function):
            function = subject.id
        loc = subject.loc
        if loc is not None and loc.path == model.path and loc.line > 0:
            line, column = loc.line, max(loc.column, 1)
    what = resource or model.path
    detail = str(exc).strip()
    message = (
        f"internal error in rule {rule.id} while checking {what}: {type(exc).__name__}"
        f"{': ' + detail if detail else ''} — please report this bug"
    )
    return Finding(
        rule=rule.id,
        severity=Severity.ERROR,
        path=model.path,
        line=line,
        column=column,
        message=message,
        resource=resource,
        function=function,
        name=INTERNAL_ERROR_NAME,
        key=f"internal-error:{type(exc).__name__}",
    )


def _subject(tb: TracebackType | None, module: str) -> Any:
    """The model object the rule was looking at, from the innermost frame holding one.

    Frames of the rule's own module are preferred over helpers it called.
    """
    frames = []
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") != __name__:
            frames.append(tb.tb_frame)
        tb = tb.tb_next
    own = [frame for frame in frames if frame.f_globals.get("__name__") == module]
    for frame in reversed(own or frames):
        # Within a frame the most specific object wins: a loop over a function's sources
        # fails on the source, not on the function.
        held = [v for v in frame.f_locals.values() if isinstance(v, _MODEL_TYPES)]
        if held:
            return min(held, key=_specificity)
    return None


def _specificity(value: Any) -> int:
    return next(i for i, kind in enumerate(_MODEL_TYPES) if isinstance(value, kind))


def parse_error(path: str, message: str, line: int = 0, column: int = 0,
                rules: Sequence[RuleInfo] | None = None) -> Finding:
    """An ESM001 finding; the position is repeated in the message, which users read."""
    rule = parse_error_rule(rules)
    if line > 0:
        message = f"{message} (line {line}, column {max(column, 1)})"
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        path=path,
        line=max(line, 1),
        column=max(column, 1),
        message=message,
        name=rule.name,
        key="parse-error",
    )


def lint_model(
    model: Model,
    text: str | None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Sequence[RuleInfo] | None = None,
    config: Any = None,
    path: str | None = None,
    broken: bool = False,
) -> list[Finding]:
    """One loaded file as :func:`lint_paths` lints it, for text not read from disk
    (standard input, an editor's buffer): the file's configuration (``config``: a
    :class:`~esmlint.config.Config` or :class:`~esmlint.config.Finder`, looked up for
    ``path``), the rules, inline suppressions and ESM002, severity overrides. Whether the
    file is excluded is the caller's decision (``config.for_path(path).excluded(path)``).
    ``broken``: the file did not parse whole (its model is of the blocks that did).
    """
    rules = rules if rules is not None else load_rules()
    path = path or model.path
    settings = config.for_path(path) if config is not None else None
    if settings is not None:
        select, ignore, options = settings.scope(path, select, ignore, options)
    findings = run(model, select, ignore, options, rules=rules)
    findings = _suppress.apply(findings, model, text, rules=rules, config=settings,
                               enabled=suppression_scope(select, ignore, broken))
    if settings is not None:
        findings = settings.adjust(findings, select, ignore)
    return [f for f in findings if is_enabled(f.rule, select, ignore)]


def suppression_scope(select: Sequence[str], ignore: Sequence[str], broken: bool = False
                      ) -> Callable[[str], bool]:
    """Which rules count as run on a file, for its inline suppressions. In a file that
    does not parse whole, a suppression may be about a broken block: none is reported
    unused (ESM002) there."""
    def enabled(rule_id: str) -> bool:
        if broken and rule_id == _suppress.BAD_SUPPRESSION_ID:
            return False
        return is_enabled(rule_id, select, ignore)

    return enabled


def loader_bug(path: str, what: str, exc: Exception, rules: Sequence[RuleInfo]) -> Finding:
    """ESM001 for a loader that raised: a bug of esmlint's, said so, for that input only."""
    detail = str(exc).strip()
    message = (f"internal error while loading {what}: {type(exc).__name__}"
               f"{': ' + detail if detail else ''} — please report this bug")
    return parse_error(path, message, rules=rules)
