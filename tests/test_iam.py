"""Tests for esmlint.iam: three-valued "does this role allow action A on resource R?"."""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esmlint import iam
from esmlint.iam import (
    Answer,
    Tri,
    allows,
    managed_policy,
    match_action,
    match_arn,
    missing_actions,
)
from esmlint.model import Policy, Role, Statement
from esmlint.values import Loc, Sym, Token, known, unknown

P = Token("pseudo", "AWS::Partition")
R = Token("pseudo", "AWS::Region")
A = Token("pseudo", "AWS::AccountId")
QUEUE_NAME = Token("attr", "Queue", "QueueName")

#: The ARN the loader builds for ``!GetAtt Queue.Arn`` of a queue without QueueName.
QUEUE_ARN = Sym.of("arn:", P, ":sqs:", R, ":", A, ":", QUEUE_NAME)
#: The same ARN as a user writes it with ``!Sub``.
SUB_QUEUE_ARN = Sym.of("arn:", P, ":sqs:", R, ":", A, ":", QUEUE_NAME)
LITERAL_QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"
SQS_POLL = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
LOC = Loc("template.yaml", 12, 7)


def stmt(actions=None, resources=("*",), effect="Allow", **kw) -> Statement:
    """A statement from plain values: strings / Syms become known Vals, Vals stay as given."""

    def vals(items):
        if items is None:
            return None
        return [i if hasattr(i, "state") else known(i, LOC) for i in items]

    return Statement(
        effect=effect,
        actions=vals(actions),
        resources=vals(resources),
        not_actions=vals(kw.pop("not_actions", None)),
        not_resources=vals(kw.pop("not_resources", None)),
        loc=LOC,
        **kw,
    )


def role(*statements: Statement, managed=(), open_ended="", unresolved="") -> Role:
    policy = Policy(statements=list(statements), unresolved=unresolved, source="Policies[0]")
    return Role(
        id="FnRole",
        loc=LOC,
        policies=[policy],
        managed_policies=[m if hasattr(m, "state") else known(m) for m in managed],
        open_ended=open_ended,
    )


def value(r: Role, action: str, resource) -> Tri:
    return allows(r, action, resource).value


# --------------------------------------------------------------------------- actions


def test_exact_action_allows_only_that_action():
    r = role(stmt(["sqs:ReceiveMessage"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(r, "sqs:DeleteMessage", LITERAL_QUEUE) is Tri.NO


def test_wildcard_actions():
    r = role(stmt(["sqs:Receive*", "kinesis:Get?ecords"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(r, "kinesis:GetRecords", "*") is Tri.YES
    assert value(r, "sqs:SendMessage", LITERAL_QUEUE) is Tri.NO
    assert value(r, "kinesis:GetShardIterator", "*") is Tri.NO
    assert value(role(stmt(["*"])), "dynamodb:GetRecords", "*") is Tri.YES
    assert value(role(stmt(["sqs:*"])), "sns:Publish", "*") is Tri.NO


def test_actions_are_case_insensitive():
    r = role(stmt(["SQS:receivemessage", "sns:publish"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(r, "SNS:Publish", "*") is Tri.YES
    assert match_action("Sqs:Receive*", "sqs:receivemessage") is Tri.YES
    assert match_action("sqs:Receive", "sqs:ReceiveMessage") is Tri.NO


def test_action_with_token_is_unknown_not_no():
    pattern = Sym.of(Token("opaque", "ImportValue:Svc"), ":ReceiveMessage")
    assert match_action(pattern, "sqs:ReceiveMessage") is Tri.UNKNOWN
    assert match_action(pattern, "sqs:DeleteMessage") is Tri.NO


# --------------------------------------------------------------------------- resources


def test_resource_star_matches_literal_and_symbolic_arns():
    r = role(stmt(["sqs:ReceiveMessage"], ["*"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(r, "sqs:ReceiveMessage", QUEUE_ARN) is Tri.YES
    assert value(r, "sqs:ReceiveMessage", Sym.of(Token("opaque", "ImportValue:Q"))) is Tri.YES


def test_getatt_arn_matches_sub_arn():
    r = role(stmt(SQS_POLL, [SUB_QUEUE_ARN]))
    answer = allows(r, "sqs:ReceiveMessage", QUEUE_ARN)
    assert answer.value is Tri.YES
    assert "Policies[0]" in answer.reason and "line 12" in answer.reason
    assert match_arn(SUB_QUEUE_ARN, QUEUE_ARN) is Tri.YES
    # the same token on both sides, even without expansion
    arn_token = Sym.of(Token("attr", "Queue", "Arn"))
    assert match_arn(arn_token, arn_token) is Tri.YES


def test_wildcard_arn_matches_symbolic_queue():
    assert match_arn("arn:aws:sqs:*:*:*", QUEUE_ARN) is Tri.YES
    assert match_arn("arn:aws:sqs:*", QUEUE_ARN) is Tri.YES
    assert match_arn(Sym.of("arn:", P, ":sqs:*:*:*"), QUEUE_ARN) is Tri.YES
    assert match_arn("arn:aws:sns:*:*:*", QUEUE_ARN) is Tri.NO


def test_different_literal_queue_is_no():
    r = role(stmt(SQS_POLL, ["arn:aws:sqs:us-east-1:123456789012:other"]))
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.NO
    assert "FnRole" in answer.reason
    # only the names are literal, and they differ: NO although region and account are tokens
    named = Sym.of("arn:", P, ":sqs:", R, ":", A, ":orders")
    assert match_arn(Sym.of("arn:", P, ":sqs:", R, ":", A, ":other"), named) is Tri.NO
    assert match_arn("arn:aws:sqs:*:*:other-*", named) is Tri.NO


def test_literal_against_token_is_unknown():
    pattern = "arn:aws:sqs:us-east-1:123456789012:other"
    assert match_arn(pattern, QUEUE_ARN) is Tri.UNKNOWN
    r = role(stmt(SQS_POLL, [pattern]))
    answer = allows(r, "sqs:ReceiveMessage", QUEUE_ARN)
    assert answer.value is Tri.UNKNOWN
    assert "may" in answer.reason
    # a literal account facing ${AWS::AccountId}, everything else equal
    account = Sym.of("arn:", P, ":sqs:", R, ":123456789012:", QUEUE_NAME)
    assert match_arn(account, QUEUE_ARN) is Tri.UNKNOWN


def test_partition_token_equals_every_aws_partition():
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        assert match_arn(f"arn:{partition}:sqs:*:*:*", QUEUE_ARN) is Tri.YES
        resource = f"arn:{partition}:sqs:us-east-1:123456789012:q"
        assert match_arn(Sym.of("arn:", P, ":sqs:*:*:q"), resource) is Tri.YES
    assert match_arn("arn:aws:sqs:*:*:*", "arn:aws-cn:sqs:cn-north-1:123456789012:q") is Tri.NO


def test_last_segment_wildcard_spans_colons_and_slashes():
    log_stream = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:x"
    assert match_arn("arn:aws:logs:*:*:*", log_stream) is Tri.YES
    assert match_arn("arn:aws:logs:*:*:log-group:/aws/lambda/g*", log_stream) is Tri.NO


def test_untraceable_token_in_prefix_is_never_no():
    # an import may hold "us-east-1:123456789012", colons included
    imported = Sym.of("arn:aws:sqs:", Token("opaque", "ImportValue:Where"), ":orders")
    assert match_arn(LITERAL_QUEUE, imported) is Tri.UNKNOWN
    assert match_arn("arn:aws:sns:*:*:*", imported) is Tri.NO


def test_unknown_resource_only_granted_by_star():
    r = role(stmt(["sqs:ReceiveMessage"], ["*"]))
    assert value(r, "sqs:ReceiveMessage", unknown("imported")) is Tri.YES
    narrow = role(stmt(["sqs:ReceiveMessage"], [LITERAL_QUEUE]))
    assert value(narrow, "sqs:ReceiveMessage", unknown("imported")) is Tri.UNKNOWN
    assert value(narrow, "sqs:ReceiveMessage", None) is Tri.UNKNOWN
    assert value(narrow, "sqs:ReceiveMessage", known(LITERAL_QUEUE)) is Tri.YES


def test_policy_variable_never_gives_yes():
    pattern = "arn:aws:s3:::bucket/${aws:username}/*"
    assert match_arn(pattern, "arn:aws:s3:::bucket/alice/x") is Tri.UNKNOWN
    assert match_arn(pattern, "arn:aws:s3:::other/alice/x") is Tri.NO


# --------------------------------------------------------------------------- effects


def test_explicit_deny_wins():
    r = role(
        stmt(["sqs:*"], ["*"]),
        stmt(["sqs:ReceiveMessage"], [LITERAL_QUEUE], effect="Deny"),
    )
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.NO
    assert "denied" in answer.reason
    assert value(r, "sqs:DeleteMessage", LITERAL_QUEUE) is Tri.YES
    # a Deny wins over unknowns too
    blind = role(
        stmt(["sqs:ReceiveMessage"], ["*"], effect="Deny"), open_ended="module output"
    )
    assert value(blind, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.NO


def test_deny_with_condition_is_unknown():
    r = role(
        stmt(["sqs:*"], ["*"]),
        stmt(["sqs:*"], ["*"], effect="Deny", has_condition=True),
    )
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.UNKNOWN
    assert "condition" in answer.reason


def test_deny_that_may_match_is_unknown():
    r = role(stmt(["sqs:*"]), stmt(["sqs:*"], ["arn:aws:sqs:us-east-1:123456789012:*"], "Deny"))
    assert value(r, "sqs:ReceiveMessage", QUEUE_ARN) is Tri.UNKNOWN
    assert value(r, "sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:123456789012:q") is Tri.YES


def test_allow_with_condition_still_allows():
    r = role(stmt(["sqs:ReceiveMessage"], ["*"], has_condition=True))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES


def test_not_action():
    r = role(stmt(None, ["*"], not_actions=["iam:*"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(r, "iam:PassRole", "*") is Tri.NO
    deny = role(stmt(["*"]), stmt(None, ["*"], effect="Deny", not_actions=["sqs:*"]))
    assert value(deny, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(deny, "sns:Publish", "*") is Tri.NO


def test_not_resource():
    r = role(stmt(["sqs:*"], None, not_resources=["arn:aws:sqs:*:*:secret-*"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES
    assert value(r, "sqs:ReceiveMessage", "arn:aws:sqs:us-east-1:1:secret-q") is Tri.NO
    # excluding a literal queue says nothing certain about a generated one
    other = role(stmt(["sqs:*"], None, not_resources=[LITERAL_QUEUE]))
    assert value(other, "sqs:ReceiveMessage", QUEUE_ARN) is Tri.UNKNOWN


# --------------------------------------------------------------------------- blind spots


def test_unknown_val_in_action_or_resource_is_unknown():
    r = role(stmt([unknown("parameter without default")], ["*"]))
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.UNKNOWN
    assert "parameter without default" in answer.reason
    r = role(stmt(["sqs:ReceiveMessage"], [unknown("Fn::ImportValue")]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.UNKNOWN
    # a known entry that grants wins over an unknown sibling
    r = role(stmt(["sqs:ReceiveMessage", unknown("x")], ["*"]))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.YES


def test_unresolved_statement_or_policy_is_unknown():
    r = role(stmt(["sqs:SendMessage"]), stmt(["s3:GetObject"], unresolved="Fn::If on a Condition"))
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.UNKNOWN
    assert "Fn::If" in answer.reason
    r = role(stmt(["sqs:SendMessage"]), unresolved="PolicyDocument is a parameter")
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.UNKNOWN
    # and without them the same role answers NO
    assert value(role(stmt(["sqs:SendMessage"])), "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.NO


def test_unresolved_deny_statement_makes_yes_unknown():
    r = role(stmt(["sqs:*"]), stmt(None, None, effect="Deny", unresolved="Fn::Transform"))
    assert value(r, "sqs:ReceiveMessage", LITERAL_QUEUE) is Tri.UNKNOWN


def test_open_ended_role_is_unknown_instead_of_no():
    r = role(stmt(["logs:*"]), open_ended="role is also passed to module 'extra'")
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.UNKNOWN
    assert "module 'extra'" in answer.reason
    assert value(r, "logs:PutLogEvents", "*") is Tri.YES


# --------------------------------------------------------------------------- managed policies

SQS_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"


def test_managed_policy_by_plain_arn():
    r = role(managed=[SQS_EXEC])
    for action in SQS_POLL:
        assert value(r, action, QUEUE_ARN) is Tri.YES
        assert value(r, action, LITERAL_QUEUE) is Tri.YES
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert "AWSLambdaSQSQueueExecutionRole" in answer.reason
    assert value(r, "sqs:SendMessage", LITERAL_QUEUE) is Tri.NO


def test_managed_policy_by_partition_sym():
    arn = Sym.of("arn:", P, ":iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
    r = Role(id="FnRole", loc=LOC, managed_policies=[known(arn)])
    assert value(r, "sqs:ReceiveMessage", QUEUE_ARN) is Tri.YES
    assert value(r, "sqs:ReceiveMessage", "arn:aws-cn:sqs:cn-north-1:1:q") is Tri.YES
    assert value(r, "kinesis:GetRecords", "*") is Tri.NO
    policy = managed_policy(arn)
    assert policy is not None
    assert [v.value for v in policy.statements[0].actions] == [
        "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
    ]


def test_unknown_managed_policy_is_unknown():
    customer = "arn:aws:iam::123456789012:policy/team-sqs-access"
    r = role(stmt(["logs:*"]), managed=[customer])
    answer = allows(r, "sqs:ReceiveMessage", LITERAL_QUEUE)
    assert answer.value is Tri.UNKNOWN
    assert "team-sqs-access" in answer.reason
    assert value(role(managed=[unknown("Ref to parameter")]), "sqs:ReceiveMessage", "*") is (
        Tri.UNKNOWN
    )
    imported = Sym.of(Token("opaque", "ImportValue:PolicyArn"))
    assert value(role(managed=[imported]), "sqs:ReceiveMessage", "*") is Tri.UNKNOWN


def test_managed_policy_arn_must_be_exact():
    assert managed_policy("arn:aws:iam::aws:policy/AWSLambdaSQSQueueExecutionRole") is None
    assert managed_policy("arn:aws:iam::aws:policy/service-role/AdministratorAccess") is None
    assert managed_policy("arn:aws:iam::aws:policy/NoSuchPolicy") is None
    assert managed_policy("arn:aws:iam::aws:policy/_source") is None
    assert managed_policy("arn:aws:iam::aws:policy/AdministratorAccess") is not None
    assert managed_policy("arn:aws-us-gov:iam::aws:policy/AdministratorAccess") is not None
    with_region = Sym.of("arn:", R, ":iam::aws:policy/AdministratorAccess")
    assert managed_policy(with_region) is None


def test_power_user_allows_sqs_but_not_iam():
    r = role(managed=["arn:aws:iam::aws:policy/PowerUserAccess"])
    assert value(r, "sqs:ReceiveMessage", QUEUE_ARN) is Tri.YES
    assert value(r, "iam:PassRole", "*") is Tri.NO
    assert value(r, "iam:ListRoles", "*") is Tri.YES


def test_managed_resources_follow_partition_of_attaching_arn():
    execute = managed_policy(Sym.of("arn:", P, ":iam::aws:policy/AWSLambdaExecute"))
    gov = managed_policy("arn:aws-us-gov:iam::aws:policy/AWSLambdaExecute")
    assert execute is not None and gov is not None
    assert str(execute.statements[1].resources[0].value) == "arn:${AWS::Partition}:s3:::*"
    assert gov.statements[1].resources[0].value == "arn:aws-us-gov:s3:::*"
    r = role(managed=["arn:aws:iam::aws:policy/AWSLambdaExecute"])
    bucket = Sym.of("arn:", P, ":s3:::", Token("attr", "Bucket", "Ref"), "/key")
    assert value(r, "s3:GetObject", bucket) is Tri.YES
    assert value(r, "s3:DeleteObject", bucket) is Tri.NO


def test_data_file_lists_the_documents_rules_rely_on():
    path = os.path.join(os.path.dirname(iam.__file__), "data", "managed_policies.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert "_source" in data
    for name in (
        "AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaMSKExecutionRole", "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaENIManagementAccess", "AWSLambdaRole", "AWSXRayDaemonWriteAccess",
        "AdministratorAccess", "PowerUserAccess", "AmazonSQSFullAccess",
    ):
        assert data[name]["statements"], name
        for raw in data[name]["statements"]:
            assert raw["Effect"] in ("Allow", "Deny")
            assert ("Action" in raw) != ("NotAction" in raw)
            assert ("Resource" in raw) != ("NotResource" in raw)
    kinesis = data["AWSLambdaKinesisExecutionRole"]["statements"][0]["Action"]
    assert "kinesis:SubscribeToShard" in kinesis and "kinesis:ListShards" in kinesis
    vpc = data["AWSLambdaVPCAccessExecutionRole"]["statements"][0]["Action"]
    assert "ec2:DescribeVpcs" not in vpc and "ec2:CreateNetworkInterface" in vpc
    assert data["AWSLambdaRole"]["path"] == "service-role/"
    assert data["AWSXRayDaemonWriteAccess"]["path"] == ""


def test_managed_policies_json_is_loaded_lazily():
    code = (
        "from esmlint import iam\n"
        "from esmlint.model import Role\n"
        "from esmlint.values import Loc\n"
        "iam.allows(Role(id='R', loc=Loc('t')), 'sqs:ReceiveMessage', '*')\n"
        "assert iam._managed_data.cache_info().misses == 0\n"
        "iam.managed_policy('arn:aws:iam::aws:policy/AdministratorAccess')\n"
        "assert iam._managed_data.cache_info().misses == 1\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- missing_actions


def test_missing_actions_splits_no_from_unknown():
    r = role(stmt(["sqs:ReceiveMessage"], [LITERAL_QUEUE]))
    missing, unsure = missing_actions(r, SQS_POLL, LITERAL_QUEUE)
    assert missing == ["sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    assert unsure == []
    missing, unsure = missing_actions(r, SQS_POLL, QUEUE_ARN)
    assert missing == ["sqs:DeleteMessage", "sqs:GetQueueAttributes"]
    assert unsure == ["sqs:ReceiveMessage"]


def test_missing_actions_empty_when_granted_and_deduplicated():
    r = role(managed=[SQS_EXEC])
    assert missing_actions(r, SQS_POLL + ["SQS:receiveMessage"], QUEUE_ARN) == ([], [])
    blind = role(open_ended="imported role")
    missing, unsure = missing_actions(blind, SQS_POLL, QUEUE_ARN)
    assert missing == [] and unsure == SQS_POLL


def test_answer_refuses_truthiness():
    answer = allows(role(stmt(["sqs:*"])), "sqs:ReceiveMessage", "*")
    assert isinstance(answer, Answer)
    with pytest.raises(TypeError):
        bool(answer)


# --------------------------------------------------------------------------- properties

_CHARS = st.sampled_from("ab:/")
_TOKENS = (Token("attr", "X", "Name"), Token("opaque", "Y"))


def _pieces(wild: bool):
    chars = st.sampled_from("ab:/*?") if wild else _CHARS
    return st.lists(
        st.one_of(st.text(chars, min_size=1, max_size=4), st.sampled_from(_TOKENS)),
        max_size=5,
    )


def _substitute(parts, values) -> str:
    return "".join(values[p] if isinstance(p, Token) else p for p in parts)


@settings(max_examples=400, deadline=None)
@given(
    prefix=st.booleans(),
    pattern=_pieces(wild=True),
    subject=_pieces(wild=False),
    values=st.tuples(st.text("ab/", max_size=3), st.text("ab/", max_size=3)),
)
def test_three_valued_match_is_sound(prefix, pattern, subject, values):
    """YES holds and NO holds for every value the tokens may take (colon-free tokens)."""
    head = ["arn:"] if prefix else []
    pattern, subject = head + pattern, head + subject
    mapping = dict(zip(_TOKENS, values, strict=True))
    symbolic = match_arn(Sym.of(*pattern), Sym.of(*subject))
    concrete = match_arn(_substitute(pattern, mapping), _substitute(subject, mapping))
    assert concrete is not Tri.UNKNOWN
    if symbolic is not Tri.UNKNOWN:
        assert symbolic is concrete


@settings(max_examples=300, deadline=None)
@given(
    pattern=_pieces(wild=True),
    subject=_pieces(wild=False),
    values=st.tuples(st.text("ab:", max_size=4), st.text("ab:", max_size=4)),
)
def test_no_is_sound_even_when_tokens_hold_colons(pattern, subject, values):
    pattern, subject = ["arn:"] + pattern, ["arn:"] + subject
    mapping = dict(zip(_TOKENS, values, strict=True))
    if match_arn(Sym.of(*pattern), Sym.of(*subject)) is Tri.NO:
        concrete = match_arn(_substitute(pattern, mapping), _substitute(subject, mapping))
        assert concrete is Tri.NO


@settings(max_examples=300, deadline=None)
@given(pattern=st.text("aB:*?", max_size=8), action=st.text("Ab:", max_size=8))
def test_plain_action_match_agrees_with_fnmatch(pattern, action):
    expected = fnmatch.fnmatchcase(action.lower(), pattern.lower())
    assert match_action(pattern, action) is (Tri.YES if expected else Tri.NO)
