"""The machine formats, checked against what their consumers accept.

SARIF is validated against the SARIF 2.1.0 JSON schema (``../shared/schemas`` beside the
checkout, as in CI) and checked for what GitHub code scanning reads; JUnit is parsed as
XML; GitHub workflow commands and GitLab Code Quality issues are checked field by field,
escaping included. Fingerprints must survive lines moving.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SAM_QUEUE_TOO_SHORT

from esmlint import registry, reporters
from esmlint.findings import Finding, Severity
from esmlint.reporters import (
    Summary,
    display_path,
    fingerprint,
    fingerprints,
    github,
    gitlab,
    junit,
    rule_url,
    sarif,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"

# SAM: queue visibility 10 s < function timeout 30 s (ESM101, error) on line 16; the
# queue itself has no dead-letter queue (ESM111, warning).
BAD = SAM_QUEUE_TOO_SHORT

# Visibility 60 s: ESM102 (warning) instead of ESM101.
WARN = BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: 60")

CLEAN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")


def findings_json(run_cli, *args) -> list[dict]:
    return json.loads(run_cli("check", *args, "--format", "json").stdout)["findings"]


def _finding(**changes) -> Finding:
    values = dict(rule="ESM101", severity=Severity.ERROR, path="stacks/t.yaml", line=16,
                  column=9, message="function Worker has Timeout 30 s", resource="Worker",
                  function="Worker", name="sqs-visibility-below-timeout",
                  key="Worker:Queue")
    values.update(changes)
    return Finding(**values)


@pytest.fixture
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_every_format_is_registered_and_selectable(run_cli, write):
    assert set(FORMATS) <= set(reporters.names())
    path = write("template.yaml", CLEAN)
    for name in FORMATS:
        run = run_cli("check", path, "--format", name)
        assert run.exit_code == 0, (name, run.stdout, run.stderr)
        assert run.stdout.endswith("\n"), name


# --- SARIF ----------------------------------------------------------------------------------


def test_sarif_is_valid_and_complete(run_cli, write, tmp_path, monkeypatch, sarif_validator):
    monkeypatch.chdir(tmp_path)
    write("stacks/orders.yaml", BAD)
    write("stacks/clicks.yaml", WARN)
    run = run_cli("check", "stacks", "--format", "sarif", "--severity", "info")
    assert run.exit_code == 1
    log = json.loads(run.stdout)
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]

    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://")
    [run_] = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "esmlint"
    assert driver["version"] and driver["informationUri"].startswith("https://")

    rules = registry.load_rules()
    descriptors = driver["rules"]
    assert [d["id"] for d in descriptors] == [r.id for r in rules]
    for rule, descriptor in zip(rules, descriptors, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"] == rule.doc.strip()
        assert descriptor["helpUri"] == rule_url(rule.id)
        assert descriptor["helpUri"].startswith("https://")
        assert rule.doc.strip() in descriptor["help"]["markdown"]
        assert descriptor["help"]["text"]
        expected = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.label]
        assert descriptor["defaultConfiguration"]["level"] == expected

    expected = findings_json(run_cli, "stacks", "--severity", "info")
    results = run_["results"]
    assert len(results) == len(expected) >= 3
    for result, finding in zip(results, expected, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert descriptors[result["ruleIndex"]]["id"] == finding["rule"]
        level = {"error": "error", "warning": "warning", "info": "note"}[finding["severity"]]
        assert result["level"] == level
        assert result["message"]["text"] == finding["message"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact == {"uri": finding["path"].replace("\\", "/"), "uriBaseId": "%SRCROOT%"}
        assert not artifact["uri"].startswith("/")
        assert physical["region"] == {"startLine": finding["line"],
                                      "startColumn": finding["column"]}
        assert location["logicalLocations"][0]["name"] == finding["resource"]
        [(key, value)] = result["partialFingerprints"].items()
        assert key == sarif.FINGERPRINT_KEY
        assert re.fullmatch(r"[0-9a-f]{64}(:\d+)?", value)
    prints = [next(iter(r["partialFingerprints"].values())) for r in results]
    assert len(set(prints)) == len(prints)
    assert {r["ruleId"] for r in results} >= {"ESM101", "ESM102"}


def test_sarif_of_a_clean_run_is_valid(run_cli, write, sarif_validator):
    run = run_cli("check", write("template.yaml", CLEAN), "--format", "sarif")
    assert run.exit_code == 0
    log = json.loads(run.stdout)
    assert not list(sarif_validator.iter_errors(log))
    assert log["runs"][0]["results"] == []
    assert len(log["runs"][0]["tool"]["driver"]["rules"]) == len(registry.load_rules())


def test_sarif_fingerprints_survive_line_moves(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write("template.yaml", BAD)

    def results():
        run = run_cli("check", "template.yaml", "--format", "sarif", "--severity", "info")
        return {(r["ruleId"], r["partialFingerprints"][sarif.FINGERPRINT_KEY]):
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                for r in json.loads(run.stdout)["runs"][0]["results"]}

    before = results()
    text = BAD.replace("Resources:\n", "# a comment\n\nResources:\n")
    text = text.replace("  Worker:\n", "  Other:\n    Type: AWS::SNS::Topic\n  Worker:\n")
    path.write_text(text)
    after = results()
    assert set(before) == set(after)  # same identities...
    moved = [key for key in before if before[key] != after[key]]
    assert moved and all(after[key] > before[key] for key in moved)  # ...on other lines


def test_sarif_paths_relative_to_the_working_directory(run_cli, write, tmp_path, monkeypatch,
                                                      sarif_validator):
    monkeypatch.chdir(tmp_path)
    path = write("my stacks/orders.yaml", BAD)
    run = run_cli("check", str(path.resolve()), "--format", "sarif", "--select", "ESM101")
    log = json.loads(run.stdout)
    assert not list(sarif_validator.iter_errors(log))
    [result] = log["runs"][0]["results"]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20stacks/orders.yaml", "uriBaseId": "%SRCROOT%"}


def test_sarif_path_outside_the_working_directory_is_a_file_uri(sarif_validator):
    document = sarif.document([_finding(path="/elsewhere/t.yaml")])
    assert not list(sarif_validator.iter_errors(document))
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]
    assert artifact == {"uri": "file:///elsewhere/t.yaml"}


def test_rule_url_is_the_rule_page_on_the_documentation_site():
    from esmlint import links

    for rule in registry.load_rules():
        url = rule_url(rule.id)
        assert url == f"{links.DOCS_BASE}rules/{rule.id}/", rule.id
        assert links.rule_page(rule.id) == f"rules/{rule.id}.md"
    assert rule_url("ESM999") == links.rules_index_url() == links.DOCS_BASE + "rules/"
    assert links.DOCS_BASE.startswith("https://") and links.DOCS_BASE.endswith("/")


SECURITY_RULES = {
    "ESM402": "permission-without-source-condition",  # confused deputy: no source condition
    "ESM403": "permission-wildcard-principal",
    "ESM405": "public-function-url",
}


def test_sarif_rules_carry_what_code_scanning_ranks_and_filters_by(sarif_validator):
    log = sarif.document([])
    assert not list(sarif_validator.iter_errors(log))
    descriptors = {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}
    rules = {rule.id: rule for rule in registry.load_rules()}
    assert set(descriptors) == set(rules)
    for rid, descriptor in descriptors.items():
        props = descriptor["properties"]
        assert props["precision"] in ("very-high", "high", "medium", "low"), rid
        assert props["tags"][0] == "aws-lambda" and len(props["tags"]) >= 2, rid
        assert props["tags"][1:] == list(rules[rid].tags), rid
        # GitHub lists an alert as a security alert when its rule is tagged "security"
        # and ranks it by security-severity (a number 0.1-10, written as a string).
        if rid in SECURITY_RULES:
            assert rules[rid].name == SECURITY_RULES[rid]
            assert "security" in props["tags"], rid
            assert 0.1 <= float(props["security-severity"]) <= 10, rid
            assert isinstance(props["security-severity"], str), rid
        else:
            assert "security" not in props["tags"], rid
            assert "security-severity" not in props, rid
    # The wildcard principal (anyone may invoke) ranks above the missing source condition.
    assert (float(descriptors["ESM403"]["properties"]["security-severity"])
            > float(descriptors["ESM402"]["properties"]["security-severity"]))


def test_every_rule_module_classifies_itself():
    import importlib

    for rule in registry.load_rules():
        module = importlib.import_module(rule.module)
        assert isinstance(getattr(module, "PRECISION", None), str), rule.id
        assert getattr(module, "TAGS", None), rule.id


def test_rule_classification_is_checked_when_a_rule_loads():
    import types as pytypes

    def module(**attrs):
        mod = pytypes.ModuleType("esmlint.rules.esm990_test")
        mod.__doc__ = "A test rule."
        mod.ID, mod.NAME, mod.SEVERITY = "ESM990", "test-rule", Severity.WARNING
        for key, value in attrs.items():
            setattr(mod, key, value)
        return mod

    info = registry.RuleInfo.from_module(module(TAGS=("security",), SECURITY_SEVERITY="5.0",
                                              PRECISION="medium"))
    assert (info.tags, info.security_severity, info.precision) == (("security",), "5.0",
                                                                   "medium")
    for bad in ({"PRECISION": "certain"}, {"TAGS": "security"}, {"TAGS": ("Not Kebab",)},
                {"SECURITY_SEVERITY": "5.0"},  # no security tag
                {"TAGS": ("security",), "SECURITY_SEVERITY": "eleven"},
                {"TAGS": ("security",), "SECURITY_SEVERITY": 5.0}):
        with pytest.raises(registry.RuleError):
            registry.RuleInfo.from_module(module(**bad))


# --- fingerprints ---------------------------------------------------------------------------


def test_fingerprint_ignores_line_column_and_message_but_not_identity():
    base = fingerprint(_finding())
    assert fingerprint(_finding(line=99, column=3, message="other words")) == base
    assert fingerprint(_finding(path="./stacks/t.yaml")) == base
    for change in ({"rule": "ESM102"}, {"path": "other.yaml"}, {"resource": "Other"},
                   {"function": "Other"}, {"key": "Worker:Other"}):
        assert fingerprint(_finding(**change)) != base, change
    # Without a key, the message is the identity.
    assert fingerprint(_finding(key="")) != fingerprint(_finding(key="", message="x"))


def test_fingerprints_are_unique_within_a_run():
    prints = fingerprints([_finding(line=1), _finding(line=2), _finding(line=3)])
    assert prints[0] == fingerprint(_finding())
    assert prints[1:] == [f"{prints[0]}:2", f"{prints[0]}:3"]


def test_display_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert display_path("./a/b.yaml") == "a/b.yaml"
    assert display_path(str(tmp_path / "a" / "b.yaml")) == "a/b.yaml"
    assert display_path("/elsewhere/b.yaml") == "/elsewhere/b.yaml"
    assert display_path("../up/b.yaml") == "../up/b.yaml"


# --- JUnit ----------------------------------------------------------------------------------


def test_junit_one_testcase_per_finding_grouped_per_file(run_cli, write, tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("stacks/orders.yaml", BAD)
    write("stacks/clicks.yaml", WARN)
    write("stacks/clean.yaml", CLEAN)
    run = run_cli("check", "stacks", "--format", "junit", "--severity", "info")
    assert run.exit_code == 1
    root = ET.fromstring(run.stdout)
    expected = findings_json(run_cli, "stacks", "--severity", "info")
    assert root.tag == "testsuites"
    assert int(root.get("tests")) == int(root.get("failures")) == len(expected)
    suites = root.findall("testsuite")
    assert sorted(s.get("name") for s in suites) == ["stacks/clicks.yaml",
                                                     "stacks/orders.yaml"]
    for suite in suites:
        cases = suite.findall("testcase")
        mine = [f for f in expected if f["path"] == suite.get("name")]
        assert int(suite.get("tests")) == int(suite.get("failures")) == len(cases) == len(mine)
        for case, finding in zip(cases, mine, strict=True):
            assert case.get("classname") == finding["path"]
            assert case.get("name").startswith(f"{finding['rule']} {finding['resource']}")
            assert case.get("line") == str(finding["line"])
            failure = case.find("failure")
            assert failure.get("message") == finding["message"]
            assert failure.get("type") == finding["rule"]
            assert finding["message"] in failure.text
            assert f"{finding['path']}:{finding['line']}:{finding['column']}" in failure.text


def test_junit_of_a_clean_run_has_one_passing_testcase(run_cli, write):
    run = run_cli("check", write("template.yaml", CLEAN), "--format", "junit")
    root = ET.fromstring(run.stdout)
    assert root.get("failures") == "0"
    [case] = root.iter("testcase")
    assert case.find("failure") is None
    assert "1 template checked" in case.get("name")


def test_junit_escapes_what_xml_cannot_hold():
    nasty = 'a <b> & "c" \'d\'\nnext line\x01\x1b[31m'
    text = junit.render([_finding(message=nasty, resource="R<&>", path='p&"q.yaml')],
                        Summary.of([], 1))
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == 'a <b> & "c" \'d\'\nnext line\ufffd\ufffd[31m'
    assert root.find("testsuite").get("name") == 'p&"q.yaml'
    assert "R<&>" in root.find("testsuite/testcase").get("name")


# --- GitHub ---------------------------------------------------------------------------------

COMMAND = re.compile(
    r"^::(?P<level>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),"
    r"col=(?P<col>\d+),title=(?P<title>ESM\d{3})::(?P<message>.+)$"
)


def test_github_workflow_commands(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("stacks/orders.yaml", BAD)
    write("stacks/clicks.yaml", WARN)
    run = run_cli("check", "stacks", "--format", "github", "--severity", "info")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    expected = findings_json(run_cli, "stacks", "--severity", "info")
    assert len(lines) == len(expected) + 1
    assert lines[-1].startswith("Found ")
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, expected, strict=False):
        match = COMMAND.match(line)
        assert match, line
        assert match["level"] == levels[finding["severity"]]
        assert match["file"] == finding["path"]
        assert (int(match["line"]), int(match["col"])) == (finding["line"], finding["column"])
        assert match["title"] == finding["rule"]
        assert match["message"] == github.escape_data(
            f"{finding['message']} [{finding['resource']}]")
    assert {m["level"] for m in map(COMMAND.match, lines[:-1])} >= {"error", "warning"}


def test_github_escaping():
    finding = _finding(path="a,b:c%d.yaml", message="50% done\r\nnext: line, more",
                       resource="")
    line = github.command(finding)
    assert line == ("::error file=a%2Cb%3Ac%25d.yaml,line=16,col=9,title=ESM101::"
                    "50%25 done%0D%0Anext: line, more")
    assert "\n" not in line and "\r" not in line
    assert github.command(_finding(severity=Severity.INFO)).startswith("::notice ")
    assert github.command(_finding(severity=Severity.WARNING)).startswith("::warning ")
    assert github.escape_property("x:y,z%\n") == "x%3Ay%2Cz%25%0A"
    assert github.escape_data("x:y,z%\r") == "x:y,z%25%0D"


# --- GitLab ---------------------------------------------------------------------------------


def test_gitlab_code_quality(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("stacks/orders.yaml", BAD)
    write("stacks/clicks.yaml", WARN)
    write("stacks/broken.yaml", BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: [10"))
    run = run_cli("check", "stacks", "--format", "gitlab", "--severity", "info")
    assert run.exit_code == 1
    issues = json.loads(run.stdout)
    expected = findings_json(run_cli, "stacks", "--severity", "info")
    assert isinstance(issues, list) and len(issues) == len(expected)
    severities = {"error": "critical", "warning": "major", "info": "info"}
    for issue, finding in zip(issues, expected, strict=True):
        assert finding["message"] in issue["description"]
        assert issue["check_name"] == finding["rule"]
        assert re.fullmatch(r"[0-9a-f]{64}(:\d+)?", issue["fingerprint"])
        wanted = "blocker" if finding["rule"] == "ESM001" else severities[finding["severity"]]
        assert issue["severity"] == wanted
        assert issue["location"] == {"path": finding["path"],
                                     "lines": {"begin": finding["line"]}}
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    assert {issue["severity"] for issue in issues} >= {"blocker", "critical", "major"}


def test_gitlab_severity_mapping():
    assert gitlab.severity(_finding()) == "critical"
    assert gitlab.severity(_finding(severity=Severity.WARNING)) == "major"
    assert gitlab.severity(_finding(severity=Severity.INFO)) == "info"
    assert gitlab.severity(_finding(rule="ESM001")) == "blocker"


def test_gitlab_of_a_clean_run_is_an_empty_list(run_cli, write):
    run = run_cli("check", write("template.yaml", CLEAN), "--format", "gitlab")
    assert json.loads(run.stdout) == []


# --- -o / --output --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_output_file_for_every_format(run_cli, write, tmp_path, name):
    template = write("template.yaml", BAD)
    target = tmp_path / "reports" / f"esmlint.{name}"
    run = run_cli("check", template, "--format", name, "-o", target)
    assert run.exit_code == 1
    assert run.stdout == ""
    direct = run_cli("check", template, "--format", name)
    assert target.read_text(encoding="utf-8") == direct.stdout


def test_output_file_text_has_no_colour(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # colour on stdout, even off a terminal
    template = write("template.yaml", BAD)
    coloured = run_cli("check", template)
    assert "\x1b[" in coloured.stdout
    target = tmp_path / "report.txt"
    assert run_cli("check", template, "--output", target).exit_code == 1
    assert "\x1b[" not in target.read_text()
    assert " error ESM101 " in target.read_text()


def test_output_file_that_cannot_be_written_is_exit_2(run_cli, write, tmp_path):
    template = write("template.yaml", BAD)
    (tmp_path / "blocker").write_text("a file, not a folder")
    run = run_cli("check", template, "-o", tmp_path / "blocker" / "report.sarif")
    assert run.exit_code == 2
    assert "cannot write the report" in run.stderr
