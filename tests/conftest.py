"""Shared test helpers: where things are, and running the CLI in-process or as a program."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

#: The repository root, and shared/ beside the clone (as in CI).
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = REPO / "fixtures"

#: A CloudFormation template with one known problem: queue visibility 10 s < function
#: timeout 30 s (ESM101, error, on the mapping "Mapping"). The role is outside the template.
CFN_QUEUE_TOO_SHORT = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 10
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: {ZipFile: "def handler(e, c): pass"}
      Timeout: 30
      Role: arn:aws:iam::123456789012:role/external
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Queue.Arn
"""

#: A SAM template with one known problem: queue visibility 10 s < function timeout 30 s
#: (ESM101, error, at the SQS event "Jobs" on line 16, column 9).
SAM_QUEUE_TOO_SHORT = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 10
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Timeout: 30
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""


@dataclass
class Run:
    """The outcome of one CLI run."""

    exit_code: int
    stdout: str
    stderr: str


def _runner() -> CliRunner:
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


@pytest.fixture
def run_cli() -> Callable[..., Run]:
    """Run ``esmlint ARGS...`` in-process (fast; exceptions stay visible to pytest)."""
    from esmlint.cli import cli

    def run(*args: str | os.PathLike, env: dict[str, str] | None = None) -> Run:
        result = _runner().invoke(cli, [str(a) for a in args], env=env,
                                  catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


def esmlint_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m esmlint``.

    In CI the script is the one the wheel installed, so these tests prove the wheel; in a
    source checkout without an install, ``python -m`` with :func:`program_env` runs the
    same code the in-process tests import.
    """
    script = Path(sys.executable).with_name("esmlint")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "esmlint"]


def program_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child esmlint: it imports the esmlint these tests import."""
    import esmlint

    package_parent = str(Path(esmlint.__file__).resolve().parents[1])
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_parent, os.environ.get("PYTHONPATH", "")) if p
    )
    return env


@pytest.fixture
def child_env() -> dict[str, str]:
    """Environment for a child Python process that must import the same esmlint."""
    return program_env()


@pytest.fixture
def run_program() -> Callable[..., Run]:
    """Run esmlint as a separate program: what users, pre-commit and CI run."""

    def run(*args: str | os.PathLike, cwd: Path | None = None,
            env: dict[str, str] | None = None, command: Sequence[str] | None = None) -> Run:
        proc = subprocess.run(
            [*(command or esmlint_command()), *(str(a) for a in args)],
            cwd=cwd, env=program_env(env), capture_output=True, text=True,
            timeout=120, stdin=subprocess.DEVNULL,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a (dedented) file under the test's temporary folder and return its path."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture(autouse=True)
def _no_colour_settings(monkeypatch):
    """Colour depends on NO_COLOR and FORCE_COLOR: the tests set them where they mean to."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
