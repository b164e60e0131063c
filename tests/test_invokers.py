"""Role-based invokers in the model (issue 21): Step Functions tasks, EventBridge pipes,
AppSync data sources and Scheduler schedules, read alike from CloudFormation, SAM,
serverless.yml and Terraform; definition files read only inside the project."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES

from esmlint.loaders import load_text
from esmlint.loaders.states import definition_file, lambda_tasks, plain_reader, substituted
from esmlint.model import ASYNC, SYNC
from esmlint.runner import lint_paths
from esmlint.values import Loc, Sym, Token, known

PARITY = FIXTURES / "tf" / "parity_no_plan"
FORMATS = ("sam.yaml", "cfn.yaml", "serverless.yml", "hcl/main.tf", "json/main.tf.json")


def model_of(path: Path, text: str | None = None):
    text = path.read_text(encoding="utf-8") if text is None else text
    result = load_text(str(path), text, True)
    assert result.model is not None, result
    return result.model


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the ASL reader

LOC = Loc("t.yaml", 3, 1)


def tasks_of(definition: dict):
    return lambda_tasks(known(definition, LOC), plain_reader(LOC))


def test_every_task_form_and_nesting_is_read():
    found = tasks_of({
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Next": "M", "Branches": [
                {"StartAt": "A", "States": {"A": {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "a", "Qualifier": "live"}, "End": True}}},
                {"StartAt": "B", "States": {"B": {
                    "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:b",
                    "End": True}}}]},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "C", "States": {"C": {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": "c"}, "End": True}}}, "Next": "D"},
            "D": {"Type": "Task", "Resource": "arn:aws-cn:states:::aws-sdk:lambda:invoke",
                  "Arguments": {"FunctionName": "d", "InvocationType": "Event"}, "End": True},
        },
    })
    assert found.unread == []
    by_name = {t.name: t for t in found.tasks}
    assert set(by_name) == {"P > A", "P > B", "M > C", "D"}
    assert (by_name["P > A"].pattern, by_name["P > A"].mode) == ("invoke", SYNC)
    assert by_name["P > A"].qualifier.value == "live"
    assert (by_name["P > B"].pattern, by_name["P > B"].mode) == ("arn", SYNC)
    assert (by_name["M > C"].pattern, by_name["M > C"].mode) == ("callback", ASYNC)
    assert (by_name["D"].pattern, by_name["D"].mode) == ("sdk", ASYNC)
    assert by_name["D"].timeout.is_default and by_name["D"].timeout.value == 99999999


@pytest.mark.parametrize("parameters", [
    {"FunctionName.$": "$.fn"},
    {"FunctionName": "{% $states.input.fn %}"},
    {},
])
def test_a_function_chosen_at_run_time_is_unread_not_guessed(parameters):
    found = tasks_of({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": parameters, "End": True}}})
    assert found.tasks == []
    assert found.unread


def test_other_integrations_are_not_lambda_tasks():
    found = tasks_of({"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Next": "B"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:x", "End": True},
    }})
    assert found.tasks == [] and found.unread == []


def test_retriers_are_read_with_max_attempts():
    found = tasks_of({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:a", "End": True,
        "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 0},
                  {"ErrorEquals": ["States.TaskFailed"]}]}}})
    task = found.tasks[0]
    assert task.retry_readable and task.retried == [{"States.TaskFailed"}]


def test_definition_substitutions_keep_references():
    token = Token("attr", "Worker", "Arn")
    value = substituted(known("${WorkerArn}", LOC), {"WorkerArn": known(Sym.of(token))})
    assert value.value == Sym.of(token)
    mixed = substituted(known("pre-${A}-${B}", LOC), {"A": known("x")})
    assert mixed.value == "pre-x-${B}"


def test_aliased_and_deep_definitions_end():
    branch: dict = {"StartAt": "X", "States": {}}
    branch["States"]["X"] = {"Type": "Parallel", "Branches": [branch, branch], "End": True}
    found = tasks_of(branch)
    assert found.tasks == []
    deep: dict = {"StartAt": "X", "States": {}}
    node = deep
    for _ in range(200):
        inner = {"StartAt": "X", "States": {}}
        node["States"]["X"] = {"Type": "Parallel", "Branches": [inner], "End": True}
        node = inner
    assert "states nested too deeply" in tasks_of(deep).unread


# --------------------------------------------------------------------------- definition files


def test_definition_files_are_read_only_inside_the_project(tmp_path):
    project = tmp_path / "project"
    write(project, "flow.asl.json", '{"StartAt": "A", "States": {}}')
    write(tmp_path, "outside.asl.json", '{"StartAt": "A", "States": {}}')
    template = write(project, "template.yaml", "Resources: {}\n")
    assert definition_file(str(template), known("flow.asl.json")).known
    outside = definition_file(str(template), known("../outside.asl.json"))
    assert not outside.known and "outside the project folder" in outside.reason
    (project / "link.json").symlink_to(tmp_path / "outside.asl.json")
    assert not definition_file(str(template), known("link.json")).known
    for written in ("s3://bucket/flow.json", "missing.json", "${Stage}.json"):
        assert not definition_file(str(template), known(written)).known
    assert not definition_file(str(project / "not-on-disk.yaml"), known("flow.asl.json")).known


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_definition_is_skipped_not_waited_for(tmp_path):
    os.mkfifo(tmp_path / "flow.asl.json")
    template = write(tmp_path, "template.yaml", "Resources: {}\n")
    value = definition_file(str(template), known("flow.asl.json"))
    assert not value.known and "FIFO" in value.reason


def test_terraform_file_functions_read_inside_the_module_only(tmp_path):
    write(tmp_path, "outside.asl.json", '{"StartAt": "A", "States": {}}')
    module = tmp_path / "module"
    write(module, "flow.asl.json", '{"StartAt": "W", "States": {"W": {"Type": "Task", '
                                   '"Resource": "${fn}", "End": true}}}')
    main = write(module, "main.tf", '''
        resource "aws_lambda_function" "w" {
          function_name = "w"
          role          = "arn:aws:iam::123456789012:role/r"
          handler       = "i.h"
          runtime       = "python3.12"
          filename      = "w.zip"
        }
        resource "aws_sfn_state_machine" "inside" {
          name       = "inside"
          role_arn   = "arn:aws:iam::123456789012:role/sfn"
          definition = templatefile("${path.module}/flow.asl.json",
                                    { fn = aws_lambda_function.w.arn })
        }
        resource "aws_sfn_state_machine" "outside" {
          name       = "outside"
          role_arn   = "arn:aws:iam::123456789012:role/sfn"
          definition = file("${path.module}/../outside.asl.json")
        }
    ''')
    model = model_of(main)
    fn = model.function("aws_lambda_function.w")
    assert [s.invoker for s in fn.sources] == ["aws_sfn_state_machine.inside"]
    assert "states" in model.unlinked  # the outside definition is not read


# --------------------------------------------------------------------------- the model


def test_every_invoker_says_how_who_and_retries():
    model = model_of(FIXTURES / "ESM406" / "fail_cfn_role_invokers.yaml")
    sources = {s.kind: s for _, s in model.sources()}
    assert {k: sources[k].invocation for k in ("states", "pipes", "scheduler")} == {
        "states": SYNC, "pipes": SYNC, "scheduler": ASYNC}
    assert sources["appsync"].invocation == ""  # resolvers may ask for Event
    assert sources["states"].role.id in ("FlowRole", "AliasRole")
    assert sources["states"].principal == "" and sources["scheduler"].principal == ""
    assert sources["scheduler"].retries.attempts.value == 185
    assert sources["scheduler"].retries.max_age.value == 86400
    assert sources["scheduler"].role.id == "ScheduleRole"
    poll = [s for _, s in model.pollers(("sqs",)) if s.extra.get("pipe")]
    assert [s.id for s in poll] == ["Pipe"] and poll[0].role.id == "PipeRole"


def test_pipe_parameters_read_alike_in_cloudformation_and_terraform():
    cfn = model_of(FIXTURES / "ESM109" / "fail_cfn_pipe.yaml").pipes
    tf = model_of(FIXTURES / "ESM109" / "fail_tf_pipe.tf").pipes
    assert cfn[0].kind == tf[0].kind == "kinesis"
    assert cfn[0].setting("StartingPosition").value == tf[0].setting("StartingPosition").value
    assert cfn[0].retries.attempts.absent and tf[0].retries.attempts.absent


def test_sam_connectors_leave_every_role_open(tmp_path):
    path = write(tmp_path, "template.yaml", '''
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: a.h, CodeUri: src/}
          Flow:
            Type: AWS::Serverless::StateMachine
            Connectors:
              Invoke:
                Properties:
                  Destination: {Id: Worker}
                  Permissions: [Write]
            Properties:
              Definition:
                StartAt: W
                States:
                  W: {Type: Task, Resource: !GetAtt Worker.Arn, End: true}
    ''')
    result = lint_paths([str(path)])
    assert "ESM406" not in {f.rule for f in result.findings}
    assert all(role.open_ended for role in model_of(path).roles.values())


# --------------------------------------------------------------------------- parity


@pytest.mark.parametrize("name", FORMATS)
def test_the_state_machine_scenario_gives_the_same_rules_in_every_format(name):
    """As tests/test_parity.py, without the plan JSON: the AWS provider validates a state
    machine definition against AWS at plan time, so no plan can be made offline."""
    scenario = PARITY / "state_machine_task"
    expected = sorted((scenario / "expected").read_text(encoding="utf-8").split())
    result = lint_paths([str(scenario / name)])
    assert result.files == 1, result.notes
    assert sorted({f.rule for f in result.findings}) == expected


# --------------------------------------------------------------------------- bad input

ODD_VALUES = ["text", 42, None, [], {}, ["a", 1], {"Ref": "Missing"}, {"Fn::If": ["C", 1, 2]},
              {"Fn::Sub": "${Nope}"}, True]


@pytest.mark.parametrize("odd", ODD_VALUES, ids=repr)
def test_odd_values_anywhere_never_crash(tmp_path, odd):
    import json

    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Worker": {"Type": "AWS::Serverless::Function",
                       "Properties": {"Runtime": "python3.12", "Handler": "a.h",
                                      "CodeUri": "src/"}},
            "Flow": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "RoleArn": odd, "DefinitionSubstitutions": odd,
                "Definition": {"StartAt": "A", "States": {
                    "A": {"Type": "Task", "Resource": odd, "Retry": odd,
                          "TimeoutSeconds": odd, "Parameters": odd, "Next": "B"},
                    "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                          "Parameters": {"FunctionName": odd, "Qualifier": odd,
                                         "InvocationType": odd},
                          "Retry": [odd, {"ErrorEquals": odd, "MaxAttempts": odd}],
                          "Next": "C"},
                    "C": {"Type": "Parallel", "Branches": odd, "Next": "D"},
                    "D": {"Type": "Map", "ItemProcessor": odd, "Iterator": odd, "Next": "E"},
                    "E": odd}}}},
            "Text": {"Type": "AWS::StepFunctions::StateMachine",
                     "Properties": {"DefinitionString": odd}},
            "File": {"Type": "AWS::Serverless::StateMachine",
                     "Properties": {"DefinitionUri": odd, "Policies": odd}},
            "Pipe": {"Type": "AWS::Pipes::Pipe", "Properties": {
                "RoleArn": odd, "Source": odd, "SourceParameters": {
                    "SqsQueueParameters": odd, "KinesisStreamParameters": odd},
                "Enrichment": odd, "Target": {"Fn::GetAtt": ["Worker", "Arn"]},
                "TargetParameters": {"LambdaFunctionParameters": odd}}},
            "Source": {"Type": "AWS::AppSync::DataSource", "Properties": {
                "Type": "AWS_LAMBDA", "LambdaConfig": odd, "ServiceRoleArn": odd}},
            "Schedule": {"Type": "AWS::Scheduler::Schedule", "Properties": {"Target": odd}},
        },
    }
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    result = lint_paths([str(path)])
    assert not [f for f in result.findings if f.name == "internal-error" or f.rule == "ESM001"]


@pytest.mark.parametrize("odd", ['"text"', "42", "null", "[]", "{}", "[\"a\", 1]", "var.nope",
                                 "true"])
def test_odd_terraform_values_never_crash(tmp_path, odd):
    path = write(tmp_path, "main.tf", f'''
        resource "aws_lambda_function" "w" {{
          function_name = "w"
          role          = "arn:aws:iam::123456789012:role/r"
          handler       = "i.h"
          runtime       = "python3.12"
          filename      = "w.zip"
        }}
        resource "aws_sfn_state_machine" "f" {{
          name     = "f"
          role_arn = {odd}
          definition = jsonencode({{
            StartAt = "A"
            States = {{
              A = {{ Type = "Task", Resource = {odd}, Retry = {odd}, Next = "B" }}
              B = {{ Type = "Task", Resource = "arn:aws:states:::lambda:invoke",
                     Parameters = {{ FunctionName = {odd} }}, TimeoutSeconds = {odd}, End = true }}
            }}
          }})
        }}
        resource "aws_sfn_state_machine" "g" {{
          name       = "g"
          role_arn   = "arn:aws:iam::123456789012:role/sfn"
          definition = {odd}
        }}
        resource "aws_pipes_pipe" "p" {{
          name     = "p"
          role_arn = {odd}
          source   = {odd}
          target   = aws_lambda_function.w.arn
        }}
        resource "aws_appsync_datasource" "d" {{
          api_id = "x"
          name   = "d"
          type   = "AWS_LAMBDA"
          lambda_config {{
            function_arn = {odd}
          }}
        }}
    ''')
    result = lint_paths([str(path)])
    assert not [f for f in result.findings if f.name == "internal-error"]
