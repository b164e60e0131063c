"""OpenAPI definitions and Lambda@Edge associations as invokers (issue 21, items 3 and 4).

The fixtures (``fixtures/ESM401``, ``ESM501``, ``ESM504``, ``fixtures/tf/parity/openapi_*``,
``edge_*``, ``fixtures/tf/module_openapi``) check the findings; these tests pin what the
readers do with documents the fixtures do not show: text with deploy-time parts, ``$ref``,
what cannot be read, Terraform's file functions and their bounds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from esmlint.loaders.cloudformation.intrinsics import Resolver
from esmlint.loaders.openapi import (
    NotADocument,
    function_in_uri,
    parse_document,
    read_definition,
)
from esmlint.loaders.terraform.configuration import evaluate_module, parse_file
from esmlint.loaders.yaml import decode
from esmlint.model import ASYNC, SYNC
from esmlint.runner import lint_paths
from esmlint.values import Sym, Token, known


def _definition(document: dict, authorizers: bool = True):
    resolver = Resolver("t.yaml", {"Resources": {"Fn": {"Type": "AWS::Lambda::Function"}}})
    return read_definition(known(document), resolver.get, authorizers=authorizers)


def _uri(name: str = "Fn") -> dict:
    return {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                       "${" + name + ".Arn}/invocations"}


def test_routes_methods_and_modes():
    definition = _definition({"paths": {
        "/a": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": _uri()}},
               "parameters": [], "summary": "ignored"},
        "/b": {"x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": {
            "type": "aws", "uri": _uri(), "timeoutInMillis": 5000, "requestParameters": {
                "integration.request.header.X-Amz-Invocation-Type": "'Event'"}}}},
        "/c": {"post": {"x-amazon-apigateway-integration": {
            "type": "aws", "uri": _uri(), "requestParameters": {
                "integration.request.header.X-Amz-Invocation-Type":
                    "method.request.header.InvocationType"}}}},
        "/d": {"get": {"x-amazon-apigateway-integration": {"type": "http_proxy",
                                                            "uri": "https://example.com"}}},
        "/e": {"get": {"x-amazon-apigateway-integration": {
            "type": "aws_proxy", "integrationSubtype": "SQS-SendMessage", "uri": _uri()}}},
    }})
    assert definition.unreadable == ""
    routes = {i.route: i for i in definition.integrations}
    assert sorted(routes) == ["ANY /b", "GET /a", "POST /c"]
    assert routes["GET /a"].mode == SYNC and routes["ANY /b"].mode == ASYNC
    assert routes["ANY /b"].timeout_ms.value == 5000
    assert routes["POST /c"].extra("rest")["mode_unknown"] is True
    assert routes["GET /a"].extra("rest")["route"] == "GET /a"


def test_http_api_integrations_by_reference():
    found = _definition({
        "paths": {"/x": {"get": {"x-amazon-apigateway-integration": {
            "$ref": "#/components/x-amazon-apigateway-integrations/one"}}},
            "/y": {"get": {"x-amazon-apigateway-integration": {
                "$ref": "#/components/x-amazon-apigateway-integrations/missing"}}},
            "/z": {"get": {"x-amazon-apigateway-integration": {"$ref": "other.yaml#/a"}}}},
        "components": {"x-amazon-apigateway-integrations": {
            "one": {"type": "aws_proxy", "uri": {"Fn::GetAtt": "Fn.Arn"}}}},
    })
    assert [i.route for i in found.integrations] == ["GET /x"]
    assert found.unreadable  # the two references esmlint cannot follow


def test_authorizers_are_callers_only_when_a_route_uses_them():
    scheme = {"x-amazon-apigateway-authorizer": {"type": "request", "authorizerUri": _uri()}}
    document = {
        "paths": {"/a": {"get": {"security": [{"Used": []}]}}},
        "components": {"securitySchemes": {"Used": scheme, "Unused": scheme,
                                           "Jwt": {"x-amazon-apigateway-authorizer": {
                                               "type": "jwt", "authorizerUri": _uri()}}}},
    }
    found = _definition(document)
    assert [(i.route, i.authorizer) for i in found.integrations] == [("authorizer Used", True)]
    assert _definition(document, authorizers=False).integrations == []
    document["paths"]["/a"]["get"]["security"] = {"Fn::If": ["C", [], []]}
    unread = _definition(document)
    assert unread.integrations == [] and unread.unreadable


def test_what_cannot_be_read_is_noted_never_guessed():
    found = _definition({"paths": {
        "/a": {"Fn::If": ["Prod", {"get": {}}, {"get": {}}]},
        "/b": {"get": {"x-amazon-apigateway-integration": {"Fn::Transform": {
            "Name": "AWS::Include"}}}},
    }})
    assert found.integrations == [] and found.unreadable
    assert _definition({"paths": []}).unreadable
    assert read_definition(known("text"), Resolver("t", {}).get).unreadable


def test_function_in_uri():
    fn = Sym.of(Token("attr", "Fn", "Arn"))
    uri = known(Sym.of("arn:aws:apigateway:", Token("pseudo", "AWS::Region"),
                       ":lambda:path/2015-03-31/functions/", fn, "/invocations"))
    assert function_in_uri(uri).value == fn
    literal = "arn:aws:lambda:us-east-1:123456789012:function:orders:live"
    assert function_in_uri(known("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/"
                                 f"functions/{literal}/invocations")).value == literal
    assert function_in_uri(known(fn)).value == fn  # an HTTP API's short form
    assert function_in_uri(known("arn:aws:apigateway:us-east-1:sqs:path/1/q")) is None
    assert function_in_uri(known("https://example.com/")) is None


@pytest.mark.parametrize("text", [
    '{"paths": {"/a": {"get": {"x-amazon-apigateway-integration": {"uri": "X"}}}}}',
    "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n        uri: X\n",
])
def test_documents_with_deploy_time_parts(text):
    token = Token("attr", "aws_lambda_function.fn", "invoke_arn")
    head, tail = text.split("X")
    document = parse_document(Sym.of(head, token, tail))
    uri = document["paths"]["/a"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert uri == Sym.of(token)


def test_text_that_is_not_a_document():
    for text in ("[1, 2]", "just words: [", "- a\n- b\n"):
        with pytest.raises(NotADocument):
            parse_document(text)


def test_alias_bomb_in_a_document_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    token = Token("attr", "aws_lambda_function.fn", "arn")
    start = time.perf_counter()
    with pytest.raises(NotADocument):
        parse_document(Sym.of("\n".join(lines) + "\nuri: ", token, "\n"))
    assert time.perf_counter() - start < 5


# --------------------------------------------------------------------------- Terraform


def _bodies(tmp_path: Path, text: str) -> dict:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    blocks = parse_file(str(tmp_path / "main.tf"), text)
    result = evaluate_module(str(tmp_path), blocks)
    return {r.address: r.body for r in result.resources}


def test_files_are_read_only_for_documents(tmp_path):
    (tmp_path / "api.json").write_text('{"paths": {}}', encoding="utf-8")
    (tmp_path / "api.tpl").write_text('{"title": "${name}"}', encoding="utf-8")
    bodies = _bodies(tmp_path, '''
locals {
  spec = file("${path.module}/api.json")
}
resource "aws_api_gateway_rest_api" "a" {
  name   = file("${path.module}/api.json")
  body   = local.spec
  policy = templatefile("${path.module}/api.tpl", { name = "orders" })
}
''')
    body = bodies["aws_api_gateway_rest_api.a"]
    assert not body.get("name").known  # an ordinary argument: file() is not evaluated
    assert not body.get("body").known  # nor through a local, outside a document
    assert body.document("body").value == '{"paths": {}}'
    assert body.document("policy").value == '{"title": "orders"}'
    assert not body.get("body").known  # the document's reading is kept apart


def test_file_functions_stay_unknown_where_terraform_would_fail_or_differ(tmp_path):
    (tmp_path / "loop.tpl").write_text("%{ for x in items }${x}%{ endfor }", encoding="utf-8")
    bodies = _bodies(tmp_path, '''
variable "where" {
  type = string
}
resource "aws_api_gateway_rest_api" "a" {
  body        = file("${path.module}/missing.json")
  description = file(var.where)
  name        = templatefile("${path.module}/loop.tpl", { items = ["a"] })
  policy      = templatefile("${path.module}/missing.tpl", {})
}
''')
    body = bodies["aws_api_gateway_rest_api.a"]
    for name in ("body", "description", "name", "policy"):
        value = body.document(name)
        assert not value.known and value.reason, name


def test_a_template_that_renders_itself_ends(tmp_path):
    (tmp_path / "self.tpl").write_text('${templatefile("self.tpl", {})}', encoding="utf-8")
    bodies = _bodies(tmp_path, 'resource "aws_api_gateway_rest_api" "a" {\n'
                               '  body = templatefile("self.tpl", {})\n}\n')
    start = time.perf_counter()
    value = bodies["aws_api_gateway_rest_api.a"].document("body")
    assert not value.known and time.perf_counter() - start < 5


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_named_by_file_is_not_read(tmp_path):
    bodies = _bodies(tmp_path, 'resource "aws_api_gateway_rest_api" "a" {\n'
                               '  body = file("/dev/zero")\n}\n')
    value = bodies["aws_api_gateway_rest_api.a"].document("body")
    # /dev is outside the project folder, so it is refused before it is opened.
    assert not value.known and "outside the project folder" in value.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_by_file_in_the_project_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "api.yaml")
    bodies = _bodies(tmp_path, 'resource "aws_api_gateway_rest_api" "a" {\n'
                               '  body = file("api.yaml")\n}\n')
    value = bodies["aws_api_gateway_rest_api.a"].document("body")
    assert not value.known and "not a regular file" in value.reason


def test_yaml_body_from_a_file(tmp_path):
    (tmp_path / "api.yaml").write_text(
        "paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration:\n"
        "        type: aws_proxy\n        uri: arn:aws:apigateway:us-east-1:lambda:path/"
        "2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/"
        "invocations\n", encoding="utf-8")
    (tmp_path / "main.tf").write_text('''
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "orders.zip"
  timeout       = 40
}
resource "aws_api_gateway_rest_api" "a" {
  name = "a"
  body = jsonencode(yamldecode(file("${path.module}/api.yaml")))
}
''', encoding="utf-8")
    findings = lint_paths([str(tmp_path)]).findings
    assert sorted(f.rule for f in findings if f.rule in ("ESM401", "ESM501")) == [
        "ESM401", "ESM501"]


def test_definition_of_a_sam_api_is_read_as_sam_reads_it():
    """A SAM event on an API with its own DefinitionBody is no route unless the API sets
    MergeDefinitions: ESM501 judges the definition's integration, not the event."""
    template = decode('''
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 60
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /other, Method: get}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MergeDefinitions: MERGE
      DefinitionBody:
        paths: {}
''')
    from esmlint.loaders.cloudformation.builder import build_model
    from esmlint.rules.esm501_timeout_exceeds_caller_limit import caller_limit

    for merge, expected in (("true", 29000), ("false", None)):
        template["Resources"]["Api"]["Properties"]["MergeDefinitions"] = merge
        model = build_model("t.yaml", template, "sam")
        (event,) = [s for _, s in model.sources() if s.sam_event]
        limit = caller_limit(event)
        assert (limit[0] if limit else None) == expected, merge
