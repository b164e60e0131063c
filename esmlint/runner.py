"""Lint whole paths: discover the files, read them, load them, lint them, in jobs.

One odd file never stops the run: a file that cannot be read or decoded, or whose loader
raises, becomes an ESM001 finding for that file while every other file is still checked.
The result does not depend on the number of jobs: items are linted in a fixed order and
findings sorted.
"""

from __future__ import annotations

import codecs
import copy
import functools
import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import discover as _discover
from . import loaders
from . import suppress as _suppress
from .engine import lint_model, loader_bug, parse_error, run, suppression_scope
from .findings import Finding
from .formats import NOT_A_TEMPLATE
from .reading import NotReadable, read_bytes, read_text
from .registry import RuleInfo, is_enabled, load_rules


@dataclass
class LintResult:
    """Everything a lint over some paths produced.

    ``files`` counts the templates checked (including those that got ESM001); ``notes``
    are lines for stderr about files that were skipped.
    """

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    notes: list[str] = field(default_factory=list)


def lint_paths(
    paths: Sequence[str],
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    options: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    rules: Sequence[RuleInfo] | None = None,
    config: Any = None,
    jobs: int | None = None,
    fixes: bool = False,
    overlay: Mapping[str, bytes] | None = None,
) -> LintResult:
    """Discover, load and lint every template under ``paths``.

    ``config`` is a :class:`~esmlint.config.Config` or :class:`~esmlint.config.Finder`
    (each file then uses its own configuration); None reads no configuration. ``jobs``
    is the number of processes (None: one per CPU when there are many files); the
    result is the same whatever it is.

    With ``fixes`` each finding's automatic fix is resolved into text edits against the
    text that was linted (:mod:`esmlint.fixes.resolve`); without, findings carry none.
    ``overlay`` maps paths to the bytes to lint instead of the file's (``--diff`` lints
    fixed texts it does not write).
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
    job = (select, ignore, options, rules, config, fixes, overlay or {})
    for findings, counted, notes in _run_items(items, job, jobs):
        result.findings.extend(findings)
        result.files += counted
        result.notes.extend(notes)
    result.findings = [f for f in result.findings if is_enabled(f.rule, select, ignore)]
    result.findings.sort(key=Finding.sort_key)
    result.findings = _once(result.findings)
    return result


def _once(findings: list[Finding]) -> list[Finding]:
    """Findings without repeated ESM001s: a Terraform module cycle is found from each
    module of it that is linted as a root, and reported at the same block."""
    seen: set[tuple] = set()
    result = []
    for finding in findings:
        if finding.key == "parse-error":
            key = (finding.path, finding.line, finding.column, finding.message)
            if key in seen:
                continue
            seen.add(key)
        result.append(finding)
    return result


#: Below this many files, one process is faster than starting workers.
PARALLEL_THRESHOLD = 24

#: The work of the current lint_paths call, inherited by forked workers (not pickled).
_JOB: tuple = ()


def _lint_item(item: tuple, job: tuple | None = None) -> tuple[list[Finding], int, list[str]]:
    """Lint one work item: a Terraform module (directory) or one file."""
    select, ignore, options, rules, config, fixes, overlay = job if job is not None \
        else _JOB[:-1]
    if item[0] == "terraform":
        _, directory, group = item
        return lint_terraform(directory, group, select, ignore, options, rules=rules,
                              config=config, fixes=fixes, overlay=overlay)
    candidate = item[1]
    settings = config.for_path(candidate.path) if config is not None else None
    if settings is None:
        return lint_file(candidate.path, candidate.explicit, select, ignore, options,
                         rules=rules, fixes=fixes, overlay=overlay)
    if settings.excluded(candidate.path):
        note = [f"esmlint: {candidate.path}: excluded by {settings.name}, skipped"]
        return [], 0, note if candidate.explicit else []
    chosen, ignored, merged = settings.scope(candidate.path, select, ignore, options)
    findings, counted, notes = lint_file(candidate.path, candidate.explicit, chosen, ignored,
                                         merged, rules=rules, config=settings, fixes=fixes,
                                         overlay=overlay)
    return settings.adjust(findings, chosen, ignored), counted, notes


def _lint_index(index: int) -> tuple[list[Finding], int, list[str]]:
    return _lint_item(_JOB[-1][index], _JOB[:-1])


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
    fixes: bool = False,
    overlay: Mapping[str, bytes] | None = None,
) -> tuple[list[Finding], int, list[str]]:
    """Lint one file: (findings, 1 if it was a template else 0, notes for stderr).

    Inline suppressions (Metadata, ``# esmlint: ignore[...]`` comments) and the
    configuration's ``ignore-resources`` are applied here, and ESM002 reported. With
    ``fixes``, the findings' fixes are resolved against the file's text.
    """
    rules = rules if rules is not None else load_rules()
    try:
        data = overlay[path] if overlay and path in overlay else read_bytes(path)
    except NotReadable as exc:  # a FIFO, a device, grown past the limit since discovery
        if exc.too_large and explicit:
            return [parse_error(path, f"file {exc.strerror}; not read", rules=rules)], 1, []
        return [], 0, [f"esmlint: {path}: {exc.strerror}; skipped"]
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
        return [loader_bug(path, "this file", exc, rules)], 1, []

    if not loaded.is_template:
        if explicit:
            return [], 0, [f"esmlint: {path}{NOT_A_TEMPLATE}"]
        return [], 0, []
    notes = [f"esmlint: {path}: {note}" for note in loaded.notes]
    if problem:
        # Not valid text, but it reads as a template: report it, do not lint it.
        return [parse_error(path, problem, line, column, rules=rules)], 1, notes
    broken = [parse_error(path, message, at_line, at_column, rules=rules)
              for message, at_line, at_column in loaded.errors()]
    if loaded.model is None:
        return broken, 1, notes
    findings = run(loaded.model, select, ignore, options, rules=rules)
    findings = _suppress.apply(findings, loaded.model, text, rules=rules, config=config,
                               enabled=suppression_scope(select, ignore, loaded.partial))
    resolve_fixes(findings, loaded.model, {path: text}, fixes, config)
    return broken + findings, 1, notes


def resolve_fixes(findings: Sequence[Finding], model: Any, texts: Mapping[str, str],
                  fixes: bool, config: Any = None) -> None:
    """Resolve the findings' fixes into edits of ``texts`` (``fixes``), or drop them.

    Unresolved fixes never leave the runner: they would only weigh on what worker
    processes send back.
    """
    if not fixes:
        for finding in findings:
            finding.fix = None
        return
    from .fixes.resolve import Resolver

    generated = ""
    if model.construct_paths:
        generated = ("the template is CDK output, which the next synth overwrites: "
                     "change the CDK code that makes it")
    elif model.format == "terraform-plan":
        generated = "a plan is made by terraform plan: change the configuration"

    def unfixable(rule_id: str, path: str) -> str:
        settings = config.for_path(path) if config is not None else None
        if settings is not None and not settings.fixable(rule_id):
            return f"fixing {rule_id} is turned off by unfixable in {settings.name}"
        return ""

    Resolver(texts, model.format, generated, unfixable).resolve(findings)


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
    fixes: bool = False,
    overlay: Mapping[str, bytes] | None = None,
) -> tuple[list[Finding], int, list[str]]:
    """Lint one Terraform module: the ``.tf`` / ``.tf.json`` files of one directory.

    A directory walk reads every file of the directory as one module. Files named
    explicitly are read with the sibling files that belong with them (references either
    way; see :func:`esmlint.loaders.terraform.configuration.connected_files`), and only findings
    in the named files are reported. Each broken place of a ``.tf`` file gets ESM001 and
    the rest of the module is still linted, with what the broken blocks may hold taken as
    unknown (see :func:`esmlint.loaders.terraform.hcl.read_hcl`); when a broken place could
    define anything (it cannot be named, or a ``.tf.json`` file does not parse), the module
    is not linted: a module read in part would look like it lacks what is missing.
    """
    from .loaders.terraform.configuration import load_module

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
            data = overlay[path] if overlay and path in overlay else read_bytes(path)
        except NotReadable as exc:
            if exc.too_large:
                errors.append(parse_error(path, f"file {exc.strerror}; not read", rules=rules))
            else:
                notes.append(f"esmlint: {path}: {exc.strerror}; skipped")
            continue
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
        return [loader_bug(sorted(texts)[0], "this Terraform module", exc, rules)], counted, \
            notes
    broken = [parse_error(path, exc.message, exc.line, exc.column, rules=rules)
              for path, exc in [*load.errors, *load.refused]]
    if load.model is None:
        return broken, counted, notes
    broken_files = {path for path, _ in load.errors}
    chosen, ignored, merged = select, ignore, options
    if settings is not None:
        chosen, ignored, merged = settings.scope(sorted(texts)[0], select, ignore, options)
    found = run(load.model, chosen, ignored, merged, rules=rules)
    resolve_fixes(found, load.model, texts, fixes, settings)
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
        findings.extend(_suppress.apply(
            by_file.get(path, []), view, text, rules=rules, config=settings,
            enabled=suppression_scope(chosen, ignored, path in broken_files)))
    if settings is not None:
        findings = settings.adjust(findings, chosen, ignored)
    return broken + findings, counted, notes



def _read_text(path: str) -> str | None:
    try:
        return read_text(path)
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


def lint_buffer(path: str, data: bytes | str, select: Sequence[str] = (),
                ignore: Sequence[str] = (), options: dict | None = None, *,
                explicit: bool = True, config: Any = None, fixes: bool = False,
                ) -> tuple[list[Finding], int, list[str]]:
    """Lint content that is not on disk (standard input, an editor's buffer) as ``path``.

    The same steps as :func:`lint_paths` takes for a file it has read: decode,
    load, the file's configuration (``config``: a :class:`~esmlint.config.Finder` or
    :class:`~esmlint.config.Config`, looked up for ``path``), the rules, suppressions.
    Returns ``(findings, 1 if it was a template else 0, notes)``.
    """
    settings = config.for_path(path) if config is not None else None
    if settings is not None and settings.excluded(path):
        note = f"esmlint: {path}: excluded by {settings.name}, skipped"
        return [], 0, [note] if explicit else []

    def error(message: str, line: int = 0, column: int = 0) -> list[Finding]:
        return adjusted(parse_error(path, message, line, column))

    def adjusted(finding: Finding) -> list[Finding]:
        if settings is None:
            return [finding]
        chosen, ignored, _ = settings.scope(path, select, ignore)
        return settings.adjust([finding], chosen, ignored)

    if isinstance(data, str):
        text, problem, line, column = data, "", 0, 0
    else:
        text, problem, line, column = decode_bytes(data)
    if problem and explicit:
        return error(problem, line, column), 1, []
    if text is None:
        return [], 0, []
    try:
        loaded = loaders.load_text(path, text, explicit)
    except Exception as exc:  # noqa: BLE001 - as lint_file: a finding, not a crash
        return adjusted(loader_bug(path, "this file", exc, load_rules())), 1, []
    if not loaded.is_template:
        return [], 0, [f"esmlint: {path}{NOT_A_TEMPLATE}"] if explicit else []
    notes = [f"esmlint: {path}: {note}" for note in loaded.notes]
    if problem:
        return error(problem, line, column), 1, notes
    broken = [item for message, at_line, at_column in loaded.errors()
              for item in error(message, at_line, at_column)]
    if loaded.model is None:
        return broken, 1, notes
    findings = lint_model(loaded.model, text, select, ignore, options, config=config,
                          path=path, broken=loaded.partial)
    resolve_fixes(findings, loaded.model, {path: text}, fixes, settings)
    return broken + findings, 1, notes
