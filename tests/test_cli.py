"""The command line as users meet it: exit codes, output shapes, options, file handling.

Also the engine promises the CLI rests on (a rule that raises, a loader that raises, order
of findings) and discovery (which files a directory walk reads). Templates are written per
test; exact-count assertions use ``--select`` so that rules added later do not move them.
"""

from __future__ import annotations

import codecs
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import CFN_QUEUE_TOO_SHORT

from esmlint import discover, engine, loaders, registry, runner
from esmlint.cli import _use_color, exit_code
from esmlint.findings import Finding, Severity
from esmlint.model import Function, Model, Source
from esmlint.reporters import Summary
from esmlint.reporters.text import summary_line
from esmlint.rule import report
from esmlint.values import Loc, known

# Queue visibility 10 s < function timeout 30 s: ESM101 (error).
BAD = CFN_QUEUE_TOO_SHORT

# Visibility 60 s: at least the timeout, below 6 x 30 s: ESM102 (warning) only.
WARN = BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: 60")

# Visibility 180 s = 6 x 30 s, a dead-letter queue, partial batch responses: clean.
CLEAN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DeadLetters:
    Type: AWS::SQS::Queue
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 5
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
      FunctionResponseTypes: [ReportBatchItemFailures]
"""

# Looks like a template, but the flow mapping is never closed.
BROKEN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 30
  Other:
    Type: AWS::SNS::Topic
"""

NOT_A_TEMPLATE = """
name: build
on: [push]
jobs:
  test: {runs-on: ubuntu-latest}
"""

TEXT_LINE = re.compile(
    r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) "
    r"(?P<rule>ESM\d{3}) (?P<message>.+?)(?: \[(?P<resource>[^\]]+)\])?$"
)


def findings_of(run) -> list[dict]:
    return json.loads(run.stdout)["findings"]


# --- version, help, usage -----------------------------------------------------------------


def test_version(run_cli):
    run = run_cli("--version")
    assert run.exit_code == 0
    assert re.fullmatch(r"esmlint \S+\n", run.stdout)


def test_python_dash_m_runs_the_same_cli(run_program, tmp_path):
    run = run_program("--version", cwd=tmp_path, command=[sys.executable, "-m", "esmlint"])
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("esmlint ")


def test_missing_path_is_a_usage_error(run_cli, tmp_path):
    run = run_cli("check", tmp_path / "nope.yaml")
    assert run.exit_code == 2
    assert "does not exist" in run.stderr


def test_unknown_option_value_is_a_usage_error(run_cli, write):
    path = write("template.yaml", CLEAN)
    assert run_cli("check", path, "--format", "xml").exit_code == 2
    assert run_cli("check", path, "--severity", "loud").exit_code == 2
    assert run_cli("check", path, "--fail-on", "sometimes").exit_code == 2


# --- check: exit codes and formats --------------------------------------------------------


def test_clean_template_exits_0(run_cli, write):
    path = write("template.yaml", CLEAN)
    run = run_cli("check", path)
    assert run.exit_code == 0, run.stdout
    assert run.stdout == "No problems found in 1 file.\n"
    assert run.stderr == ""


def test_error_finding_exits_1_with_text_line(run_cli, write):
    path = write("template.yaml", BAD)
    run = run_cli("check", path, "--select", "ESM101")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert len(lines) == 2
    match = TEXT_LINE.match(lines[0])
    assert match, lines[0]
    assert match["path"] == str(path)
    assert match["severity"] == "error" and match["rule"] == "ESM101"
    assert int(match["line"]) >= 1 and int(match["col"]) >= 1
    assert match["resource"]
    assert lines[1] == "Found 1 problem (1 error) in 1 file (1 file checked)."


def test_text_output_has_no_colour_off_a_terminal(run_cli, write):
    run = run_cli("check", write("template.yaml", BAD))
    assert "\x1b[" not in run.stdout


class _Tty:
    def isatty(self):
        return True


class _Pipe:
    def isatty(self):
        return False


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    assert _use_color(_Tty()) is True
    assert _use_color(_Pipe()) is False
    assert _use_color(None) is False  # a report file
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(_Tty()) is False


@pytest.mark.parametrize("env, mode, tty, pipe, file", [
    ({}, "always", True, True, True),
    ({}, "never", False, False, False),
    ({"NO_COLOR": "1"}, "always", True, True, True),        # the option wins
    ({"FORCE_COLOR": "1"}, "auto", True, True, False),      # CI logs; not into files
    ({"FORCE_COLOR": "1"}, "never", False, False, False),
    ({"FORCE_COLOR": "0"}, "auto", True, False, False),     # 0 and false force nothing
    ({"FORCE_COLOR": "false"}, "auto", True, False, False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, "auto", False, False, False),
])
def test_color_option_and_environment(monkeypatch, env, mode, tty, pipe, file):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert (_use_color(_Tty(), mode), _use_color(_Pipe(), mode), _use_color(None, mode)) == (
        tty, pipe, file)


def test_color_option_on_the_command_line(run_cli, write, tmp_path, monkeypatch):
    template = write("template.yaml", BAD)
    always = run_cli("check", template, "--color", "always")
    assert always.exit_code == 1
    assert "\x1b[" in always.stdout
    assert "\x1b[" not in run_cli("check", template).stdout  # auto, off a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run_cli("check", template).stdout
    assert "\x1b[" not in run_cli("check", template, "--color", "never").stdout
    target = tmp_path / "coloured.txt"
    run_cli("check", template, "--color", "always", "-o", target)
    assert "\x1b[" in target.read_text()
    # Machine formats never carry colour.
    assert "\x1b[" not in run_cli("check", template, "--color", "always", "--format",
                                  "json").stdout
    assert run_cli("check", template, "--color", "sometimes").exit_code == 2


def test_statistics_counts_the_findings_shown_per_rule(run_cli, write):
    first = write("a/template.yaml", BAD)
    second = write("b/template.yaml", BAD)
    third = write("c/template.yaml", WARN)
    listed = json.loads(run_cli("check", first, second, third, "--format", "json").stdout)
    expected: dict[str, int] = {}
    for finding in listed["findings"]:
        expected[finding["rule"]] = expected.get(finding["rule"], 0) + 1
    assert expected.get("ESM101") == 2 and len(expected) >= 2

    run = run_cli("check", first, second, third, "--statistics")
    assert run.exit_code == 1  # judged on the same findings
    *rows, summary = run.stdout.splitlines()
    parsed = [re.fullmatch(r"\s*(\d+)  (ESM\d+)  (error|warning|info)\s*  ([a-z0-9-]+)", row)
              for row in rows]
    assert all(parsed), rows
    assert {m.group(2): int(m.group(1)) for m in parsed} == expected
    counts = [int(m.group(1)) for m in parsed]
    assert counts == sorted(counts, reverse=True)  # most findings first
    assert dict((m.group(2), m.group(4)) for m in parsed)["ESM101"] == \
        "sqs-visibility-below-timeout"
    assert summary.startswith(f"Found {sum(expected.values())} problems")

    as_json = json.loads(run_cli("check", first, second, third, "--statistics", "--format",
                                 "json").stdout)
    assert {entry["rule"]: entry["count"] for entry in as_json} == expected
    assert [entry["rule"] for entry in as_json] == [m.group(2) for m in parsed]
    assert {entry["rule"]: entry["severity"] for entry in as_json}["ESM101"] == "error"

    quiet = run_cli("check", first, second, third, "--statistics", "--quiet")
    assert quiet.stdout.splitlines() == rows


def test_statistics_of_a_clean_run_and_with_other_formats(run_cli, write):
    clean = write("template.yaml", CLEAN)
    run = run_cli("check", clean, "--statistics")
    assert run.exit_code == 0
    assert run.stdout == "No problems found in 1 file.\n"
    assert run_cli("check", clean, "--statistics", "--format", "json").stdout == "[]\n"
    refused = run_cli("check", clean, "--statistics", "--format", "sarif")
    assert refused.exit_code == 2
    assert "--statistics works with --format text or json" in refused.stderr


def test_quiet_prints_the_findings_and_nothing_else(run_cli, write):
    template = write("template.yaml", BAD)
    other = write("ci.yaml", NOT_A_TEMPLATE)
    loud = run_cli("check", template, other)
    assert "not a CloudFormation, SAM, Terraform or serverless.yml template" in loud.stderr
    assert loud.stdout.splitlines()[-1].startswith("Found ")
    quiet = run_cli("check", template, other, "--quiet")
    assert quiet.exit_code == loud.exit_code == 1
    assert quiet.stderr == ""
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    assert quiet.stdout and " error ESM101 " in quiet.stdout
    clean = run_cli("check", write("clean.yaml", CLEAN), "-q")
    assert (clean.exit_code, clean.stdout, clean.stderr) == (0, "", "")
    # Machine formats are whole documents: --quiet leaves them as they are.
    assert json.loads(run_cli("check", template, "-q", "--format", "json").stdout)["findings"]


def test_skip_non_templates_batch_without_templates_prints_nothing(run_cli, write):
    other = write("ci.yaml", NOT_A_TEMPLATE)
    package = write("package.json", '{"name": "x"}')
    run = run_cli("check", "--skip-non-templates", other, package)
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    # A batch with a template still says how it went, and without the flag nothing changes.
    mixed = run_cli("check", "--skip-non-templates", other, write("t.yaml", CLEAN))
    assert mixed.stdout == "No problems found in 1 file.\n"
    assert run_cli("check", other).stdout == summary_line(Summary(files=0)) + "\n"
    # Machine formats still write their (empty) document.
    document = json.loads(run_cli("check", "--skip-non-templates", "--format", "json",
                                  other).stdout)
    assert document["findings"] == [] and document["summary"]["files"] == 0


def test_json_shape(run_cli, write):
    path = write("template.yaml", BAD)
    run = run_cli("check", path, "--format", "json", "--select", "ESM101")
    assert run.exit_code == 1
    document = json.loads(run.stdout)
    assert set(document) == {"version", "findings", "summary"}
    assert document["version"] == 1
    assert document["summary"] == {"files": 1, "errors": 1, "warnings": 0, "infos": 0,
                                   "total": 1}
    [finding] = document["findings"]
    assert set(finding) == {"rule", "name", "severity", "path", "line", "column",
                            "resource", "function", "message"}
    assert finding["rule"] == "ESM101"
    assert finding["name"] == "sqs-visibility-below-timeout"
    assert finding["severity"] == "error"
    assert finding["path"] == str(path)
    assert finding["function"] == "Worker"
    assert isinstance(finding["line"], int) and finding["line"] >= 1
    assert isinstance(finding["column"], int) and finding["column"] >= 1


def test_json_of_a_clean_run(run_cli, write):
    run = run_cli("check", write("template.yaml", CLEAN), "--format", "json")
    assert run.exit_code == 0
    assert json.loads(run.stdout) == {
        "version": 1, "findings": [],
        "summary": {"files": 1, "errors": 0, "warnings": 0, "infos": 0, "total": 0},
    }


# --- --severity and --fail-on -------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "shown", "code"),
    [
        ((), True, 0),                                   # warning shown, fails only on error
        (("--fail-on", "warning"), True, 1),
        (("--fail-on", "info"), True, 1),
        (("--fail-on", "never"), True, 0),
        (("--severity", "info"), True, 0),
        (("--severity", "error"), False, 0),
        # Hidden findings do not fail the run, whatever --fail-on says.
        (("--severity", "error", "--fail-on", "warning"), False, 0),
    ],
)
def test_severity_and_fail_on(run_cli, write, options, shown, code):
    path = write("template.yaml", WARN)
    run = run_cli("check", path, "--format", "json", "--select", "ESM102", *options)
    rules = [f["rule"] for f in findings_of(run)]
    assert rules == (["ESM102"] if shown else [])
    assert run.exit_code == code


def test_fail_on_never_with_errors_exits_0(run_cli, write):
    run = run_cli("check", write("template.yaml", BAD), "--fail-on", "never")
    assert run.exit_code == 0
    assert " error ESM101 " in run.stdout


def test_exit_code_thresholds():
    warning = Finding("ESM102", Severity.WARNING, "t.yaml", 1, 1, "m")
    info = Finding("ESM112", Severity.INFO, "t.yaml", 1, 1, "m")
    assert exit_code([], "info") == 0
    assert exit_code([warning], "error") == 0
    assert exit_code([warning], "warning") == 1
    assert exit_code([info], "warning") == 0
    assert exit_code([info], "info") == 1
    assert exit_code([warning, info], "never") == 0


# --- --select and --ignore ----------------------------------------------------------------


def test_select_by_id_prefix_and_name(run_cli, write):
    path = write("template.yaml", BAD)
    for selector in ("ESM101", "esm101", "ESM10", "sqs-visibility-below-timeout"):
        run = run_cli("check", path, "--format", "json", "--select", selector)
        rules = {f["rule"] for f in findings_of(run)}
        assert "ESM101" in rules, selector
        assert all(rule.startswith("ESM10") for rule in rules), selector


def test_select_is_comma_separated_and_repeatable(run_cli, write):
    path = write("template.yaml", BAD)
    one = run_cli("check", path, "--format", "json", "--select", "ESM101,ESM102")
    two = run_cli("check", path, "--format", "json", "--select", "ESM101", "--select", "ESM102")
    assert findings_of(one) == findings_of(two)
    assert {f["rule"] for f in findings_of(one)} <= {"ESM101", "ESM102"}


def test_ignore_removes_findings(run_cli, write):
    path = write("template.yaml", BAD)
    run = run_cli("check", path, "--format", "json", "--ignore", "ESM1")
    assert not [f for f in findings_of(run) if f["rule"].startswith("ESM1")]
    run = run_cli("check", path, "--select", "ESM101", "--ignore", "ESM101")
    assert run.exit_code == 0


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("value", ["ESM999", "ESM101,nonsense", "ESM9"])
def test_unknown_rule_selector_is_a_usage_error(run_cli, write, option, value):
    run = run_cli("check", write("template.yaml", CLEAN), option, value)
    assert run.exit_code == 2
    assert "unknown rule" in run.stderr
    assert "esmlint rules" in run.stderr


def test_parse_selectors():
    assert registry.parse_selectors(["esm101, ESM2", "sqs-visibility-below-timeout"]) == (
        "ESM101", "ESM2", "ESM101")
    with pytest.raises(registry.UnknownRuleError):
        registry.parse_selectors(["ESM7"])


# --- rules and explain --------------------------------------------------------------------


def test_rules_table(run_cli):
    run = run_cli("rules")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "SEVERITY", "FIX", "SUMMARY"]
    ids = [line.split()[0] for line in lines[1:]]
    assert ids == [rule.id for rule in registry.load_rules()]
    assert {"ESM001", "ESM101"} <= set(ids)


def test_rules_markdown(run_cli):
    run = run_cli("rules", "--format", "markdown")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "| ID | name | severity | fix | summary |"
    assert lines[1] == "|---|---|---|---|---|"
    rows = lines[2:]
    assert len(rows) == len(registry.load_rules())
    assert any(row.startswith("| ESM101 | sqs-visibility-below-timeout | error | safe | ")
               for row in rows)


def test_rules_json(run_cli):
    run = run_cli("rules", "--format", "json")
    assert run.exit_code == 0
    items = json.loads(run.stdout)
    assert [item["id"] for item in items] == [rule.id for rule in registry.load_rules()]
    for item in items:
        assert {"id", "name", "severity", "summary", "options"} <= set(item)
        assert item["severity"] in ("error", "warning", "info")
        assert item["summary"], item["id"]
    esm001 = next(item for item in items if item["id"] == "ESM001")
    assert esm001["name"] == "parse-error" and esm001["severity"] == "error"


def test_every_rule_has_a_summary_and_kebab_name():
    for rule in registry.load_rules():
        assert rule.summary and not rule.summary.startswith("#"), rule.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.id


@pytest.mark.parametrize("token", ["ESM101", "esm101", "sqs-visibility-below-timeout"])
def test_explain(run_cli, token):
    run = run_cli("explain", token)
    assert run.exit_code == 0
    first = run.stdout.splitlines()[0]
    assert first == "ESM101 sqs-visibility-below-timeout (default severity: error)"
    rule = registry.find_rule("ESM101")
    assert rule.doc in run.stdout
    from esmlint.links import rule_url

    assert run.stdout.splitlines()[-1] == f"Documentation: {rule_url('ESM101')}"
    assert rule_url("ESM101").endswith("/rules/ESM101/")


def test_explain_unknown_rule(run_cli):
    run = run_cli("explain", "ESM999")
    assert run.exit_code == 2
    assert "unknown rule" in run.stderr


# --- files: parse errors, non-templates, encodings, discovery -----------------------------


def test_unparsable_yaml_is_esm001_and_other_files_still_linted(run_cli, write, tmp_path):
    write("a/broken.yaml", BROKEN)
    write("b/template.yaml", BAD)
    run = run_cli("check", tmp_path, "--format", "json")
    assert run.exit_code == 1
    findings = findings_of(run)
    [parse] = [f for f in findings if f["rule"] == "ESM001"]
    assert parse["path"].endswith("broken.yaml")
    assert parse["name"] == "parse-error" and parse["severity"] == "error"
    assert parse["line"] >= 6 and parse["column"] >= 1
    assert f"line {parse['line']}, column {parse['column']}" in parse["message"]
    assert any(f["rule"] == "ESM101" and f["path"].endswith("template.yaml")
               for f in findings)
    assert json.loads(run.stdout)["summary"]["files"] == 2


def test_unparsable_yaml_text_output(run_cli, write):
    path = write("broken.yaml", BROKEN)
    run = run_cli("check", path)
    assert run.exit_code == 1
    match = TEXT_LINE.match(run.stdout.splitlines()[0])
    assert match and match["rule"] == "ESM001" and match["severity"] == "error"


def test_non_template_skipped_silently_in_a_directory(run_cli, write, tmp_path):
    write("ci.yaml", NOT_A_TEMPLATE)
    write("package.json", '{"name": "x", "version": "1.0.0"}')
    write("template.yaml", CLEAN)
    run = run_cli("check", tmp_path)
    assert run.exit_code == 0
    assert run.stderr == ""
    assert run.stdout == "No problems found in 1 file.\n"


def test_non_template_named_explicitly_gets_a_note(run_cli, write):
    path = write("ci.yaml", NOT_A_TEMPLATE)
    run = run_cli("check", path)
    assert run.exit_code == 0
    assert run.stderr == (
        f"esmlint: {path}: not a CloudFormation, SAM, Terraform or serverless.yml template, "
        "skipped\n")
    assert run.stdout == "No CloudFormation, SAM, Terraform or serverless.yml templates found.\n"


def test_terraform_named_explicitly_is_linted(run_cli, write):
    path = write("main.tf", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    run = run_cli("check", path)
    assert run.exit_code == 0
    assert run.stderr == ""
    assert run.stdout == "No problems found in 1 file.\n"


def test_binary_file(run_cli, tmp_path):
    (tmp_path / "blob.json").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    run = run_cli("check", tmp_path, "--format", "json")
    assert run.exit_code == 0 and findings_of(run) == []
    assert json.loads(run.stdout)["summary"]["files"] == 0
    run = run_cli("check", tmp_path / "blob.json", "--format", "json")
    assert run.exit_code == 1
    assert [f["rule"] for f in findings_of(run)] == ["ESM001"]


def test_invalid_utf8_template_is_esm001_with_position(run_cli, tmp_path):
    text = CLEAN.lstrip("\n").replace('"2010-09-09"', '"2010-09-09"\nDescription: caf\xe9')
    (tmp_path / "template.yaml").write_bytes(text.encode("latin-1"))
    (tmp_path / "notes.yaml").write_bytes(b"title: caf\xe9\n")  # not a template: silent
    run = run_cli("check", tmp_path, "--format", "json")
    assert run.exit_code == 1
    [finding] = findings_of(run)
    assert finding["rule"] == "ESM001" and finding["path"].endswith("template.yaml")
    assert (finding["line"], finding["column"]) == (2, 17)
    assert "UTF-8" in finding["message"]
    assert run.stderr == ""


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_byte_order_marks(run_cli, tmp_path, encoding):
    data = BAD.lstrip("\n").encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    elif encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (tmp_path / "template.yaml").write_bytes(data)
    run = run_cli("check", tmp_path, "--format", "json", "--select", "ESM101")
    assert [f["rule"] for f in findings_of(run)] == ["ESM101"]


def test_decode_bytes():
    assert runner.decode_bytes(b"a: 1\n") == ("a: 1\n", "", 0, 0)
    assert runner.decode_bytes(codecs.BOM_UTF8 + b"a: 1")[0] == "a: 1"
    assert runner.decode_bytes(codecs.BOM_UTF16_LE + "a: é".encode("utf-16-le"))[0] == "a: é"
    text, problem, line, column = runner.decode_bytes(b"a: 1\nb: \xff\n")
    assert problem and (line, column) == (2, 4) and text.startswith("a: 1\nb: ")
    assert runner.decode_bytes(b"\x00\x01binary")[0] is None


def test_directory_walk_skips_hidden_build_and_dependency_folders(tmp_path, write):
    for folder in (".git", ".hidden", "node_modules/pkg", ".aws-sam/build", "cdk.out",
                   ".terraform/modules", "__pycache__", "venv", "env-custom"):
        write(f"{folder}/template.yaml", BAD)
    (tmp_path / "env-custom" / "pyvenv.cfg").write_text("home = /usr\n")
    write(".hidden.yaml", BAD)
    write("notes.txt", BAD)
    for name in ("a.yaml", "b.yml", "c.json", "d.template", "sub/e.YAML"):
        write(name, CLEAN)
    found = discover.discover([str(tmp_path)])
    names = [Path(c.path).relative_to(tmp_path).as_posix() for c in found.files]
    assert names == ["a.yaml", "b.yml", "c.json", "d.template", "sub/e.YAML"]
    assert not any(c.explicit for c in found.files)


def test_explicit_files_are_loaded_even_in_skipped_folders(run_cli, write):
    path = write("node_modules/template.yaml", BAD)
    found = discover.discover([str(path)])
    assert [(c.path, c.explicit) for c in found.files] == [(str(path), True)]
    assert run_cli("check", path, "--select", "ESM101").exit_code == 1


def test_a_file_named_twice_is_linted_once(run_cli, write, tmp_path):
    path = write("template.yaml", BAD)
    run = run_cli("check", path, tmp_path, path, "--format", "json", "--select", "ESM101")
    assert len(findings_of(run)) == 1
    assert json.loads(run.stdout)["summary"]["files"] == 1


def test_default_path_is_the_current_directory(run_program, write, tmp_path):
    write("template.yaml", BAD)
    run = run_program("check", "--select", "ESM101", cwd=tmp_path)
    assert run.exit_code == 1, run.stderr
    assert run.stdout.startswith("template.yaml:")


def test_large_files(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.setattr(discover, "MAX_FILE_BYTES", 10)
    path = write("template.yaml", CLEAN)
    run = run_cli("check", tmp_path)
    assert run.exit_code == 0
    assert "larger than" in run.stderr and "skipped" in run.stderr
    run = run_cli("check", path, "--format", "json")
    assert run.exit_code == 1
    assert [f["rule"] for f in findings_of(run)] == ["ESM001"]


# --- robustness: never a traceback --------------------------------------------------------


def test_loader_crash_is_esm001_and_other_files_go_on(run_cli, write, tmp_path, monkeypatch):
    write("crash.yaml", CLEAN)
    write("template.yaml", BAD)
    real = loaders.load_text

    def load_text(path, text, explicit=False):
        if path.endswith("crash.yaml"):
            raise ValueError("boom")
        return real(path, text, explicit)

    monkeypatch.setattr(loaders, "load_text", load_text)
    run = run_cli("check", tmp_path, "--format", "json", "--select", "ESM001,ESM101")
    assert run.exit_code == 1
    by_rule = {f["rule"]: f for f in findings_of(run)}
    assert by_rule["ESM001"]["path"].endswith("crash.yaml")
    assert "internal error while loading" in by_rule["ESM001"]["message"]
    assert "ValueError: boom" in by_rule["ESM001"]["message"]
    assert by_rule["ESM101"]["path"].endswith("template.yaml")


def test_unexpected_error_is_exit_2_without_traceback(run_cli, write, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("something broke")

    monkeypatch.setattr(runner, "lint_paths", explode)
    run = run_cli("check", write("template.yaml", CLEAN))
    assert run.exit_code == 2
    assert "internal error: RuntimeError: something broke" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def test_broken_rule_module_is_exit_2(run_cli, write, monkeypatch):
    def broken():
        raise registry.RuleError("rule module esmlint.rules.x cannot be imported: SyntaxError")

    monkeypatch.setattr(registry, "load_rules", broken)
    run = run_cli("rules")
    assert run.exit_code == 2
    assert "cannot be imported" in run.stderr


def test_program_json_run_and_no_traceback(run_program, write, tmp_path):
    write("template.yaml", BAD)
    write("broken.yaml", BROKEN)
    run = run_program("check", tmp_path, "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert "Traceback" not in run.stderr
    rules = {f["rule"] for f in json.loads(run.stdout)["findings"]}
    assert {"ESM001", "ESM101"} <= rules


def test_check_path_imports_nothing_heavy(tmp_path, child_env):
    """cfn-lint, the SAM translator and jsonschema take a second to import; multiprocessing
    and hashlib are only for many files and for fingerprints. One template needs none."""
    template = tmp_path / "template.yaml"
    template.write_text(BAD)
    code = (
        "import sys\n"
        "from esmlint.cli import main\n"
        "try:\n"
        f"    main(['check', {str(template)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'cfnlint', 'samtranslator', 'jsonschema', 'multiprocessing', 'hashlib'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, env=child_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


# --- engine -------------------------------------------------------------------------------


def _model() -> tuple[Model, Function]:
    model = Model(path="t.yaml", format="cloudformation")
    fn = Function(id="Worker", type="AWS::Lambda::Function", loc=Loc("t.yaml", 7, 3),
                  timeout=known(30))
    fn.sources.append(Source(id="Mapping", mode="poll", kind="sqs", loc=Loc("t.yaml", 20, 3),
                             function=fn))
    model.functions.append(fn)
    return model, fn


def _rule(rid: str, name: str, check, severity=Severity.WARNING) -> registry.RuleInfo:
    module = types.ModuleType(f"esmlint.rules.fake_{rid.lower()}")
    module.__doc__ = f"Summary of {name}.\n\nMore."
    module.ID, module.NAME, module.SEVERITY, module.check = rid, name, severity, check
    return registry.RuleInfo.from_module(module)


def test_a_rule_that_raises_becomes_a_finding_and_others_still_run():
    def crashing(model, options):
        for fn, source in model.poll_sources():
            yield report(fn.loc, "found before the crash", resource=fn.id)
            raise KeyError(source.id)

    def fine(model, options):
        yield report(Loc("t.yaml", 2, 1), "fine", resource="Queue")

    rules = [_rule("ESM901", "crashing", crashing), _rule("ESM902", "fine", fine)]
    model, _ = _model()
    findings = engine.run(model, rules=rules)
    assert [(f.rule, f.name) for f in findings] == [
        ("ESM902", "fine"), ("ESM901", "crashing"), ("ESM901", "internal-error")]
    internal = findings[-1]
    assert internal.severity is Severity.ERROR
    assert internal.message == (
        "internal error in rule ESM901 while checking Mapping: KeyError: 'Mapping'"
        " — please report this bug")
    assert (internal.resource, internal.function) == ("Mapping", "Worker")
    assert (internal.path, internal.line, internal.column) == ("t.yaml", 20, 3)


def test_internal_error_without_a_resource_points_at_the_template():
    def crashing(model, options):
        raise RuntimeError("no resource in sight")
        yield  # pragma: no cover

    model, _ = _model()
    [finding] = engine.run(model, rules=[_rule("ESM901", "crashing", crashing)])
    assert (finding.path, finding.line, finding.column, finding.resource) == ("t.yaml", 1, 1, "")
    assert "while checking t.yaml: RuntimeError: no resource in sight" in finding.message


def test_engine_fills_rule_name_and_default_severity_and_sorts():
    def check(model, options):
        yield report(Loc("t.yaml", 9, 1), "later")
        yield report(Loc("t.yaml", 3, 5), "explicit", severity=Severity.INFO)
        yield report(None, "nowhere")

    model, _ = _model()
    findings = engine.run(model, rules=[_rule("ESM903", "filled", check)])
    assert [(f.line, f.column, f.message) for f in findings] == [
        (1, 1, "nowhere"), (3, 5, "explicit"), (9, 1, "later")]
    assert all(f.rule == "ESM903" and f.name == "filled" and f.path == "t.yaml"
               for f in findings)
    assert [f.severity for f in findings] == [Severity.WARNING, Severity.INFO,
                                              Severity.WARNING]


def test_select_ignore_and_options_reach_rules():
    seen = {}

    def check(model, options):
        seen.update(options)
        return iter(())

    module = types.ModuleType("esmlint.rules.fake_opts")
    module.__doc__ = "Options."
    module.ID, module.NAME, module.SEVERITY, module.check = "ESM904", "opts", "warning", check
    module.OPTIONS = {"multiplier": 6, "other": 1}
    rule = registry.RuleInfo.from_module(module)
    model, _ = _model()
    model.options = {"opts": {"other": 3}}
    engine.run(model, options={"ESM904": {"multiplier": 2}}, rules=[rule])
    assert seen == {"multiplier": 2, "other": 3}
    seen.clear()
    engine.run(model, ignore=("ESM9",), rules=[rule])
    assert seen == {}
    engine.run(model, select=("ESM1",), rules=[rule])
    assert seen == {}


@pytest.mark.parametrize(
    ("attrs", "problem"),
    [
        ({"ID": "E101"}, "ID"),
        ({"NAME": "Bad Name"}, "NAME"),
        ({"SEVERITY": "fatal"}, "SEVERITY"),
        ({"__doc__": ""}, "docstring"),
    ],
)
def test_malformed_rule_module_is_refused(attrs, problem):
    module = types.ModuleType("esmlint.rules.fake_bad")
    module.__doc__ = "Summary."
    module.ID, module.NAME, module.SEVERITY = "ESM905", "ok-name", Severity.ERROR
    module.check = lambda model, options: iter(())
    for key, value in attrs.items():
        setattr(module, key, value)
    with pytest.raises(registry.RuleError, match=problem):
        registry.RuleInfo.from_module(module)


def test_summary_line_wording():
    assert summary_line(Summary(files=0)) == (
        "No CloudFormation, SAM, Terraform or serverless.yml templates found.")
    assert summary_line(Summary(files=1)) == "No problems found in 1 file."
    assert summary_line(Summary(files=12)) == "No problems found in 12 files."
    assert summary_line(Summary(files=12, errors=2, warnings=1, files_with_findings=2)) == (
        "Found 3 problems (2 errors, 1 warning) in 2 files (12 files checked).")
    assert summary_line(Summary(files=1, infos=1, files_with_findings=1)) == (
        "Found 1 problem (1 info) in 1 file (1 file checked).")
