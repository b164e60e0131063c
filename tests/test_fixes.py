"""Automatic fixes (issue 17): every fixable rule's failing fixtures go through ``--fix``
and are linted again; the edits keep everything else of the file byte for byte.

The fixture test is the contract: after the fix the file still parses, every finding that
had a fix is gone, no finding appears that was not there, a second run changes nothing,
and each fix's applicability is the one its rule declares.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from esmlint import outcome
from esmlint.findings import identity
from esmlint.fixes.run import fix_paths
from esmlint.registry import INTERNAL_ERROR_NAME, PARSE_ERROR_ID, load_rules
from esmlint.runner import lint_paths

FIXABLE = {rule.id: rule for rule in load_rules() if rule.fix}
SUFFIXES = (".yaml", ".yml", ".json", ".tf", ".template")


def _failing_fixtures() -> list[Path]:
    found = []
    for rule_id in sorted(FIXABLE):
        folder = FIXTURES / rule_id
        found.extend(sorted(p for p in folder.iterdir() if p.is_file()
                            and p.name.startswith("fail") and p.name.endswith(SUFFIXES)))
    return found


def fix(path: Path, *, unsafe: bool = True, write: bool = True):
    """``esmlint check --fix [--unsafe-fixes] --severity info --no-config`` on one path."""
    def lint(overlay):
        return lint_paths([str(path)], fixes=True, overlay=overlay)

    def judge(findings):
        return outcome.judge(findings, severity="info")

    return fix_paths(lint, judge, unsafe=unsafe, write=write)


def _identities(findings) -> set:
    return {identity(f, f.path) for f in findings}


#: Which formats each fixable rule was fixed in, filled by the fixture test.
FIXED_IN: dict[str, set[str]] = {}


def _family(path: Path) -> str:
    name = path.name
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith(".tf.json"):
        return "terraform-json"
    if name.endswith(".json"):
        return "json"
    return "serverless" if "_sls_" in name else "yaml"


@pytest.mark.parametrize("fixture", _failing_fixtures(),
                         ids=lambda p: str(p.relative_to(FIXTURES)))
def test_failing_fixtures_fixed_and_linted_again(fixture: Path, tmp_path: Path) -> None:
    path = tmp_path / fixture.name
    shutil.copyfile(fixture, path)
    original = path.read_bytes()
    before = lint_paths([str(path)], fixes=True).findings
    fixable = [f for f in before if f.fix is not None and f.fix.edits]
    for finding in fixable:
        rule = FIXABLE[finding.rule]
        assert finding.fix.applicability in rule.fix, (finding.rule, finding.fix)
    run = fix(path)
    assert not any("please report" in note for note in run.notes), run.notes
    after = lint_paths([str(path)], fixes=True).findings
    assert not [f for f in after if f.rule == PARSE_ERROR_ID], "the fixed file must parse"
    assert not [f for f in after if f.name == INTERNAL_ERROR_NAME]
    fixed = _identities(fixable)
    assert not fixed & _identities(after), "a fixed finding is still there"
    assert _identities(after) <= _identities(before), "a fix made a new finding"
    if fixable:
        assert path.read_bytes() != original
        for finding in fixable:
            FIXED_IN.setdefault(finding.rule, set()).add(_family(fixture))
    else:
        assert path.read_bytes() == original
    again = fix(path)
    assert again.changes == {} and again.fixed == [], "a second --fix must change nothing"


def test_every_fixable_rule_is_fixed_in_a_fixture_of_each_front_end() -> None:
    """Runs after the fixture test (same module, in order): what it recorded."""
    if not FIXED_IN:
        pytest.skip("run with the fixture test")
    for rule_id in FIXABLE:
        assert "yaml" in FIXED_IN.get(rule_id, set()) or "json" in FIXED_IN.get(rule_id, ()), \
            rule_id
        if rule_id != "ESM205":  # SAM policy templates: Terraform has none
            assert "terraform" in FIXED_IN.get(rule_id, set()), rule_id
    assert "json" in set().union(*FIXED_IN.values())
    assert "serverless" in set().union(*FIXED_IN.values())
    assert "terraform-json" in set().union(*FIXED_IN.values())


# --- byte for byte ---------------------------------------------------------------------------

SAM = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 30      # shared by every function
Resources:
  # The queue: keep this comment.
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: 'jobs'   # quoted
      VisibilityTimeout: '60'  # a string, as some write it
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Jobs:
          Type: SQS
          Properties: {Queue: !GetAtt Queue.Arn, BatchSize: 50}
"""


def _fixed_text(tmp_path: Path, name: str, data: bytes, *, unsafe: bool = False) -> bytes:
    path = tmp_path / name
    path.write_bytes(data)
    fix(path, unsafe=unsafe)
    return path.read_bytes()


def test_only_the_values_change_in_their_own_style(tmp_path: Path) -> None:
    after = _fixed_text(tmp_path, "template.yaml", SAM.encode()).decode()
    # ESM102: the quoted string stays a quoted string; ESM103: the flow mapping grows.
    expected = SAM.replace("VisibilityTimeout: '60'", "VisibilityTimeout: '181'").replace(
        "BatchSize: 50}", "BatchSize: 50, MaximumBatchingWindowInSeconds: 1}")
    assert after == expected


def test_crlf_and_encodings_are_kept(tmp_path: Path) -> None:
    crlf = SAM.replace("\n", "\r\n")
    expected = crlf.replace("VisibilityTimeout: '60'", "VisibilityTimeout: '181'").replace(
        "BatchSize: 50}", "BatchSize: 50, MaximumBatchingWindowInSeconds: 1}")
    assert _fixed_text(tmp_path, "crlf.yaml", crlf.encode()) == expected.encode()
    bom = b"\xef\xbb\xbf" + crlf.encode()
    assert _fixed_text(tmp_path, "bom.yaml", bom) == b"\xef\xbb\xbf" + expected.encode()
    utf16 = "\ufeff".encode("utf-16-le") + SAM.encode("utf-16-le")
    after = _fixed_text(tmp_path, "utf16.yaml", utf16)
    assert after.startswith(b"\xff\xfe")
    assert after.decode("utf-16") == SAM.replace("'60'", "'181'").replace(
        "BatchSize: 50}", "BatchSize: 50, MaximumBatchingWindowInSeconds: 1}")


def test_a_block_mapping_gains_a_key_at_its_indentation(tmp_path: Path) -> None:
    text = """\
Resources:
    Queue:
        Type: AWS::SQS::Queue
        Properties:
            QueueName: jobs
            RedrivePolicy:
                maxReceiveCount: 3
                deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:dlq
    Worker:
        Type: AWS::Lambda::Function
        Properties:
            Runtime: python3.12
            Handler: index.handler
            Role: arn:aws:iam::123456789012:role/worker
            Timeout: 20
            Code: {ZipFile: "def handler(e, c): pass"}
    Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
            FunctionName: !Ref Worker
            EventSourceArn: !GetAtt Queue.Arn
"""
    after = _fixed_text(tmp_path, "template.yaml", text.encode()).decode()
    assert after == text.replace(
        "dlq\n", "dlq\n            VisibilityTimeout: 120\n")


def test_json_keeps_its_indentation_and_key_order(tmp_path: Path) -> None:
    document = {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 2000,
            "Role": "arn:aws:iam::123456789012:role/worker",
            "Code": {"ZipFile": "x"}}},
    }}
    text = json.dumps(document, indent=4) + "\n"
    after = _fixed_text(tmp_path, "template.json", text.encode()).decode()
    assert after == text.replace('"Timeout": 2000', '"Timeout": 900')
    assert list(json.loads(after)["Resources"]["Worker"]["Properties"]) == [
        "Runtime", "Handler", "Timeout", "Role", "Code"]


def test_json_gains_a_properties_object_in_its_style(tmp_path: Path) -> None:
    text = """{
  "Resources": {
    "Queue": {
      "Type": "AWS::SQS::Queue"
    },
    "Worker": {
      "Type": "AWS::Lambda::Function",
      "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "Timeout": 60,
                     "Role": "arn:aws:iam::123456789012:role/worker", "Code": {"ZipFile": "x"}}
    },
    "Mapping": {
      "Type": "AWS::Lambda::EventSourceMapping",
      "Properties": {"FunctionName": {"Ref": "Worker"},
                     "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}
    }
  }
}
"""
    after = _fixed_text(tmp_path, "template.json", text.encode()).decode()
    assert after == text.replace('''"Type": "AWS::SQS::Queue"
    },''', '''"Type": "AWS::SQS::Queue",
      "Properties": {
        "VisibilityTimeout": 360
      }
    },''')


HCL = """\
# Queue for jobs.
resource "aws_sqs_queue" "jobs" {
  name = "jobs" # the name
  policy = <<EOF
{"Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
EOF
  tags = { team = "a}b" } // a brace in a string
  /* a comment with } */
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = "arn:aws:iam::123456789012:role/worker"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "worker.zip"
  timeout       = 60
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
  batch_size       = 20 # a batch
}
"""


def test_hcl_edits_skip_strings_heredocs_and_comments(tmp_path: Path) -> None:
    after = _fixed_text(tmp_path, "main.tf", HCL.encode()).decode()
    # After the last argument of the block (not inside the heredoc, the string or the
    # comment), in a group of its own: next to `tags` terraform fmt would realign it.
    assert after == HCL.replace(
        '  tags = { team = "a}b" } // a brace in a string\n',
        '  tags = { team = "a}b" } // a brace in a string\n\n'
        "  visibility_timeout_seconds = 361\n").replace(
        "  batch_size       = 20 # a batch\n",
        "  batch_size       = 20 # a batch\n\n  maximum_batching_window_in_seconds = 1\n")
    crlf = HCL.replace("\n", "\r\n")
    after = _fixed_text(tmp_path, "crlf.tf", crlf.encode()).decode()
    assert "\n" not in after.replace("\r\n", "")
    assert "  visibility_timeout_seconds = 361\r\n" in after


def test_terraform_fmt_keeps_a_formatted_file_formatted(tmp_path: Path) -> None:
    """The fixes of the Terraform fixtures leave fmt-clean files fmt-clean."""
    import subprocess

    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not installed")
    checked = 0
    for fixture in _failing_fixtures():
        if not fixture.name.endswith(".tf"):
            continue
        path = tmp_path / f"{fixture.parent.name}_{fixture.name}"
        shutil.copyfile(fixture, path)
        clean = subprocess.run([terraform, "fmt", "-check", str(path)], capture_output=True,
                               check=False, timeout=60)
        if clean.returncode != 0:
            continue
        if not fix(path).changes:
            continue
        checked += 1
        after = subprocess.run([terraform, "fmt", "-check", "-diff", str(path)],
                               capture_output=True, text=True, check=False, timeout=60)
        assert after.returncode == 0, after.stdout
    assert checked >= 5


# --- what is not fixed, and why ---------------------------------------------------------------


def _lint_one(tmp_path: Path, name: str, text: str, rule: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [f for f in lint_paths([str(path)], fixes=True).findings if f.rule == rule]


def test_values_from_parameters_anchors_and_globals_are_not_edited(tmp_path: Path) -> None:
    text = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Visibility: {Type: Number, Default: 10}
Globals:
  Function:
    Timeout: 1000
Resources:
  Shared: &settings
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 5
  Copy: *settings
  FromParameter:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 60
      Events:
        A: {Type: SQS, Properties: {Queue: !GetAtt Shared.Arn}}
        B: {Type: SQS, Properties: {Queue: !GetAtt FromParameter.Arn}}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"""
    esm101 = _lint_one(tmp_path, "template.yaml", text, "ESM101")
    notes = {f.message.split("queue ")[1].split(" ")[0]: f.fix_note for f in esm101}
    assert all(f.fix is None for f in esm101)
    assert "anchor" in notes["Shared"]
    assert "the default of parameter Visibility" in notes["FromParameter"]
    # ESM603: the Globals value is the one place every inheriting function's Timeout
    # comes from: it is edited there.
    [esm603] = _lint_one(tmp_path, "template.yaml", text, "ESM603")
    assert esm603.fix is not None and esm603.function == "Other"
    [edit] = esm603.fix.edits
    assert edit.start_position[0] == 6 and edit.content == "900"


def test_a_file_with_a_parse_error_is_never_touched(tmp_path: Path, run_cli) -> None:
    broken = tmp_path / "broken.yaml"
    data = (SAM + "  Bad: [\n").encode()
    broken.write_bytes(data)
    result = run_cli("check", "--no-config", "--fix", "--unsafe-fixes", str(broken))
    assert result.exit_code == 1 and "ESM001" in result.stdout
    assert broken.read_bytes() == data


def test_fixes_follow_symbolic_links_and_keep_them(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text(SAM, encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    fix(link)
    assert link.is_symlink() and "'181'" in target.read_text(encoding="utf-8")


# --- the command line --------------------------------------------------------------------


def test_diff_prints_and_changes_nothing(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    result = run_cli("check", "--no-config", "--diff", str(path))
    assert result.exit_code == 1
    assert path.read_text(encoding="utf-8") == SAM
    assert result.stdout.startswith(f"--- a/{str(path).lstrip('/')}\n")
    assert "-      VisibilityTimeout: '60'  # a string, as some write it\n" in result.stdout
    assert "+      VisibilityTimeout: '181'  # a string, as some write it\n" in result.stdout
    assert "Would fix 2 problems in 1 file" in result.stderr
    run_cli("check", "--no-config", "--fix", str(path))
    clean = run_cli("check", "--no-config", "--diff", str(path))
    assert clean.exit_code == 0 and clean.stdout == ""


def test_fix_reports_what_remains(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    result = run_cli("check", "--no-config", "--fix", "--select", "ESM1", str(path))
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("Fixed 2 problems in 1 file")
    assert not any(" ESM102 " in line or " ESM103 " in line for line in lines)
    as_json = run_cli("check", "--no-config", "--fix", "--format", "json", str(path))
    summary = json.loads(as_json.stdout)["summary"]
    assert summary["fixed"] == 0  # nothing left to fix


def test_unsafe_fixes_need_the_option(tmp_path: Path, run_cli) -> None:
    source = FIXTURES / "ESM109" / "fail_onfailure_unreached.yaml"
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    safe = run_cli("check", "--no-config", "--fix", "--select", "ESM109", str(path))
    assert path.read_bytes() == source.read_bytes()
    assert "fix (unsafe, with --unsafe-fixes): set MaximumRetryAttempts" in safe.stdout
    assert "1 fixable with --fix --unsafe-fixes" in safe.stdout
    run_cli("check", "--no-config", "--fix", "--unsafe-fixes", "--select", "ESM109", str(path))
    assert "MaximumRetryAttempts: 3" in path.read_text(encoding="utf-8")


def test_show_fixes_in_text_and_json(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    text = run_cli("check", "--no-config", "--show-fixes", str(path)).stdout
    # Without --fix each fix is as the file is now: 6 x 30 s (with the window ESM103's fix
    # adds, --fix then asks for 181 in its second pass).
    assert "    fix: set VisibilityTimeout of Queue to 180\n" in text
    assert "2 fixable with --fix." in text
    document = json.loads(run_cli("check", "--no-config", "--show-fixes", "--format", "json",
                                  str(path)).stdout)
    fixes = {f["rule"]: f["fix"] for f in document["findings"]}
    assert fixes["ESM102"]["applicability"] == "safe"
    [edit] = fixes["ESM102"]["edits"]
    assert edit["start"] == {"line": 11, "column": 26} and edit["content"] == "'180'"
    assert fixes["ESM111"] is None  # a rule that fixes nothing
    assert "fixed" not in document["summary"]
    plain = json.loads(run_cli("check", "--no-config", "--format", "json", str(path)).stdout)
    assert all("fix" not in f for f in plain["findings"])  # the default shape is unchanged


def test_unfixable_turns_fixing_off_per_rule(tmp_path: Path, run_cli) -> None:
    (tmp_path / ".esmlint.yaml").write_text("unfixable: [ESM102]\n", encoding="utf-8")
    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    result = run_cli("check", "--fix", str(path))
    after = path.read_text(encoding="utf-8")
    assert "VisibilityTimeout: '60'" in after and "MaximumBatchingWindowInSeconds: 1" in after
    assert "no automatic fix: fixing ESM102 is turned off by unfixable in" in result.stdout
    (tmp_path / ".esmlint.yaml").write_text("unfixable: [ESM999]\n", encoding="utf-8")
    bad = run_cli("check", "--fix", str(path))
    assert bad.exit_code == 2 and "unfixable[0]" in bad.stderr


def test_fix_refuses_stdin_and_write_baseline(tmp_path: Path, run_cli) -> None:
    assert run_cli("check", "--fix", "-").exit_code == 2
    assert run_cli("check", "--diff", "--write-baseline", str(tmp_path / "b.json"),
                   str(tmp_path)).exit_code == 2


def test_rules_table_and_explain_say_whether_a_rule_fixes(run_cli) -> None:
    table = run_cli("rules", "--format", "markdown").stdout
    assert "| ID | name | severity | fix | summary |" in table
    assert "| ESM101 | sqs-visibility-below-timeout | error | safe |" in table
    assert "| ESM109 | stream-poison-record-blocks-shard | warning | unsafe |" in table
    assert "| ESM201 | missing-poll-permissions | error | safe or unsafe |" in table
    assert "| ESM301 | async-without-failure-handling | warning |  |" in table
    rules = json.loads(run_cli("rules", "--format", "json").stdout)
    assert {r["id"]: r["fix"] for r in rules}["ESM109"] == "unsafe"
    explained = run_cli("explain", "ESM109").stdout
    assert "Automatic fix: unsafe (applied by esmlint check --fix --unsafe-fixes)" in explained
    for rule in FIXABLE.values():
        assert "esmlint check --fix" in rule.doc, rule.id  # the Fix section says how


# --- editors: "ignore this finding here" -------------------------------------------------------


def test_ignore_comment_extends_or_adds_a_suppression(tmp_path: Path) -> None:
    from esmlint.fixes.apply import splice
    from esmlint.fixes.ignore import ignore_edit

    text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
    edit = ignore_edit("t.yaml", text, 2, "ESM111")
    assert splice(text, [edit]) == ("Resources:\n  # esmlint: ignore[ESM111]\n  Queue:\n"
                                    "    Type: AWS::SQS::Queue\n")
    suppressed = "Resources:\n  # esmlint: ignore[ESM112] batch\n  Queue:\n"
    edit = ignore_edit("t.yaml", suppressed, 3, "ESM111")
    assert splice(suppressed, [edit]) == ("Resources:\n  # esmlint: ignore[ESM112,ESM111] "
                                          "batch\n  Queue:\n")
    hcl = 'resource "aws_sqs_queue" "q" { // esmlint: ignore[ESM111]\r\n}\r\n'
    edit = ignore_edit("main.tf", hcl, 1, "ESM102")
    assert splice(hcl, [edit]).startswith('resource "aws_sqs_queue" "q" { // esmlint: '
                                          "ignore[ESM111,ESM102]\r\n")
    as_json = '{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}\n'
    edit = ignore_edit("t.json", as_json, 1, "ESM111", "Queue")
    fixed = json.loads(splice(as_json, [edit]))
    assert fixed["Resources"]["Queue"]["Metadata"] == {"esmlint": {"ignore": ["ESM111"]}}


def test_the_ignore_comment_suppresses_the_finding(tmp_path: Path) -> None:
    from esmlint.fixes.apply import splice
    from esmlint.fixes.ignore import ignore_edit

    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    [finding] = [f for f in lint_paths([str(path)]).findings if f.rule == "ESM102"]
    edit = ignore_edit(str(path), SAM, finding.line, "ESM102", finding.resource)
    path.write_text(splice(SAM, [edit]), encoding="utf-8")
    rules = {f.rule for f in lint_paths([str(path)]).findings}
    assert "ESM102" not in rules and "ESM002" not in rules


def test_json_indented_with_tabs_stays_so(tmp_path: Path) -> None:
    document = {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "jobs"}},
        "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 60,
            "Role": "arn:aws:iam::123456789012:role/worker", "Code": {"ZipFile": "x"}}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Worker"},
            "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
    }}
    text = json.dumps(document, indent="\t") + "\n"
    after = _fixed_text(tmp_path, "template.json", text.encode()).decode()
    assert after == text.replace('"QueueName": "jobs"\n',
                                 '"QueueName": "jobs",\n\t\t\t\t"VisibilityTimeout": 360\n')


def test_minified_json_stays_minified(tmp_path: Path) -> None:
    document = {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "i.h", "Timeout": 60, "Code": {"ZipFile": "x"},
            "Role": "arn:aws:iam::123456789012:role/worker"}},
        "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Worker"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]},
            "BatchSize": 50}}}}
    text = json.dumps(document, separators=(",", ":"))
    after = _fixed_text(tmp_path, "template.json", text.encode()).decode()
    assert after == text.replace('"AWS::SQS::Queue"}', '"AWS::SQS::Queue","Properties":'
                                 '{"VisibilityTimeout":361}}').replace(
        '"BatchSize":50}', '"BatchSize":50,"MaximumBatchingWindowInSeconds":1}')


def test_hcl_edits_need_only_the_lines_the_front_end_keeps(tmp_path: Path) -> None:
    """The Terraform front end's parser may change (python-hcl2, tree-sitter): the writer
    takes a block's line and an argument's line; a column that is off (0-based, counted
    in bytes) still finds the block, and the argument when it is the only one there."""
    from esmlint.fixes import Edit
    from esmlint.fixes.apply import splice
    from esmlint.fixes.hcl import HclWriter
    from esmlint.fixes.yaml import NoFix

    text = ('resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n'
            '  visibility_timeout_seconds = 30 # é\n}\nmodule "q" {\n  source = "./q"\n}\n')
    writer = HclWriter(text)
    for column in (3, 1, 0, 12):
        start, end, content = writer.replace(3, column, 30, 180)
        assert text[start:end] == "30" and content == "180"
    for column in (1, 0, 9):
        start, end, content = writer.add_arguments(1, column, [("fifo_queue", False)])
        fixed = splice(text, [Edit("main.tf", start, end, content)])
        assert fixed == text.replace("# é\n}", "# é\n  fifo_queue                 = false\n}")
    with pytest.raises(NoFix, match="resource block"):
        writer.add_arguments(5, 1, [("visibility_timeout_seconds", 60)])
    with pytest.raises(NoFix, match="expression"):
        HclWriter(text.replace("= 30", "= 30 * 2")).replace(3, 3, 30, 60)


def test_a_file_that_cannot_be_written_says_so(tmp_path: Path, run_cli, monkeypatch) -> None:
    from esmlint.fixes import run as fix_run

    def refuse(path, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fix_run, "_write", refuse)
    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    result = run_cli("check", "--no-config", "--fix", str(path))
    assert result.exit_code == 2
    assert f"{path}: cannot write the fixes (Permission denied)" in result.stderr
    assert "could not be written" in result.stderr
    assert path.read_text(encoding="utf-8") == SAM


def test_what_is_not_shown_is_not_fixed(tmp_path: Path, run_cli) -> None:
    """Findings a baseline hides, or that --select leaves out, keep their text."""
    path = tmp_path / "template.yaml"
    path.write_text(SAM, encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    run_cli("check", "--no-config", "--write-baseline", str(baseline), str(path))
    result = run_cli("check", "--no-config", "--baseline", str(baseline), "--fix", str(path))
    assert result.exit_code == 0 and path.read_text(encoding="utf-8") == SAM
    run_cli("check", "--no-config", "--select", "ESM103", "--fix", str(path))
    after = path.read_text(encoding="utf-8")
    assert "MaximumBatchingWindowInSeconds: 1" in after and "VisibilityTimeout: '60'" in after
