"""Find the files to lint under the paths a user names.

Discovery only decides which files are *candidates*; whether a candidate is a template is
decided by its content, in the loader. That split keeps the walk cheap (no file is opened
here) and lets a directory full of unrelated YAML (CI configs, Helm charts, OpenAPI
documents) be skipped silently, while a file the user named explicitly is always loaded and
explained when it is not a template.

Directory walks are deterministic (sorted at every level) so that output, baselines and
CI logs do not change from one machine to the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .formats import NOT_A_TEMPLATE
from .reading import MAX_FILE_BYTES, not_regular

#: Suffixes loaded from directory walks. ``.tf.json`` ends in ``.json`` and is already
#: considered; the content sniff skips it until a Terraform front end claims it.
TEMPLATE_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json", ".template")

#: Suffixes a Terraform front end will add (hook for later: see :func:`directory_suffixes`).
TERRAFORM_SUFFIXES: tuple[str, ...] = (".tf", ".tf.json")

#: Directories never entered in a walk: build output, dependencies and tool caches hold
#: copies of templates (SAM's ``.aws-sam/build``, CDK's ``cdk.out`` before synthesis
#: settles) or thousands of unrelated files.
SKIP_DIRS: frozenset[str] = frozenset(
    {
        "node_modules",
        ".aws-sam",
        "cdk.out",
        "cdktf.out",
        ".terraform",
        "__pycache__",
        "venv",
        "site-packages",
    }
)

__all__ = ["MAX_FILE_BYTES", "Candidate", "Discovery", "discover", "directory_suffixes"]


@dataclass(frozen=True)
class Candidate:
    """A file to load: where it is, how to show it, and whether the user named it."""

    path: str
    explicit: bool


@dataclass
class Discovery:
    """The candidates found, plus notes for stderr and explicit files that were too large."""

    files: list[Candidate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    too_large: list[Candidate] = field(default_factory=list)


def directory_suffixes(terraform: bool = False) -> tuple[str, ...]:
    """The suffixes a directory walk picks up; Terraform ones once a front end exists."""
    return TEMPLATE_SUFFIXES + (TERRAFORM_SUFFIXES if terraform else ())


def discover(paths: Iterable[str], terraform: bool = False) -> Discovery:
    """Expand files and directories into candidates, each file once, sorted by path.

    A path that does not exist becomes a note: the CLI validates paths before this point,
    so only library callers meet it.
    """
    result = Discovery()
    chosen: dict[str, Candidate] = {}
    suffixes = directory_suffixes(terraform)
    for raw in paths:
        if os.path.isdir(raw):
            for path in _walk(raw, suffixes, result.notes):
                key = os.path.normcase(os.path.abspath(path))
                chosen.setdefault(key, Candidate(path, explicit=False))
        elif os.path.exists(raw):
            path = os.path.normpath(raw)
            if not terraform and path.lower().endswith(".tf"):
                # Terraform HCL has no front end yet; the YAML parser would call it broken.
                result.notes.append(f"esmlint: {path}{NOT_A_TEMPLATE}")
                continue
            key = os.path.normcase(os.path.abspath(path))
            chosen[key] = Candidate(path, explicit=True)
        elif os.path.lexists(raw):
            why = not_regular(raw) or "a broken symbolic link"
            result.notes.append(f"esmlint: {raw}: {why}; skipped")
        else:
            result.notes.append(f"esmlint: {raw}: no such file or directory")
    for candidate in sorted(chosen.values(), key=lambda c: c.path):
        why = not_regular(candidate.path)
        if why:  # a FIFO would block the run, a device never ends: never opened
            result.notes.append(f"esmlint: {candidate.path}: {why}; skipped")
            continue
        size = _size(candidate.path)
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            if candidate.explicit:
                result.too_large.append(candidate)
            else:
                result.notes.append(
                    f"esmlint: {candidate.path}: larger than {limit} MiB, skipped"
                )
            continue
        result.files.append(candidate)
    return result


def _walk(root: str, suffixes: tuple[str, ...], notes: list[str]) -> Iterator[str]:
    """Files under ``root`` with one of ``suffixes``, pruned and in sorted order.

    CDK output folders (``cdk.out``, ``cdktf.out``) are skipped like other build output, so
    that stale output is not reported; a folder with ``cdk.json`` or ``cdktf.json`` is a
    CDK app, whose current output is read through its manifest instead
    (:func:`_cdk_app`). A folder named by the user that is itself a cloud assembly is read
    through its manifest too.
    """
    if _is_assembly(root):
        yield from _assembly(root)
        return
    outputs: set[str] = set()  # CDK output folders read through their manifest: not walked
    for dirpath, dirnames, filenames in os.walk(root):
        if "cdk.json" in filenames or "cdktf.json" in filenames:
            yield from _cdk_app(dirpath, filenames, notes, outputs)
        dirnames[:] = sorted(
            d for d in dirnames if not _skip_dir(dirpath, d)
            and os.path.abspath(os.path.join(dirpath, d)) not in outputs)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name.lower().endswith(suffixes):
                yield os.path.normpath(os.path.join(dirpath, name))


def _is_assembly(folder: str) -> bool:
    if not os.path.isfile(os.path.join(folder, "manifest.json")):
        return False
    from .loaders.cdk.assembly import is_assembly

    return is_assembly(folder)


def _assembly(folder: str) -> Iterator[str]:
    from .loaders.cdk.assembly import templates

    for path in templates(folder):
        yield os.path.normpath(path)


def _cdk_app(app_dir: str, filenames: list[str], notes: list[str],
             outputs: set[str]) -> Iterator[str]:
    """The templates a CDK (or CDK for Terraform) app in ``app_dir`` synthesized; its output
    folders are added to ``outputs``, so the walk does not enter them."""
    from .loaders.cdk.assembly import app_output, cdktf_output

    if "cdktf.json" in filenames:
        outputs.add(os.path.abspath(cdktf_output(app_dir)))
    if "cdk.json" in filenames:
        output = app_output(app_dir)
        outputs.add(os.path.abspath(output))
        if _is_assembly(output):
            yield from _assembly(output)
        else:
            notes.append(f"esmlint: {os.path.normpath(app_dir)}: a CDK app with no cloud "
                         f"assembly in {os.path.normpath(output)}; run 'cdk synth' to make "
                         "one, then lint again")
    if "cdktf.json" in filenames:
        stacks = os.path.join(cdktf_output(app_dir), "stacks")
        try:
            names = sorted(os.listdir(stacks))
        except OSError:
            names = []
        found = [os.path.join(stacks, name, "cdk.tf.json") for name in names]
        found = [path for path in found if os.path.isfile(path)]
        if not found:
            notes.append(f"esmlint: {os.path.normpath(app_dir)}: a CDK for Terraform app "
                         f"with no synthesized stacks in {os.path.normpath(stacks)}; run "
                         "'cdktf synth' to make them, then lint again")
        for path in found:
            yield os.path.normpath(path)


def _skip_dir(parent: str, name: str) -> bool:
    """Hidden folders, known dependency/build folders and virtual environments."""
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    # A virtual environment can have any name; its marker file cannot.
    return os.path.isfile(os.path.join(parent, name, "pyvenv.cfg"))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
