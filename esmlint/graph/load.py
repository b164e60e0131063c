"""Read the templates under some paths into models, for the graph.

``esmlint check`` lints file by file and frees each model as soon as its rules have run
(possibly in worker processes): nothing of the model outlives the run. The graph needs the
models themselves, so it reads the same files again, the way the linter finds them
(:mod:`esmlint.discover`, one Terraform module per directory), and leaves out what the
configuration excludes. Files that cannot be read or parsed give no model: their ESM001
findings, from the lint, still appear in the graph as a template node.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from .. import discover, loaders, runner
from .build import Part


def parts(paths: Sequence[str], config: Any = None) -> Iterator[Part]:
    """A :class:`Part` for every template and Terraform module under ``paths``."""
    found = discover.discover(list(paths), terraform=True)
    modules, files = runner.terraform_groups(found.files)
    for directory, group in modules:
        part = _terraform(directory, [c for c in group if not _excluded(c.path, config)],
                          any(c.explicit for c in group))
        if part is not None:
            yield part
    for candidate in files:
        if _excluded(candidate.path, config):
            continue
        part = file_part(candidate.path, candidate.explicit)
        if part is not None:
            yield part


def file_part(path: str, explicit: bool = True) -> Part | None:
    """The model of one template file, or None when it is not one or cannot be read."""
    text = _read(path)
    if text is None:
        return None
    try:
        loaded = loaders.load_text(path, text, explicit)
    except Exception:  # noqa: BLE001 - the lint reports the loader's bug as ESM001
        return None
    if loaded.model is None or loaded.error:
        return None
    return Part(loaded.model, (path,))


def _terraform(directory: str, candidates: Sequence[Any], explicit: bool) -> Part | None:
    from ..loaders.terraform.configuration import load_module

    texts = {}
    for candidate in candidates:
        text = _read(candidate.path)
        if text is None:
            return None
        texts[candidate.path] = text
    if not texts:
        return None
    try:
        load = load_module(directory, texts, explicit)
    except Exception:  # noqa: BLE001 - as above
        return None
    if load.errors:
        return None
    return Part(load.model, tuple(load.files))


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if len(data) > discover.MAX_FILE_BYTES:
        return None
    text, problem, _, _ = runner.decode_bytes(data)
    return None if problem else text


def _excluded(path: str, config: Any) -> bool:
    if config is None:
        return False
    settings = config.for_path(path)
    return bool(settings is not None and settings.excluded(os.fspath(path)))
