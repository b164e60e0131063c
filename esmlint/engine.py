"""Load the rules, run them over models, and lint whole paths.

Two promises live here. First, one broken rule or one odd file never stops the run: a rule
that raises becomes an error finding that names the rule and the resource it was looking
at, and a loader that raises becomes an ESM001 finding for that file, while every other
rule and file is still checked. Second, the output is deterministic: rules run in ID order
and findings are sorted by :meth:`Finding.sort_key`, so CI logs and baselines are stable.

Rules are discovered, not registered: every module in the ``esmlint.rules`` package with a
module-level ``ID`` is a rule (see :mod:`esmlint.rule` for the shape). The rule reference
(``esmlint rules``, ``esmlint explain``) is generated from the same modules, so code and
documentation cannot drift apart.
"""

from __future__ import annotations

import codecs
import copy
import functools
import gc
import importlib
import inspect
import os
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType, TracebackType
from typing import Any

from . import discover as _discover
from . import loaders
from . import suppress as _suppress
from .findings import Finding, Severity
from .model import Function, InvokeConfig, Model, Permission, Resource, Role, Source

PARSE_ERROR_ID = "ESM001"
PARSE_ERROR_NAME = "parse-error"
INTERNAL_ERROR_NAME = "internal-error"


class RuleError(Exception):
    """A rule module that cannot be loaded or is not a valid rule (a bug in esmlint)."""


class UnknownRuleError(ValueError):
    """A rule ID, prefix or name in ``--select`` / ``--ignore`` / ``explain`` matches nothing."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


@dataclass(frozen=True)
class RuleInfo:
    """One rule: its metadata, its documentation and its check."""

    id: str
    name: str
    severity: Severity
    doc: str
    options: Mapping[str, Any] = field(default_factory=dict)
    check: Callable[[Model, dict], Iterable[Finding]] | None = None
    module: str = ""

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    @classmethod
    def from_module(cls, module: ModuleType) -> RuleInfo:
        """Read a rule module's metadata, refusing one that breaks the rule contract."""
        where = module.__name__
        rid = getattr(module, "ID", None)
        name = getattr(module, "NAME", None)
        severity = getattr(module, "SEVERITY", None)
        check = getattr(module, "check", None)
        if not isinstance(rid, str) or not re.fullmatch(r"ESM\d{3}", rid):
            raise RuleError(f"rule module {where}: ID must look like 'ESM101', got {rid!r}")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            raise RuleError(f"rule module {where}: NAME must be kebab-case, got {name!r}")
        if isinstance(severity, str):
            try:
                severity = Severity.parse(severity)
            except KeyError:
                severity = None
        if not isinstance(severity, Severity):
            raise RuleError(f"rule module {where}: SEVERITY must be a Severity")
        if check is not None and not callable(check):
            raise RuleError(f"rule module {where}: check must be callable")
        doc = inspect.cleandoc(module.__doc__ or "")
        if not doc:
            raise RuleError(f"rule module {where}: the module docstring (the rule's page) is empty")
        options = dict(getattr(module, "OPTIONS", None) or {})
        return cls(rid, name, severity, doc, options, check, where)


#: ESM001 is reported by the engine itself; its page is ``rules/esm001_parse_error.py``.
#: This stand-in only keeps parse errors reportable if that module were missing.
_BUILTIN_PARSE_ERROR = RuleInfo(
    PARSE_ERROR_ID, PARSE_ERROR_NAME, Severity.ERROR, "A template cannot be read or parsed."
)


@functools.lru_cache(maxsize=1)
def load_rules() -> tuple[RuleInfo, ...]:
    """Every rule in ``esmlint.rules``, sorted by ID; ESM001 is built in if no module has it.

    Raises :class:`RuleError` when a rule module cannot be imported or is malformed: a
    silently missing rule would pass templates it should fail.
    """
    try:
        package = importlib.import_module("esmlint.rules")
    except ImportError as exc:
        raise RuleError(f"the rules package cannot be imported: {exc}") from exc
    found: dict[str, RuleInfo] = {}
    names: dict[str, str] = {}
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.ispkg or info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - any import failure is reported the same way
            raise RuleError(
                f"rule module {info.name} cannot be imported: {type(exc).__name__}: {exc}"
            ) from exc
        if not hasattr(module, "ID"):
            continue  # a helper module shared by rules
        rule = RuleInfo.from_module(module)
        if rule.id in found:
            raise RuleError(
                f"rule {rule.id} is defined twice: {found[rule.id].module}, {info.name}"
            )
        if rule.name in names:
            raise RuleError(f"rule name {rule.name} is used by {names[rule.name]} and {rule.id}")
        found[rule.id] = rule
        names[rule.name] = rule.id
    found.setdefault(PARSE_ERROR_ID, _BUILTIN_PARSE_ERROR)
    return tuple(sorted(found.values(), key=lambda r: r.id))


def find_rule(token: str, rules: Sequence[RuleInfo] | None = None) -> RuleInfo:
    """The rule with this ID or name (case-insensitive); :class:`UnknownRuleError` if none."""
    wanted = token.strip().lower()
    for rule in rules if rules is not None else load_rules():
        if wanted in (rule.id.lower(), rule.name):
            return rule
    raise UnknownRuleError(token)


def parse_selectors(values: Iterable[str], rules: Sequence[RuleInfo] | None = None
                    ) -> tuple[str, ...]:
    """Split comma-separated selectors and check each against the known rules.

    A selector is a rule ID, an ID prefix (``ESM1``, ``ESM10``) or a rule name; it comes
    back upper-cased (names as their ID). A selector that matches no rule raises
    :class:`UnknownRuleError`: a typo in ``--ignore`` must not silently ignore nothing.
    """
    known = rules if rules is not None else load_rules()
    result: list[str] = []
    for value in values:
        for token in value.split(","):
            token = token.strip()
            if not token:
                continue
            upper = token.upper()
            if any(rule.id.startswith(upper) for rule in known):
                result.append(upper)
                continue
            result.append(find_rule(token, known).id)
    return tuple(result)


def is_enabled(rule_id: str, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> bool:
    """Whether a rule runs: selected (all when nothing is) and not ignored; by prefix."""
    if select and not any(rule_id.startswith(prefix) for prefix in select):
        return False
    return not any(rule_id.startswith(prefix) for prefix in ignore)


def rule_options(rule: RuleInfo, model: Model | None,
                 options: Mapping[str, Mapping[str, Any]] | None) -> dict:
    """The options a rule's check gets: its defaults, then configuration, then template.

    Configuration and template-level options are keyed by rule ID or name.
    """
    merged = dict(rule.options)
    for layer in (options or {}, model.options if model is not None else {}):
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
    if model.format.startswith("terraform"):
        from .terms import for_terraform  # rules speak CloudFormation: see esmlint.terms

        finding.message = for_terraform(finding.message)
    finding.line = max(finding.line, 1)
    finding.column = max(finding.column, 1)
    return finding


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


# --- whole paths --------------------------------------------------------------------------


@dataclass
class LintResult:
    """Everything a lint over some paths produced.

    ``files`` counts the templates checked (including those that got ESM001); ``notes``
    are lines for stderr about files that were skipped.
    """

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    notes: list[str] = field(default_factory=list)


def parse_error(path: str, message: str, line: int = 0, column: int = 0,
                rules: Sequence[RuleInfo] | None = None) -> Finding:
    """An ESM001 finding; the position is repeated in the message, which users read."""
    rule = _parse_error_rule(rules)
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


def _parse_error_rule(rules: Sequence[RuleInfo] | None) -> RuleInfo:
    for rule in rules if rules is not None else load_rules():
        if rule.id == PARSE_ERROR_ID:
            return rule
    return _BUILTIN_PARSE_ERROR


def lint_paths(
    paths: Sequence[str],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Sequence[RuleInfo] | None = None,
    config: Any = None,
    jobs: int | None = None,
) -> LintResult:
    """Discover, load and lint every template under ``paths``.

    ``config`` is a :class:`~esmlint.config.Config` or :class:`~esmlint.config.Finder`
    (each file then uses its own configuration); None reads no configuration. ``jobs``
    is the number of processes (None: one per CPU when there are many files); the
    result is the same whatever it is.
    """
    rules = rules if rules is not None else load_rules()
    found = _discover.discover(paths, terraform=True)
    result = LintResult(notes=list(found.notes))
    for candidate in found.too_large:
        limit = _discover.MAX_FILE_BYTES // (1024 * 1024)
        settings = config.for_path(candidate.path) if config is not None else None
        if settings is not None and settings.excluded(candidate.path):
            result.notes.append(f"esmlint: {candidate.path}: excluded by {settings.name}, "
                                "skipped")
            continue
        result.files += 1
        finding = parse_error(candidate.path, f"file larger than {limit} MiB; not read",
                              rules=rules)
        if settings is not None:
            chosen, ignored, _ = settings.scope(candidate.path, select, ignore)
            result.findings.extend(settings.adjust([finding], chosen, ignored))
        else:
            result.findings.append(finding)
    modules, files = terraform_groups(found.files)
    items: list[tuple] = [("terraform", directory, group) for directory, group in modules]
    items += [("file", candidate) for candidate in files]
    job = (select, ignore, options, rules, config)
    for findings, counted, notes in _run_items(items, job, jobs):
        result.findings.extend(findings)
        result.files += counted
        result.notes.extend(notes)
    result.findings = [f for f in result.findings if is_enabled(f.rule, select, ignore)]
    result.findings.sort(key=Finding.sort_key)
    return result


#: Below this many files, one process is faster than starting workers.
PARALLEL_THRESHOLD = 24

#: The work of the current lint_paths call, inherited by forked workers (not pickled).
_JOB: tuple = ()


def _lint_item(item: tuple, job: tuple | None = None) -> tuple[list[Finding], int, list[str]]:
    """Lint one work item: a Terraform module (directory) or one file."""
    select, ignore, options, rules, config = job if job is not None else _JOB
    if item[0] == "terraform":
        _, directory, group = item
        return lint_terraform(directory, group, select, ignore, options, rules=rules,
                              config=config)
    candidate = item[1]
    settings = config.for_path(candidate.path) if config is not None else None
    if settings is None:
        return lint_file(candidate.path, candidate.explicit, select, ignore, options,
                         rules=rules)
    if settings.excluded(candidate.path):
        note = [f"esmlint: {candidate.path}: excluded by {settings.name}, skipped"]
        return [], 0, note if candidate.explicit else []
    chosen, ignored, merged = settings.scope(candidate.path, select, ignore, options)
    findings, counted, notes = lint_file(candidate.path, candidate.explicit, chosen, ignored,
                                         merged, rules=rules, config=settings)
    return settings.adjust(findings, chosen, ignored), counted, notes


def _lint_index(index: int) -> tuple[list[Finding], int, list[str]]:
    return _lint_item(_JOB[5][index], _JOB[:5])


def _run_items(items: list[tuple], job: tuple, jobs: int | None
               ) -> Iterator[tuple[list[Finding], int, list[str]]]:
    """Lint the items in order, in worker processes when that pays.

    Workers are forked, so they inherit the loaded rules and configuration instead of
    receiving them pickled; only findings travel back. Where fork is not available
    (Windows), or for few files, everything runs in this process.
    """
    import os

    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(items) >= PARALLEL_THRESHOLD else 1
    jobs = max(1, min(jobs, len(items)))
    if jobs > 1:
        import multiprocessing  # 10 ms of imports: not for the one-file pre-commit run

        if "fork" not in multiprocessing.get_all_start_methods():
            jobs = 1
    if jobs == 1:
        for item in items:
            yield _lint_item(item, job)
        return
    global _JOB
    _JOB = (*job, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs) as pool:
            chunk = max(1, len(items) // (jobs * 8))
            yield from pool.imap(_lint_index, range(len(items)), chunksize=chunk)
    finally:
        _JOB = ()


def _gc_paused(func: Callable) -> Callable:
    """Run ``func`` with the cyclic garbage collector paused, then resume it.

    A large template decodes to millions of containers and the rules allocate as they run;
    the collector, triggered again and again over that heap, more than doubles the time a
    10 MB template takes. One file's cyclic garbage waits until the file is done.
    """

    @functools.wraps(func)
    def paused(*args: Any, **kwargs: Any) -> Any:
        if not gc.isenabled():
            return func(*args, **kwargs)
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            gc.enable()

    return paused


@_gc_paused
def lint_file(
    path: str,
    explicit: bool,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Sequence[RuleInfo] | None = None,
    config: Any = None,
) -> tuple[list[Finding], int, list[str]]:
    """Lint one file: (findings, 1 if it was a template else 0, notes for stderr).

    Inline suppressions (Metadata, ``# esmlint: ignore[...]`` comments) and the
    configuration's ``ignore-resources`` are applied here, and ESM002 reported.
    """
    rules = rules if rules is not None else load_rules()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if explicit:
            return [parse_error(path, f"cannot read file: {reason}", rules=rules)], 1, []
        return [], 0, [f"esmlint: {path}: cannot read file ({reason}), skipped"]

    text, problem, line, column = decode_bytes(data)
    if problem and explicit:
        return [parse_error(path, problem, line, column, rules=rules)], 1, []
    if text is None:
        return [], 0, []
    try:
        loaded = loaders.load_text(path, text, explicit)
    except Exception as exc:  # noqa: BLE001 - one file's loader bug must not stop the others
        return [_loader_bug(path, "this file", exc, rules)], 1, []

    if not loaded.is_template:
        if explicit:
            return [], 0, [f"esmlint: {path}: not a CloudFormation/SAM template, skipped"]
        return [], 0, []
    notes = [f"esmlint: {path}: {note}" for note in loaded.notes]
    if problem:
        # Not valid text, but it reads as a template: report it, do not lint it.
        return [parse_error(path, problem, line, column, rules=rules)], 1, notes
    if loaded.error:
        finding = parse_error(path, loaded.error, loaded.line, loaded.column, rules=rules)
        return [finding], 1, notes
    if loaded.model is None:
        return [], 1, notes
    findings = run(loaded.model, select, ignore, options, rules=rules)
    findings = _suppress.apply(findings, loaded.model, text, rules=rules, config=config,
                               enabled=lambda rid: is_enabled(rid, select, ignore))
    return findings, 1, notes


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
) -> list[Finding]:
    """One loaded file as :func:`lint_paths` lints it, for text not read from disk
    (standard input, an editor's buffer): the file's configuration (``config``: a
    :class:`~esmlint.config.Config` or :class:`~esmlint.config.Finder`, looked up for
    ``path``), the rules, inline suppressions and ESM002, severity overrides. Whether the
    file is excluded is the caller's decision (``config.for_path(path).excluded(path)``).
    """
    rules = rules if rules is not None else load_rules()
    path = path or model.path
    settings = config.for_path(path) if config is not None else None
    if settings is not None:
        select, ignore, options = settings.scope(path, select, ignore, options)
    findings = run(model, select, ignore, options, rules=rules)
    findings = _suppress.apply(findings, model, text, rules=rules, config=settings,
                               enabled=lambda rid: is_enabled(rid, select, ignore))
    if settings is not None:
        findings = settings.adjust(findings, select, ignore)
    return [f for f in findings if is_enabled(f.rule, select, ignore)]


def terraform_groups(candidates: Sequence[Any]) -> tuple[list, list]:
    """Split candidates into Terraform modules (one per directory and kind of naming:
    walked or explicit) and the other files."""
    modules: dict[tuple[str, bool], list] = {}
    others = []
    for candidate in candidates:
        if candidate.path.lower().endswith((".tf", ".tf.json")):
            key = (os.path.dirname(candidate.path), candidate.explicit)
            modules.setdefault(key, []).append(candidate)
        else:
            others.append(candidate)
    return [(directory, group) for (directory, _), group in sorted(
        modules.items(), key=lambda item: (item[0][0], item[0][1]))], others


@_gc_paused
def lint_terraform(
    directory: str,
    candidates: Sequence[Any],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Sequence[RuleInfo] | None = None,
    config: Any = None,
) -> tuple[list[Finding], int, list[str]]:
    """Lint one Terraform module: the ``.tf`` / ``.tf.json`` files of one directory.

    A directory walk reads every file of the directory as one module. Files named
    explicitly are read with the sibling files that belong with them (references either
    way; see :func:`esmlint.loaders.terraform_config.connected_files`), and only findings
    in the named files are reported. A file that cannot be parsed gets ESM001 and the
    module is not linted: a module read in part would look like it lacks what the missing
    file defines.
    """
    from .loaders.terraform_config import load_module

    rules = rules if rules is not None else load_rules()
    explicit = any(c.explicit for c in candidates)
    settings = config.for_path(candidates[0].path) if config is not None else None
    notes: list[str] = []
    texts: dict[str, str] = {}
    errors: list[Finding] = []
    for candidate in candidates:
        path = candidate.path
        if settings is not None and settings.excluded(path):
            if candidate.explicit:
                notes.append(f"esmlint: {path}: excluded by {settings.name}, skipped")
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            errors.append(parse_error(path, f"cannot read file: {exc.strerror or exc}",
                                      rules=rules))
            continue
        text, problem, line, column = decode_bytes(data)
        if text is None or problem:
            errors.append(parse_error(path, problem or "file is binary", line, column,
                                      rules=rules))
            continue
        texts[path] = text
    counted = len(texts) + len(errors)
    if errors or not texts:
        return errors, counted, notes
    try:
        load = load_module(directory, texts, explicit)
    except Exception as exc:  # noqa: BLE001 - one module's loader bug must not stop the others
        return [_loader_bug(sorted(texts)[0], "this Terraform module", exc, rules)], counted, \
            notes
    if load.errors:
        return [parse_error(path, exc.message, exc.line, exc.column, rules=rules)
                for path, exc in load.errors], counted, notes
    chosen, ignored, merged = select, ignore, options
    if settings is not None:
        chosen, ignored, merged = settings.scope(sorted(texts)[0], select, ignore, options)
    found = run(load.model, chosen, ignored, merged, rules=rules)
    module_files = set(load.files)
    unnamed = module_files - set(texts)
    by_file: dict[str, list[Finding]] = {}
    for finding in found:
        by_file.setdefault(finding.path, []).append(finding)
    findings: list[Finding] = []
    # Every file with findings, and every named file (its suppressions may be unused: ESM002).
    for path in sorted(set(by_file) | set(texts)):
        if path in unnamed:
            continue  # a sibling file read for context: the user did not name it
        view = copy.copy(load.model)
        view.path = path
        text = texts.get(path)
        if text is None and path in module_files:
            text = _read_text(path)
        findings.extend(_suppress.apply(by_file.get(path, []), view, text, rules=rules,
                                        config=settings,
                                        enabled=lambda rid: is_enabled(rid, chosen, ignored)))
    if settings is not None:
        findings = settings.adjust(findings, chosen, ignored)
    return findings, counted, notes


def _loader_bug(path: str, what: str, exc: Exception, rules: Sequence[RuleInfo]) -> Finding:
    """ESM001 for a loader that raised: a bug of esmlint's, said so, for that input only."""
    detail = str(exc).strip()
    message = (f"internal error while loading {what}: {type(exc).__name__}"
               f"{': ' + detail if detail else ''} — please report this bug")
    return parse_error(path, message, rules=rules)


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_bytes(data: bytes) -> tuple[str | None, str, int, int]:
    """Bytes to text: ``(text, problem, line, column)``.

    A byte-order mark picks UTF-8, UTF-16 or UTF-32 (editors on Windows write UTF-16 with
    a BOM); without one the text must be UTF-8. Binary data (a NUL byte without a BOM)
    gives ``text=None``. Text that is not valid in its encoding comes back decoded with
    replacement characters, so the loader can still tell whether it is a template, plus
    the problem and its position.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            try:
                return body.decode(encoding), "", 0, 0
            except UnicodeDecodeError as exc:
                text = body.decode(encoding, errors="replace")
                line, column = _position(body[: exc.start].decode(encoding, errors="replace"))
                return text, f"file is not valid {encoding.upper()} text", line, column
    if b"\x00" in data[:8192]:
        return None, "file is binary, not a text template", 0, 0
    try:
        return data.decode("utf-8"), "", 0, 0
    except UnicodeDecodeError as exc:
        line, column = _position(data[: exc.start].decode("utf-8", errors="replace"))
        problem = (f"file is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                   "save it as UTF-8")
        return data.decode("utf-8", errors="replace"), problem, line, column


def _position(prefix: str) -> tuple[int, int]:
    """1-based line and column just after ``prefix``."""
    line = prefix.count("\n") + 1
    return line, len(prefix) - (prefix.rfind("\n") + 1) + 1

