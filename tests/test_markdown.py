"""``esmlint check --format markdown``: the pull-request and job-summary report."""

from __future__ import annotations

import re

from conftest import REPO
from test_graph import check_mermaid

from esmlint.findings import Finding, Severity
from esmlint.reporters import Summary, markdown, rule_url

EXAMPLES = REPO / "examples"
CI_VARIABLES = ("GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_SERVER_URL", "CI_PROJECT_URL",
                "CI_COMMIT_SHA")


def _clean_env(monkeypatch) -> None:
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def report(run_cli, *paths, **env) -> tuple[int, str]:
    result = run_cli("check", "--format", "markdown", *paths, env=env or None)
    return result.exit_code, result.stdout


def test_counts_table_and_graph(run_cli, monkeypatch) -> None:
    _clean_env(monkeypatch)
    monkeypatch.chdir(REPO)
    code, text = report(run_cli, "examples")
    assert code == 1
    # The counts are those of the text report of the same run, not written down here.
    from esmlint.findings import Severity
    from esmlint.runner import lint_paths

    shown = [f for f in lint_paths(["examples"]).findings if f.severity >= Severity.WARNING]
    errors = sum(f.severity == Severity.ERROR for f in shown)
    warnings = len(shown) - errors
    assert errors and warnings
    assert (f"Found {len(shown)} problems ({errors} errors, {warnings} warnings) in 2 files"
            in text)
    assert f"| :x: error | {errors} |" in text and f"| :warning: warning | {warnings} |" in text
    assert (f"| [ESM101]({rule_url('ESM101')}) | sqs-visibility-below-timeout | error | 2 |"
            in text)
    rows = [line for line in text.splitlines() if line.startswith("| :")
            and "](examples/" in line]
    assert len(rows) == len(shown)
    assert ("| :x: | [ESM101](" + rule_url("ESM101") + ") | "
            "[examples/template.yaml:42](examples/template.yaml#L42) | OrderWorker | ") in text
    block = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert block, text
    nodes, edges = check_mermaid(block.group(1))
    # Every function with a finding and what it is wired to: all of the examples.
    assert (nodes, edges) == (9, 5)


def test_links_point_at_the_commit_on_github_and_gitlab(run_cli, monkeypatch) -> None:
    _clean_env(monkeypatch)
    monkeypatch.chdir(REPO)
    _, text = report(run_cli, "examples/template.yaml", GITHUB_REPOSITORY="o/r",
                     GITHUB_SHA="abc123", GITHUB_SERVER_URL="https://github.example")
    assert "(https://github.example/o/r/blob/abc123/examples/template.yaml#L42)" in text
    _clean_env(monkeypatch)
    _, text = report(run_cli, "examples/template.yaml", CI_PROJECT_URL="https://gl.example/g/p",
                     CI_COMMIT_SHA="def456")
    assert "(https://gl.example/g/p/-/blob/def456/examples/template.yaml#L42)" in text


def test_clean_run_has_no_tables(run_cli, write) -> None:
    path = write("t.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
                 "  T:\n    Type: AWS::SNS::Topic\n")
    code, text = report(run_cli, path)
    assert code == 0
    assert text == "## esmlint\n\nNo problems found in 1 file.\n"


def test_cells_cannot_break_the_table() -> None:
    finding = Finding("ESM101", Severity.ERROR, "t.yaml", 3, 1, "a | b\nc <img src=x>",
                      resource="R|S", name="sqs-visibility-below-timeout")
    text = markdown.render([finding], Summary.of([finding], 1))
    [row] = [line for line in text.splitlines() if line.startswith("| :x: |")]
    assert row.count(" | ") == 4 and "a \\| b c &lt;img src=x&gt;" in row and "R\\|S" in row
    assert "```mermaid" in text  # a finding in no readable file: a template node


def test_long_reports_stay_within_a_comment(monkeypatch) -> None:
    findings = [Finding("ESM101", Severity.ERROR, "t.yaml", line, 1, "x" * 300,
                        resource=f"R{line}", name="n") for line in range(1, 400)]
    text = markdown.render(findings, Summary.of(findings, 1))
    assert len(text) < 65_536
    left = re.search(r"(\d+) more findings not listed here", text)
    assert left and int(left.group(1)) + text.count("| :x: | [ESM101]") == len(findings)
