"""What a run shows and how it ends: baselines, severities shown, the exit code.

Reading the configuration (:mod:`esmlint.config`) and recording findings
(:mod:`esmlint.baseline`) are below this module; the command line and the language server
call :func:`judge` on the findings of a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import baseline as _baseline
from .config import DEFAULT, DEFAULT_FAIL_ON, DEFAULT_MIN_SEVERITY, display
from .findings import Finding, Severity


@dataclass
class Outcome:
    """The findings to show, how many the baseline hid, and the exit code."""

    shown: list[Finding]
    baselined: int = 0
    exit_code: int = 0
    notes: list[str] = field(default_factory=list)


def judge(findings: Sequence[Finding], configs: Any = None, *, severity: str | None = None,
          fail_on: str | None = None, baseline: str | None = None,
          write_baseline: str | None = None) -> Outcome:
    """Apply baselines, ``--severity`` / ``min-severity`` and ``--fail-on`` / ``fail-on``.

    ``severity``, ``fail_on`` and ``baseline`` are the command-line values (None when not
    given); each finding otherwise follows its own file's configuration. With
    ``write_baseline`` every current finding (at any severity) is recorded there first,
    and the run then hides them as ``--baseline`` would.
    """
    configs = configs if configs is not None else DEFAULT
    outcome = Outcome(shown=[])
    hidden: set[int] = set()
    if write_baseline:
        count = _baseline.write(write_baseline, findings)
        outcome.notes.append(
            f"esmlint: wrote {count} finding{'' if count == 1 else 's'} to baseline "
            f"{display(write_baseline)}")
        baseline = write_baseline
    if baseline:
        hidden = _baseline.load(baseline).hide(findings)
    else:
        groups: dict[str, list[Finding]] = {}
        for finding in findings:
            path = configs.for_path(finding.path).baseline
            if path:
                groups.setdefault(path, []).append(finding)
        for path, group in groups.items():
            hidden |= _baseline.load(path).hide(group)
    for finding in findings:
        config = configs.for_path(finding.path)
        lowest = Severity.parse(severity or config.min_severity or DEFAULT_MIN_SEVERITY)
        if finding.severity < lowest:
            continue
        if id(finding) in hidden:
            outcome.baselined += 1
            continue
        outcome.shown.append(finding)
        threshold = (fail_on or config.fail_on or DEFAULT_FAIL_ON).lower()
        if threshold != "never" and finding.severity >= Severity.parse(threshold):
            outcome.exit_code = 1
    return outcome
