"""Editors: ``esmlint check - --stdin-filename PATH`` and the language server.

The language server is tested as editors run it: ``esmlint server`` as a child process,
LSP messages framed with ``Content-Length`` over its standard input and output,
diagnostics read from the ``textDocument/publishDiagnostics`` notifications it sends.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAM_QUEUE_TOO_SHORT, esmlint_command, program_env

from esmlint.reporters import rule_url

# ESM101 (error) at the SAM event "Jobs" on line 16, column 9; ESM112 (info) there too.
BAD = SAM_QUEUE_TOO_SHORT

WORKFLOW = "name: build\non: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n"


def cli_json(text: str, *args: str, cwd: Path | None = None) -> list[dict]:
    """What ``esmlint check`` reports for ``text`` (the reference for the server)."""
    run = stdin_check(text, "--format", "json", "--severity", "info", *args)
    return json.loads(run.stdout)["findings"]


def stdin_check(text: str | bytes, *args: str):
    from esmlint.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    data = text.encode("utf-8") if isinstance(text, str) else text
    return runner.invoke(cli, ["check", "-", *args], input=data, catch_exceptions=False)


# --- esmlint check - --stdin-filename -------------------------------------------------------


def test_stdin_is_reported_under_stdin_filename(tmp_path):
    run = stdin_check(BAD, "--stdin-filename", "stacks/orders.yaml", "--select", "ESM101")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith("stacks/orders.yaml:16:9: error ESM101 function Worker ")
    assert lines[-1] == "Found 1 problem (1 error) in 1 file (1 file checked)."


def test_stdin_without_filename_and_json_by_name():
    run = stdin_check(BAD, "--select", "ESM101")
    assert run.stdout.startswith("stdin:16:9: error ESM101 ")
    as_json = json.dumps({"AWSTemplateFormatVersion": "2010-09-09",
                          "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}})
    run = stdin_check(as_json, "--stdin-filename", "cdk.out/Stack.template.json")
    assert run.exit_code == 0
    assert run.stdout == "No problems found in 1 file.\n"


def test_stdin_with_files_and_other_formats(write, tmp_path):
    other = write("other.yaml", BAD)
    run = stdin_check(BAD, str(other), "--stdin-filename", "buffer.yaml", "--format", "json",
                      "--select", "ESM101")
    paths = [f["path"] for f in json.loads(run.stdout)["findings"]]
    assert sorted(paths) == sorted(["buffer.yaml", str(other)])


def test_stdin_filename_needs_dash(write):
    from esmlint.cli import cli

    run = CliRunner().invoke(cli, ["check", str(write("t.yaml", BAD)), "--stdin-filename",
                                   "x.yaml"])
    assert run.exit_code == 2
    assert "--stdin-filename needs '-'" in run.output


def test_stdin_non_template_and_parse_error():
    run = stdin_check(WORKFLOW, "--stdin-filename", ".github/workflows/ci.yaml")
    assert run.exit_code == 0
    assert "not a CloudFormation, SAM, Terraform or serverless.yml template" in run.stderr
    run = stdin_check(WORKFLOW, "--stdin-filename", "ci.yaml", "--skip-non-templates")
    assert run.exit_code == 0 and run.stderr == ""
    broken = BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: [10")
    run = stdin_check(broken, "--stdin-filename", "t.yaml")
    assert run.exit_code == 1
    assert run.stdout.startswith("t.yaml:8:")  # the unclosed flow sequence
    assert " error ESM001 " in run.stdout


def test_stdin_uses_the_configuration_of_its_file(tmp_path, monkeypatch):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / ".esmlint.yaml").write_text("ignore: [ESM101]\n")
    (tmp_path / ".git").mkdir()  # the repository root: the configuration search stops here
    monkeypatch.chdir(tmp_path)
    inside = cli_json(BAD, "--stdin-filename", "stacks/orders.yaml")
    outside = cli_json(BAD, "--stdin-filename", "orders.yaml")
    assert "ESM101" in {f["rule"] for f in outside}
    assert "ESM101" not in {f["rule"] for f in inside}
    assert inside  # the other rules still run


# --- the language server --------------------------------------------------------------------


class Client:
    """A minimal LSP client over a child process's standard input and output."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [*esmlint_command(), "server", *args], cwd=cwd, env=program_env(),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict | None, timeout: float = 30) -> dict:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self._next_id, timeout)

    def wait(self, accept, timeout: float = 30) -> dict:
        """The next message ``accept`` takes (requests from the server are answered)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no such message from the server in time: "
                                     + self.stderr_so_far())
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError("the server closed its output: " + self.stderr_so_far())
            if "id" in message and "method" in message:  # a request to the client
                self.send({"id": message["id"], "result": None})
            if accept(message):
                return message

    def diagnostics(self, uri: str, timeout: float = 30) -> dict:
        message = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri, timeout)
        return message["params"]

    def quiet_for(self, seconds: float, uri: str) -> bool:
        """True when no diagnostics for ``uri`` arrive within ``seconds``."""
        try:
            self.diagnostics(uri, timeout=seconds)
        except AssertionError:
            return True
        return False

    def stderr_so_far(self) -> str:
        if self.proc.poll() is None:
            return "(server still running)"
        return self.proc.stderr.read().decode("utf-8", "replace")

    def close(self) -> int:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=10)
                self.notify("exit", {})
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def lsp(tmp_path):
    pytest.importorskip("pygls", reason="pygls is in the test extras")
    clients: list[Client] = []

    def start(*args: str, options: dict | None = None) -> Client:
        client = Client(*args, cwd=tmp_path)
        clients.append(client)
        result = client.request("initialize", {
            "processId": None, "rootUri": tmp_path.as_uri(),
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            "initializationOptions": options,
        })["result"]
        client.notify("initialized", {})
        client.capabilities = result["capabilities"]
        client.server_info = result.get("serverInfo")
        return client

    yield start
    for client in clients:
        client.close()


def open_document(client: Client, uri: str, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": version, "text": text}})


def test_server_publishes_diagnostics_on_open(lsp, tmp_path):
    client = lsp("--debounce", "0.2", options={"severity": "info"})
    sync = client.capabilities["textDocumentSync"]
    assert sync["openClose"] is True and sync["change"] == 2 and sync["save"]
    assert client.server_info["name"] == "esmlint"

    uri = (tmp_path / "stacks" / "orders.yaml").as_uri()
    open_document(client, uri, BAD)
    published = client.diagnostics(uri)
    assert published["version"] == 1
    expected = cli_json(BAD)
    diagnostics = published["diagnostics"]
    assert sorted((d["code"], d["range"]["start"]["line"] + 1,
                   d["range"]["start"]["character"] + 1) for d in diagnostics) == sorted(
        (f["rule"], f["line"], f["column"]) for f in expected)
    [esm101] = [d for d in diagnostics if d["code"] == "ESM101"]
    assert esm101["severity"] == 1
    assert esm101["source"] == "esmlint"
    assert esm101["codeDescription"]["href"] == rule_url("ESM101")
    assert esm101["range"] == {"start": {"line": 15, "character": 8},
                               "end": {"line": 15, "character": 12}}  # "Jobs"
    assert esm101["message"].startswith("function Worker has Timeout 30 s")
    assert esm101["data"]["resource"] == "Worker"
    severities = {d["code"]: d["severity"] for d in diagnostics}
    assert severities.get("ESM112") == 3  # info, shown because of initializationOptions


def test_server_debounces_changes_and_lints_on_save(lsp, tmp_path):
    client = lsp("--debounce", "0.3")
    uri = (tmp_path / "template.yaml").as_uri()
    open_document(client, uri, BAD)
    assert "ESM101" in {d["code"] for d in client.diagnostics(uri)["diagnostics"]}

    # Three quick edits (incremental): one lint, of the last version, after the pause.
    line = BAD.splitlines().index("      VisibilityTimeout: 10")
    for version, end, value in ((2, 27, "1"), (3, 26, "12"), (4, 27, "120")):
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": line, "character": 25},
                                          "end": {"line": line, "character": end}},
                                "text": value}],
        })
    published = client.diagnostics(uri)
    assert published["version"] == 4
    codes = {d["code"] for d in published["diagnostics"]}
    assert "ESM101" not in codes and "ESM102" in codes  # 120 s >= 30 s, < 6 x 30 s
    assert client.quiet_for(1.0, uri)

    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri, timeout=5)["version"] == 4

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri)["diagnostics"] == []


def test_server_non_templates_and_broken_templates(lsp, tmp_path):
    client = lsp()
    workflow = (tmp_path / ".github" / "workflows" / "ci.yaml").as_uri()
    open_document(client, workflow, WORKFLOW)
    assert client.diagnostics(workflow)["diagnostics"] == []

    broken = (tmp_path / "broken.yaml").as_uri()
    open_document(client, broken, BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: [10"))
    [diagnostic] = client.diagnostics(broken)["diagnostics"]
    assert diagnostic["code"] == "ESM001" and diagnostic["severity"] == 1


TF_QUEUE_TOO_SHORT = """\
resource "aws_sqs_queue" "jobs" {
  visibility_timeout_seconds = 30
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
}
"""


def test_stdin_terraform_with_a_broken_block_keeps_the_other_findings():
    broken = TF_QUEUE_TOO_SHORT + 'resource "aws_sqs_queue" "more" {\n  name =\n'
    run = stdin_check(broken, "--stdin-filename", "main.tf", "--select", "ESM001,ESM101")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith("main.tf:14:1: error ESM101 ")
    assert lines[1].startswith("main.tf:19:9: error ESM001 invalid HCL: argument name has no "
                               "value")


def test_server_keeps_diagnostics_while_a_terraform_block_is_typed(lsp, tmp_path):
    """Issue 22: typing a new block (its value missing, then its closing brace) does not
    take the diagnostics of the rest of the file away; ESM001 marks the place typed."""
    client = lsp("--debounce", "0.2")
    uri = (tmp_path / "main.tf").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "terraform", "version": 1, "text": TF_QUEUE_TOO_SHORT}})
    first = client.diagnostics(uri)["diagnostics"]
    assert ("ESM101", 14) in {(d["code"], d["range"]["start"]["line"] + 1) for d in first}
    typing = ('resource "aws_sqs_queue" "more" {\n  visibility_timeout_seconds =',
              'resource "aws_sqs_queue" "more" {\n  visibility_timeout_seconds = 60\n')
    for version, typed in enumerate(typing, start=2):
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": TF_QUEUE_TOO_SHORT + typed}],
        })
        published = client.diagnostics(uri)
        assert published["version"] == version
        found = {(d["code"], d["range"]["start"]["line"] + 1)
                 for d in published["diagnostics"]}
        assert ("ESM101", 14) in found, found
        assert any(code == "ESM001" and line >= 18 for code, line in found), found


def test_server_positions_in_utf16(lsp, tmp_path):
    client = lsp()
    uri = (tmp_path / "template.json").as_uri()
    text = json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "\U0001F680",
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 10}},
            "Worker": {"Type": "AWS::Lambda::Function", "Properties": {
                "Runtime": "python3.12", "Handler": "index.handler", "Timeout": 30,
                "Code": {"ZipFile": "x"}, "Role": "arn:aws:iam::123456789012:role/r"}},
            "Mapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                "FunctionName": {"Ref": "Worker"},
                "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}},
        },
    }, ensure_ascii=False)  # one line: the rocket (2 UTF-16 units) shifts every column
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "json", "version": 1, "text": text}})
    diagnostics = client.diagnostics(uri)["diagnostics"]
    [esm101] = [d for d in diagnostics if d["code"] == "ESM101"]
    [finding] = [f for f in cli_json(text, "--stdin-filename", "t.json")
                 if f["rule"] == "ESM101"]
    start = esm101["range"]["start"]
    assert start["line"] == 0
    assert start["character"] == finding["column"] - 1 + 1  # code points + 1 for the rocket
    token = text[finding["column"] - 1:]
    assert token.startswith('"')
    end = esm101["range"]["end"]["character"]
    assert end - start["character"] == token.index('"', 1) + 1  # the whole quoted key


def test_server_command_without_pygls_says_what_to_install(tmp_path):
    code = ("import sys\nsys.modules['pygls'] = None\n"
            "from esmlint.cli import main\nmain(['server'])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=program_env(), timeout=60,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "pip install 'esmlint[lsp]'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_server_applies_the_configuration_of_the_document(lsp, tmp_path):
    (tmp_path / ".git").mkdir()  # the repository root: the configuration search stops here
    (tmp_path / "quiet").mkdir()
    (tmp_path / "quiet" / ".esmlint.yaml").write_text("ignore: [ESM101]\n")
    client = lsp()
    loud, quiet = (tmp_path / "orders.yaml").as_uri(), (tmp_path / "quiet" / "t.yaml").as_uri()
    open_document(client, loud, BAD)
    assert "ESM101" in {d["code"] for d in client.diagnostics(loud)["diagnostics"]}
    open_document(client, quiet, BAD)
    codes = {d["code"] for d in client.diagnostics(quiet)["diagnostics"]}
    assert codes and "ESM101" not in codes


@pytest.mark.parametrize("how", ["argument", "initializationOptions"])
def test_server_uses_one_configuration_file_when_told(lsp, tmp_path, how):
    # What the VS Code extension's esmlint.config setting passes: --config FILE.
    (tmp_path / ".git").mkdir()
    (tmp_path / ".esmlint.yaml").write_text("ignore: [ESM111]\n")  # nearest: not used
    (tmp_path / "ci").mkdir()
    chosen = tmp_path / "ci" / "strict.yaml"
    chosen.write_text("ignore: [ESM101]\n")
    if how == "argument":
        client = lsp("--config", str(chosen))
    else:
        client = lsp(options={"config": str(chosen)})
    uri = (tmp_path / "orders.yaml").as_uri()
    open_document(client, uri, BAD)
    codes = {d["code"] for d in client.diagnostics(uri)["diagnostics"]}
    assert codes and "ESM101" not in codes


def test_server_with_an_unreadable_configuration_file_says_so_and_still_lints(lsp, tmp_path):
    client = lsp("--config", str(tmp_path / "missing.yaml"))
    uri = (tmp_path / "orders.yaml").as_uri()
    open_document(client, uri, BAD)
    shown = client.wait(lambda m: m.get("method") == "window/showMessage")
    assert "missing.yaml" in shown["params"]["message"]
    assert "ESM101" in {d["code"] for d in client.diagnostics(uri)["diagnostics"]}


# --- code actions: quick fixes, "ignore here", fix all ------------------------------------------


def _apply(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits (positions in UTF-16 units; these texts are ASCII)."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: dict) -> int:
        return offsets[min(position["line"], len(lines))] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def test_server_offers_fixes_and_ignore_as_code_actions(lsp, tmp_path):
    client = lsp()
    assert client.capabilities["codeActionProvider"]["codeActionKinds"] == [
        "quickfix", "source.fixAll.esmlint"]
    uri = (tmp_path / "template.yaml").as_uri()
    open_document(client, uri, BAD)
    [esm101] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "ESM101"]
    answer = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": esm101["range"],
        "context": {"diagnostics": [esm101]}})["result"]
    titles = [action["title"] for action in answer]
    assert "ESM101: Set VisibilityTimeout of Queue to 180 (6 × Timeout + batching window)" \
        in titles
    assert "Ignore ESM101 here" in titles
    fix = next(a for a in answer if a["title"].startswith("ESM101: Set"))
    assert fix["kind"] == "quickfix" and fix["isPreferred"] is True
    fixed = _apply(BAD, fix["edit"]["changes"][uri])
    assert fixed == BAD.replace("VisibilityTimeout: 10", "VisibilityTimeout: 180")
    ignore = next(a for a in answer if a["title"] == "Ignore ESM101 here")
    ignored = _apply(BAD, ignore["edit"]["changes"][uri])
    assert "        # esmlint: ignore[ESM101]\n        Jobs:\n" in ignored
    assert "ESM101" not in {f["rule"] for f in cli_json(ignored)}
    everything = next(a for a in answer if a["kind"] == "source.fixAll.esmlint")
    assert "ESM101" not in {f["rule"] for f in cli_json(
        _apply(BAD, everything["edit"]["changes"][uri]))}


def test_server_shows_why_there_is_no_fix_when_the_client_can(lsp, tmp_path):
    client = Client(cwd=tmp_path)
    try:
        client.request("initialize", {
            "processId": None, "rootUri": tmp_path.as_uri(),
            "capabilities": {"textDocument": {"codeAction": {"disabledSupport": True}}}})
        client.notify("initialized", {})
        text = BAD.replace("      Timeout: 30\n", "      Timeout: !Ref Timeout\n").replace(
            "Resources:", "Parameters:\n  Timeout: {Type: Number, Default: 30}\nResources:")
        text = text.replace("VisibilityTimeout: 10", "VisibilityTimeout: !Ref Visibility")
        text = text.replace("Parameters:\n", "Parameters:\n  Visibility: {Type: Number, "
                            "Default: 10}\n")
        uri = (tmp_path / "template.yaml").as_uri()
        open_document(client, uri, text)
        [esm101] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "ESM101"]
        answer = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": esm101["range"],
            "context": {"diagnostics": [esm101]}})["result"]
        [disabled] = [a for a in answer if "disabled" in a]
        assert disabled["title"] == "ESM101: no automatic fix"
        assert "the default of parameter Visibility" in disabled["disabled"]["reason"]
    finally:
        client.close()
