"""Paths that are not regular files, and template text meant for the terminal (issue 14).

A FIFO named like a template used to hang the run, a symlink to ``/dev/zero`` to exhaust
memory and lose every other file's findings; a symlink loop was called "does not exist";
logical IDs and file names went raw into text and GitHub output. Each case runs
esmlint as a separate program with a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, program_env

from esmlint import reading
from esmlint.findings import Finding, Severity
from esmlint.reporters import github, printable, text

GOOD = (REPO / "fixtures" / "ESM101" / "fail_cfn_explicit.yaml").read_text()
posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev")


def esmlint(*args: str | os.PathLike, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "esmlint", "check", "--no-config", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=REPO, env=program_env(None),
        stdin=subprocess.DEVNULL)


def esm101_paths(proc: subprocess.CompletedProcess) -> set[str]:
    data = json.loads(proc.stdout)
    return {Path(f["path"]).name for f in data["findings"] if f["rule"] == "ESM101"}


@posix
def test_fifos_and_devices_in_a_folder_are_skipped_and_the_rest_is_linted(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "x.yaml")
    os.mkfifo(tmp_path / "main.tf")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    (tmp_path / "random.json").symlink_to("/dev/urandom")
    proc = esmlint("--format", "json", tmp_path, timeout=60)
    assert proc.returncode == 1, proc.stderr  # good.yaml's error finding
    assert esm101_paths(proc) == {"good.yaml"}
    for name, what in (("x.yaml", "FIFO"), ("main.tf", "FIFO"), ("zero.yaml", "device"),
                       ("random.json", "device")):
        assert any(name in line and what in line and "skipped" in line
                   for line in proc.stderr.splitlines()), proc.stderr


@posix
def test_a_named_fifo_or_device_is_skipped_with_a_note(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    proc = esmlint("--format", "json", tmp_path / "pipe.yaml", tmp_path / "zero.yaml",
                   tmp_path / "good.yaml")
    assert esm101_paths(proc) == {"good.yaml"}
    assert "pipe.yaml: not a regular file but a FIFO (named pipe); skipped" in proc.stderr
    assert "zero.yaml: not a regular file but a character device; skipped" in proc.stderr


@posix
def test_reading_stops_at_the_limit_plus_one_byte():
    with pytest.raises(reading.NotReadable) as raised:
        reading.read_bytes("/dev/zero")
    assert "not a regular file" in str(raised.value)


def test_a_regular_file_over_the_limit_is_refused_after_limit_plus_one(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"x" * 101)
    assert reading.read_bytes(str(path), limit=101) == b"x" * 101
    with pytest.raises(reading.NotReadable) as raised:
        reading.read_bytes(str(path), limit=100)
    assert raised.value.too_large


@posix
def test_a_named_symlink_loop_says_so(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    proc = esmlint(tmp_path / "a.yaml")
    assert proc.returncode == 2
    assert "is a symbolic link loop" in proc.stderr
    assert "does not exist" not in proc.stderr


@posix
def test_a_named_broken_symlink_says_so(tmp_path):
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    proc = esmlint(tmp_path / "gone.yaml")
    assert proc.returncode == 2
    assert "is a broken symbolic link" in proc.stderr


@posix
def test_symlink_loops_in_a_folder_are_skipped(tmp_path):
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    proc = esmlint("--format", "json", tmp_path)
    assert esm101_paths(proc) == {"good.yaml"}
    assert "a.yaml: a symbolic link loop; skipped" in proc.stderr


EVIL = "W\x1b[2J\nfake.yaml:1:1: error ESM999 forged\u202e"


def evil_finding() -> Finding:
    return Finding(rule="ESM101", name="sqs-visibility-below-timeout",
                   severity=Severity.ERROR, path="t\x1b]0;title\x07.yaml", line=3, column=2,
                   message=f"function {EVIL} has Timeout 60 s", resource=EVIL, function=EVIL)


def test_text_output_escapes_control_characters():
    line = text.format_finding(evil_finding())
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert "\u202e" not in line
    assert "W\\x1b[2J\\nfake.yaml:1:1: error ESM999 forged\\u202e" in line
    assert line.startswith("t\\x1b]0;title\\x07.yaml:3:2: error ESM101 ")


def test_github_output_escapes_control_characters():
    line = github.command(evil_finding())
    assert "\n" not in line and "\x1b" not in line and "\u202e" not in line
    assert "W\\x1b[2J%0Afake.yaml:1:1: error ESM999 forged\\u202e" in line  # GitHub's %0A
    assert line.startswith("::error file=t\\x1b]0;title\\x07.yaml,line=3")


def test_printable_leaves_ordinary_text_alone():
    plain = "function Worker: Timeout 60 s, ü, 日本, tab-free"
    assert printable(plain) is plain


def test_escapes_end_to_end(tmp_path):
    fn = "W\\u001b[2J\\nfake.yaml:1:1: error ESM999 forged"
    (tmp_path / "t.json").write_text(json.dumps({"Resources": {
        "Q": {"Type": "AWS::SQS::Queue"},
        fn: {"Type": "AWS::Lambda::Function", "Properties": {
            "Timeout": 60, "Runtime": "python3.12", "Handler": "i.h",
            "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}}},
        "M": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": fn}, "EventSourceArn": {"Fn::GetAtt": ["Q", "Arn"]}}},
    }}).replace("\\\\u001b", "\\u001b").replace("\\\\n", "\\n"))
    proc = esmlint(tmp_path / "t.json")
    assert "\x1b" not in proc.stdout
    assert not any(line.startswith("fake.yaml") for line in proc.stdout.splitlines())
    assert "W\\x1b[2J\\nfake.yaml:1:1: error ESM999 forged" in proc.stdout
