"""Configuration files: discovery, validation, and what each key changes.

Every test builds a small repository (a folder with ``.git``) under its temporary folder,
so the upward search never leaves it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CFN_QUEUE_TOO_SHORT

from esmlint import config as cfg
from esmlint.runner import lint_paths

# Visibility 10 s < timeout 30 s: ESM101 (error) on Mapping. No redrive policy: ESM111.
BAD = CFN_QUEUE_TOO_SHORT

# Visibility 60 s: at least the timeout but below 6 x 30 s: ESM102 (warning), not ESM101.
WARN = BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: 60")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root: the configuration search stops here."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def rules_of(run) -> list[str]:
    return [f["rule"] for f in json.loads(run.stdout)["findings"]]


def check_json(run_cli, *args):
    return run_cli("check", "--format", "json", *args)


# --- discovery -------------------------------------------------------------------------------


def test_config_is_found_upward_from_the_linted_path(run_cli, write, repo):
    write(".esmlint.yaml", "select: [ESM101, ESM102]\nignore: [ESM101]\n")
    template = write("stacks/orders/template.yaml", BAD)
    run = check_json(run_cli, template)
    assert run.exit_code == 0, run.stdout + run.stderr
    assert rules_of(run) == []
    # The same from a directory walk, and with the folder named.
    assert rules_of(check_json(run_cli, repo / "stacks")) == []
    assert rules_of(check_json(run_cli, repo)) == []


def test_search_stops_at_the_repository_root(run_cli, write, tmp_path):
    write(".esmlint.yaml", "ignore: [ESM101]\n")  # outside the repository below
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    template = write("repo/template.yaml", BAD)
    assert "ESM101" in rules_of(check_json(run_cli, template))


def test_nearest_configuration_wins_for_each_file(run_cli, write, repo):
    write(".esmlint.yaml", "select: [ESM101, ESM102]\nignore: [ESM101]\n")
    write("team/.esmlint.yml", "select: [ESM101, ESM102]\n")
    top = write("top.yaml", BAD)
    team = write("team/template.yaml", BAD)
    run = check_json(run_cli, repo)
    paths = {(Path(f["path"]).name, f["rule"]) for f in json.loads(run.stdout)["findings"]}
    assert paths == {("template.yaml", "ESM101")}
    assert rules_of(check_json(run_cli, top)) == []
    assert rules_of(check_json(run_cli, team)) == ["ESM101"]


def test_yaml_wins_over_yml_and_pyproject_in_one_folder(write, repo):
    write(".esmlint.yaml", "ignore: [ESM101]\n")
    write(".esmlint.yml", "ignore: [ESM102]\n")
    write("pyproject.toml", "[tool.esmlint]\nignore = ['ESM109']\n")
    assert cfg.find(str(repo / "x.yaml")).ignore == ("ESM101",)


def test_pyproject_tool_table(run_cli, write, repo):
    write("pyproject.toml", """
        [project]
        name = "orders"

        [tool.esmlint]
        select = ["ESM101", "ESM102"]
        ignore = ["ESM101"]

        [tool.esmlint.rules.ESM102]
        multiplier = 2
    """)
    template = write("template.yaml", WARN)
    assert rules_of(check_json(run_cli, template)) == []
    found = cfg.find(str(template))
    assert found.path == str(repo / "pyproject.toml")
    assert found.rules == {"ESM102": {"multiplier": 2}}


def test_pyproject_without_the_table_is_passed_over(write, repo):
    write(".esmlint.yaml", "ignore: [ESM101]\n")
    write("sub/pyproject.toml", "[project]\nname = 'uses-esmlint'\ndependencies = ['esmlint']\n")
    assert cfg.find(str(repo / "sub" / "template.yaml")).path == str(repo / ".esmlint.yaml")


def test_no_configuration_changes_nothing(write, repo):
    template = write("template.yaml", BAD)
    assert cfg.find(str(template)) is cfg.DEFAULT


def test_config_option_overrides_discovery(run_cli, write, repo):
    write(".esmlint.yaml", "select: [ESM101, ESM102]\nignore: [ESM101]\n")
    other = write("elsewhere/strict.yaml", "select: [ESM101, ESM102]\n")
    template = write("template.yaml", BAD)
    assert rules_of(check_json(run_cli, template, "--config", other)) == ["ESM101"]
    # --no-config: nothing is read (all rules run).
    assert "ESM101" in rules_of(check_json(run_cli, template, "--no-config"))
    run = run_cli("check", template, "--config", other, "--no-config")
    assert run.exit_code == 2


def test_jsonschema_is_imported_only_when_a_configuration_exists(write, repo, child_env):
    template = write("template.yaml", BAD)
    code = ("import sys\nfrom esmlint.cli import main\n"
            "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('jsonschema' in sys.modules, file=sys.stderr)\n")
    def imported() -> str:
        proc = subprocess.run([sys.executable, "-c", code, str(template)], env=child_env,
                              capture_output=True, text=True, timeout=60)
        return proc.stderr.strip().splitlines()[-1]

    assert imported() == "False"
    write(".esmlint.yaml", "ignore: [ESM102]\n")
    assert imported() == "True"


# --- validation ------------------------------------------------------------------------------


def config_error(run_cli, write, text: str, name: str = ".esmlint.yaml") -> str:
    write(name, text)
    template = write("template.yaml", BAD)
    run = run_cli("check", template)
    assert run.exit_code == 2, run.stdout
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout == ""
    return run.stderr


def test_unknown_key_names_the_file_line_key_and_allowed_keys(run_cli, write, repo):
    err = config_error(run_cli, write, "select: [ESM1]\nfail_on: warning\n")
    assert ".esmlint.yaml:2: fail_on: unknown key (did you mean 'fail-on'?)" in err
    assert "allowed keys: baseline, exclude, fail-on, ignore" in err


def test_wrong_type_names_the_key_and_what_is_allowed(run_cli, write, repo):
    err = config_error(run_cli, write, "select: ESM101\n")
    assert ".esmlint.yaml:1: select: expected a list of rule IDs (ESM101)" in err
    assert "got a string ('ESM101')" in err


def test_wrong_value_lists_the_allowed_values(run_cli, write, repo):
    err = config_error(run_cli, write, "severity:\n  ESM109: fatal\n")
    assert ("severity.ESM109: 'fatal' is not allowed; allowed: info, warning, error"
            in err)
    err = config_error(run_cli, write, "fail-on: sometimes\n")
    assert "fail-on: 'sometimes' is not allowed; allowed: error, warning, info, never" in err


def test_nested_paths_are_shown_as_json_paths(run_cli, write, repo):
    err = config_error(run_cli, write, 'per-file-ignores:\n  "stacks/*.yaml": [1]\n')
    assert 'per-file-ignores["stacks/*.yaml"][0]: expected a rule ID (ESM101)' in err
    err = config_error(run_cli, write, "rules:\n  ESM102: 6\n")
    assert "rules.ESM102: expected a mapping of option name to value" in err


def test_every_problem_is_reported_at_once(run_cli, write, repo):
    err = config_error(run_cli, write, "selct: [ESM1]\nexclude: legacy\nmin-severity: low\n")
    assert err.count("\n  ") == 3, err


def test_unknown_rule_ids_exit_2(run_cli, write, repo):
    err = config_error(run_cli, write, "ignore: [ESM999]\n")
    assert ".esmlint.yaml:1: ignore[0]: unknown rule 'ESM999'" in err
    err = config_error(run_cli, write, "severity: {ESM99: error}\n")
    assert "severity.ESM99: unknown rule 'ESM99'" in err
    err = config_error(run_cli, write, "rules: {sqs-visibility-below-recomended: {}}\n")
    assert "did you mean 'sqs-visibility-below-recommended'?" in err
    err = config_error(run_cli, write, "ignore-resources: {Worker: [ESM998]}\n")
    assert "ignore-resources.Worker[0]: unknown rule 'ESM998'" in err


def test_unknown_rule_option_and_wrong_option_type_exit_2(run_cli, write, repo):
    err = config_error(run_cli, write, "rules:\n  ESM102: {multipler: 4}\n")
    assert ("rules.ESM102.multipler: ESM102 has no option 'multipler' (did you mean "
            "'multiplier'?); allowed: multiplier") in err
    err = config_error(run_cli, write, "rules:\n  ESM101: {anything: 1}\n")
    assert "allowed: none (this rule has no options)" in err
    err = config_error(run_cli, write, "rules:\n  ESM102: {multiplier: six}\n")
    assert "rules.ESM102.multiplier: expected a number, got a string ('six')" in err
    err = config_error(run_cli, write, "rules:\n  ESM102: {multiplier: true}\n")
    assert "expected a number, got a boolean (true)" in err


def test_pyproject_errors_show_the_tool_prefix(run_cli, write, repo):
    err = config_error(run_cli, write, "[tool.esmlint]\nselect = 'ESM1'\n", "pyproject.toml")
    assert "pyproject.toml: tool.esmlint.select: expected a list" in err


def test_unreadable_configurations_exit_2(run_cli, write, repo):
    err = config_error(run_cli, write, "select: [ESM1\n")
    assert "cannot parse configuration" in err and ".esmlint.yaml:2" in err
    err = config_error(run_cli, write, "- ESM101\n")
    assert "(top level): expected a mapping of settings, got a list" in err
    (repo / ".esmlint.yaml").unlink()
    err = config_error(run_cli, write, "[tool.esmlint\n", "pyproject.toml")
    assert "cannot parse" in err and "pyproject.toml" in err


def test_empty_configuration_is_the_default(run_cli, write, repo):
    write(".esmlint.yaml", "# nothing yet\n")
    assert "ESM101" in rules_of(check_json(run_cli, write("template.yaml", BAD)))


def test_toml_without_a_toml_parser_says_what_to_do(write, repo, monkeypatch):
    path = write("pyproject.toml", "[tool.esmlint]\nselect = ['ESM1']\n")
    monkeypatch.setattr(cfg, "_toml", lambda: None)
    assert cfg.config_in(str(repo)) == str(path)  # found by its [tool.esmlint] header
    with pytest.raises(cfg.ConfigError, match="needs Python 3.11 or the tomli package"):
        cfg.load(str(path))


# --- what the keys change --------------------------------------------------------------------


def test_severity_overrides_change_exit_codes(run_cli, write, repo):
    template = write("template.yaml", WARN)
    assert run_cli("check", template, "--select", "ESM102").exit_code == 0
    write(".esmlint.yaml", "severity: {ESM102: error}\n")
    run = run_cli("check", template, "--select", "ESM102")
    assert run.exit_code == 1
    assert "error ESM102" in run.stdout
    bad = write("bad/template.yaml", BAD)
    write("bad/.esmlint.yaml", "severity: {sqs-visibility-below-timeout: warning}\n")
    run = run_cli("check", bad, "--select", "ESM101")
    assert run.exit_code == 0 and "warning ESM101" in run.stdout


def test_fail_on_and_min_severity_from_config_and_cli_overrides(run_cli, write, repo):
    template = write("template.yaml", WARN)
    write(".esmlint.yaml", "fail-on: warning\nmin-severity: error\nselect: [ESM102]\n")
    run = run_cli("check", template)
    assert run.exit_code == 0 and "ESM102" not in run.stdout  # hidden, so it cannot fail
    run = run_cli("check", template, "--severity", "warning")
    assert run.exit_code == 1 and "ESM102" in run.stdout  # config fail-on: warning
    run = run_cli("check", template, "--severity", "warning", "--fail-on", "error")
    assert run.exit_code == 0


def test_cli_select_replaces_config_select_and_ignore(run_cli, write, repo):
    template = write("template.yaml", BAD)
    write(".esmlint.yaml", "select: [ESM1]\nignore: [ESM101]\n")
    assert "ESM101" not in rules_of(check_json(run_cli, template))
    assert rules_of(check_json(run_cli, template, "--select", "ESM101")) == ["ESM101"]
    # --ignore adds to the configuration's ignore list.
    found = rules_of(check_json(run_cli, template, "--ignore", "ESM111"))
    assert "ESM101" not in found and "ESM111" not in found


def test_exclude_skips_walked_and_named_files(run_cli, write, repo):
    write(".esmlint.yaml", "exclude: [legacy, '**/*.generated.yaml', /top.yaml]\n")
    write("legacy/deep/template.yaml", BAD)
    write("stacks/app.generated.yaml", BAD)
    write("top.yaml", BAD)
    write("sub/top.yaml", BAD)  # /top.yaml is anchored at the configuration's folder
    run = check_json(run_cli, repo, "--select", "ESM101")
    paths = sorted(Path(f["path"]).relative_to(repo).as_posix()
                   for f in json.loads(run.stdout)["findings"])
    assert paths == ["sub/top.yaml"]
    named = run_cli("check", repo / "legacy" / "deep" / "template.yaml")
    assert named.exit_code == 0
    assert "excluded by" in named.stderr and ".esmlint.yaml" in named.stderr


def test_per_file_ignores(run_cli, write, repo):
    write(".esmlint.yaml", """
        select: [ESM101, ESM111]
        per-file-ignores:
          "stacks/legacy-*.yaml": [ESM101]
          "*.json": [ESM1]
    """)
    write("stacks/legacy-orders.yaml", BAD)
    write("stacks/orders.yaml", BAD)
    run = check_json(run_cli, repo)
    found = sorted((Path(f["path"]).name, f["rule"]) for f in json.loads(run.stdout)["findings"])
    assert found == [("legacy-orders.yaml", "ESM111"), ("orders.yaml", "ESM101"),
                     ("orders.yaml", "ESM111")]


def test_rule_options_reach_rules(run_cli, write, repo):
    template = write("template.yaml", WARN)
    assert rules_of(check_json(run_cli, template, "--select", "ESM102")) == ["ESM102"]
    write(".esmlint.yaml", "rules:\n  ESM102: {multiplier: 2}\n")  # 2 x 30 s = 60 s: fine
    assert rules_of(check_json(run_cli, template, "--select", "ESM102")) == []
    write(".esmlint.yaml", "rules:\n  sqs-visibility-below-recommended: {multiplier: 1.5}\n")
    assert rules_of(check_json(run_cli, template, "--select", "ESM102")) == []
    write(".esmlint.yaml", "rules:\n  ESM102: {multiplier: 3}\n")  # 90 s > 60 s
    run = check_json(run_cli, template, "--select", "ESM102")
    [finding] = json.loads(run.stdout)["findings"]
    assert "3 × Timeout" in finding["message"]


def test_rule_options_reach_esm108(run_cli, write, repo):
    # Timeout 3 s for batches of 10: 0.3 s per record, above the default budget of 0.1 s.
    text = (BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: 60")
            .replace("Timeout: 30", "Timeout: 3")
            .replace("EventSourceArn: !GetAtt Queue.Arn",
                     "EventSourceArn: !GetAtt Queue.Arn\n      BatchSize: 10"))
    template = write("template.yaml", text)
    assert rules_of(check_json(run_cli, template, "--select", "ESM108")) == []
    write(".esmlint.yaml", "rules: {ESM108: {min-seconds-per-record: 0.5}}\n")
    assert rules_of(check_json(run_cli, template, "--select", "ESM108")) == ["ESM108"]


def test_library_callers_read_no_configuration_unless_asked(write, repo):
    write(".esmlint.yaml", "ignore: [ESM101]\n")
    template = str(write("template.yaml", BAD))
    assert "ESM101" in {f.rule for f in lint_paths([template]).findings}
    found = lint_paths([template], config=cfg.Finder()).findings
    assert "ESM101" not in {f.rule for f in found}


# --- globs -----------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern, path, matches", [
    ("legacy", "legacy/a.yaml", True),
    ("legacy", "stacks/legacy/a.yaml", True),
    ("legacy", "legacy-stacks/a.yaml", False),
    ("*.json", "cdk.out/Stack.template.json", True),
    ("stacks/*.yaml", "stacks/a.yaml", True),
    ("stacks/*.yaml", "stacks/deep/a.yaml", False),
    ("stacks/**/*.yaml", "stacks/deep/er/a.yaml", True),
    ("stacks/**/*.yaml", "stacks/a.yaml", True),
    ("**/gen/**", "a/b/gen/c/d.yaml", True),
    ("/top.yaml", "sub/top.yaml", False),
    ("./stacks/", "stacks/a.yaml", True),
    ("stack?.yaml", "stack1.yaml", True),
    ("stack[!0-9].yaml", "stack1.yaml", False),
])
def test_globs(pattern, path, matches):
    assert cfg.Glob.compile(pattern).matches(path) is matches


# --- the examples of the README and the configuration guide ------------------------------------


def doc_block(language: str, first_line: str, document: str = "docs/configuration.md") -> str:
    text = (Path(__file__).resolve().parents[1] / document).read_text(encoding="utf-8")
    for block in text.split("```" + language + "\n")[1:]:
        body = block.split("```", 1)[0]
        if body.startswith(first_line):
            return body
    raise AssertionError(f"no ```{language} block starting with {first_line!r} in {document}")


def test_the_guide_example_configurations_are_valid(write, repo):
    loaded = cfg.load(str(write(".esmlint.yaml", doc_block("yaml", "# .esmlint.yaml"))))
    assert loaded.severity["ESM109"].label == "error"
    assert loaded.rules["ESM108"] == {"min-seconds-per-record": 0.5}
    assert loaded.baseline == str(repo / "esmlint-baseline.json")
    toml = cfg.load(str(write("pyproject.toml", doc_block("toml", "[tool.esmlint]"))))
    assert toml.rules == {"ESM102": {"multiplier": 4}}
    assert toml.select == loaded.select


def test_the_readme_example_configuration_is_valid(write, repo):
    loaded = cfg.load(str(write(".esmlint.yaml",
                                doc_block("yaml", "# .esmlint.yaml", "README.md"))))
    assert loaded.severity["ESM109"].label == "error"
    assert loaded.rules["ESM102"] == {"multiplier": 4}
    assert loaded.excluded(str(repo / "test" / "fixtures" / "t.yaml"))
