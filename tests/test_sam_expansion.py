"""SAM expansion: what the loader makes of AWS::Serverless::Function (spec F).

Each test loads a small SAM template and checks the model against what
aws-sam-translator 1.110 generates: Globals merged (F.4), the generated role and the
managed policies SAM attaches per event type (F.1, F.2), no role and nothing added when
`Role` is set, policy templates expanded from the translator's own data (F.3), the queue
of `SqsSubscription: true`, the dead-letter and destination policies (B.6, F.5), and the
alias qualifier of `AutoPublishAlias`. Where the translator is installed, the parity
tests at the end run it on the same templates and compare.
"""

from __future__ import annotations

import copy
import textwrap

import pytest

from esmlint.iam import Tri, allows
from esmlint.loaders import load_text
from esmlint.loaders.cloudformation.sam import merge_globals
from esmlint.model import ASYNC, POLL, Model
from esmlint.sam_data import policy_templates
from esmlint.values import Sym, Token

HEADER = "Transform: AWS::Serverless-2016-10-31\n"


def load(body: str) -> Model:
    text = HEADER + textwrap.dedent(body).lstrip("\n")
    result = load_text("template.yaml", text, True)
    assert result.model is not None, result
    return result.model


def managed_names(role) -> set[str]:
    """The managed policy names of a role (the ARN's last segment)."""
    names = set()
    for val in role.managed_policies:
        assert val.known, val
        names.add(str(val.value).rsplit("/", 1)[-1])
    return names


def line_of(body: str, needle: str) -> int:
    """1-based line of ``needle`` in the template as loaded (HEADER included)."""
    text = HEADER + textwrap.dedent(body).lstrip("\n")
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


# --------------------------------------------------------------------------- Globals (F.4)


def test_globals_scalars_local_wins_and_defaults_fill_in():
    model = load("""
        Globals:
          Function:
            Timeout: 30
            MemorySize: 512
        Resources:
          Local:
            Type: AWS::Serverless::Function
            Properties: {Timeout: 60, Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
          Inherits:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
    """)
    assert model.function("Local").timeout.value == 60
    assert model.function("Inherits").timeout.value == 30
    assert model.function("Inherits").get("MemorySize").value == 512


def test_globals_timeout_keeps_its_location_in_globals():
    body = """
        Globals:
          Function:
            Timeout: 30
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
    """
    timeout = load(body).function("Fn").timeout
    assert timeout.known and not timeout.is_default
    assert timeout.loc.line == line_of(body, "Timeout: 30")


def test_globals_lists_concatenate_and_dicts_merge():
    model = load("""
        Globals:
          Function:
            Layers: [arn:aws:lambda:us-east-1:123456789012:layer:global:1]
            Environment:
              Variables: {SHARED: g, BOTH: g}
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Layers: [arn:aws:lambda:us-east-1:123456789012:layer:local:1]
              Environment:
                Variables: {LOCAL: l, BOTH: l}
    """)
    fn = model.function("Fn")
    assert [str(v).rsplit(":", 2)[-2] for v in fn.get("Layers").value] == ["global", "local"]
    variables = fn.get("Environment").value["Variables"]
    assert dict(variables) == {"SHARED": "g", "BOTH": "l", "LOCAL": "l"}


def test_merge_globals_rules():
    # Primitives and type mismatches: local wins. Intrinsics are primitives.
    assert merge_globals(1, 2) == 2
    assert merge_globals([1], {"a": 1}) == {"a": 1}
    assert merge_globals({"Ref": "A"}, {"x": 1}) == {"x": 1}
    assert merge_globals({"x": 1}, {"Fn::If": ["C", 1, 2]}) == {"Fn::If": ["C", 1, 2]}
    # Lists: global then local, no de-duplication.
    assert merge_globals([1, 2], [2, 3]) == [1, 2, 2, 3]
    # Dicts: recursive, local wins per key.
    assert merge_globals({"a": {"x": 1, "y": 1}, "b": 1}, {"a": {"y": 2}}) == {
        "a": {"x": 1, "y": 2}, "b": 1}


def test_globals_cannot_set_role_policies_or_events_and_ignore_globals_opts_out():
    model = load("""
        Globals:
          Function:
            Timeout: 30
            Role: arn:aws:iam::123456789012:role/global
            Policies: [AmazonS3ReadOnlyAccess]
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
          OptOut:
            Type: AWS::Serverless::Function
            IgnoreGlobals: "*"
            Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
          OptOutTimeout:
            Type: AWS::Serverless::Function
            IgnoreGlobals: [Timeout]
            Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
    """)
    fn = model.function("Fn")
    assert not fn.sam_role_set and fn.role is not None and fn.role.sam_generated
    assert managed_names(fn.role) == {"AWSLambdaBasicExecutionRole"}
    assert fn.get("Policies").absent
    assert model.function("OptOut").timeout.is_default
    assert model.function("OptOut").timeout.value == 3
    assert model.function("OptOutTimeout").timeout.value == 3


# --------------------------------------------------------------------------- generated role


POLL_TEMPLATE = """
    Resources:
      Queue:
        Type: AWS::SQS::Queue
      Stream:
        Type: AWS::Kinesis::Stream
        Properties: {ShardCount: 1}
      Table:
        Type: AWS::DynamoDB::Table
        Properties:
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          BillingMode: PAY_PER_REQUEST
          StreamSpecification: {StreamViewType: NEW_IMAGE}
      Cluster:
        Type: AWS::MSK::Cluster
        Properties:
          ClusterName: c
          KafkaVersion: 3.6.0
          NumberOfBrokerNodes: 2
          BrokerNodeGroupInfo: {InstanceType: kafka.t3.small, ClientSubnets: [s-1, s-2]}
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: a.b
          CodeUri: s3://b/k
          Tracing: Active
          VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
          Events:
            Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
            K: {Type: Kinesis, Properties: {Stream: !GetAtt Stream.Arn, StartingPosition: LATEST}}
            D:
              Type: DynamoDB
              Properties: {Stream: !GetAtt Table.StreamArn, StartingPosition: LATEST}
            M:
              Type: MSK
              Properties: {Stream: !GetAtt Cluster.Arn, Topics: [t], StartingPosition: LATEST}
            Api: {Type: Api, Properties: {Path: /, Method: get}}
"""


def test_generated_role_and_managed_policies_per_event_type():
    model = load(POLL_TEMPLATE)
    fn = model.function("Fn")
    role = fn.role
    assert role is model.roles["FnRole"] and role.sam_generated
    assert model.origins["FnRole"] == "Fn"
    names = managed_names(role)
    assert {"AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole",
            "AWSLambdaSQSQueueExecutionRole", "AWSLambdaKinesisExecutionRole",
            "AWSLambdaDynamoDBExecutionRole", "AWSLambdaMSKExecutionRole"} <= names
    assert any("xray" in name.lower() for name in names)
    # The trust policy SAM writes.
    statement = role.trust.statements[0]
    assert [p.value for p in statement.principals] == ["lambda.amazonaws.com"]
    # Every poll event is a source of its kind, located at the event, owned by Fn.
    kinds = {s.extra.get("event"): s.kind for s in fn.sources if s.mode == POLL}
    assert kinds == {"Q": "sqs", "K": "kinesis", "D": "dynamodb", "M": "msk"}
    assert all(s.origin == "Fn" and s.sam_event for s in fn.sources)


def test_generated_role_allows_polling_through_its_managed_policies():
    model = load(POLL_TEMPLATE)
    fn = model.function("Fn")
    queue = model.resources["Queue"]
    assert allows(fn.role, "sqs:ReceiveMessage", queue.arn).value is Tri.YES
    assert allows(fn.role, "sqs:SendMessage", queue.arn).value is Tri.NO


def test_role_set_generates_no_role_and_keeps_what_sam_drops_apart():
    model = load("""
        Resources:
          Queue:
            Type: AWS::SQS::Queue
          Dlq:
            Type: AWS::SQS::Queue
          Own:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {Service: lambda.amazonaws.com}
                    Action: sts:AssumeRole
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Role: !GetAtt Own.Arn
              Policies:
                - SQSPollerPolicy: {QueueName: !GetAtt Queue.QueueName}
              DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Dlq.Arn}
              Events:
                Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
    """)
    fn = model.function("Fn")
    assert fn.sam_role_set and fn.role is model.roles["Own"]
    assert "FnRole" not in model.roles
    own = model.roles["Own"]
    assert own.policies == [] and own.managed_policies == []
    # What SAM drops: the managed policy of the event, the DLQ policy, the Policies.
    dropped = fn.sam_dropped_role
    assert dropped is not None and dropped not in model.roles.values()
    assert "AWSLambdaSQSQueueExecutionRole" in managed_names(dropped)
    dlq = model.resources["Dlq"].arn
    assert allows(dropped, "sqs:SendMessage", dlq).value is Tri.YES
    assert allows(own, "sqs:SendMessage", dlq).value is Tri.NO
    given = fn.sam_dropped_policies
    assert [p.source for p in given.policies] == ["SAM policy template SQSPollerPolicy of Fn"]
    assert not fn.get("Policies").absent


def test_role_without_a_value_counts_as_not_set():
    model = load("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Role:
              Policies: [AmazonS3ReadOnlyAccess]
    """)
    fn = model.function("Fn")
    assert not fn.sam_role_set and fn.role is model.roles["FnRole"]
    assert "AmazonS3ReadOnlyAccess" in managed_names(fn.role)


def test_function_assume_role_policy_document_is_the_trust_policy():
    model = load("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              AssumeRolePolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: {Service: edgelambda.amazonaws.com}
                    Action: sts:AssumeRole
    """)
    trust = model.function("Fn").role.trust
    assert [p.value for p in trust.statements[0].principals] == ["edgelambda.amazonaws.com"]


# --------------------------------------------------------------------------- policy templates


def test_policy_template_is_expanded_from_the_translator_data_and_recorded():
    body = """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties: {QueueName: jobs}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Policies:
                - SQSPollerPolicy:
                    QueueName: !GetAtt Queue.QueueName
                - AWSLambdaBasicExecutionRole
                - Statement:
                    - {Effect: Allow, Action: s3:GetObject, Resource: "*"}
    """
    model = load(body)
    role = model.function("Fn").role
    template = next(p for p in role.policies if "SQSPollerPolicy" in p.source)
    actions = {a.value for s in template.statements for a in s.actions}
    expected = policy_templates()["SQSPollerPolicy"]["Definition"]["Statement"][0]["Action"]
    assert actions == set(expected)
    # QueueName resolved into the ARN: the queue's literal name.
    resource = template.statements[0].resources[0].value
    assert resource == Sym.of("arn:", Token("pseudo", "AWS::Partition"), ":sqs:",
                              Token("pseudo", "AWS::Region"), ":",
                              Token("pseudo", "AWS::AccountId"), ":jobs")
    assert allows(role, "sqs:ReceiveMessage", model.resources["Queue"].arn).value is Tri.YES
    assert allows(role, "s3:GetObject", "arn:aws:s3:::b/k").value is Tri.YES
    # The use is recorded with its parameter values and where they are written.
    use, = model.policy_template_uses
    assert (use.name, use.function) == ("SQSPollerPolicy", "Fn")
    value = use.params["QueueName"]
    assert value.value == Sym.of(Token("attr", "Queue", "QueueName"))
    assert value.loc.line == line_of(body, "QueueName: !GetAtt")


def test_policy_template_missing_a_parameter_makes_the_policy_unreadable():
    model = load("""
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Policies:
                - SQSPollerPolicy: {}
    """)
    policy = model.function("Fn").role.policies[0]
    assert policy.unresolved == "SQSPollerPolicy lacks parameter QueueName"


# --------------------------------------------------------------------------- SqsSubscription


def test_sns_sqs_subscription_creates_a_queue_with_default_visibility():
    model = load("""
        Resources:
          Topic:
            Type: AWS::SNS::Topic
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Timeout: 60
              Events:
                Note:
                  Type: SNS
                  Properties: {Topic: !Ref Topic, SqsSubscription: true}
    """)
    fn = model.function("Fn")
    queue = model.resources["FnNoteQueue"]
    assert queue.origin == "Fn" and model.origins["FnNoteQueue"] == "Fn"
    visibility = queue.get("visibility_timeout")
    assert visibility.is_default and visibility.value == 30
    source, = [s for s in fn.sources if s.mode == POLL]
    assert source.kind == "sqs" and source.resource is queue
    assert source.setting("BatchSize").value == 10
    assert "AWSLambdaSQSQueueExecutionRole" in managed_names(fn.role)
    assert not [s for s in fn.sources if s.mode == ASYNC]  # SNS delivers to the queue


# --------------------------------------------------------------------------- DLQ, destinations


def test_dead_letter_queue_policy_per_type():
    model = load("""
        Resources:
          Queue:
            Type: AWS::SQS::Queue
          Topic:
            Type: AWS::SNS::Topic
          ToQueue:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Queue.Arn}
          ToTopic:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              DeadLetterQueue: {Type: SNS, TargetArn: !Ref Topic}
    """)
    queue, topic = model.resources["Queue"].arn, model.resources["Topic"].arn
    to_queue, to_topic = model.function("ToQueue"), model.function("ToTopic")
    assert to_queue.dead_letter_type.value == "SQS"
    assert allows(to_queue.role, "sqs:SendMessage", queue).value is Tri.YES
    assert allows(to_queue.role, "sns:Publish", topic).value is Tri.NO
    assert allows(to_topic.role, "sns:Publish", topic).value is Tri.YES
    assert [p.source for p in to_topic.role.policies] == ["DeadLetterQueuePolicy (added by SAM)"]


def test_event_invoke_config_destinations_and_their_policies():
    model = load("""
        Resources:
          Bus:
            Type: AWS::Events::EventBus
            Properties: {Name: b}
          Bucket:
            Type: AWS::S3::Bucket
          Other:
            Type: AWS::Serverless::Function
            Properties: {Runtime: python3.12, Handler: a.b, CodeUri: s3://b/k}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              EventInvokeConfig:
                MaximumRetryAttempts: 1
                DestinationConfig:
                  OnSuccess: {Type: SQS}
                  OnFailure: {Type: S3Bucket, Destination: !GetAtt Bucket.Arn}
          Fn2:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              EventInvokeConfig:
                DestinationConfig:
                  OnSuccess: {Type: Lambda, Destination: !GetAtt Other.Arn}
                  OnFailure: {Type: EventBridge, Destination: !GetAtt Bus.Arn}
    """)
    fn = model.function("Fn")
    config, = fn.invoke_configs
    assert config.id == "FnEventInvokeConfig" and config.origin == "Fn"
    assert config.qualifier == "$LATEST" and config.max_retry_attempts.value == 1
    # No Destination with Type SQS: SAM creates the queue.
    queue = model.resources["FnEventInvokeConfigOnSuccessQueue"]
    assert queue.kind == "sqs" and queue.origin == "Fn"
    assert allows(fn.role, "sqs:SendMessage", queue.arn).value is Tri.YES
    bucket = model.resources["Bucket"].arn
    assert allows(fn.role, "s3:PutObject", Sym.of(bucket, "/x")).value is Tri.YES
    fn2 = model.function("Fn2")
    assert allows(fn2.role, "lambda:InvokeFunction", model.function("Other").arn).value is Tri.YES
    assert allows(fn2.role, "events:PutEvents", model.resources["Bus"].arn).value is Tri.YES


def test_poll_event_destination_policy_only_with_type():
    model = load("""
        Resources:
          Stream:
            Type: AWS::Kinesis::Stream
            Properties: {ShardCount: 1}
          Dlq:
            Type: AWS::SQS::Queue
          Typed:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Events:
                K:
                  Type: Kinesis
                  Properties:
                    Stream: !GetAtt Stream.Arn
                    StartingPosition: LATEST
                    DestinationConfig: {OnFailure: {Type: SQS, Destination: !GetAtt Dlq.Arn}}
          Untyped:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Events:
                K:
                  Type: Kinesis
                  Properties:
                    Stream: !GetAtt Stream.Arn
                    StartingPosition: LATEST
                    DestinationConfig: {OnFailure: {Destination: !GetAtt Dlq.Arn}}
    """)
    dlq = model.resources["Dlq"].arn
    assert allows(model.function("Typed").role, "sqs:SendMessage", dlq).value is Tri.YES
    assert allows(model.function("Untyped").role, "sqs:SendMessage", dlq).value is Tri.NO
    source = model.function("Untyped").sources[0]
    assert source.setting("DestinationConfig.OnFailure.Destination").known


# --------------------------------------------------------------------------- AutoPublishAlias


def test_auto_publish_alias_is_the_qualifier_of_sources_and_invoke_config():
    model = load("""
        Resources:
          Queue:
            Type: AWS::SQS::Queue
          Topic:
            Type: AWS::SNS::Topic
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              AutoPublishAlias: live
              EventInvokeConfig: {MaximumRetryAttempts: 0}
              Events:
                Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
                N: {Type: SNS, Properties: {Topic: !Ref Topic}}
    """)
    fn = model.function("Fn")
    assert fn.aliases == ("live",)
    assert {s.qualifier for s in fn.sources} == {"live"}
    assert fn.invoke_configs[0].qualifier == "live"
    permission, = [p for p in model.permissions if p.origin == "Fn"]
    assert permission.qualifier.value == "live"


# --------------------------------------------------------------------------- parity


def _translate(body: str) -> dict:
    """The translator's output for a template, or skip when it is not installed."""
    translator = pytest.importorskip("samtranslator.translator.transform")
    yaml_helper = pytest.importorskip("samtranslator.yaml_helper")

    class NoManagedPolicies:
        def load(self):
            return {}

    data = yaml_helper.yaml_parse(HEADER + textwrap.dedent(body).lstrip("\n"))
    return translator.transform(copy.deepcopy(data), {}, NoManagedPolicies())["Resources"]


def _arn_names(values) -> set[str]:
    names = set()
    for value in values:
        text = value if isinstance(value, str) else value.get("Fn::Sub", "")
        names.add(text.rsplit("/", 1)[-1])
    return names


@pytest.fixture
def region(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_parity_generated_role_managed_policies(region):
    resources = _translate(POLL_TEMPLATE)
    theirs = _arn_names(resources["FnRole"]["Properties"]["ManagedPolicyArns"])
    ours = managed_names(load(POLL_TEMPLATE).function("Fn").role)
    # The translator names the X-Ray policy by partition; esmlint cannot know the partition.
    strip = {"AWSXrayWriteOnlyAccess", "AWSXRayDaemonWriteAccess"}
    assert theirs - strip == ours - strip
    assert theirs & strip and ours & strip


@pytest.mark.parametrize("body", [
    """
    Resources:
      Queue: {Type: AWS::SQS::Queue}
      Own:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement:
              - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: a.b
          CodeUri: s3://b/k
          Role: !GetAtt Own.Arn
          Policies: [AmazonS3ReadOnlyAccess]
          DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Queue.Arn}
          Events:
            Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
    """,
], ids=["role-policies-dlq-sqs-event"])
def test_parity_role_set_means_no_generated_role(region, body):
    resources = _translate(body)
    assert not [rid for rid, res in resources.items()
                if res["Type"] == "AWS::IAM::Role" and rid != "Own"]
    model = load(body)
    assert set(model.roles) == {"Own"}


def test_parity_sqs_subscription_queue_has_empty_properties(region):
    body = """
        Resources:
          Topic: {Type: AWS::SNS::Topic}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              Events:
                Note: {Type: SNS, Properties: {Topic: !Ref Topic, SqsSubscription: true}}
    """
    resources = _translate(body)
    assert resources["FnNoteQueue"]["Type"] == "AWS::SQS::Queue"
    assert not resources["FnNoteQueue"].get("Properties")
    assert "FnNoteQueue" in load(body).resources


def test_parity_dead_letter_and_destination_policies(region):
    body = """
        Resources:
          Queue: {Type: AWS::SQS::Queue}
          Topic: {Type: AWS::SNS::Topic}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              DeadLetterQueue: {Type: SNS, TargetArn: !Ref Topic}
              EventInvokeConfig:
                DestinationConfig:
                  OnFailure: {Type: SQS, Destination: !GetAtt Queue.Arn}
    """
    resources = _translate(body)
    theirs = set()
    for policy in resources["FnRole"]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            theirs.update(a.lower() for a in ([actions] if isinstance(actions, str) else actions))
    ours = {a.value.lower() for p in load(body).function("Fn").role.policies
            for s in p.statements for a in s.actions}
    assert theirs == ours == {"sns:publish", "sqs:sendmessage"}


def test_parity_auto_publish_alias_mapping_targets_the_alias(region):
    body = """
        Resources:
          Queue: {Type: AWS::SQS::Queue}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: a.b
              CodeUri: s3://b/k
              AutoPublishAlias: live
              Events:
                Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}
    """
    resources = _translate(body)
    function_name = resources["FnQ"]["Properties"]["FunctionName"]
    assert function_name == {"Ref": "FnAliaslive"}
    assert resources["FnAliaslive"]["Properties"]["Name"] == "live"
    assert load(body).function("Fn").sources[0].qualifier == "live"
