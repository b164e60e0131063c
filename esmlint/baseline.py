"""Baselines: record today's findings, then report only new ones.

A baseline is how a team adopts esmlint in a repository that already has findings: write
one (``esmlint check --write-baseline esmlint-baseline.json``), commit it, and run with
``--baseline esmlint-baseline.json`` (or ``baseline:`` in the configuration). Findings
recorded in it are hidden; any other finding is new and reported as usual.

A finding is recognised by a fingerprint that holds no line number and no value that moves
with unrelated edits: the rule ID, the file path relative to the baseline file's folder,
the resource, the function and the rule's stable message key (:attr:`Finding.key`). So a
finding stays hidden when lines are inserted above it or other resources change, and a
second finding of the same kind on the same resource is new. Each fingerprint is recorded
with a count: when there are more findings than recorded, the extra ones are new.

The file is JSON with a version, sorted so that it diffs well::

    {"version": 1,
     "findings": [{"rule": "ESM101", "path": "stacks/orders.yaml", "resource": "Worker",
                   "function": "Worker", "key": "Worker:Queue", "count": 1,
                   "message": "..."}]}

``message`` is for the people reviewing the file; it is not compared.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .config import ConfigError, display
from .findings import Finding, identity

VERSION = 1

Fingerprint = tuple[str, str, str, str, str]


class BaselineError(ConfigError):
    """A baseline file that cannot be read or is not one: exit code 2."""


def relative_path(path: str, folder: str) -> str:
    """``path`` relative to ``folder`` with ``/`` separators (absolute on another drive)."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, folder)
    except ValueError:
        rel = absolute
    return rel.replace(os.sep, "/")


def fingerprint(finding: Finding, folder: str) -> Fingerprint:
    return identity(finding, relative_path(finding.path, folder))


@dataclass
class Baseline:
    """Recorded fingerprints and how many findings each one covers."""

    path: str
    counts: Counter = field(default_factory=Counter)

    @property
    def folder(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def hide(self, findings: Iterable[Finding]) -> set[int]:
        """The ``id()`` of every finding this baseline covers (up to each count)."""
        left = Counter(self.counts)
        hidden: set[int] = set()
        for finding in findings:
            print_ = fingerprint(finding, self.folder)
            if left[print_] > 0:
                left[print_] -= 1
                hidden.add(id(finding))
        return hidden


def write(path: str, findings: Sequence[Finding]) -> int:
    """Record ``findings`` in a baseline file at ``path``; returns how many were written."""
    folder = os.path.dirname(os.path.abspath(path))
    counts: Counter = Counter()
    messages: dict[Fingerprint, str] = {}
    for finding in findings:
        key = fingerprint(finding, folder)
        counts[key] += 1
        messages.setdefault(key, finding.message)
    entries = [
        {"rule": rule, "path": rel, "resource": resource, "function": function, "key": key,
         "count": counts[(rule, rel, resource, function, key)],
         "message": messages[(rule, rel, resource, function, key)]}
        for rule, rel, resource, function, key in sorted(counts)
    ]
    document = {"version": VERSION, "findings": entries}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    try:
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except OSError as exc:
        raise BaselineError(
            f"cannot write baseline {display(path)}: {exc.strerror or exc}") from None
    return sum(counts.values())


def load(path: str) -> Baseline:
    """Read a baseline file; :class:`BaselineError` when it is missing or malformed."""
    redo = "; write a new one with --write-baseline"
    try:
        with open(path, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        raise BaselineError(
            f"baseline {display(path)} does not exist; create it with "
            f"'esmlint check --write-baseline {display(path)}'") from None
    except OSError as exc:
        raise BaselineError(
            f"cannot read baseline {display(path)}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline {display(path)} is not valid JSON ({exc}){redo}") from None
    if not isinstance(document, dict) or "findings" not in document:
        raise BaselineError(f"{display(path)} is not an esmlint baseline{redo}")
    if document.get("version") != VERSION:
        raise BaselineError(
            f"baseline {display(path)} has version {document.get('version')!r}; this esmlint "
            f"reads version {VERSION}{redo}")
    entries = document["findings"]
    if not isinstance(entries, list):
        raise BaselineError(f"baseline {display(path)}: 'findings' must be a list{redo}")
    baseline = Baseline(path)
    for index, entry in enumerate(entries):
        fields = [entry.get(name, "") if isinstance(entry, dict) else None
                  for name in ("rule", "path", "resource", "function", "key")]
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if (not all(isinstance(value, str) for value in fields) or not fields[0]
                or not isinstance(count, int) or isinstance(count, bool) or count < 1):
            raise BaselineError(
                f"baseline {display(path)}: findings[{index}] is not a baseline entry "
                f"(rule, path, resource, function, key, count){redo}")
        baseline.counts[tuple(fields)] += count
    return baseline
