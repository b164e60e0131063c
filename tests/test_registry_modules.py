"""terraform-aws-modules read from their inputs (issue 20).

``fixtures/tf/module_registry`` calls the lambda, sqs, sns, eventbridge and dynamodb-table
modules from the registry without their code on disk. The same calls with a copy of the
code downloaded into ``.terraform/modules``, fetched from git, or kept as a local folder
must give the same findings: a copy is recognised and read the same way, from its inputs.
The lambda module's role is modelled from its ``attach_*`` switches.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from esmlint.iam import Tri, allows
from esmlint.loaders.terraform.configuration import load_module
from esmlint.runner import lint_paths

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tf" / "module_registry"
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")

#: Stand-ins for the modules' code (esmlint's own, not the modules'): the variables and
#: resources a copy is recognised by, with contents that would give other findings if
#: esmlint read them as code (a 900 s visibility timeout, a stream always enabled).
STUBS = {
    "sqs": """
        variable "create" { default = true }
        variable "fifo_queue" { default = false }
        variable "redrive_policy" { default = {} }
        variable "visibility_timeout_seconds" { default = 900 }
        resource "aws_sqs_queue" "this" { visibility_timeout_seconds = 900 }
        output "queue_arn" { value = aws_sqs_queue.this.arn }
        """,
    "lambda": """
        variable "event_source_mapping" { default = {} }
        variable "allowed_triggers" { default = {} }
        variable "create_async_event_config" { default = false }
        resource "aws_lambda_function" "this" { timeout = 1 }
        """,
    "sns": """
        variable "subscriptions" { default = {} }
        variable "fifo_topic" { default = false }
        variable "create_topic_policy" { default = true }
        resource "aws_sns_topic" "this" {}
        resource "aws_sns_topic_subscription" "this" {}
        """,
    "eventbridge": """
        variable "rules" { default = {} }
        variable "targets" { default = {} }
        variable "create_bus" { default = true }
        variable "bus_name" { default = "default" }
        resource "aws_cloudwatch_event_rule" "this" {}
        resource "aws_cloudwatch_event_target" "this" {}
        """,
    "dynamodb-table": """
        variable "stream_enabled" { default = true }
        variable "hash_key" {}
        variable "autoscaling_enabled" { default = false }
        resource "aws_dynamodb_table" "this" { stream_enabled = true }
        """,
}
#: Module call -> the module it is (as in the fixture).
CALLS = {"orders_queue": "sqs", "worker": "lambda", "audit_table": "dynamodb-table",
         "auditor": "lambda", "reporter": "lambda", "alerts": "sns", "nightly": "eventbridge"}


def expected() -> set[tuple[str, int, str]]:
    found = set()
    text = (FIXTURE / "main.tf").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for entry in match.group(1).split(","):
                rule, resource = entry.split()
                found.add((rule, number, resource))
    return found


def findings(folder: Path) -> set[tuple[str, int, str]]:
    result = lint_paths([str(folder)])
    return {(f.rule, f.line, f.resource) for f in result.findings}


def copy_fixture(tmp_path: Path, sources: dict[str, str] | None = None) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    text = (FIXTURE / "main.tf").read_text(encoding="utf-8")
    for call, source in (sources or {}).items():
        text = re.sub(rf'(module "{call}" {{[^}}]*?source\s*=\s*)"[^"]*"', rf'\1"{source}"',
                      text, count=1, flags=re.S)
    (root / "main.tf").write_text(text, encoding="utf-8")
    return root


def download(root: Path, calls: dict[str, str]) -> None:
    """What `terraform init` leaves: modules.json and a copy of each module's code."""
    entries = [{"Key": "", "Source": "", "Dir": "."}]
    for call, module in calls.items():
        folder = root / ".terraform" / "modules" / call
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(textwrap.dedent(STUBS[module]), encoding="utf-8")
        entries.append({"Key": call, "Dir": f".terraform/modules/{call}",
                        "Source": f"registry.terraform.io/terraform-aws-modules/{module}/aws"})
    (root / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps({"Modules": entries}), encoding="utf-8")


def test_registry_modules_give_exactly_the_expected_findings() -> None:
    assert findings(FIXTURE) == expected()


def test_a_downloaded_copy_gives_the_same_findings(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    download(root, CALLS)
    assert findings(root) == expected()


def test_git_sources_and_local_copies_are_read_the_same_way(tmp_path: Path) -> None:
    sources = {"orders_queue": "git::https://github.com/terraform-aws-modules/"
                               "terraform-aws-sqs.git?ref=v5.2.1",
               "alerts": "github.com/terraform-aws-modules/terraform-aws-sns",
               "nightly": "./modules/eventbridge", "audit_table": "./modules/table",
               "reporter": "./modules/lambda"}
    root = copy_fixture(tmp_path, sources)
    download(root, {"orders_queue": "sqs", "alerts": "sns"})
    for folder, module in (("eventbridge", "eventbridge"), ("table", "dynamodb-table"),
                           ("lambda", "lambda")):
        (root / "modules" / folder).mkdir(parents=True)
        (root / "modules" / folder / "main.tf").write_text(
            textwrap.dedent(STUBS[module]), encoding="utf-8")
    assert findings(root) == expected()


def test_map_entries_are_reported_at_their_own_line() -> None:
    lines = {resource: line for _, line, resource in expected()}
    text = (FIXTURE / "main.tf").read_text(encoding="utf-8").splitlines()
    mapping = 'module.worker.aws_lambda_event_source_mapping.this["orders"]'
    assert text[lines[mapping] - 1].strip().startswith("orders = {")
    target = 'module.nightly.aws_cloudwatch_event_target.this["report"]'
    assert text[lines[target] - 1].strip().startswith("{")


# --------------------------------------------------------------------------- lambda role

ROLE_CALL = """
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_iam_policy" "poll" {
  policy = jsonencode({Statement = [{Effect = "Allow", Resource = aws_sqs_queue.jobs.arn,
    Action = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]}]})
}

resource "aws_iam_role" "own" {
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow",
    Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
  inline_policy {
    name   = "send"
    policy = jsonencode({Statement = [{Effect = "Allow", Action = "sqs:SendMessage",
      Resource = "*"}]})
  }
}

variable "switch" {
  type = bool
}

module "fn" {
  source        = "terraform-aws-modules/lambda/aws"
  function_name = "fn"
%s
}
"""


def role_of(tmp_path: Path, inputs: str):
    path = tmp_path / "main.tf"
    path.write_text(ROLE_CALL % textwrap.indent(textwrap.dedent(inputs), "  "),
                    encoding="utf-8")
    load = load_module(str(tmp_path), {str(path): path.read_text(encoding="utf-8")})
    assert not load.errors, load.errors
    model = load.model
    fn = model.function("module.fn.aws_lambda_function.this")
    return fn.role, model.resources["aws_sqs_queue.jobs"].arn


def receive(role, arn) -> Tri:
    return allows(role, "sqs:ReceiveMessage", arn).value


@pytest.mark.parametrize("inputs, answer", [
    ("", Tri.NO),
    ("""
     attach_policies    = true
     number_of_policies = 1
     policies           = ["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"]
     """, Tri.YES),
    # number_of_policies is how many the module attaches: without it, none.
    ("""
     attach_policies = true
     policies        = ["arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"]
     """, Tri.NO),
    ("""
     attach_policy = true
     policy        = aws_iam_policy.poll.arn
     """, Tri.YES),
    ("""
     attach_policy_json = true
     policy_json        = aws_iam_policy.poll.policy
     """, Tri.YES),
    ("""
     attach_policy_jsons    = true
     number_of_policy_jsons = 1
     policy_jsons           = [aws_iam_policy.poll.policy]
     """, Tri.YES),
    ("""
     attach_policy_statements = true
     policy_statements = {
       poll = {
         effect    = "Allow"
         actions   = ["sqs:ReceiveMessage"]
         resources = [aws_sqs_queue.jobs.arn]
       }
     }
     """, Tri.YES),
    # A switch set but turned off attaches nothing.
    ("""
     attach_policy_statements = false
     policy_statements = {poll = {actions = ["sqs:*"], resources = ["*"]}}
     """, Tri.NO),
])
def test_role_switches(tmp_path: Path, inputs: str, answer: Tri) -> None:
    role, arn = role_of(tmp_path, inputs)
    assert not role.open_ended
    assert receive(role, arn) is answer


@pytest.mark.parametrize("inputs", [
    "attach_policies = var.switch",
    'role_permissions_boundary = "arn:aws:iam::123456789012:policy/boundary"',
])
def test_what_the_inputs_do_not_say_stays_open(tmp_path: Path, inputs: str) -> None:
    role, _ = role_of(tmp_path, inputs)
    assert role.open_ended


def test_dead_letter_async_and_network_policies(tmp_path: Path) -> None:
    role, arn = role_of(tmp_path, """
        dead_letter_target_arn    = aws_sqs_queue.jobs.arn
        attach_dead_letter_policy = true
        destination_on_failure    = "arn:aws:sns:us-east-1:123456789012:failed"
        attach_async_event_policy = true
        attach_network_policy     = true
        """)
    assert allows(role, "sqs:SendMessage", arn).value is Tri.YES
    assert allows(role, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:failed"
                  ).value is Tri.YES
    assert allows(role, "sns:Publish", "arn:aws:sns:us-east-1:123456789012:other"
                  ).value is Tri.NO
    assert allows(role, "ec2:CreateNetworkInterface", "*").value is Tri.YES
    assert receive(role, arn) is Tri.NO


def test_create_role_false_uses_lambda_role(tmp_path: Path) -> None:
    role, arn = role_of(tmp_path, """
        create_role = false
        lambda_role = aws_iam_role.own.arn
        """)
    assert role.id == "aws_iam_role.own"
    assert allows(role, "sqs:SendMessage", arn).value is Tri.YES


def test_a_folder_that_is_not_a_copy_is_read_as_code(tmp_path: Path) -> None:
    # The control for the test above: without the module's variables the local folder is
    # ordinary code, and its rules and targets (none) replace what the inputs describe.
    root = copy_fixture(tmp_path, {"nightly": "./modules/eventbridge"})
    (root / "modules" / "eventbridge").mkdir(parents=True)
    (root / "modules" / "eventbridge" / "main.tf").write_text(
        textwrap.dedent(STUBS["eventbridge"]).replace('variable "bus_name"', 'variable "x"'),
        encoding="utf-8")
    got = findings(root)
    assert got != expected()
    assert not any(rule == "ESM401" for rule, _, _ in got)


@pytest.mark.parametrize("inputs", [
    "attach_policies = true\nnumber_of_policies = 1000000000\npolicies = []",
    "attach_policies = true\nnumber_of_policies = -1",
    'attach_policy_statements = true\npolicy_statements = {a = "x", b = {principals = 5}}',
    'attach_policy_jsons = true\nnumber_of_policy_jsons = 2\npolicy_jsons = "x"',
])
def test_odd_role_inputs_make_unknowns_not_crashes(tmp_path: Path, inputs: str) -> None:
    role, arn = role_of(tmp_path, inputs)
    assert receive(role, arn) is not Tri.YES


ODD_MODULES = """
module "q" {
  source         = "terraform-aws-modules/sqs/aws"
  name           = 5
  create_dlq     = "yes"
  redrive_policy = [1, 2]
}
module "t" {
  source        = "terraform-aws-modules/sns/aws"
  subscriptions = { a = "x", b = { protocol = "lambda" } }
}
module "e" {
  source  = "terraform-aws-modules/eventbridge/aws"
  rules   = { a = 1, b = { schedule_expression = "rate(1 day)" } }
  targets = { a = "x", b = [1, { arn = 2 }] }
}
module "d" {
  source         = "terraform-aws-modules/dynamodb-table/aws"
  stream_enabled = "maybe"
}
"""


def test_odd_module_inputs_never_crash(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ODD_MODULES, encoding="utf-8")
    result = lint_paths([str(tmp_path)])
    assert not any(f.rule == "ESM001" for f in result.findings), [
        f.message for f in result.findings]
