"""Intrinsic functions resolve to values, resource tokens or Unknown, with locations."""

from __future__ import annotations

import pytest

from esmlint.loaders import load_text
from esmlint.loaders.cloudformation.intrinsics import Resolver
from esmlint.loaders.yaml import DecodeError, decode
from esmlint.values import Sym, Token

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Timeout:
    Type: Number
    Default: "45"
  NoDefault:
    Type: String
  Subnets:
    Type: CommaDelimitedList
    Default: "subnet-a, subnet-b"
Mappings:
  Env:
    prod: {Size: 10}
Conditions:
  IsProd: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      A: !Ref Timeout
      B: !Ref NoDefault
      C: !GetAtt Queue.Arn
      D: !Sub "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}"
      E: !Join [":", [a, !Ref "AWS::Region", c]]
      F: !Select [1, !Ref Subnets]
      G: !If [IsProd, 1, 2]
      H: !If [IsProd, 5, 5]
      I: !ImportValue other-stack-output
      J: !FindInMap [Env, prod, Size]
      K: !Sub ["${X}-suffix", {X: literal}]
      L: {"Fn::GetAtt": ["Queue", "QueueName"]}
      M: !Ref Missing
      N: !Select [9, [a, b]]
      O: !Sub "${!Literal}-${NoDefault}"
      P: !Split [",", "a,b,c"]
      Q: {"Fn::Sub": {"not": "a string"}}
"""


@pytest.fixture(scope="module")
def resolved():
    data = decode(TEMPLATE)
    resolver = Resolver("t.yaml", data)
    props = data["Resources"]["Fn"]["Properties"]
    return {key: resolver.get(props, key) for key in props}


def test_parameter_default_number(resolved):
    assert resolved["A"].known and resolved["A"].value == 45  # a Number parameter
    assert resolved["A"].loc.line == 22  # located where it is used


def test_parameter_without_default_is_unknown(resolved):
    assert resolved["B"].is_unknown
    assert "no default" in resolved["B"].reason


def test_getatt_is_a_resource_token(resolved):
    assert resolved["C"].value == Sym.of(Token("attr", "Queue", "Arn"))
    assert resolved["L"].value == Sym.of(Token("attr", "Queue", "QueueName"))


def test_sub_keeps_pseudo_parameters_symbolic(resolved):
    value = resolved["D"].value
    assert isinstance(value, Sym)
    assert str(value) == (
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Queue.QueueName}"
    )


def test_join_and_select(resolved):
    assert str(resolved["E"].value) == "a:${AWS::Region}:c"
    assert resolved["F"].value == "subnet-b"
    assert resolved["P"].value == ["a", "b", "c"]


def test_if_with_different_branches_is_unknown_with_branches(resolved):
    assert resolved["G"].is_unknown
    assert "IsProd" in resolved["G"].reason
    assert [branch[2].value for branch in resolved["G"].extra] == [1, 2]


def test_if_with_equal_branches_is_known(resolved):
    assert resolved["H"].value == 5


def test_import_value_and_missing_ref_are_unknown(resolved):
    assert resolved["I"].is_unknown and "ImportValue" in resolved["I"].reason
    assert resolved["M"].is_unknown
    assert resolved["N"].is_unknown


def test_find_in_map_and_sub_with_variables(resolved):
    assert resolved["J"].value == 10
    assert resolved["K"].value == "literal-suffix"


def test_sub_escape_and_opaque_tokens(resolved):
    value = resolved["O"].value
    assert isinstance(value, Sym)
    assert value.parts[0] == "${Literal}-"
    assert isinstance(value.parts[1], Token) and value.parts[1].kind == "opaque"


def test_sub_of_a_mapping_is_unknown(resolved):
    assert resolved["Q"].is_unknown


def test_absent_property():
    data = decode(TEMPLATE)
    resolver = Resolver("t.yaml", data)
    value = resolver.get(data["Resources"]["Fn"]["Properties"], "Nope")
    assert value.absent


def test_json_keeps_line_marks():
    text = '{\n  "Resources": {\n    "Q": {\n      "Type": "AWS::SQS::Queue"\n    }\n  }\n}\n'
    data = decode(text)
    assert data["Resources"].mark("Q") == (3, 5)


def test_decode_error_has_position():
    with pytest.raises(DecodeError) as caught:
        decode("a: [1, 2\nb: 3\n")
    assert caught.value.line >= 1 and caught.value.column >= 1


def test_deep_nesting_is_bounded():
    with pytest.raises(DecodeError) as caught:
        decode("[" * 300 + "]" * 300)
    assert "nesting" in caught.value.message


def test_alias_expansion_is_shared_not_copied():
    text = "a: &a [1, 2, 3]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: [*c, *c, *c]\n"
    data = decode(text)
    assert data["d"][0] is data["d"][1]


def test_unknown_tags_are_data():
    data = decode("a: !Custom value\n")
    assert data["a"] == "value"


def test_json_trailing_comma_is_an_error_with_position():
    result = load_text("t.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue",}}}', True)
    assert result.error and result.line == 1 and result.column > 1


def test_cdk_style_json_template_loads():
    text = (
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": '
        '{"VisibilityTimeout": 10}}, "F": {"Type": "AWS::Lambda::Function", "Properties": '
        '{"Timeout": 20, "Role": "arn:aws:iam::1:role/r"}}, "M": {"Type": '
        '"AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "F"}, '
        '"EventSourceArn": {"Fn::GetAtt": ["Q", "Arn"]}}}}}'
    )
    result = load_text("cdk.template.json", text)
    model = result.model
    assert model is not None
    (fn,) = model.functions
    (source,) = fn.sources
    assert source.kind == "sqs" and source.resource.id == "Q"
