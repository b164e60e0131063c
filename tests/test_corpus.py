"""esmlint over the real-world corpus: no crash, no parse error, no internal error.

Every file in ``../shared/corpus`` is a real template copied from a public AWS sample
repository, so each one is valid: an ESM001 there is a bug in esmlint's decoding, and a
finding named ``internal-error`` is a bug in a rule.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not there")


@pytest.fixture(scope="module")
def corpus_run() -> tuple[dict, str, int]:
    proc = subprocess.run(
        [sys.executable, "-m", "esmlint", "check", str(CORPUS), "--format", "json",
         "--severity", "info", "--fail-on", "never"],
        capture_output=True, text=True, timeout=600,
    )
    return json.loads(proc.stdout), proc.stderr, proc.returncode


def test_corpus_lints_without_crash(corpus_run) -> None:
    data, stderr, code = corpus_run
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert data["summary"]["files"] >= 400


def test_corpus_has_no_parse_error(corpus_run) -> None:
    data, _, _ = corpus_run
    errors = [f"{f['path']}:{f['line']}: {f['message']}" for f in data["findings"]
              if f["rule"] == "ESM001"]
    assert errors == []


def test_corpus_has_no_internal_error(corpus_run) -> None:
    data, _, _ = corpus_run
    internal = [f"{f['path']}: {f['message']}" for f in data["findings"]
                if f["name"] == "internal-error" or "internal error" in f["message"]]
    assert internal == []


def test_corpus_findings_are_located(corpus_run) -> None:
    data, _, _ = corpus_run
    assert data["findings"], "the corpus has known problems; no finding means a broken run"
    for finding in data["findings"]:
        assert finding["rule"].startswith("ESM")
        assert finding["message"]
        if not finding["path"].endswith(".json") or finding["line"]:
            assert finding["line"] >= 1, finding


def test_terraform_corpus_is_linted() -> None:
    """The Terraform files of the corpus (HCL modules) are read, each one, without ESM001
    or internal error; the whole-corpus run above walks them too."""
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file()
                   and p.name.endswith((".tf", ".tf.json")))
    assert files, "the corpus has Terraform modules"
    proc = subprocess.run(
        [sys.executable, "-m", "esmlint", "check", *files, "--format", "json",
         "--severity", "info", "--fail-on", "never"],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert data["summary"]["files"] == len(files)
    bad = [f"{f['path']}:{f['line']}: {f['message']}" for f in data["findings"]
           if f["rule"] == "ESM001" or f["name"] == "internal-error"
           or "internal error" in f["message"]]
    assert bad == []
