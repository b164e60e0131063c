"""Linting in several processes gives exactly the output of one process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "esmlint", "check", *args],
                          capture_output=True, text=True, timeout=600)


def test_parallel_output_is_identical_to_serial() -> None:
    for fmt in ("json", "text"):
        serial = run(str(FIXTURES), "--format", fmt, "--severity", "info", "-j", "1")
        parallel = run(str(FIXTURES), "--format", fmt, "--severity", "info", "-j", "2")
        default = run(str(FIXTURES), "--format", fmt, "--severity", "info")
        assert serial.returncode == parallel.returncode == default.returncode == 1
        assert serial.stdout.count("ESM1") > 10
        assert parallel.stdout == serial.stdout
        assert default.stdout == serial.stdout


def test_jobs_must_be_positive() -> None:
    result = run(str(FIXTURES / "ESM101"), "-j", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
