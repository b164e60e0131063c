"""The same input gives byte-identical output, whatever the file order and hash seed.

CI logs, baselines and review comments depend on it. esmlint runs as separate programs
here, with different ``PYTHONHASHSEED`` values (set and dict iteration orders change with
it) and with the same files named in different orders (as a shell glob, pre-commit or an
editor may give them), over every fixture and part of ``../shared/corpus``; standard
output must be the same bytes in the text and JSON formats, and the notes on standard
error too.
"""

from __future__ import annotations

import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO, esmlint_command, program_env

from esmlint import discover

CORPUS = REPO.parent / "shared" / "corpus"
SUFFIXES = discover.directory_suffixes(terraform=True)
SEEDS = ("0", "1", "4242", "random")


def _files(root: Path, step: int = 1) -> list[str]:
    found = sorted(str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p)
                   for p in root.rglob("*")
                   if p.is_file() and p.name.lower().endswith(SUFFIXES)
                   and not any(part.startswith(".") for part in p.parts))
    return found[::step]


def _inputs() -> list[str]:
    files = _files(REPO / "fixtures") + _files(REPO / "examples")
    if CORPUS.is_dir():
        files += _files(CORPUS, step=3)
        files += _files(CORPUS / "terraform-aws-modules__terraform-aws-lambda")
    return sorted(set(files))


def _orders(items: list[str]) -> list[list[str]]:
    """The same items: sorted, reversed, and two shuffles."""
    shuffled = list(items)
    random.Random(7).shuffle(shuffled)
    other = list(items)
    random.Random(2024).shuffle(other)
    return [sorted(items), sorted(items, reverse=True), shuffled, other]


def _run(paths: list[str], fmt: str, seed: str, jobs: str = "") -> tuple[bytes, bytes]:
    proc = subprocess.run(
        [*esmlint_command(), "check", "--no-config", "--severity", "info", "--fail-on",
         "never", "--format", fmt, *(["--jobs", jobs] if jobs else []), *paths],
        capture_output=True, timeout=300, cwd=REPO, env=program_env({"PYTHONHASHSEED": seed}),
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout, proc.stderr


def _all_same(runs: list[tuple[str, tuple[bytes, bytes]]]) -> None:
    (first_label, (first_out, first_err)), *rest = runs
    assert first_out.strip(), "no output"
    for label, (out, err) in rest:
        assert out == first_out, f"stdout of {label} differs from {first_label}"
        assert err == first_err, f"stderr of {label} differs from {first_label}"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_named_files_in_any_order_and_hash_seed(fmt: str) -> None:
    """Every fixture and a third of the corpus, named explicitly in four orders, each run
    with another hash seed and number of worker processes."""
    files = _inputs()
    assert len(files) > 200
    jobs = list(zip(SEEDS, _orders(files), ["1", "2", "3", ""], strict=True))
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(lambda job: _run(job[1], fmt, job[0], job[2]), jobs))
    _all_same([(f"PYTHONHASHSEED={seed} --jobs {n or 'default'}", out)
               for (seed, _, n), out in zip(jobs, outputs, strict=True)])


def test_directories_in_any_order_and_hash_seed() -> None:
    """Directory walks: the fixture folders (and corpus folders) given in other orders."""
    folders = sorted(str(p.relative_to(REPO)) for p in (REPO / "fixtures").iterdir()
                     if p.is_dir())
    if CORPUS.is_dir():
        folders += sorted(str(p) for p in CORPUS.iterdir()
                          if p.is_dir() and p.name.startswith(("aws-samples__s", "terraform")))
    jobs = list(zip(SEEDS, _orders(folders), strict=True))
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(lambda job: _run(job[1], "json", job[0]), jobs))
    _all_same([(f"PYTHONHASHSEED={seed}", out) for (seed, _), out in zip(jobs, outputs,
                                                                          strict=True)])


def test_every_format_is_deterministic() -> None:
    """The other report formats, over the fixtures, with two hash seeds and orders."""
    from esmlint import reporters

    orders = _orders(_files(REPO / "fixtures"))
    jobs = [(fmt, seed, order) for fmt in reporters.names() if fmt not in ("text", "json")
            for seed, order in (("3", orders[0]), ("99", orders[2]))]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outputs = list(pool.map(lambda job: _run(job[2], job[0], job[1]), jobs))
    for index in range(0, len(jobs), 2):
        _all_same([(f"{jobs[i][0]} PYTHONHASHSEED={jobs[i][1]}", outputs[i])
                   for i in (index, index + 1)])


def test_python_hash_seed_really_varies() -> None:
    """The runs above would prove nothing if the seed did not reach the child."""
    code = "print(hash('esmlint'))"
    values = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=program_env({"PYTHONHASHSEED": seed}), check=True).stdout
        for seed in SEEDS[:3]
    }
    assert len(values) == 3
