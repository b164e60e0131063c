"""Hostile input: esmlint never crashes, hangs or runs out of memory, whatever it is given.

A linter in a pre-commit hook sees every file of a repository, broken ones and ones that
are not templates at all. Each input here either gets a clear ESM001 finding (with its
line and column when the file cannot be parsed), or is analysed as far as it can be, or
is skipped with a note; never a traceback, never an ``internal-error`` finding (the
engine's safety net for loader and rule bugs must not be what catches these), and the
other files are still linted. The bounds are those documented in README "Bounds on
input".
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, program_env

from esmlint import discover, runner
from esmlint.loaders import load_text
from esmlint.loaders import yaml as yaml_loader
from esmlint.registry import INTERNAL_ERROR_NAME, PARSE_ERROR_ID

# --------------------------------------------------------------------------- helpers


def internal_errors(findings: list) -> list[str]:
    return [f"{f.path}:{f.line}: {f.rule} {f.message}" for f in findings
            if f.name == INTERNAL_ERROR_NAME or "internal error" in f.message]


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging the test run) when the block takes longer than this."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not \
            threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds * 2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lint(path: Path | list[Path], seconds: float = 30) -> runner.LintResult:
    """Lint files named explicitly, as the CLI does; no internal error, within time."""
    paths = [str(p) for p in (path if isinstance(path, list) else [path])]
    start = time.monotonic()
    with time_limit(seconds):
        result = runner.lint_paths(paths)
    elapsed = time.monotonic() - start
    assert internal_errors(result.findings) == []
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return result


def parse_errors(result: runner.LintResult) -> list:
    return [f for f in result.findings if f.rule == PARSE_ERROR_ID]


def only_parse_error(result: runner.LintResult) -> Any:
    """The one ESM001 of a file that cannot be parsed: located, position in the message."""
    errors = parse_errors(result)
    assert len(errors) == 1, [f.message for f in result.findings]
    error = errors[0]
    assert error.line >= 1 and error.column >= 1
    assert f"(line {error.line}, column {error.column})" in error.message
    return error


def analysed(result: runner.LintResult) -> runner.LintResult:
    """A template that was read and linted: counted, no ESM001."""
    assert result.files == 1
    assert parse_errors(result) == [], [f.message for f in parse_errors(result)]
    return result


def run_cli(*args: str | os.PathLike, timeout: float = 120, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """esmlint as a separate program: a crash of the interpreter shows as a failure here."""
    return subprocess.run(
        [sys.executable, "-m", "esmlint", "check", "--no-config", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, cwd=cwd or REPO,
        env=program_env(env), stdin=subprocess.DEVNULL,
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


SAM = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimeout: 30
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          Timeout: 60
          Events:
            Jobs:
              Type: SQS
              Properties:
                Queue: !GetAtt Queue.Arn
                BatchSize: 10
    """)

CFN = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimeout: 30
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: poll
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
                    Resource: !GetAtt Queue.Arn
      Worker:
        Type: AWS::Lambda::Function
        Properties:
          Handler: index.handler
          Runtime: python3.12
          Role: !GetAtt Role.Arn
          Timeout: 60
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: !Ref Worker
          EventSourceArn: !GetAtt Queue.Arn
          BatchSize: 10
    """)

TF = textwrap.dedent("""\
    resource "aws_sqs_queue" "jobs" {
      visibility_timeout_seconds = 30
    }

    resource "aws_lambda_function" "worker" {
      function_name = "worker"
      role          = "arn:aws:iam::123456789012:role/worker"
      runtime       = "python3.12"
      handler       = "index.handler"
      filename      = "worker.zip"
      timeout       = %s
    }

    resource "aws_lambda_event_source_mapping" "jobs" {
      event_source_arn = aws_sqs_queue.jobs.arn
      function_name    = aws_lambda_function.worker.arn
      batch_size       = %s
    }
    """)


def rules_of(result: runner.LintResult) -> set[str]:
    return {f.rule for f in result.findings}


# --------------------------------------------------------------------------- unparsable

UNPARSABLE = [
    ("unclosed-flow.yaml", "Resources:\n  F: {Type: AWS::Lambda::Function\n", 3),
    ("bad-indent.yaml", "Resources:\n  F:\n    Type: AWS::Lambda::Function\n   Properties: {}\n",
     4),
    ("tab.yaml", "Resources:\n\tF: {Type: AWS::Lambda::Function}\n", 2),
    ("undefined-alias.yaml", "Resources:\n  F: *nowhere\n", 2),
    ("recursive-alias.yaml", "Resources: &r\n  F: *r\n", 2),
    ("complex-key.yaml", "Resources:\n  ? [a, b]\n  : {Type: AWS::SQS::Queue}\n", 2),
    ("two-documents.yaml", "Resources: {}\n---\nResources: {}\n", 2),
    ("bad-escape.yaml", 'Resources:\n  F: "\\q"\n', 2),
    ("trailing-comma.json", '{"Resources": {"F": {"Type": "AWS::SQS::Queue",}}}', 1),
    ("missing-comma.json", '{"Resources": {"F": {"Type": "AWS::SQS::Queue"\n "X": 1}}}', 2),
    ("truncated.json", '{"Resources": {"F": {"Type": "AWS::SQS::Queue"', 1),
    ("comment.json", '{\n  // a comment\n  "Resources": {}\n}', 2),
    ("not-utf8.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue, Description: caf\xe9}\n"
     .encode("latin-1"), 2),
    ("broken-utf16.yaml", b"\xff\xfe" + "Resources:\n  Q: {Type: AWS::SQS::Queue}\n"
     .encode("utf-16-le") + b"\x00\xd8", 3),
    ("unclosed.tf", 'resource "aws_sqs_queue" "q" {\n  visibility_timeout_seconds = 10\n', 3),
    ("bad-token.tf", 'resource "aws_sqs_queue" "q" {\n  visibility_timeout_seconds = = 10\n}\n',
     2),
    ("broken.tf.json", '{"resource": {"aws_sqs_queue": {"q": {}}}', 1),
    ("not-an-object.tf.json", "[1, 2, 3]", 1),
    ("unclosed-interpolation.tf", TF % ("1", '"${"'), 17),
    ("truncated-plan.json",
     '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [', 1),
]


@pytest.mark.parametrize(("name", "content", "line"), UNPARSABLE,
                         ids=[case[0] for case in UNPARSABLE])
def test_unparsable_file_gets_located_parse_error(tmp_path: Path, name: str,
                                                  content: str | bytes, line: int) -> None:
    error = only_parse_error(lint(write(tmp_path, name, content)))
    assert error.line == line
    assert "Traceback" not in error.message


def test_huge_integer_in_json_is_a_clear_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", '
                 '"Properties": {"VisibilityTimeout": ' + "9" * 5000 + "}}}}")
    error = parse_errors(lint(path))[0]
    assert "digits" in error.message and "sys.set_int_max_str_digits" not in error.message


def test_broken_file_does_not_lose_other_findings(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", SAM)
    broken = write(tmp_path, "broken.yaml", SAM.replace("Events:", "Events: [", 1))
    result = lint([broken, good])
    assert result.files == 2
    assert {f.path for f in parse_errors(result)} == {str(broken)}
    assert "ESM101" in {f.rule for f in result.findings if f.path == str(good)}


# --------------------------------------------------------------------------- bounds


DEEP = 100_000


def _deep_files() -> dict[str, str]:
    return {
        "flow-sequence.yaml": "Resources: " + "[" * DEEP + "]" * DEEP + "\n",
        "flow-mapping.yaml": "Resources: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n",
        "block-sequence.yaml": "Resources:\n  X:\n    " + "- " * DEEP + "x\n",
        "tagged.yaml": "Resources:\n  X: " + "!Base64 [" * DEEP + "]" * DEEP + "\n",
        "arrays.json": '{"Resources": ' + "[" * DEEP + "]" * DEEP + "}",
        "objects.json": '{"Resources": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
        "plan.json": '{"format_version": "1.2", "resource_changes": [], "planned_values": '
                     + '{"a": ' * DEEP + "1" + "}" * DEEP + "}",
        "deep.tf.json": '{"locals": {"a": ' + "[" * DEEP + "]" * DEEP + "}}",
        "parens.tf": TF % ("(" * DEEP + "1" + ")" * DEEP, "10"),
        "blocks.tf": 'resource "aws_sqs_queue" "q" {\n' + "a {\n" * 5000 + "}\n" * 5000 + "}\n",
    }


def test_deep_nesting_is_refused_quickly_with_its_position(tmp_path: Path) -> None:
    """100,000 nested levels in every syntax: ESM001 at the place the bound is crossed, in
    a separate process (a stack overflow would kill it, not this test run), and the good
    template beside them still gets its findings."""
    files = {name: write(tmp_path / name.replace(".", "_"), name, text)
             for name, text in _deep_files().items()}
    good = write(tmp_path / "good", "template.yaml", SAM)
    start = time.monotonic()
    proc = run_cli(*files.values(), good, "--format", "json")
    elapsed = time.monotonic() - start
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert internal_errors_json(data) == []
    errors = {f["path"]: f for f in data["findings"] if f["rule"] == PARSE_ERROR_ID}
    for name, path in files.items():
        error = errors.get(str(path))
        assert error is not None, name
        assert "nest" in error["message"], (name, error["message"])
        assert error["line"] >= 1 and error["column"] >= 1, (name, error)
        if not name.endswith(".tf"):
            # Ours, or libyaml's own bound (newer builds stop at 1,000 levels while
            # scanning ahead, before esmlint's 200 are reached).
            assert f"deeper than {yaml_loader.MAX_DEPTH}" in error["message"] or \
                "maximum nesting depth" in error["message"], error
    assert any(f["path"] == str(good) and f["rule"] == "ESM101" for f in data["findings"])
    assert elapsed < 60, f"took {elapsed:.1f} s"


def internal_errors_json(data: dict) -> list[str]:
    return [f"{f['path']}: {f['message']}" for f in data["findings"]
            if f["name"] == INTERNAL_ERROR_NAME or "internal error" in f["message"]]


@pytest.mark.parametrize("depth", [50, yaml_loader.MAX_DEPTH - 10])
def test_nesting_within_the_bound_is_read(depth: int) -> None:
    text = SAM + "      Metadata: " + "[" * depth + "]" * depth + "\n"
    assert load_text("t.yaml", text).error == ""
    nested = json.loads("[" * depth + "]" * depth)
    json_text = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                                "Metadata": nested}}})
    assert load_text("t.json", json_text).error == ""


def test_nesting_over_the_bound_is_refused() -> None:
    depth = yaml_loader.MAX_DEPTH + 1
    result = load_text("t.yaml", "Resources: " + "[" * depth + "]" * depth)
    assert result.error == f"nesting deeper than {yaml_loader.MAX_DEPTH} levels"
    assert (result.line, result.column) == (1, 12 + yaml_loader.MAX_DEPTH - 1)


def test_value_count_bound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(yaml_loader, "MAX_NODES", 1000)
    items = "".join(f"    - {i}\n" for i in range(2000))
    path = write(tmp_path, "t.yaml", SAM + "Outputs:\n  Big:\n    Value:\n" + items)
    error = only_parse_error(lint(path))
    assert "more than 1,000 values" in error.message
    assert error.line > SAM.count("\n")


def test_file_size_bound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(discover, "MAX_FILE_BYTES", 100)
    big = write(tmp_path / "d", "template.yaml", SAM)
    named = lint(big)
    assert [f.message for f in parse_errors(named)] == ["file larger than 0 MiB; not read"]
    walked = lint(tmp_path / "d")
    assert walked.findings == [] and walked.files == 0
    assert any("larger than" in note and "skipped" in note for note in walked.notes)


def test_decoder_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_loader, "MAX_BYTES", 100)
    assert "larger than" in load_text("t.yaml", SAM, True).error
    assert "larger than" in load_text("t.json", json.dumps(yaml.safe_load(
        SAM.replace("!GetAtt Queue.Arn", "x"))), True).error


def _billion_laughs(where: str, kind: str) -> str:
    """``*a9``: 9**9 strings in nested lists; ``*d9``: 9**9 numbers in nested mappings."""
    lines = ['  - &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
             "  - &d0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"]
    for level in range(1, 10):
        lines.append(f"  - &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
        lines.append(f"  - &d{level} {{{', '.join(f'{k}: *d{level - 1}' for k in 'abcdefghi')}}}")
    if kind == "mappings":
        where = where.replace("*a9", "*d9")
    return "Metadata:\n  Laughs:\n" + "\n".join(lines) + "\n" + where


BOMB_PLACES = {
    "properties": SAM.replace("Timeout: 60", "Timeout: 60\n      Environment: *a9\n"
                              "      Tags: *a9\n      Layers: *a9\n      Policies: *a9"),
    "events": SAM.replace("      Events:\n", "      Events:\n        Laugh: *a9\n"),
    "event-properties": SAM.replace("BatchSize: 10", "BatchSize: *a9\n            "
                                    "FilterCriteria: {Filters: *a9}\n            "
                                    "DestinationConfig: *a9"),
    "globals": "Globals:\n  Function:\n    Environment: *a9\n    Tags: *a9\n"
               "    VpcConfig: *a9\n    Layers: *a9\n"
               + SAM.replace("Timeout: 60", "Timeout: 60\n      Environment: *a9\n"
                             "      Tags: *a9\n      VpcConfig: *a9\n      Layers: *a9"),
    "intrinsics": SAM.replace("Timeout: 60", "Timeout: !Select [0, !Join ['', *a9]]\n"
                              "      FunctionName: !Join ['', *a9]\n"
                              "      Description: !Sub ['${x}', {x: !Join ['', *a9]}]"),
    "policy": CFN.replace("Resource: !GetAtt Queue.Arn", "Resource: *a9\n"
                          "                Condition: *a9"),
    "queue": CFN.replace("VisibilityTimeout: 30", "VisibilityTimeout: 30\n"
                         "      RedrivePolicy: *a9\n      QueueName: *a9"),
    "mapping": CFN.replace("BatchSize: 10", "BatchSize: 10\n      FilterCriteria: *a9\n"
                           "      DestinationConfig: {OnFailure: {Destination: *a9}}\n"
                           "      SourceAccessConfigurations: *a9"),
    "merge-keys": SAM.replace("Timeout: 60", "Timeout: 60\n      Environment:\n"
                              "        <<: [{a: *a9}, {b: *a9}]\n        c: *a9"),
}


@pytest.mark.parametrize("kind", ["lists", "mappings"])
@pytest.mark.parametrize("where", sorted(BOMB_PLACES))
def test_alias_bomb_costs_nothing(tmp_path: Path, where: str, kind: str) -> None:
    """9**9 values written with YAML aliases: shared, never copied or walked in full (the
    same mapping in Globals and in a function is merged once)."""
    text = _billion_laughs(BOMB_PLACES[where], kind)
    analysed(lint(write(tmp_path, "t.yaml", text), seconds=10))


def test_terraform_cannot_build_huge_values(tmp_path: Path) -> None:
    """Joins of joins (10**9 characters), lists of lists, nested for loops, a number with
    10**20 digits: Unknown past the bounds, quickly and in little memory."""
    joins = "".join(f'  {b} = join("", [{", ".join([f"local.{a}"] * 10)}])\n'
                    for a, b in zip("abcdefgh", "bcdefghi", strict=True))
    lists = "".join(f'  l{i + 1} = [{", ".join([f"local.l{i}"] * 10)}]\n' for i in range(9))
    numbers = "".join(f"  n{i + 1} = {' * '.join([f'local.n{i}'] * 10)}\n" for i in range(9))
    locals_block = ('locals {\n  a = "xxxxxxxxxx"\n' + joins + '  l0 = ["x"]\n' + lists
                    + "  n0 = 99999999999999999999\n" + numbers
                    + "  r = [for x in local.l1 : [for y in local.l1 : [for z in local.l1 :"
                    " [for w in local.l1 : jsonencode(local.l9)]]]]\n}\n")
    text = locals_block + TF % ("length(local.i) + length(flatten(local.l9)) + local.n9",
                                "length(jsonencode(local.r))")
    result = analysed(lint(write(tmp_path, "main.tf", text), seconds=20))
    assert "ESM101" not in rules_of(result)  # the timeout is unknown, not 10**9


def test_large_template_is_linted_in_reasonable_time(tmp_path: Path) -> None:
    """A 10 MB template: 1,000 functions with their queues and 9 MB of data."""
    parts = [SAM.split("Resources:")[0], "Resources:\n"]
    for i in range(1000):
        parts.append(textwrap.dedent(f"""\
              Queue{i}:
                Type: AWS::SQS::Queue
                Metadata: {{Notes: "{'n' * 200}"}}
              Fn{i}:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: index.handler
                  Runtime: python3.12
                  Timeout: {i % 900 + 1}
                  Events:
                    Q:
                      Type: SQS
                      Properties: {{Queue: !GetAtt Queue{i}.Arn}}
            """).replace("\n", "\n  ").rstrip(" ").join(["  ", ""]))
    blob = "".join(f"    - {{id: {i}, text: {'x' * 40}, tags: [a, b, c]}}\n"
                   for i in range(140_000))
    text = "".join(parts) + "Outputs:\n  Blob:\n    Value: x\n    Data:\n" + blob
    assert len(text) > 10 * 1024 * 1024
    result = analysed(lint(write(tmp_path, "big.yaml", text), seconds=120))
    expected = sum(1 for i in range(1000) if i % 900 + 1 > 30)  # default visibility 30 s
    assert sum(1 for f in result.findings if f.rule == "ESM101") == expected


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32",
                                      "utf-32-be"])
def test_text_with_a_byte_order_mark_is_linted_like_utf8(tmp_path: Path,
                                                         encoding: str) -> None:
    plain = lint(write(tmp_path / "a", "t.yaml", SAM))
    data = SAM.encode(encoding)
    if not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        data = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}[encoding] + data
    other = lint(write(tmp_path / "b", "t.yaml", data))
    assert [(f.rule, f.line, f.column) for f in other.findings] == \
        [(f.rule, f.line, f.column) for f in plain.findings]
    assert plain.findings


def test_binary_file(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 64
    named = lint(write(tmp_path / "d", "image.yaml", blob))
    assert [f.message for f in parse_errors(named)] == ["file is binary, not a text template"]
    walked = lint(tmp_path / "d")
    assert walked.findings == [] and walked.files == 0


@pytest.mark.parametrize("name", ["empty.yaml", "empty.json", "empty.template", "empty.tf",
                                  "blank.yaml", "comment.yaml", "null.yaml"])
def test_empty_files_are_skipped(tmp_path: Path, name: str) -> None:
    content = {"blank.yaml": " \n\n\t\n", "comment.yaml": "# nothing\n",
               "null.yaml": "~\n"}.get(name, "")
    result = lint(write(tmp_path, name, content))
    assert parse_errors(result) == []
    assert [f for f in result.findings if f.rule != "ESM002"] == []


def test_empty_tf_json_is_invalid_json_as_for_terraform(tmp_path: Path) -> None:
    error = only_parse_error(lint(write(tmp_path, "main.tf.json", "")))
    assert (error.line, error.column) == (1, 1)


# --------------------------------------------------------------------------- wrong types


def _sam() -> dict:
    return yaml.safe_load(SAM.replace("!GetAtt Queue.Arn", "{'Fn::GetAtt': [Queue, Arn]}"))


def _cfn() -> dict:
    text = CFN.replace("!GetAtt Queue.Arn", "{'Fn::GetAtt': [Queue, Arn]}")
    text = text.replace("!GetAtt Role.Arn", "{'Fn::GetAtt': [Role, Arn]}")
    return yaml.safe_load(text.replace("!Ref Worker", "{Ref: Worker}"))


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def apply(template: dict) -> None:
        *parents, last = path.split(".")
        node: Any = template
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return apply


FN = "Resources.Worker.Properties"
EVENT = f"{FN}.Events.Jobs"
ROLE = "Resources.Role.Properties"
STATEMENT = f"{ROLE}.Policies.0.PolicyDocument.Statement.0"
WRONG_TYPES: dict[str, tuple[Callable[[], dict], Callable[[dict], None]]] = {
    "Resources a list": (_sam, _set("Resources", [1, "x", {"Type": "AWS::SQS::Queue"}])),
    "Resources a string": (_cfn, _set("Resources", "none")),
    "resource a string": (_sam, _set("Resources.Worker", "function")),
    "Type a number": (_sam, _set("Resources.Worker.Type", 5)),
    "Type a list": (_cfn, _set("Resources.Queue.Type", ["AWS::SQS::Queue"])),
    "Properties a string": (_sam, _set(FN, "properties")),
    "Properties a list": (_cfn, _set("Resources.Mapping.Properties", [1, 2])),
    "Events a list": (_sam, _set(f"{FN}.Events", [{"Type": "SQS"}])),
    "Events a string": (_sam, _set(f"{FN}.Events", "SQS")),
    "event a number": (_sam, _set(EVENT, 7)),
    "event Type a list": (_sam, _set(f"{EVENT}.Type", ["SQS"])),
    "event Properties a string": (_sam, _set(f"{EVENT}.Properties", "queue")),
    "Queue a number": (_sam, _set(f"{EVENT}.Properties.Queue", 12)),
    "Timeout abc": (_sam, _set(f"{FN}.Timeout", "abc")),
    "Timeout a list": (_cfn, _set("Resources.Worker.Properties.Timeout", [60])),
    "Timeout null": (_cfn, _set("Resources.Worker.Properties.Timeout", None)),
    "Timeout huge": (_sam, _set(f"{FN}.Timeout", 10**40)),
    "Timeout NaN": (_sam, _set(f"{FN}.Timeout", float("nan"))),
    "BatchSize -5.5": (_sam, _set(f"{EVENT}.Properties.BatchSize", -5.5)),
    "BatchSize a dict": (_cfn, _set("Resources.Mapping.Properties.BatchSize", {"a": 1})),
    "VisibilityTimeout a string": (_cfn, _set("Resources.Queue.Properties.VisibilityTimeout",
                                              "thirty")),
    "VisibilityTimeout true": (_sam, _set("Resources.Queue.Properties.VisibilityTimeout",
                                          True)),
    "RedrivePolicy a list": (_cfn, _set("Resources.Queue.Properties.RedrivePolicy", [1])),
    "RedrivePolicy bad JSON": (_cfn, _set("Resources.Queue.Properties.RedrivePolicy", "{")),
    "Policies a number": (_sam, _set(f"{FN}.Policies", 5)),
    "Policies a dict of junk": (_sam, _set(f"{FN}.Policies", {"Statement": "x"})),
    "Policies a list of junk": (_sam, _set(f"{FN}.Policies", [None, 1, [2], {"A": 1, "B": 2},
                                                            {"SQSPollerPolicy": "q"}])),
    "Role a list": (_sam, _set(f"{FN}.Role", ["arn:aws:iam::1:role/x"])),
    "Statement a string": (_cfn, _set(f"{ROLE}.Policies.0.PolicyDocument.Statement",
                                      "allow everything")),
    "Statement a list of strings": (_cfn, _set(f"{ROLE}.Policies.0.PolicyDocument.Statement",
                                               ["a", 1, None])),
    "PolicyDocument a number": (_cfn, _set(f"{ROLE}.Policies.0.PolicyDocument", 3)),
    "PolicyDocument bad JSON": (_cfn, _set(f"{ROLE}.Policies.0.PolicyDocument", "{[")),
    "Action a dict": (_cfn, _set(f"{STATEMENT}.Action", {"sqs": "*"})),
    "Resource a number": (_cfn, _set(f"{STATEMENT}.Resource", 42)),
    "Effect a list": (_cfn, _set(f"{STATEMENT}.Effect", ["Allow"])),
    "Principal a list": (_cfn, _set(
        f"{ROLE}.AssumeRolePolicyDocument.Statement.0.Principal", ["lambda"])),
    "ManagedPolicyArns a string": (_cfn, _set(f"{ROLE}.ManagedPolicyArns", "arn:aws:x")),
    "DeadLetterQueue a string": (_sam, _set(f"{FN}.DeadLetterQueue", "queue")),
    "EventInvokeConfig a list": (_sam, _set(f"{FN}.EventInvokeConfig", [1])),
    "DestinationConfig a string": (_sam, _set(f"{EVENT}.Properties.DestinationConfig", "x")),
    "FilterCriteria Filters a dict": (_sam, _set(f"{EVENT}.Properties.FilterCriteria",
                                                 {"Filters": {"Pattern": 5}})),
    "FunctionName a dict": (_cfn, _set("Resources.Mapping.Properties.FunctionName", {"a": 1})),
    "EventSourceArn a number": (_cfn, _set("Resources.Mapping.Properties.EventSourceArn", 1)),
    "Tags a string": (_sam, _set(f"{FN}.Tags", "esmlint:ESM101:x")),
    "Metadata esmlint a list": (_sam, _set("Resources.Worker.Metadata", {"esmlint": [1]})),
    "Globals a list": (_sam, _set("Globals", ["Function"])),
    "Globals Function a string": (_sam, _set("Globals", {"Function": "x"})),
    "Parameters a list": (_cfn, _set("Parameters", ["P"])),
    "Parameter Default a dict": (_cfn, _set("Parameters", {"P": {"Type": "Number",
                                                                 "Default": {"a": 1}}})),
    "Conditions a string": (_cfn, _set("Conditions", "always")),
    "Transform a number": (_sam, _set("Transform", 5)),
    "Transform a list of junk": (_sam, _set("Transform", [None, 1, "AWS::Serverless-2016-10-31"])),
    "DependsOn a dict": (_cfn, _set("Resources.Mapping.DependsOn", {"a": "b"})),
    "Outputs a list": (_cfn, _set("Outputs", [1])),
    "Condition a number": (_cfn, _set("Resources.Mapping.Condition", 1)),
    "IgnoreGlobals a number": (_sam, _set("Resources.Worker.IgnoreGlobals", 1)),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_wrong_types_are_analysed_as_far_as_possible(tmp_path: Path, case: str,
                                                     fmt: str) -> None:
    make, mutate = WRONG_TYPES[case]
    template = make()
    mutate(template)
    if fmt == "json":
        text = json.dumps(template, indent=1)
    else:
        text = yaml.safe_dump(template, sort_keys=False)
    result = lint(write(tmp_path, f"t.{fmt}", text))
    assert parse_errors(result) == []
    assert result.files <= 1


# --------------------------------------------------------------------------- intrinsics


BAD_INTRINSICS = [
    "!GetAtt []", "!GetAtt [Queue]", "!GetAtt 5", "!GetAtt ''", "!GetAtt .Arn",
    "!GetAtt [Queue, Arn, Extra]", "!GetAtt [[Queue], {a: b}]", "!GetAtt [!Ref Queue, Arn]",
    "!Sub []", "!Sub [1, 2, 3]", "!Sub {a: b}", "!Sub '${'", "!Sub '${}'", "!Sub ~",
    "!Sub ['${X}', [1]]", "!Sub ['${X}', {X: !Sub '${X}'}]", "!Join x", "!Join [',', x]",
    "!Join [[], [a]]", "!Join [',', [[1], {a: b}]]", "!Select [a, b]", "!Select [99, [1]]",
    "!Select [-1, [1]]", "!Select ['1', [a, b]]", "!Select [0, []]", "!If []", "!If [C, 1]",
    "!If [[C], 1, 2]", "!FindInMap 5", "!FindInMap [M, K]", "!FindInMap [[M], K, L]",
    "!Ref [a]", "!Ref {a: b}", "!Ref ''", "!Ref ~", "!Split [',', 5]", "!Split [5, a]",
    "!Split ['', abc]", "!Base64 [1]", "!ImportValue [x]", "!GetAZs 5", "!Cidr [a]",
    "!Transform {Name: x}", "!Equals [a]", "!Condition C", "{'Fn::Unknown': 1}",
    "{'Fn::Sub': null}", "{'Ref': null}", "{'Ref': AWS::NoValue}", "{'Fn::GetAtt': null}",
    "{'Fn::Join': null}", "{Ref: a, 'Fn::Sub': b}", "!Base64 [" * 60 + "x" + "]" * 60,
    "!Select [0, " * 60 + "[1]" + "]" * 60,
]


@pytest.mark.parametrize("expression", BAD_INTRINSICS)
def test_intrinsics_of_the_wrong_shape(tmp_path: Path, expression: str) -> None:
    template = CFN
    for key in ("VisibilityTimeout: 30", "Timeout: 60", "Role: !GetAtt Role.Arn",
                "FunctionName: !Ref Worker", "Resource: !GetAtt Queue.Arn",
                "BatchSize: 10", "Action: sts:AssumeRole"):
        name = key.split(":")[0]
        template = template.replace(key, f"{name}: {expression}", 1)
    analysed(lint(write(tmp_path, "t.yaml", template)))
    sam = SAM.replace("Timeout: 60", f"Timeout: {expression}")
    sam = sam.replace("Queue: !GetAtt Queue.Arn", f"Queue: {expression}")
    sam = sam.replace("BatchSize: 10", f"BatchSize: 10\n            "
                      f"DestinationConfig: {{OnFailure: {{Destination: {expression}}}}}")
    analysed(lint(write(tmp_path, "sam.yaml", sam)))


# --------------------------------------------------------------------------- references


def test_references_to_missing_resources(tmp_path: Path) -> None:
    text = CFN.replace("!GetAtt Queue.Arn", "!GetAtt Nowhere.Arn")
    text = text.replace("!Ref Worker", "!Sub '${Nobody}'").replace("!GetAtt Role.Arn",
                                                                   "!GetAtt Gone.Arn")
    text += "      DependsOn: [Missing, Worker]\n"
    analysed(lint(write(tmp_path, "cfn.yaml", text)))
    sam = SAM.replace("!GetAtt Queue.Arn", "!GetAtt Missing.Arn")
    sam = sam.replace("Timeout: 60", "Timeout: !Ref NoParameter\n      Role: !GetAtt X.Arn\n"
                      "      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Y.Arn}")
    analysed(lint(write(tmp_path, "sam.yaml", sam)))
    tf = TF.replace("aws_sqs_queue.jobs.arn", "aws_sqs_queue.missing.arn")
    analysed(lint(write(tmp_path / "tf", "main.tf", tf % ("var.nothing", "local.nothing"))))


CYCLES = {
    "parameters": """
        Parameters:
          A: {Type: String, Default: !Ref B}
          B: {Type: String, Default: !Ref A}
          S: {Type: String, Default: !Sub "x${S}"}
          J: {Type: Number, Default: !Join ["", [!Ref J, !Ref J]]}
          M: {Type: String, Default: !FindInMap [!Ref M, !Ref M, !Ref M]}
          W: {Type: String, Default: !Select [0, [!Ref W, !Ref W, !Ref W]]}
    """,
    "aliases": """
        Resources:
          AliasA:
            Type: AWS::Lambda::Alias
            Properties: {FunctionName: !Ref AliasB, Name: a, FunctionVersion: "1"}
          AliasB:
            Type: AWS::Lambda::Alias
            Properties: {FunctionName: !Ref VersionC, Name: b, FunctionVersion: "1"}
          VersionC:
            Type: AWS::Lambda::Version
            Properties: {FunctionName: !Ref AliasA}
          Loop:
            Type: AWS::Lambda::EventSourceMapping
            Properties: {FunctionName: !Ref AliasA, EventSourceArn: !GetAtt Queue.Arn}
          Invoke:
            Type: AWS::Lambda::EventInvokeConfig
            Properties: {FunctionName: !Ref AliasB, Qualifier: b}
    """,
    "resources": """
        Resources:
          SelfQueue:
            Type: AWS::SQS::Queue
            Properties:
              RedrivePolicy: {deadLetterTargetArn: !GetAtt SelfQueue.Arn, maxReceiveCount: 1}
              QueueName: !GetAtt SelfQueue.QueueName
          SelfFunction:
            Type: AWS::Lambda::Function
            Properties:
              FunctionName: !Ref SelfFunction
              Role: !GetAtt SelfFunction.Arn
              DeadLetterConfig: {TargetArn: !GetAtt SelfFunction.Arn}
            DependsOn: [SelfMapping]
          SelfMapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              FunctionName: !GetAtt SelfFunction.Arn
              EventSourceArn: !GetAtt SelfFunction.Arn
            DependsOn: [SelfFunction]
          Sub:
            Type: AWS::SNS::Topic
            Properties: {TopicName: !Sub "${Sub.TopicName}"}
    """,
    "conditions": """
        Conditions:
          A: !Condition B
          B: !And [!Condition A, !Condition B]
        Resources:
          Guarded:
            Type: AWS::SQS::Queue
            Condition: A
            Properties: {VisibilityTimeout: !If [A, 1, !If [B, 2, 3]]}
    """,
}


@pytest.mark.parametrize("case", sorted(CYCLES))
def test_circular_references_end(tmp_path: Path, case: str) -> None:
    extra = textwrap.dedent(CYCLES[case])
    base = CFN.replace("Timeout: 60", "Timeout: !Ref A" if case == "parameters" else
                       "Timeout: 60")
    if "Resources:" in extra:
        extra_head, extra_resources = extra.split("Resources:\n", 1)
        text = extra_head + base.replace("Resources:\n", "Resources:\n" + extra_resources, 1)
    else:
        text = extra + base
    analysed(lint(write(tmp_path, "t.yaml", text), seconds=10))


def test_circular_terraform_references_end(tmp_path: Path) -> None:
    text = ('locals {\n  a = local.b\n  b = local.a\n  c = local.c\n}\n'
            'variable "v" {\n  default = var.v\n}\n'
            'module "self" {\n  source = "./"\n  v = 1\n}\n'
            + TF % ("local.a", "var.v"))
    result = lint(write(tmp_path, "main.tf", text), seconds=20)
    # The module that calls its own folder is refused once, as Terraform refuses it
    # (issue 22), and not expanded; the rest is analysed.
    [error] = parse_errors(result)
    assert (error.line, error.column) == (9, 1) and "calls itself" in error.message
    assert result.files == 1
    assert not any(f.resource.startswith("module.self.") for f in result.findings)


# --------------------------------------------------------------------------- duplicates


def test_duplicate_keys_keep_the_last_value(tmp_path: Path) -> None:
    """As CloudFormation does: the last Timeout (900) is compared with the queue's 30 s."""
    text = SAM.replace("Timeout: 60", "Timeout: 1\n      Timeout: 900")
    yaml_result = analysed(lint(write(tmp_path, "t.yaml", text)))
    assert "ESM101" in rules_of(yaml_result)
    data = _sam()
    body = json.dumps(data, indent=1).replace('"Timeout": 60', '"Timeout": 1, "Timeout": 900')
    json_result = analysed(lint(write(tmp_path, "t.json", body)))
    assert "ESM101" in rules_of(json_result)
    duplicate_resource = SAM.replace("  Worker:\n", "  Worker: {Type: AWS::SQS::Queue}\n"
                                     "  Worker:\n", 1)
    analysed(lint(write(tmp_path, "d.yaml", duplicate_resource)))


def test_duplicate_terraform_blocks(tmp_path: Path) -> None:
    text = TF % ("60", "10") + TF % ("1", "1")
    result = lint(write(tmp_path, "main.tf", text))
    assert result.files == 1


# --------------------------------------------------------------------------- Terraform


TF_HOSTILE = {
    "wrong types": TF % ('"abc"', "-5.5"),
    "lists and maps": TF % ("[1, 2]", "{a = 1}"),
    "huge numbers": TF % ("1" * 5000, "1e999999"),
    "unknown functions": TF % ("nosuchfunction(1)", 'file("/etc/passwd")'),
    "templates": TF % ('"%{for x in [1] }${x}%{ endfor }"', '"$${x}"'),
    "self references": TF % ("aws_lambda_function.worker.timeout",
                             "aws_lambda_event_source_mapping.jobs.batch_size"),
}


@pytest.mark.parametrize("case", sorted(TF_HOSTILE))
def test_hostile_terraform_is_analysed(tmp_path: Path, case: str) -> None:
    analysed(lint(write(tmp_path, "main.tf", TF_HOSTILE[case]), seconds=20))


def test_hostile_tf_json_and_plan(tmp_path: Path) -> None:
    wrong = {"resource": [1, "x", {"aws_sqs_queue": 5}], "variable": "x", "locals": 5,
             "module": {"m": {"source": 5}}}
    assert lint(write(tmp_path / "a", "main.tf.json", json.dumps(wrong))).files == 1
    types = {"resource": {"aws_sqs_queue": {"q": {"visibility_timeout_seconds": "abc"}},
                          "aws_lambda_event_source_mapping": {"m": {
                              "event_source_arn": "${aws_sqs_queue.q.arn}",
                              "function_name": ["x"], "batch_size": {"a": 1}}}}}
    analysed(lint(write(tmp_path / "b", "main.tf.json", json.dumps(types))))
    plan = {"format_version": "1.2", "planned_values": {"root_module": {
        "resources": [1, "x", {"type": 5}, {"type": "aws_sqs_queue", "values": [1]}],
        "child_modules": "x"}}, "resource_changes": 5, "configuration": []}
    result = lint(write(tmp_path / "c", "plan.json", json.dumps(plan)))
    assert parse_errors(result) == []


# --------------------------------------------------------------------------- security


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/apply:subprocess.check_output [['touch', '{marker}']]",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:os.system {{a: 1}}",
    "!<tag:yaml.org,2002:python/object/apply:os.system> ['touch {marker}']",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_python_tags_are_data(tmp_path: Path, tag: str) -> None:
    """YAML is loaded safely: a Python tag is kept as plain data, nothing is run."""
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    text = SAM.replace("Timeout: 60", f"Timeout: 60\n      Description: {value}")
    text = text.replace("Resources:", f"Metadata:\n  X: {value}\nResources:", 1)
    result = lint(write(tmp_path, "t.yaml", text))
    assert not marker.exists()
    assert result.files == 1


def test_tag_directive_cannot_reach_python(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (f"%TAG !p! tag:yaml.org,2002:python/\n---\n"
            f"Metadata: !p!object/apply:os.system ['touch {marker}']\n" + SAM)
    lint(write(tmp_path, "t.yaml", text))
    assert not marker.exists()


_AUDIT = r"""
import json, os, runpy, sys
template_dir = os.environ["AUDIT_TEMPLATES"]
allowed = set(json.loads(os.environ["AUDIT_WRITES"]))
seen = []
NETWORK_OR_PROCESS = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn",
                      "os.spawn", "os.fork", "os.startfile", "ctypes.", "urllib.",
                      "webbrowser.", "http.", "ftplib.", "smtplib.", "pty.")

def writes(mode, flags):
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return True
    return isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))

def hook(event, args):
    if event.startswith(NETWORK_OR_PROCESS):
        seen.append([event, repr(args)[:200]])
    elif event == "open" and len(args) >= 3 and writes(args[1], args[2]):
        path = os.path.abspath(os.fsdecode(args[0])) if isinstance(args[0], (str, bytes)) \
            else str(args[0])
        if path not in allowed:
            seen.append([event, path])
    elif event in ("exec", "compile", "import"):
        where = getattr(args[0], "co_filename", "") if event == "exec" else \
            (args[1] if len(args) > 1 else "")
        if template_dir in str(where):
            seen.append([event, str(where)])

sys.addaudithook(hook)
sys.argv = ["esmlint", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("esmlint", run_name="__main__")
except SystemExit as exc:
    code = exc.code or 0
finally:
    sys.stderr.write("\nAUDIT " + json.dumps(seen) + "\n")
sys.exit(code)
"""


def _audited(tmp_path: Path, args: list[str], allowed_writes: list[Path]
             ) -> tuple[subprocess.CompletedProcess, list]:
    script = tmp_path / "audit.py"
    script.write_text(_AUDIT, encoding="utf-8")
    env = program_env({
        "AUDIT_TEMPLATES": str(tmp_path / "templates"),
        "AUDIT_WRITES": json.dumps([str(p.resolve()) for p in allowed_writes]),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    proc = subprocess.run([sys.executable, str(script), *args], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path, env=env,
                          stdin=subprocess.DEVNULL)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("AUDIT ")][-1]
    return proc, json.loads(line[len("AUDIT "):])


def _hostile_tree(root: Path) -> None:
    marker = root.parent / "pwned"
    write(root, "python.yaml", SAM.replace(
        "Timeout: 60", f"Timeout: 60\n      Description: !!python/object/apply:os.system "
        f"['touch {marker}']"))
    write(root, "code.yaml", SAM.replace("Handler: index.handler",
                                         "Handler: __import__('os').system('x')"))
    write(root, "esmlint_rules.py", "raise SystemExit('imported a file from the templates')")
    write(root, "rules/esm999_evil.py", "ID = 'ESM999'\nraise SystemExit('imported')")
    write(root, "urls.yaml", SAM.replace("Handler: index.handler",
                                         "Handler: https://example.com/x.json"))
    write(root, "broken.yaml", "Resources: [")
    write(root, "main.tf", TF % ('file("/etc/hostname")', 'templatefile("x.tpl", {})') +
          'module "remote" {\n  source = "git::https://example.com/m.git"\n}\n'
          'data "http" "x" {\n  url = "https://example.com"\n}\n')
    (root / ".esmlint.yaml").write_text("select: [ESM1]\n", encoding="utf-8")


def test_nothing_from_a_template_runs_and_no_network(tmp_path: Path) -> None:
    """An audit hook watches the whole run: no socket, no process, no code compiled or
    imported from the linted folder, no file written."""
    _hostile_tree(tmp_path / "templates")
    proc, events = _audited(tmp_path, ["check", "templates", "--format", "json"], [])
    assert events == []
    assert proc.returncode == 1, proc.stderr
    assert not (tmp_path / "pwned").exists()
    assert internal_errors_json(json.loads(proc.stdout)) == []


def test_output_goes_only_where_the_user_said(tmp_path: Path) -> None:
    _hostile_tree(tmp_path / "templates")
    before = {p for p in tmp_path.rglob("*")}
    report = tmp_path / "out" / "report.json"
    baseline = tmp_path / "baseline.json"
    proc, events = _audited(
        tmp_path, ["check", "templates", "--format", "json", "-o", str(report),
                   "--write-baseline", str(baseline)], [report, baseline])
    assert events == [], proc.stderr
    created = {p for p in tmp_path.rglob("*")} - before - {tmp_path / "audit.py"}
    assert created == {report.parent, report, baseline}
    assert proc.stdout == ""
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["files"] >= 4
    assert baseline.read_text(encoding="utf-8").strip()


def test_lone_surrogates_cannot_break_the_report(tmp_path: Path) -> None:
    r"""JSON may escape half a UTF-16 pair (``"\ud800"``), which is not Unicode text: it
    is read as U+FFFD, so every report format can still be written."""
    from esmlint import reporters

    text = json.dumps(yaml.safe_load(CFN.replace("!GetAtt Queue.Arn", "{'Fn::GetAtt': "
                                                 "[Queue, Arn]}").replace(
        "!GetAtt Role.Arn", "x").replace("!Ref Worker", "{Ref: Worker}")))
    text = text.replace('"Queue"', '"Queue\\ud800"').replace('"Worker"', '"Worker\\udfff"')
    path = write(tmp_path, "t.json", text)
    for fmt in reporters.names():
        proc = run_cli(path, "--format", fmt)
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert "\ufffd" in proc.stdout or fmt == "junit", fmt
    yaml_text = SAM.replace("Queue:\n", '"Queue\\ud800":\n', 1)
    error = only_parse_error(lint(write(tmp_path, "t.yaml", yaml_text)))
    assert "Unicode" in error.message
