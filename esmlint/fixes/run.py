"""``esmlint check --fix`` and ``--diff``: lint, fix, lint again, until nothing is left to fix.

Each pass lints every path (as ``check`` does, with the same configuration, suppressions,
baseline and ``--severity``), takes the fixes of the findings that are shown — safe ones,
and unsafe ones with ``--unsafe-fixes`` — chooses those that do not overlap, applies them
to the texts in memory and lints again, since one fix can change what another rule sees
(a batching window added for ESM103 raises what ESM102 asks of the queue). Files are
written only at the end, each in its own encoding, byte-order mark and line endings; with
``--diff`` nothing is written. A file whose text would not load after its edits keeps its
text (a bug of esmlint's, reported as a note), and a file with a parse error is never
changed: it has no model, so no finding with a fix.

Running it again changes nothing: the loop stops only when no shown finding has a fix
left to apply.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding, identity
from .apply import Encoded, choose, splice, unified_diff

#: Passes before giving up (a fix that keeps coming back is a bug: it is reported).
MAX_PASSES = 10


@dataclass
class FileChange:
    """One file's text before the first fix and after the last."""

    path: str
    before: str
    after: str
    encoded: Encoded

    def diff(self, shown_path: str | None = None) -> str:
        return unified_diff(shown_path or self.path, self.before, self.after)


@dataclass
class FixRun:
    """What ``--fix`` / ``--diff`` did: the final lint, what was fixed, what changed."""

    result: Any = None  # the LintResult of the last pass (the texts as fixed)
    outcome: Any = None  # what that lint shows, and its exit code
    fixed: list[Finding] = field(default_factory=list)
    changes: dict[str, FileChange] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    passes: int = 0
    #: Files whose fixed text could not be written: path -> why.
    unwritten: dict[str, str] = field(default_factory=dict)

    @property
    def remaining(self) -> list[Finding]:
        return list(self.outcome.shown) if self.outcome is not None else []

    def unsafe_fixable(self) -> int:
        """Shown findings whose fix is unsafe (and so was not applied)."""
        return sum(1 for f in self.remaining if f.fix is not None and not f.fix.safe)

    def diff(self) -> str:
        from ..reporters import display_path

        return "".join(self.changes[path].diff(display_path(path))
                       for path in sorted(self.changes))


def fix_paths(lint: Callable[[dict[str, bytes]], Any], judge: Callable[[list[Finding]], Any],
              *, unsafe: bool = False, write: bool = True) -> FixRun:
    """Fix what ``lint`` finds until nothing is left to fix.

    ``lint(overlay)`` lints the paths of the run with resolved fixes (``overlay``: path ->
    bytes to read instead of the file); ``judge(findings)`` is the run's
    :func:`esmlint.outcome.judge`. With ``write`` the changed files are written at the
    end; otherwise (``--diff``) nothing is.
    """
    run = FixRun()
    overlay: dict[str, bytes] = {}
    fixed: dict[tuple, Finding] = {}
    refused: set[tuple] = set()  # fixes that broke their file: never tried again
    for number in range(MAX_PASSES + 1):
        run.passes = number + 1
        run.result = lint(overlay)
        run.outcome = judge(run.result.findings)
        if number == MAX_PASSES:
            run.notes.append(f"esmlint: fixes were still being proposed after {MAX_PASSES} "
                             "passes; stopped (please report this bug)")
            break
        candidates = [f for f in run.outcome.shown if f.fix is not None and f.fix.edits
                      and (f.fix.safe or unsafe) and _key(f) not in refused]
        applied = _apply_pass(run, candidates, overlay, refused)
        if not applied:
            break
        for finding in applied:
            fixed.setdefault(_key(finding), finding)
    remaining = {_key(f) for f in run.result.findings}
    run.fixed = [f for key, f in fixed.items() if key not in remaining]
    run.changes = {path: change for path, change in run.changes.items()
                   if change.after != change.before}
    if write:
        for path, change in run.changes.items():
            try:
                _write(path, change.encoded.encode(change.after))
            except OSError as exc:
                run.unwritten[path] = exc.strerror or str(exc)
                run.notes.append(f"esmlint: {path}: cannot write the fixes "
                                 f"({exc.strerror or exc}); the file is unchanged")
    return run


def _key(finding: Finding) -> tuple:
    return (*identity(finding, finding.path), finding.message if not finding.key else "")


def _apply_pass(run: FixRun, candidates: Sequence[Finding], overlay: dict[str, bytes],
                refused: set[tuple]) -> list[Finding]:
    """Apply one pass of non-overlapping fixes; the findings whose fixes were applied."""
    from .. import loaders

    while True:
        chosen, edits = choose(candidates)
        if not chosen:
            return []
        by_path: dict[str, list] = {}
        for edit in edits:
            by_path.setdefault(edit.path, []).append(edit)
        texts: dict[str, str] = {}
        broken: set[str] = set()
        for path, path_edits in by_path.items():
            change = _change(run, path, overlay)
            if change is None:
                broken.add(path)
                continue
            new = splice(change.after, path_edits)
            loaded = loaders.load_text(path, new, True)
            if loaded.error or not loaded.is_template:
                rules = sorted({f.rule for f in chosen
                                if any(e.path == path for e in f.fix.edits)})
                run.notes.append(f"esmlint: {path}: a fix of {', '.join(rules)} would leave "
                                 f"the file unreadable ({loaded.error or 'not a template'}); "
                                 "not applied (please report this bug)")
                broken.add(path)
                continue
            texts[path] = new
        if broken:
            for finding in chosen:
                if any(edit.path in broken for edit in finding.fix.edits):
                    refused.add(_key(finding))
            candidates = [f for f in candidates if _key(f) not in refused]
            continue
        for path, new in texts.items():
            change = run.changes[path]
            change.after = new
            overlay[path] = change.encoded.encode(new)
        return chosen


def _change(run: FixRun, path: str, overlay: dict[str, bytes]) -> FileChange | None:
    """The file's change record, reading the file the first time it is edited."""
    change = run.changes.get(path)
    if change is not None:
        return change
    from ..reading import read_bytes

    try:
        data = read_bytes(path)
        encoded = Encoded.of(data)
        text = encoded.decode(data)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        run.notes.append(f"esmlint: {path}: cannot read it again to fix it ({exc})")
        return None
    change = FileChange(path, text, text, encoded)
    run.changes[path] = change
    return change


def _write(path: str, data: bytes) -> None:
    """Replace the file's content, keeping its mode, through a symbolic link if it is one
    (the link stays a link)."""
    import tempfile

    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    handle, temporary = tempfile.mkstemp(prefix=".esmlint-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        try:
            os.chmod(temporary, os.stat(target).st_mode & 0o7777)
        except OSError:
            pass
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
