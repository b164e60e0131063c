"""esmlint as a pre-commit hook, run by pre-commit itself.

``pre-commit try-repo`` installs the hook from a repository into a fresh virtual
environment with pip, exactly as users get it, and runs it on the files it is given. The
hook repository is a temporary git repository holding a copy of this checkout (so the
test sees uncommitted work and never touches this repository's git state); the files
are linted in a second temporary repository. The install needs PyPI (or a pip cache):
the test is skipped, saying so, only when pip cannot reach any.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SAM_QUEUE_TOO_SHORT

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("pre_commit", reason="pre-commit is in the test extras")

TEMPLATE = SAM_QUEUE_TOO_SHORT

CLEAN = TEMPLATE.replace("VisibilityTimeout: 10", "VisibilityTimeout: 180")

NOT_TEMPLATES = {
    ".github/workflows/ci.yaml": "name: build\non: [push]\njobs: {test: {runs-on: x}}\n",
    "package.json": '{"name": "x", "version": "1.0.0"}\n',
    # JSON with comments is not JSON: as a named file it would be a parse error.
    "tsconfig.json": '{\n  // comment\n  "compilerOptions": {"strict": true,},\n}\n',
    "broken.yml": "key: [unclosed\n",
    "docs/openapi.yaml": "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n",
}

_COPY_IGNORE = shutil.ignore_patterns(
    ".git", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", ".hypothesis",
    ".benchmarks", "build", "dist", "*.egg-info", ".venv", "venv", "results",
)

_NO_NETWORK = re.compile(
    r"Could not find a version|No matching distribution|Failed to establish a new "
    r"connection|Temporary failure in name resolution|Network is unreachable|"
    r"ProxyError|SSLError|ConnectTimeout|ReadTimeout",
)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=esmlint tests", "-c", "user.email=tests@esmlint.invalid",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, check=True, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A git repository with this checkout's files committed: the repository under test."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hook") / "esmlint"
    shutil.copytree(REPO, repo, ignore=_COPY_IGNORE)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "esmlint under test")
    return repo


def _user_repo(root: Path, files: dict[str, str]) -> tuple[Path, list[str]]:
    """A git repository with ``files`` staged, as pre-commit sees a commit in progress."""
    repo = root / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(repo, "add", "-A")
    return repo, list(files)


def try_repo(hook_repo: Path, root: Path, files: dict[str, str]) -> tuple[int, str]:
    """Run ``pre-commit try-repo HOOK_REPO esmlint --files ...``: (exit code, output).

    try-repo installs the hook into a fresh environment on every call (its store is
    temporary), which takes a while: each scenario below is one call.
    """
    repo, names = _user_repo(root, files)
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "PYTHONSAFEPATH", "VIRTUAL_ENV")}
    env["PRE_COMMIT_HOME"] = str(root / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "esmlint",
         "--verbose", "--files", *names],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
        stdin=subprocess.DEVNULL,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode not in (0, 1) and _NO_NETWORK.search(output):
        pytest.skip("pre-commit could not install the hook: no package index reachable")
    return proc.returncode, output


@pytest.fixture(scope="module")
def failing_run(hook_repo, tmp_path_factory):
    """A commit with a template that has an error, a broken template and non-templates."""
    broken = TEMPLATE.replace("VisibilityTimeout: 10", "VisibilityTimeout: [10")
    return try_repo(hook_repo, tmp_path_factory.mktemp("failing"), {
        "template.yaml": TEMPLATE, "stacks/broken.yaml": broken, **NOT_TEMPLATES})


@pytest.fixture(scope="module")
def passing_run(hook_repo, tmp_path_factory):
    """A commit with a template without errors and non-templates."""
    return try_repo(hook_repo, tmp_path_factory.mktemp("passing"), {
        "stacks/clean.yaml": CLEAN, **NOT_TEMPLATES})


def test_hook_definition_matches_the_documented_hook():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "esmlint"
    assert hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["esmlint", "check"]
    assert "--skip-non-templates" in hook["entry"].split()
    files = re.compile(hook["files"])
    for name in ("t.yaml", "t.yml", "t.json", "main.tf", "main.tf.json", "cdk.template.json",
                 "stack.template", "serverless.yml", "api/serverless.yaml", "serverless.json"):
        assert files.search(name), name
    for name in ("app.py", "README.md", "yaml", "t.yaml.bak"):
        assert not files.search(name), name


def test_hook_fails_on_a_template_with_an_error(failing_run):
    code, output = failing_run
    assert code == 1, output
    assert re.search(r"esmlint\.+Failed", output), output
    assert re.search(r"^template\.yaml:\d+:\d+: error ESM101 ", output, re.M), output


def test_hook_reports_a_broken_template(failing_run):
    code, output = failing_run
    assert re.search(r"^stacks/broken\.yaml:\d+:\d+: error ESM001 ", output, re.M), output


def test_hook_skips_non_templates_silently(failing_run, passing_run):
    for _code, output in (failing_run, passing_run):
        assert "not a CloudFormation, SAM, Terraform or serverless.yml template" not in output, \
            output
        for name in NOT_TEMPLATES:
            assert f"{name}:" not in output, output
    _, output = failing_run
    parse_errors = [line for line in output.splitlines() if " ESM001 " in line]
    assert len(parse_errors) == 1 and parse_errors[0].startswith("stacks/broken.yaml:"), output


def test_hook_passes_without_errors(passing_run):
    code, output = passing_run
    assert code == 0, output
    assert re.search(r"esmlint\.+Passed", output), output
    assert "error ESM" not in output


# --- the option the hook relies on, in-process ----------------------------------------------


def test_skip_non_templates_is_silent_for_named_files(run_cli, write):
    paths = [write(name, text) for name, text in NOT_TEMPLATES.items()]
    noisy = run_cli("check", *paths)
    assert ("not a CloudFormation, SAM, Terraform or serverless.yml template, skipped"
            in noisy.stderr)
    assert noisy.exit_code == 1  # tsconfig.json and broken.yml: ESM001 as named files
    quiet = run_cli("check", "--skip-non-templates", *paths)
    assert quiet.exit_code == 0, quiet.stdout
    assert quiet.stderr == ""
    # A batch of only non-templates prints nothing: pre-commit shows each batch's output,
    # and "No ... templates found." would stand under another batch's findings.
    assert quiet.stdout == ""


def test_skip_non_templates_still_lints_and_reports_templates(run_cli, write):
    template = write("template.yaml", TEMPLATE)
    broken = write("broken/template.yaml",
                   TEMPLATE.replace("VisibilityTimeout: 10", "VisibilityTimeout: [10"))
    other = write("ci.yaml", NOT_TEMPLATES[".github/workflows/ci.yaml"])
    run = run_cli("check", "--skip-non-templates", "--format", "json", template, broken, other)
    assert run.exit_code == 1
    assert run.stderr == ""
    document = json.loads(run.stdout)
    rules = sorted((f["rule"], Path(f["path"]).parent.name) for f in document["findings"])
    assert ("ESM001", "broken") in rules
    assert any(rule == "ESM101" for rule, _ in rules)
    assert document["summary"]["files"] == 2
