"""CloudFormation (and CDK output) into the invocation model; SAM goes through sam.py.

The builder indexes the template's resources once, turns the ones that matter into model
entities (queues, streams, tables, topics, keys, roles, functions), then links the
resources that invoke functions (event source mappings, invoke configs, permissions,
subscriptions, notifications, rules) to the function they name.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ...model import (
    ASYNC,
    POLL,
    SYNC,
    Function,
    InvokeConfig,
    Model,
    Permission,
    Policy,
    Resource,
    Role,
    Source,
    Statement,
    fifo_by_name,
    function_name_parts,
    options_from_tags,
)
from ...values import ACCOUNT_ID as A
from ...values import PARTITION as P
from ...values import REGION as R
from ...values import Loc, Sym, Token, Val, default, flatten_sym, known, unflatten_sym, unknown
from .. import canonical as _canonical
from ..external import ExternalFunctions, lambda_arn_text, split_qualifier, sym_qualifier
from ..yaml import MDict, load_json
from . import invokers
from .intrinsics import Resolver

#: CloudFormation resource type -> model resource kind.
KINDS = {
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::Kinesis::StreamConsumer": "kinesis-consumer",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::Serverless::SimpleTable": "dynamodb",
    "AWS::S3::Bucket": "s3",
    "AWS::KMS::Key": "kms",
    "AWS::KMS::Alias": "kms-alias",
    "AWS::MSK::Cluster": "msk",
    "AWS::MSK::ServerlessCluster": "msk",
    "AWS::AmazonMQ::Broker": "mq",
    "AWS::DocDB::DBCluster": "docdb",
    "AWS::Events::EventBus": "eventbus",
    "AWS::Events::Rule": "rule",
    "AWS::Lambda::Alias": "alias",
    "AWS::Lambda::Version": "version",
    "AWS::Lambda::Url": "url",
    "AWS::ApiGateway::RestApi": "api",
    "AWS::ApiGatewayV2::Api": "httpapi",
    "AWS::Serverless::Api": "api",
    "AWS::Serverless::HttpApi": "httpapi",
    "AWS::Cognito::UserPool": "userpool",
    "AWS::Logs::LogGroup": "loggroup",
    "AWS::SecretsManager::Secret": "secret",
}

#: Event source mapping properties kept as source settings (CloudFormation names).
ESM_SETTINGS = (
    "BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition",
    "StartingPositionTimestamp", "ParallelizationFactor", "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "TumblingWindowInSeconds",
    "DestinationConfig", "FunctionResponseTypes", "FilterCriteria", "ScalingConfig",
    "Enabled", "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig", "ProvisionedPollerConfig", "KmsKeyArn", "MetricsConfig",
)

#: Nested settings flattened onto sources under their dotted names.
NESTED_SETTINGS = (
    "DestinationConfig.OnFailure.Destination", "DestinationConfig.OnFailure.Type",
    "DestinationConfig.OnSuccess", "DestinationConfig.OnFailure",
    "ScalingConfig.MaximumConcurrency", "FilterCriteria.Filters",
)

#: Access configuration types whose URI is a Secrets Manager secret the role must read.
SECRET_ACCESS_TYPES = ("BASIC_AUTH", "SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH",
                       "CLIENT_CERTIFICATE_TLS_AUTH", "SERVER_ROOT_CA_CERTIFICATE")


def build_model(path: str, data: dict, kind: str) -> Model:
    """Build the model of one CloudFormation or SAM template."""
    return Builder(path, data, kind).build()


class Builder:
    """Turns one decoded template into a :class:`Model`."""

    def __init__(self, path: str, data: dict, kind: str) -> None:
        self.path = path
        self.data = data
        raw = data.get("Resources")
        self.raw: dict = raw if isinstance(raw, dict) else {}
        self.resolver = Resolver(path, data)
        # The resolver knows resources SAM will generate too, so Refs to them resolve.
        self.resolver.resources = dict(self.raw)
        self.model = Model(path=path, format=kind)
        self.sam = kind == "sam"
        self.alias_of: dict[str, tuple[str, str]] = {}
        self.external: ExternalFunctions | None = None

    # -- helpers ------------------------------------------------------------------
    def loc(self, rid: str) -> Loc:
        return self.resolver.loc(self.raw, rid)

    def props(self, rid: str) -> dict:
        resource = self.raw.get(rid)
        if isinstance(resource, dict):
            properties = resource.get("Properties")
            if isinstance(properties, dict):
                return properties
        return {}

    def condition_of(self, rid: str) -> str:
        """The name of the resource's ``Condition`` attribute, "" when it has none."""
        resource = self.raw.get(rid)
        condition = resource.get("Condition") if isinstance(resource, dict) else None
        return condition if isinstance(condition, str) else ""

    def type_of(self, rid: str) -> str:
        try:
            return self._types.get(rid, "")
        except AttributeError:  # first call: index every resource's type once
            self._types = {
                key: value["Type"] for key, value in self.raw.items()
                if isinstance(value, dict) and isinstance(value.get("Type"), str)}
            return self._types.get(rid, "")

    def get(self, props: Any, key: str, rid: str) -> Val:
        value = self.resolver.get(props, key)
        if value.loc is None or value.reason == "not set":
            return unknown(value.reason, self.loc(rid)) if not value.known else value
        return value

    def prop_or_default(self, props: Any, key: str, rid: str, fallback: Any) -> Val:
        """The property when set; the AWS default (located at the resource) when absent."""
        if isinstance(props, dict) and key in props:
            return self.resolver.get(props, key)
        return default(fallback, self.loc(rid))

    # -- build --------------------------------------------------------------------
    def build(self) -> Model:
        metadata = self.data.get("Metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("esmlint"), dict):
            self.model.options = dict(metadata["esmlint"])
        if self.sam:
            from .sam import SamExpander

            self.sam_expander: SamExpander | None = SamExpander(self)
            self.sam_expander.register_generated()
            invokers.register(self)
        else:
            self.sam_expander = None
        for rid in self.raw:
            if not isinstance(rid, str):
                continue
            self.model.locations[rid] = self.loc(rid)
            resource = self.raw.get(rid)
            if isinstance(resource, dict) and isinstance(resource.get("Metadata"), dict):
                meta = resource["Metadata"].get("esmlint")
                if isinstance(meta, dict):
                    self.model.metadata[rid] = meta
            rtype = self.type_of(rid)
            kind = KINDS.get(rtype)
            if kind:
                self.model.resources[rid] = self.resource(rid, rtype, kind)
            elif rtype and rid not in self.model.resources:
                self.model.resources[rid] = Resource(rid, "other", rtype, self.loc(rid))
        for rid in self.raw:
            rtype = self.type_of(rid)
            if rtype == "AWS::IAM::Role":
                self.model.roles[rid] = self.role(rid)
        if self.sam_expander:
            self.sam_expander.expand_functions()
            invokers.generated_roles(self)
        for rid in self.raw:
            if self.type_of(rid) == "AWS::Lambda::Function":
                self.model.functions.append(self.function(rid))
        self.attach_policies()
        self.link()
        if self.sam:
            invokers.connectors(self)
        aliases = {alias: fid for alias, (fid, _) in self.alias_of.items()}
        self.model.reference_indexer = functools.partial(
            index_references, self.raw, self.data.get("Outputs"), aliases)
        self.canonicalize()
        self.sam_expander = None  # it refers back to this builder: no cycle left behind
        return self.model

    # -- canonical ARNs -------------------------------------------------------------
    def canonical(self, sym: Sym) -> Sym:
        """Replace ``GetAtt X.Arn`` / ``Ref X`` tokens by X's ARN or name as the model
        spells it, so that a policy written either way matches the resource."""
        return _canonical.rewrite(sym, self.canonical_token)

    def canonical_token(self, token: Token) -> Any:
        rid, attr = token.ref, token.name
        res = self.model.resources.get(rid)
        if res is not None and res.arn is not None:
            kind = res.kind
            name = res.get("name")
            literal_name = name.value if name.known and isinstance(name.value, (str, Sym)) \
                else None
            if attr == "Arn" and kind in ("sqs", "kinesis", "dynamodb", "s3"):
                return res.arn
            if kind == "sns" and attr in ("Ref", "TopicArn"):
                return res.arn
            if kind == "dynamodb" and attr == "StreamArn":
                return Sym.of(res.arn, "/stream/", Token("attr", rid, "StreamLabel"))
            if kind == "dynamodb" and attr == "Ref":
                return literal_name or Token("attr", rid, "TableName")
            if kind == "kinesis" and attr == "Ref":
                return literal_name or Token("attr", rid, "Name")
            if kind == "sqs" and attr == "QueueName" and literal_name is not None:
                return literal_name
            if kind == "sns" and attr == "TopicName" and literal_name is not None:
                return literal_name
            if kind == "s3" and attr == "Ref" and literal_name is not None:
                return literal_name
            if kind == "kms" and attr == "Arn":
                return res.arn
            if kind == "loggroup" and attr == "Arn":
                return res.arn
        # Functions are also indexed as resources of kind "other": look them up too.
        fn = self.model.function(rid) if res is None or res.kind == "other" else None
        if fn is not None and fn.arn is not None:
            if attr == "Arn":
                return fn.arn
            if attr == "Ref" and res is None and fn.name.known and isinstance(
                    fn.name.value, (str, Sym)):
                return fn.name.value
        return token

    def canonical_val(self, value: Val) -> Val:
        return _canonical.rewrite_val(value, self.canonical_token)

    def canonicalize(self) -> None:
        _canonical.canonicalize(self.model, self.canonical_token)

    # -- resources ----------------------------------------------------------------
    def resource(self, rid: str, rtype: str, kind: str) -> Resource:
        props = self.props(rid)
        res = Resource(rid, kind, rtype, self.loc(rid))
        get = self.resolver.get
        if kind == "sqs":
            res.props["visibility_timeout"] = self.prop_or_default(
                props, "VisibilityTimeout", rid, 30
            )
            name = get(props, "QueueName")
            res.props["name"] = name
            fifo = get(props, "FifoQueue")
            if not fifo.known and not self.resolver.has(props, "FifoQueue"):
                fifo = fifo_by_name(name.value if name.known else None, self.loc(rid))
            res.props["fifo"] = fifo
            self.redrive(res, props)
            res.props["kms_key"] = get(props, "KmsMasterKeyId")
            res.props["message_retention"] = self.prop_or_default(
                props, "MessageRetentionPeriod", rid, 345600
            )
            res.arn = self.arn("sqs", rid, name, "QueueName", "")
        elif kind == "sns":
            name = get(props, "TopicName")
            res.props["name"] = name
            fifo = get(props, "FifoTopic")
            if not self.resolver.has(props, "FifoTopic"):
                fifo = fifo_by_name(name.value if name.known else None, self.loc(rid))
            res.props["fifo"] = fifo
            res.props["kms_key"] = get(props, "KmsMasterKeyId")
            res.arn = self.arn("sns", rid, name, "TopicName", "")
        elif kind == "kinesis":
            name = get(props, "Name")
            res.props["name"] = name
            res.props["kms_key"] = self.resolver.path(props, "StreamEncryption.KeyId")
            res.arn = self.arn("kinesis", rid, name, "Name", "stream/")
        elif kind == "kinesis-consumer":
            res.arn = Sym.of(Token("attr", rid, "ConsumerARN"))
            res.props["stream"] = get(props, "StreamARN")
        elif kind == "dynamodb":
            name = get(props, "TableName")
            res.props["name"] = name
            if rtype == "AWS::Serverless::SimpleTable":
                res.props["stream_enabled"] = default(False, self.loc(rid))
            elif self.resolver.has(props, "StreamSpecification"):
                spec = get(props, "StreamSpecification")
                res.props["stream_enabled"] = (
                    known(True, spec.loc) if spec.known else unknown(spec.reason, spec.loc)
                )
            else:
                res.props["stream_enabled"] = default(False, self.loc(rid))
            res.arn = self.arn("dynamodb", rid, name, "TableName", "table/")
        elif kind == "s3":
            name = get(props, "BucketName")
            res.props["name"] = name
            if name.known and isinstance(name.value, (str, Sym)):
                res.arn = Sym.of("arn:", P, ":s3:::", name.value)
            else:
                res.arn = Sym.of("arn:", P, ":s3:::", Token("attr", rid, "Ref"))
        elif kind == "kms":
            # Ref of a key is its key ID, so this is what GetAtt Arn and a
            # !Sub ...:key/${Key} spell alike (see canonical_token).
            res.arn = Sym.of("arn:", P, ":kms:", R, ":", A, ":key/", Token("attr", rid, "Ref"))
            if self.resolver.has(props, "KeyPolicy"):
                res.props["key_policy"] = known(
                    self.policy(self.resolver.get(props, "KeyPolicy"), f"key policy of {rid}"),
                    self.loc(rid),
                )
            else:
                # Without KeyPolicy, KMS attaches its default key policy: the account root
                # may do everything, which delegates access to IAM policies.
                source = f"default key policy of {rid}"
                res.props["key_policy"] = default(Policy([Statement(
                    "Allow", [known("kms:*")], [known("*")],
                    principals=[known(Sym.of("arn:", P, ":iam::", A, ":root"))],
                    source=source)], source=source), self.loc(rid))
        elif kind == "kms-alias":
            res.props["name"] = get(props, "AliasName")
            res.props["target_key"] = get(props, "TargetKeyId")
        elif kind == "mq":
            res.props["public"] = get(props, "PubliclyAccessible")
            res.props["engine"] = get(props, "EngineType")
            res.arn = Sym.of(Token("attr", rid, "Arn"))
        elif kind in ("msk", "docdb", "rule", "eventbus", "userpool", "secret"):
            res.arn = Sym.of(Token("attr", rid, "Arn"))
            if kind == "eventbus":
                res.props["name"] = get(props, "Name")
        elif kind in ("alias", "version"):
            res.props["function"] = get(props, "FunctionName")
            if kind == "alias":
                res.props["name"] = get(props, "Name")
        elif kind == "loggroup":
            res.props["name"] = get(props, "LogGroupName")
            name = res.props["name"]
            res.arn = Sym.of("arn:", P, ":logs:", R, ":", A, ":log-group:", name.value if (
                name.known and isinstance(name.value, (str, Sym))) else Token("attr", rid, "Ref"),
                ":*")
        return res

    def arn(self, service: str, rid: str, name: Val, attr: str, prefix: str) -> Sym:
        """The ARN of a resource, with its name literal when the template sets it."""
        if name.known and isinstance(name.value, (str, Sym)):
            tail: Any = name.value
        else:
            tail = Token("attr", rid, attr)
        return Sym.of("arn:", P, f":{service}:", R, ":", A, ":", prefix, tail)

    def redrive(self, res: Resource, props: dict) -> None:
        value = self.resolver.get(props, "RedrivePolicy")
        if not self.resolver.has(props, "RedrivePolicy"):
            res.props["redrive"] = default(None, res.loc)
            return
        policy = value.value if value.known else None
        if isinstance(policy, Sym):  # a Fn::Sub'ed JSON string: tokens kept as Fn::Sub
            policy = _sym_json(policy)
        if isinstance(policy, str):
            try:
                policy = load_json(policy)
            except ValueError:
                policy = None
        if not isinstance(policy, dict):
            res.props["redrive"] = unknown(value.reason or "RedrivePolicy not readable", value.loc)
            return
        res.props["redrive"] = known(policy, value.loc)
        count = self.resolver.get(policy, "maxReceiveCount", value.loc)
        # Inside a JSON string there are no marks: locate the count at RedrivePolicy.
        count_loc = count.loc if count.loc and count.loc.line > 0 else value.loc
        res.props["max_receive_count"] = Val(count.state, count.value, count_loc, count.reason)
        res.props["dead_letter_target"] = self.resolver.get(
            policy, "deadLetterTargetArn", value.loc
        )

    # -- IAM ----------------------------------------------------------------------
    def policy(self, document: Val, source: str) -> Policy:
        """Parse a policy document (mapping, JSON string or Fn::Sub'ed JSON)."""
        policy = Policy(source=source, loc=document.loc)
        if not document.known:
            policy.unresolved = document.reason or "policy document not readable"
            return policy
        body = document.value
        if isinstance(body, Sym):
            body = _sym_json(body)
        if isinstance(body, str):
            try:
                body = load_json(body)
            except ValueError:
                policy.unresolved = "policy document is not valid JSON"
                return policy
        if not isinstance(body, dict):
            policy.unresolved = "policy document is not a mapping"
            return policy
        statements = self.resolver.get(body, "Statement", document.loc)
        if not statements.known:
            policy.unresolved = statements.reason
            return policy
        items = statements.value
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            policy.unresolved = "Statement is not a list"
            return policy
        for index in range(len(items)):
            item_val = self.resolver.get(items, index, statements.loc)
            policy.statements.append(self.statement(item_val, source))
        return policy

    def statement(self, item: Val, source: str) -> Statement:
        if not item.known or not isinstance(item.value, dict):
            return Statement("Allow", None, None, loc=item.loc, source=source,
                             unresolved=item.reason or "statement not readable")
        body = item.value
        effect = self.resolver.text(body.get("Effect", "Allow"), item.loc)
        statement = Statement(
            effect=effect.value if effect.known and isinstance(effect.value, str) else "Allow",
            actions=self.string_list(body, "Action", item.loc),
            resources=self.string_list(body, "Resource", item.loc),
            not_actions=self.string_list(body, "NotAction", item.loc),
            not_resources=self.string_list(body, "NotResource", item.loc),
            has_condition="Condition" in body,
            principals=self.principals(body.get("Principal"), item.loc),
            loc=item.loc,
            source=source,
        )
        if not effect.known:
            statement.unresolved = "Effect not readable"
        return statement

    def string_list(self, body: dict, key: str, loc: Loc | None) -> list[Val] | None:
        if key not in body:
            return None
        value = self.resolver.get(body, key, loc)
        if not value.known:
            return [value]
        items = value.value if isinstance(value.value, list) else [value.value]
        if isinstance(value.value, list):
            return [self.resolver.text(item, value.loc) for item in items]
        return [self.resolver.text(value.value, value.loc)]

    def principals(self, node: Any, loc: Loc | None) -> list[Val] | None:
        if node is None:
            return None
        value = self.resolver.resolve(node, loc)
        if not value.known:
            return [value]
        if isinstance(value.value, (str, Sym)):
            return [value]
        result: list[Val] = []
        if isinstance(value.value, dict):
            for key in ("Service", "AWS", "Federated", "CanonicalUser"):
                if key in value.value:
                    inner = self.resolver.resolve(value.value[key], loc)
                    items = inner.value if inner.known and isinstance(inner.value, list) else [
                        inner.value
                    ] if inner.known else None
                    if items is None:
                        result.append(inner)
                        continue
                    for entry in items:
                        result.append(self.resolver.text(entry, loc))
        return result

    def role(self, rid: str) -> Role:
        props = self.props(rid)
        role = Role(rid, self.loc(rid))
        role.trust = self.policy(self.resolver.get(props, "AssumeRolePolicyDocument"),
                                 f"trust policy of {rid}")
        policies = self.resolver.get(props, "Policies")
        if policies.known and isinstance(policies.value, list):
            for index in range(len(policies.value)):
                entry_val = self.resolver.get(policies.value, index)
                if entry_val.known and isinstance(entry_val.value, dict):
                    name = entry_val.value.get("PolicyName", index)
                    role.policies.append(self.policy(
                        self.resolver.get(entry_val.value, "PolicyDocument", entry_val.loc),
                        f"inline policy {name} of {rid}",
                    ))
                else:
                    role.policies.append(Policy(unresolved=entry_val.reason or "unreadable",
                                                source=f"inline policy of {rid}"))
        elif self.resolver.has(props, "Policies"):
            role.policies.append(Policy(unresolved=policies.reason or "Policies not readable",
                                        source=f"inline policies of {rid}"))
        self.managed_arns(role, self.resolver.get(props, "ManagedPolicyArns"),
                          self.resolver.has(props, "ManagedPolicyArns"))
        return role

    def managed_arns(self, role: Role, value: Val, present: bool) -> None:
        if not present:
            return
        if not value.known or not isinstance(value.value, list):
            role.managed_policies.append(unknown(value.reason or "ManagedPolicyArns not a list",
                                                 value.loc))
            return
        for index in range(len(value.value)):
            role.managed_policies.append(self.resolver.text(value.value[index], value.loc))

    def attach_policies(self) -> None:
        """Attach AWS::IAM::Policy / ManagedPolicy / RolePolicy resources to their roles."""
        for rid in self.raw:
            rtype = self.type_of(rid)
            if rtype not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                             "AWS::IAM::RolePolicy"):
                continue
            props = self.props(rid)
            policy = self.policy(self.resolver.get(props, "PolicyDocument"),
                                 f"{rtype} {rid}")
            if rtype == "AWS::IAM::RolePolicy":
                targets = [self.resolver.get(props, "RoleName")]
            else:
                roles = self.resolver.get(props, "Roles")
                if not roles.known:
                    targets = [roles] if self.resolver.has(props, "Roles") else []
                elif isinstance(roles.value, list):
                    targets = [self.resolver.get(roles.value, i, roles.loc)
                               for i in range(len(roles.value))]
                else:
                    targets = [unknown("Roles is not a list", roles.loc)]
            for target in targets:
                role = self.role_named(target)
                if role is not None:
                    role.policies.append(policy)
                else:
                    self.open_all_roles(f"{rid} attaches to a role esmlint cannot resolve")
        # Customer managed policies listed in a role's ManagedPolicyArns.
        for role in self.model.roles.values():
            kept: list[Val] = []
            for arn in role.managed_policies:
                target = self.model_ref(arn)
                if target and self.type_of(target) == "AWS::IAM::ManagedPolicy":
                    continue  # its document was attached through its Roles, or below
                kept.append(arn)
            role.managed_policies = kept
        for rid in self.raw:
            if self.type_of(rid) != "AWS::IAM::ManagedPolicy":
                continue
            for role in self.model.roles.values():
                for arn in list(self.raw_managed(role.id)):
                    if self.model_ref(arn) == rid:
                        role.policies.append(self.policy(
                            self.resolver.get(self.props(rid), "PolicyDocument"),
                            f"AWS::IAM::ManagedPolicy {rid}"))

    def raw_managed(self, rid: str) -> list[Val]:
        props = self.props(rid)
        value = self.resolver.get(props, "ManagedPolicyArns")
        if value.known and isinstance(value.value, list):
            return [self.resolver.text(item, value.loc) for item in value.value]
        return []

    def model_ref(self, value: Val) -> str:
        if value.known and isinstance(value.value, Sym):
            parts = value.value.parts
            if len(parts) == 1 and isinstance(parts[0], Token) and parts[0].kind == "attr":
                return parts[0].ref
        return ""

    def role_named(self, value: Val) -> Role | None:
        rid = self.model_ref(value)
        if rid in self.model.roles:
            return self.model.roles[rid]
        if value.known and isinstance(value.value, str):
            for role_id, role in self.model.roles.items():
                name = self.resolver.get(self.props(role_id), "RoleName")
                if name.known and name.value == value.value:
                    return role
        return None

    def open_all_roles(self, reason: str) -> None:
        for role in self.model.roles.values():
            if not role.open_ended:
                role.open_ended = reason

    # -- functions ----------------------------------------------------------------
    def function(self, rid: str) -> Function:
        props = self.props(rid)
        fn = Function(rid, "AWS::Lambda::Function", self.loc(rid))
        self.fill_function(fn, props)
        fn.role_ref = self.resolver.get(props, "Role")
        fn.role = self.role_from_ref(fn.role_ref)
        fn.dead_letter = self.resolver.path(props, "DeadLetterConfig.TargetArn")
        return fn

    def fill_function(self, fn: Function, props: dict) -> None:
        rid = fn.id
        fn.timeout = self.prop_or_default(props, "Timeout", rid, 3)
        fn.reserved_concurrency = self.resolver.get(props, "ReservedConcurrentExecutions")
        fn.recursive_loop = self.prop_or_default(props, "RecursiveLoop", rid, "Terminate")
        fn.name = self.resolver.get(props, "FunctionName")
        fn.vpc = self.resolver.has(props, "VpcConfig")
        if fn.name.known and isinstance(fn.name.value, (str, Sym)):
            tail: Any = fn.name.value
        else:
            tail = Token("attr", rid, "Ref")
        fn.arn = Sym.of("arn:", P, ":lambda:", R, ":", A, ":function:", tail)
        fn.options = dict(self.model.metadata.get(rid, {}))
        tags = self.resolver.get(props, "Tags")
        fn.options.update(_tag_options(tags.value if tags.known else None))
        for key in ("MemorySize", "Runtime", "Handler", "Environment", "Layers"):
            if key in props:
                fn.props[key] = self.resolver.get(props, key)

    def role_from_ref(self, ref: Val) -> Role | None:
        rid = self.model_ref(ref)
        if rid in self.model.roles:
            return self.model.roles[rid]
        return None

    # -- linking invokers to functions ----------------------------------------------
    def find_function(self, value: Val, _seen: frozenset = frozenset()
                      ) -> tuple[Function | None, str]:
        """The function a FunctionName / ARN value names, and its qualifier.

        ``_seen`` holds the aliases and versions followed so far: a cycle names nothing.
        """
        if not value.known:
            return None, ""
        if isinstance(value.value, Sym):
            parts = value.value.parts
            tokens = [p for p in parts if isinstance(p, Token) and p.kind != "pseudo"]
            if not tokens:
                return self.function_named(value.value)
            if len(tokens) == 1 and tokens[0].kind == "attr":
                token = tokens[0]
                text = "".join(p for p in parts if isinstance(p, str))
                qualifier = ""
                tail = parts[-1]
                if isinstance(tail, str) and tail.startswith(":"):
                    qualifier = tail[1:]
                if len(parts) > 1 and not ("function:" in text or qualifier):
                    return None, ""
                sam_name = f"{token.ref}.{token.name}"  # !Sub ${Fn.Alias} of a SAM function
                if sam_name in self.alias_of and not qualifier:
                    fid, alias = self.alias_of[sam_name]
                    return self.model.function(fid), alias
                found = self.model.function(token.ref)
                if found is not None:
                    return found, qualifier
                if token.ref in self.alias_of:
                    fid, alias = self.alias_of[token.ref]
                    return self.model.function(fid), alias
                res = self.model.resources.get(token.ref)
                if res is not None and res.kind in ("alias", "version"):
                    if token.ref in _seen:
                        return None, ""
                    fn, _ = self.find_function(res.get("function"), _seen | {token.ref})
                    if res.kind == "alias":
                        name = res.get("name")
                        return fn, name.value if name.known and isinstance(
                            name.value, str) else "?"
                    return fn, "version"
            return None, ""
        if isinstance(value.value, str):
            return self.function_named(value.value)
        return None, ""

    def function_named(self, value: str | Sym) -> tuple[Function | None, str]:
        """The function a literal name or ARN names (pseudo parameters allowed)."""
        parts = function_name_parts(_flat(value))
        if parts is None:
            return None, ""
        name, qualifier = parts
        for fn in self.model.functions:
            if fn.name.known and isinstance(fn.name.value, (str, Sym)) and _flat(
                    fn.name.value) == name:
                return fn, qualifier
        return None, ""

    def link(self) -> None:
        for rid in self.raw:
            rtype = self.type_of(rid)
            linker = _LINKERS.get(rtype)
            if linker is None and rtype.startswith("Custom::"):
                linker = Builder.custom_resource
            if linker is not None:
                linker(self, rid, self.props(rid))

    def add_source(self, fn: Function, source: Source) -> None:
        fn.sources.append(source)

    def esm(self, rid: str, props: dict) -> None:
        name = self.resolver.get(props, "FunctionName")
        fn, qualifier = self.find_function(name)
        if fn is None:
            self.model.unlinked.add("esm")
            fn, qualifier = self.outside(name, props.get("FunctionName"), rid)
            if fn is None:
                return
        arn = self.resolver.get(props, "EventSourceArn")
        source = Source(rid, POLL, "unknown", self.loc(rid), fn, arn=arn, qualifier=qualifier)
        source.extra["condition"] = self.condition_of(rid)
        self.esm_settings(source, props)
        if self.resolver.has(props, "SelfManagedEventSource"):
            source.kind = "kafka"
        else:
            source.kind, source.resource = self.source_kind(arn)
        self.add_source(fn, source)

    def esm_settings(self, source: Source, props: dict, loc: Loc | None = None) -> None:
        for key in ESM_SETTINGS:
            if isinstance(props, dict) and key in props:
                source.settings[key] = self.resolver.get(props, key, loc)
        self.nested_settings(source, props, loc)

    def nested_settings(self, source: Source, props: dict, loc: Loc | None = None) -> None:
        """Nested settings rules read, flattened with dotted names."""
        for dotted in NESTED_SETTINGS:
            value = self.resolver.path(props, dotted, loc)
            if not value.absent:
                source.settings[dotted] = value
        self.filter_patterns(source, source.settings.get("FilterCriteria.Filters"))
        configs = self.resolver.get(props, "SourceAccessConfigurations", loc)
        if configs.known and isinstance(configs.value, list):
            secrets: list[Val] = []
            vpc = False
            for index in range(len(configs.value)):
                item = self.resolver.get(configs.value, index, configs.loc)
                if not (item.known and isinstance(item.value, dict)):
                    secrets.append(unknown("access configuration not readable", item.loc))
                    continue
                ctype = self.resolver.get(item.value, "Type", item.loc)
                if not ctype.known:
                    secrets.append(unknown("access configuration type not readable", item.loc))
                elif ctype.value in SECRET_ACCESS_TYPES:
                    secrets.append(self.resolver.get(item.value, "URI", item.loc))
                elif ctype.value == "VPC_SUBNET":
                    vpc = True
            source.settings["access.secrets"] = known(secrets, configs.loc)
            source.settings["access.vpc"] = known(vpc, configs.loc)
        elif not configs.absent:
            source.settings["access.secrets"] = unknown(configs.reason, configs.loc)
            source.settings["access.vpc"] = unknown(configs.reason, configs.loc)

    def filter_patterns(self, source: Source, filters: Val | None) -> None:
        """``FilterCriteria.Patterns``: each filter's resolved ``Pattern``, in order.

        An entry that is not a readable mapping (chosen by ``Fn::If``, ``AWS::NoValue``)
        stays an unknown Val, so rules can tell filters that are surely there.
        """
        if filters is None:
            return
        if not (filters.known and isinstance(filters.value, list)):
            source.settings["FilterCriteria.Patterns"] = unknown(filters.reason, filters.loc)
            return
        patterns: list[Val] = []
        for index in range(len(filters.value)):
            item = self.resolver.get(filters.value, index, filters.loc)
            if item.known and isinstance(item.value, dict):
                patterns.append(self.resolver.get(item.value, "Pattern", item.loc))
            else:
                patterns.append(item if not item.known else unknown("not a mapping", item.loc))
        source.settings["FilterCriteria.Patterns"] = known(patterns, filters.loc)

    def source_kind(self, arn: Val) -> tuple[str, Resource | None]:
        """Source type from the resource an ARN refers to, or from the ARN itself (A.0)."""
        rid = self.model_ref(arn)
        if rid:
            res = self.model.resources.get(rid)
            if res is None:
                return "unknown", None
            token = next(arn.value.tokens)
            if res.kind == "dynamodb":
                return ("dynamodb" if token.name == "StreamArn" else "dynamodb-table"), res
            if res.kind == "kinesis-consumer":
                stream = self.model.resources.get(self.model_ref(res.get("stream")))
                return "kinesis", stream
            mapping = {"sqs": "sqs", "kinesis": "kinesis", "msk": "msk", "mq": "mq",
                       "docdb": "documentdb"}
            return mapping.get(res.kind, "unknown"), res
        if arn.known:
            text = _arn_text(arn.value)
            pieces = text.split(":")
            if len(pieces) >= 6 and pieces[0] == "arn":
                service = pieces[2]
                if service == "sqs":
                    return "sqs", None
                if service == "kinesis":
                    return "kinesis", None
                if service == "dynamodb":
                    return ("dynamodb" if "/stream/" in text else "dynamodb-table"), None
                if service == "kafka":
                    return "msk", None
                if service == "mq":
                    return "mq", None
                if service == "rds":
                    return "documentdb", None
        return "unknown", None

    def invoke_config(self, rid: str, props: dict) -> None:
        name = self.resolver.get(props, "FunctionName")
        fn, _ = self.find_function(name)
        if fn is None:
            self.model.unlinked.add("invoke-config")
            fn, _ = self.outside(name, props.get("FunctionName"), rid)
            if fn is None:
                return
        qualifier = self.resolver.get(props, "Qualifier")
        config = InvokeConfig(
            rid, self.loc(rid), fn,
            qualifier=str(qualifier.value) if qualifier.known else "?",
            max_retry_attempts=self.resolver.get(props, "MaximumRetryAttempts"),
            max_event_age=self.resolver.get(props, "MaximumEventAgeInSeconds"),
            on_success=self.resolver.path(props, "DestinationConfig.OnSuccess.Destination"),
            on_failure=self.resolver.path(props, "DestinationConfig.OnFailure.Destination"),
            condition=self.condition_of(rid),
        )
        fn.invoke_configs.append(config)
        self.model.invoke_configs.append(config)

    def permission(self, rid: str, props: dict) -> None:
        resource = self.raw.get(rid)
        depends = resource.get("DependsOn") if isinstance(resource, dict) else None
        perm = Permission(
            rid, self.loc(rid), self.resolver.get(props, "FunctionName"),
            action=self.resolver.get(props, "Action"),
            principal=self.resolver.get(props, "Principal"),
            source_arn=self.resolver.get(props, "SourceArn"),
            source_account=self.resolver.get(props, "SourceAccount"),
            url_auth_type=self.resolver.get(props, "FunctionUrlAuthType"),
            depends_on=_names(depends),
            event_source_token=self.resolver.get(props, "EventSourceToken"),
            principal_org_id=self.resolver.get(props, "PrincipalOrgID"),
            invoked_via_url=self.resolver.get(props, "InvokedViaFunctionUrl"),
        )
        perm.resolved, qualifier = self.find_function(perm.function)
        if perm.resolved is None:
            self.model.unlinked.add("permission")
        else:
            perm.qualifier = known(qualifier, perm.function.loc)
        self.model.permissions.append(perm)

    def push(self, fn_value: Val, rid: str, kind: str, mode: str, loc: Loc,
             invoker: str, extra: dict | None = None, outside: str = "") -> Source | None:
        """A push source of the function ``fn_value`` names (returned; None when it names
        none). ``outside`` keeps it on an external function when that names none of the
        template: "sure" when the invoker can only invoke a function (an SNS lambda
        subscription), "arn" when only a Lambda function ARN shows it is one (a rule
        target)."""
        fn, qualifier = self.find_function(fn_value)
        if fn is None:
            if self.may_be_function(fn_value):
                self.model.unlinked.add(kind)
                if outside:
                    fn, qualifier = self.outside(fn_value, None, rid, outside == "sure")
            if fn is None:
                return None
        source = Source(f"{rid}", mode, kind, loc, fn, qualifier=qualifier, invoker=invoker,
                        extra=extra or {})
        self.add_source(fn, source)
        return source

    def bucket(self, rid: str, props: dict) -> None:
        configs = self.resolver.path(props, "NotificationConfiguration.LambdaConfigurations")
        if not configs.known or not isinstance(configs.value, list):
            return
        for index in range(len(configs.value)):
            entry = self.resolver.get(configs.value, index, configs.loc)
            if entry.known and isinstance(entry.value, dict):
                self.push(self.resolver.get(entry.value, "Function", entry.loc), rid, "s3",
                          ASYNC, entry.loc or self.loc(rid), rid,
                          {"filter": entry.value.get("Filter"),
                           "events": self.resolver.get(entry.value, "Event", entry.loc),
                           **self.s3_filter(entry.value.get("Filter"), entry.loc)})

    def topic(self, rid: str, props: dict) -> None:
        subs = self.resolver.get(props, "Subscription")
        if not subs.known or not isinstance(subs.value, list):
            return
        for index in range(len(subs.value)):
            entry = self.resolver.get(subs.value, index, subs.loc)
            if entry.known and isinstance(entry.value, dict):
                protocol = self.resolver.get(entry.value, "Protocol", entry.loc)
                if protocol.known and str(protocol.value).lower() == "lambda":
                    self.push(self.resolver.get(entry.value, "Endpoint", entry.loc), rid, "sns",
                              ASYNC, entry.loc or self.loc(rid), rid, outside="sure")

    def subscription(self, rid: str, props: dict) -> None:
        protocol = self.resolver.get(props, "Protocol")
        if protocol.known and str(protocol.value).lower() == "lambda":
            topic = self.model_ref(self.resolver.get(props, "TopicArn"))
            self.push(self.resolver.get(props, "Endpoint"), rid, "sns", ASYNC, self.loc(rid),
                      topic or rid, {"filtered": self.resolver.has(props, "FilterPolicy")},
                      outside="sure")

    def rule(self, rid: str, props: dict) -> None:
        targets = self.resolver.get(props, "Targets")
        if not targets.known or not isinstance(targets.value, list):
            return
        for index in range(len(targets.value)):
            entry = self.resolver.get(targets.value, index, targets.loc)
            if entry.known and isinstance(entry.value, dict):
                role = self.resolver.get(entry.value, "RoleArn", entry.loc)
                self.push(self.resolver.get(entry.value, "Arn", entry.loc), rid, "eventbridge",
                          ASYNC, entry.loc or self.loc(rid), rid,
                          {"target_dlq": "DeadLetterConfig" in entry.value,
                           "credentials": role if not role.absent
                           else self.resolver.get(props, "RoleArn")}, outside="arn")

    def schedule(self, rid: str, props: dict) -> Source | None:
        target = props.get("Target") if isinstance(props, dict) else None
        return self.push(self.resolver.path(props, "Target.Arn"), rid, "scheduler", ASYNC,
                         self.loc(rid), rid,
                         {"target_dlq": isinstance(target, dict) and
                          "DeadLetterConfig" in target})

    def log_subscription(self, rid: str, props: dict) -> None:
        self.push(self.resolver.get(props, "DestinationArn"), rid, "logs", ASYNC,
                  self.loc(rid), rid, {"log_group": self.resolver.get(props, "LogGroupName")})

    def topic_rule(self, rid: str, props: dict) -> None:
        actions = self.resolver.path(props, "TopicRulePayload.Actions")
        if not actions.known or not isinstance(actions.value, list):
            return
        for index in range(len(actions.value)):
            entry = self.resolver.get(actions.value, index, actions.loc)
            if entry.known and isinstance(entry.value, dict) and "Lambda" in entry.value:
                self.push(self.resolver.path(entry.value, "Lambda.FunctionArn", entry.loc), rid,
                          "iot", ASYNC, entry.loc or self.loc(rid), rid)

    def url(self, rid: str, props: dict) -> None:
        self.push(self.resolver.get(props, "TargetFunctionArn"), rid, "url", SYNC,
                  self.loc(rid), rid, {"auth_type": self.resolver.get(props, "AuthType")})
        qualifier = self.resolver.get(props, "Qualifier")
        fn, _ = self.find_function(self.resolver.get(props, "TargetFunctionArn"))
        if fn is not None and fn.sources and fn.sources[-1].id == rid and not qualifier.absent:
            fn.sources[-1].qualifier = str(qualifier.value) if qualifier.known else "?"

    def alias(self, rid: str, props: dict) -> None:
        fn, _ = self.find_function(self.resolver.get(props, "FunctionName"))
        if fn is not None:
            name = self.resolver.get(props, "Name")
            if name.known and isinstance(name.value, str):
                fn.aliases = fn.aliases + (name.value,)

    def resource_policy(self, rid: str, props: dict) -> None:
        """A queue, topic, bucket or event bus policy, kept on the resources it applies to
        (``resource_policies``: a list of :class:`Policy`). One whose resources cannot be
        told marks ``unlinked`` as ``resource-policy:<kind>``."""
        rtype = self.type_of(rid)
        key, kind = _RESOURCE_POLICIES[rtype]
        if kind == "eventbus":  # Statement / Principal forms: not read, only noted
            self.model.unlinked.add("resource-policy:eventbus")
            return
        policy = self.policy(self.resolver.get(props, "PolicyDocument"), f"{rtype} {rid}")
        value = self.resolver.get(props, key)
        if value.known and isinstance(value.value, list):
            targets = [self.resolver.get(value.value, i, value.loc)
                       for i in range(len(value.value))]
        else:
            targets = [value]
        for target in targets:
            res = self.model.resources.get(self.model_ref(target))
            if target.known and res is not None and res.kind == kind:
                found = res.props.get("resource_policies")
                policies = list(found.value) if found is not None else []
                res.props["resource_policies"] = known(policies + [policy], res.loc)
            else:
                self.model.unlinked.add(f"resource-policy:{kind}")

    # -- functions outside the template ----------------------------------------------
    def outside(self, value: Val, node: Any, rid: str, sure: bool = True
                ) -> tuple[Function | None, str]:
        """(external function, qualifier) for a function name that names no function of
        the template (see :mod:`esmlint.loaders.external`); (None, "") when the value is
        not set or certainly names something else. With ``sure`` False only a value that
        is a Lambda function ARN counts."""
        if value.absent:
            return None, ""
        if self.external is None:
            self.external = ExternalFunctions(self.model, "AWS::Lambda::Function")
        loc = value.loc if value.loc is not None and value.loc.line else self.loc(rid)
        shared, qualifier, arn = True, "", None
        raw = value.value
        if value.known and isinstance(raw, str):
            parts = split_qualifier(raw)
            if parts is None or (not sure and not lambda_arn_text(raw)):
                return None, ""
            written, qualifier = parts
            arn = Sym.of(written) if written.startswith("arn:") else Sym.of(
                "arn:", P, ":lambda:", R, ":", A, ":function:", written.rsplit(":", 1)[-1])
        elif value.known and isinstance(raw, Sym):
            for token in raw.tokens:
                if token.kind != "attr":
                    continue
                if token.ref in self.model.roles or self.model.function(token.ref) or \
                        token.ref in self.alias_of:
                    return None, ""  # a role, or a function of the template written oddly
                res = self.model.resources.get(token.ref)
                if res is not None and res.kind in ("alias", "version"):
                    qualifier = "?"
                elif res is not None and res.kind != "other":
                    return None, ""  # a queue, topic, table...: not a function
            flat = _flat(raw)
            if flat.startswith("arn:") and not lambda_arn_text(flat):
                return None, ""
            if not sure and not lambda_arn_text(flat):
                return None, ""
            written, found = sym_qualifier(raw)
            qualifier = qualifier or found
        elif value.known or not sure:
            return None, ""
        else:
            written, shared = _written_node(node, rid)
        reason = f"function {written} is not defined in this template"
        fn = self.external.get(written, loc, reason, shared=shared, owner=rid, arn=arn)
        return fn, qualifier

    # -- more invokers (spec B.1, C, D): a small, local block ----------------------------
    def may_be_function(self, value: Val) -> bool:
        """False when a target value certainly names something other than a function
        (a queue, a topic, a stream...): such targets are not invokers left unlinked."""
        if not value.known or not isinstance(value.value, (str, Sym)):
            return True
        rid = self.model_ref(value)
        if rid:
            if rid in self.alias_of or self.model.function(rid) is not None:
                return True
            if rid in self.model.roles:
                return False
            res = self.model.resources.get(rid)
            return res is None or res.kind in ("alias", "version") or res.type in (
                "AWS::Lambda::Function", "AWS::Serverless::Function")
        text = _flat(value.value)
        if text.startswith("arn:"):
            pieces = text.split(":")
            return len(pieces) < 3 or "\x00" in pieces[2] or pieces[2] == "lambda"
        return True

    def lambda_uri(self, value: Val) -> Val | None:
        """The function ARN inside an API Gateway Lambda integration URI
        (``arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations``),
        the value itself when it is a plain function ARN (HTTP APIs take both), None when
        the URI is not a Lambda one (HTTP, mock, other AWS services)."""
        if not value.known or not isinstance(value.value, (str, Sym)):
            return value
        text, tokens = flatten_sym(value.value)
        match = _LAMBDA_PATH.search(text)
        if match is None:
            if ":apigateway:" in text or text.startswith(("http://", "https://")):
                return None
            return value if self.may_be_function(value) else None
        middle = unflatten_sym(match.group(1), tokens)
        literal = middle.literal()
        return known(literal if literal is not None else middle, value.loc)

    def s3_filter(self, node: Any, loc: Loc | None) -> dict:
        """``prefix`` / ``suffix`` of an S3 notification filter, in CloudFormation and SAM
        (``S3Key.Rules``) or CDK (``Key.FilterRules``) spelling; absent when not filtered."""
        result = {"prefix": unknown("not set", loc), "suffix": unknown("not set", loc)}
        if node is None:
            return result
        value = self.resolver.resolve(node, loc)
        rules = self.resolver.path(value.value, "S3Key.Rules", value.loc) if value.known \
            else value
        if value.known and rules.absent:
            rules = self.resolver.path(value.value, "Key.FilterRules", value.loc)
        if rules.absent:
            return result
        if not rules.known or not isinstance(rules.value, list):
            reason = rules.reason or "filter not readable"
            return {"prefix": unknown(reason, loc), "suffix": unknown(reason, loc)}
        for index in range(len(rules.value)):
            item = self.resolver.get(rules.value, index, rules.loc)
            name = self.resolver.get(item.value, "Name", item.loc) if item.known else item
            if not (name.known and isinstance(name.value, str)):
                reason = name.reason or "filter rule not readable"
                return {"prefix": unknown(reason, loc), "suffix": unknown(reason, loc)}
            if name.value.lower() in result:
                result[name.value.lower()] = self.resolver.get(item.value, "Value", item.loc)
        return result

    def definition_may_set_timeout(self, api: str) -> bool:
        """Whether the API's own OpenAPI definition may set ``timeoutInMillis``, or makes
        the route instead of the SAM event: SAM adds an event's route to a definition the
        user wrote only with ``MergeDefinitions`` (it creates the event's permission all
        the same). The routes of such a definition are callers of their own
        (:meth:`api_definition`)."""
        props = self.props(api)
        if self.type_of(api).startswith("AWS::Serverless::") and any(
                self.resolver.has(props, key) for key in ("DefinitionBody", "DefinitionUri")):
            merge = self.resolver.get(props, "MergeDefinitions")
            if not (merge.known and str(merge.value).lower() == "true"):
                return True
        if any(self.resolver.has(props, key) for key in (
                "DefinitionUri", "BodyS3Location", "Location")):
            return True
        body = props.get("DefinitionBody", props.get("Body"))
        stack = [body]
        seen: set[int] = set()  # YAML aliases share containers: each is walked once
        while stack:
            node = stack.pop()
            if isinstance(node, (dict, list)):
                if id(node) in seen:
                    continue
                seen.add(id(node))
            if isinstance(node, dict):
                if "timeoutInMillis" in node or "Fn::Transform" in node:
                    return True
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, str) and "timeoutInMillis" in node:
                return True
            if isinstance(node, dict) and "responseTransferMode" in node:
                return True  # a streamed response may be given up to 15 minutes
        return False

    def api_method(self, rid: str, props: dict) -> None:
        """AWS::ApiGateway::Method with a Lambda (AWS / AWS_PROXY) integration."""
        integration = self.resolver.get(props, "Integration")
        if integration.absent:
            return
        if not integration.known or not isinstance(integration.value, dict):
            self.model.unlinked.add("api")
            return
        body, where = integration.value, integration.loc
        itype = self.resolver.get(body, "Type", where)
        if itype.known and str(itype.value).upper() not in ("AWS", "AWS_PROXY"):
            return
        uri = self.resolver.get(body, "Uri", where)
        target = self.lambda_uri(uri)
        if target is None:
            return
        api = self.model_ref(self.resolver.get(props, "RestApiId"))
        invocation = self.invocation_type(body, where)
        transfer = self.resolver.get(body, "ResponseTransferMode", where)
        self.push(target, rid, "api", ASYNC if invocation == "'Event'" else SYNC,
                  self.loc(rid), api or rid, {
            "api_type": "rest",
            "mode_unknown": invocation not in ("", "'Event'", "'RequestResponse'"),
            "streamed": "response-streaming-invocations" in str(uri.value) or not (
                transfer.absent or transfer.known and transfer.value == "BUFFERED"),
            "timeout_ms": self.resolver.get(body, "TimeoutInMillis", where),
            "credentials": self.resolver.get(body, "Credentials", where),
            "method": self.resolver.get(props, "HttpMethod"),
        })

    def invocation_type(self, body: dict, where: Loc | None) -> str:
        """The ``X-Amz-Invocation-Type`` a REST integration sends ("" when not set; "?"
        when mapped from the request or unreadable)."""
        params = self.resolver.get(body, "RequestParameters", where)
        if params.absent:
            return ""
        if not params.known or not isinstance(params.value, dict):
            return "?"
        for key in params.value:
            if str(key).lower() == "integration.request.header.x-amz-invocation-type":
                value = self.resolver.get(params.value, key, params.loc)
                return value.value if value.known and isinstance(value.value, str) else "?"
        return ""

    def api_authorizer(self, rid: str, props: dict) -> None:
        """AWS::ApiGateway::Authorizer / AWS::ApiGatewayV2::Authorizer with a Lambda."""
        target = self.lambda_uri(self.resolver.get(props, "AuthorizerUri"))
        if target is None or self.resolver.get(props, "AuthorizerUri").absent:
            return
        v2 = self.type_of(rid).startswith("AWS::ApiGatewayV2")
        api = self.model_ref(self.resolver.get(props, "ApiId" if v2 else "RestApiId"))
        kind = self.v2_kind(api) if v2 else "api"
        credentials = "AuthorizerCredentialsArn" if v2 else "AuthorizerCredentials"
        self.push(target, rid, kind, SYNC, self.loc(rid), api or rid, {
            "authorizer": True, "api_type": "rest" if not v2 else kind,
            "credentials": self.resolver.get(props, credentials)})

    def v2_kind(self, api: str) -> str:
        """``websocket`` for a WebSocket API in the template, else ``httpapi``."""
        protocol = self.resolver.get(self.props(api), "ProtocolType") if api else None
        if protocol is not None and protocol.known and str(protocol.value).upper() == \
                "WEBSOCKET":
            return "websocket"
        return "httpapi"

    def api_v2_integration(self, rid: str, props: dict) -> None:
        """AWS::ApiGatewayV2::Integration with a Lambda proxy integration."""
        itype = self.resolver.get(props, "IntegrationType")
        if itype.known and str(itype.value).upper() not in ("AWS", "AWS_PROXY"):
            return
        if self.resolver.has(props, "IntegrationSubtype"):
            return  # an AWS service integration (SQS-SendMessage...), not Lambda
        uri = self.resolver.get(props, "IntegrationUri")
        if uri.absent:
            return
        target = self.lambda_uri(uri)
        if target is None:
            return
        api = self.model_ref(self.resolver.get(props, "ApiId"))
        protocol_known = bool(api) and self.type_of(api) == "AWS::ApiGatewayV2::Api"
        kind = self.v2_kind(api)
        self.push(target, rid, kind, SYNC, self.loc(rid), api or rid, {
            "api_type": kind if protocol_known else "unknown",
            "timeout_ms": self.resolver.get(props, "TimeoutInMillis"),
            "credentials": self.resolver.get(props, "CredentialsArn"),
        })

    def api_v2(self, rid: str, props: dict) -> None:
        """AWS::ApiGatewayV2::Api quick create: ``Target`` is the function; or its
        OpenAPI ``Body``."""
        self.api_definition(rid, props)
        target = self.resolver.get(props, "Target")
        if target.absent:
            return
        self.push(target, rid, "httpapi", SYNC, target.loc or self.loc(rid), rid, {
            "api_type": "httpapi", "timeout_ms": unknown("not set", target.loc),
            "credentials": self.resolver.get(props, "CredentialsArn"), "quick_create": True})

    def api_definition(self, rid: str, props: dict) -> None:
        """The Lambda integrations and authorizers of an API's OpenAPI definition
        (``DefinitionBody`` / ``Body``; ``DefinitionUri`` / ``BodyS3Location`` are files
        esmlint does not read: their invokers stay unlinked)."""
        rtype = self.type_of(rid)
        sam = rtype.startswith("AWS::Serverless::")
        kind = "api" if rtype in ("AWS::Serverless::Api", "AWS::ApiGateway::RestApi") \
            else "httpapi"
        if kind == "httpapi" and self.v2_kind(rid) == "websocket":
            return  # WebSocket APIs are not imported from OpenAPI
        if self.resolver.has(props, "DefinitionUri" if sam else "BodyS3Location"):
            self.model.unlinked.update((kind, "openapi"))
        key = "DefinitionBody" if sam else "Body"
        if not self.resolver.has(props, key):
            return
        # Imported here, not at the top: most templates have no inline definition, and
        # every run of `esmlint check` would pay for the OpenAPI reader's import.
        from ..openapi import read_definition

        # SAM's Auth.Authorizers may generate the permission of an authorizer the
        # definition also names: those are left to SAM.
        definition = read_definition(self.resolver.get(props, key), self.resolver.get,
                                     authorizers=not (sam and self.resolver.has(props, "Auth")))
        if definition.unreadable:
            self.model.unlinked.update((kind, "openapi"))
        api_type = "rest" if kind == "api" else "httpapi"
        for found in definition.integrations:
            target = self.lambda_uri(found.uri)
            source = self.push(target, rid, kind, found.mode, found.loc or self.loc(rid), rid,
                               found.extra(api_type)) if target is not None else None
            if source is not None:  # one source per route, declared in the API resource
                source.id, source.origin = f"{rid} {found.route}", rid

    def distribution(self, rid: str, props: dict) -> None:
        """AWS::CloudFront::Distribution Lambda@Edge associations, in the default and every
        other cache behavior: synchronous callers (spec D; ESM501, ESM504)."""
        config = self.resolver.get(props, "DistributionConfig")
        if not (config.known and isinstance(config.value, dict)):
            if not config.absent:
                self.model.unlinked.add("cloudfront")
            return
        behaviors = [self.resolver.get(config.value, "DefaultCacheBehavior", config.loc)]
        others = self.resolver.get(config.value, "CacheBehaviors", config.loc)
        if others.known and isinstance(others.value, list):
            behaviors += [self.resolver.get(others.value, i, others.loc)
                          for i in range(len(others.value))]
        elif not others.absent:
            self.model.unlinked.add("cloudfront")
        for behavior in behaviors:
            if behavior.absent:
                continue
            found = self.resolver.get(behavior.value, "LambdaFunctionAssociations",
                                      behavior.loc) if behavior.known else behavior
            entries = found.value if found.known and isinstance(found.value, list) else None
            if entries is None:
                if not found.absent:
                    self.model.unlinked.add("cloudfront")
                continue
            for index in range(len(entries)):
                entry = self.resolver.get(entries, index, found.loc)
                if not (entry.known and isinstance(entry.value, dict)):
                    self.model.unlinked.add("cloudfront")
                    continue
                arn = self.resolver.get(entry.value, "LambdaFunctionARN", entry.loc)
                if arn.absent:
                    continue
                fn, qualifier = self.edge_function(arn)
                if fn is None:
                    self.model.unlinked.add("cloudfront")
                    fn, qualifier = self.outside(arn, entry.value.get("LambdaFunctionARN"),
                                                 rid)
                    if fn is None:
                        continue
                self.add_source(fn, Source(
                    rid, SYNC, "cloudfront", entry.loc or self.loc(rid), fn,
                    qualifier=qualifier, invoker=rid, extra={
                        "event_type": self.resolver.get(entry.value, "EventType", entry.loc),
                        "edge_arn": arn}))

    def edge_function(self, arn: Val) -> tuple[Function | None, str]:
        """The function a Lambda@Edge association names and its qualifier, also for
        ``!Sub ${Fn.Arn}:${FnVersion.Version}`` (a version of the template)."""
        fn, qualifier = self.find_function(arn)
        if fn is not None or not (arn.known and isinstance(arn.value, Sym)):
            return fn, qualifier
        parts = arn.value.parts
        if len(parts) == 3 and parts[1] == ":" and all(
                isinstance(p, Token) and p.kind == "attr" for p in (parts[0], parts[2])):
            head, tail = parts[0], parts[2]
            res = self.model.resources.get(tail.ref)
            if head.name == "Arn" and tail.name == "Version" and res is not None and \
                    res.kind == "version":
                found, _ = self.find_function(res.get("function"))
                if found is not None and found is self.model.function(head.ref):
                    return found, "version"
        return None, ""

    def target_group(self, rid: str, props: dict) -> None:
        """AWS::ElasticLoadBalancingV2::TargetGroup with TargetType lambda."""
        ttype = self.resolver.get(props, "TargetType")
        if not (ttype.known and str(ttype.value).lower() == "lambda"):
            return
        targets = self.resolver.get(props, "Targets")
        if not targets.known or not isinstance(targets.value, list):
            if not targets.absent:
                self.model.unlinked.add("alb")
            return
        for index in range(len(targets.value)):
            entry = self.resolver.get(targets.value, index, targets.loc)
            if entry.known and isinstance(entry.value, dict):
                self.push(self.resolver.get(entry.value, "Id", entry.loc), rid, "alb", SYNC,
                          entry.loc or self.loc(rid), rid)

    def user_pool(self, rid: str, props: dict) -> None:
        """AWS::Cognito::UserPool LambdaConfig triggers."""
        config = self.resolver.get(props, "LambdaConfig")
        if config.absent:
            return
        if not config.known or not isinstance(config.value, dict):
            self.model.unlinked.add("cognito")
            return
        for key in config.value:
            if key in COGNITO_TRIGGERS:
                value = self.resolver.get(config.value, key, config.loc)
            elif key in ("PreTokenGenerationConfig", "CustomSMSSender", "CustomEmailSender"):
                value = self.resolver.path(config.value, f"{key}.LambdaArn", config.loc)
                if value.absent:
                    continue
            else:
                continue
            self.push(value, rid, "cognito", SYNC, value.loc or self.loc(rid), rid,
                      {"trigger": key})

    def receipt_rule(self, rid: str, props: dict) -> None:
        """AWS::SES::ReceiptRule Lambda actions (InvocationType Event by default)."""
        actions = self.resolver.path(props, "Rule.Actions")
        if not actions.known or not isinstance(actions.value, list):
            if not actions.absent:
                self.model.unlinked.add("ses")
            return
        for index in range(len(actions.value)):
            entry = self.resolver.get(actions.value, index, actions.loc)
            if not (entry.known and isinstance(entry.value, dict)
                    and "LambdaAction" in entry.value):
                continue
            action = self.resolver.get(entry.value, "LambdaAction", entry.loc)
            if not action.known or not isinstance(action.value, dict):
                self.model.unlinked.add("ses")
                continue
            invocation = self.resolver.get(action.value, "InvocationType", action.loc)
            sync = invocation.known and invocation.value == "RequestResponse"
            self.push(self.resolver.get(action.value, "FunctionArn", action.loc), rid, "ses",
                      SYNC if sync else ASYNC, action.loc or self.loc(rid), rid,
                      {"mode_unknown": not invocation.known and not invocation.absent})

    def repository(self, rid: str, props: dict) -> None:
        """AWS::CodeCommit::Repository triggers whose destination is a function."""
        triggers = self.resolver.get(props, "Triggers")
        if not triggers.known or not isinstance(triggers.value, list):
            if not triggers.absent:
                self.model.unlinked.add("codecommit")
            return
        for index in range(len(triggers.value)):
            entry = self.resolver.get(triggers.value, index, triggers.loc)
            if entry.known and isinstance(entry.value, dict):
                target = self.resolver.get(entry.value, "DestinationArn", entry.loc)
                if self.may_be_function(target):
                    self.push(target, rid, "codecommit", ASYNC, entry.loc or self.loc(rid), rid)

    def config_rule(self, rid: str, props: dict) -> None:
        """AWS::Config::ConfigRule with a custom Lambda rule."""
        owner = self.resolver.path(props, "Source.Owner")
        if owner.known and owner.value != "CUSTOM_LAMBDA":
            return
        target = self.resolver.path(props, "Source.SourceIdentifier")
        if self.may_be_function(target):
            self.push(target, rid, "config", ASYNC, self.loc(rid), rid)

    def rotation(self, rid: str, props: dict) -> None:
        """AWS::SecretsManager::RotationSchedule with a rotation function."""
        target = self.resolver.get(props, "RotationLambdaARN")
        if not target.absent:
            secret = self.model_ref(self.resolver.get(props, "SecretId"))
            self.push(target, rid, "secretsmanager", SYNC, self.loc(rid), secret or rid)

    def custom_resource(self, rid: str, props: dict) -> None:
        """Custom resources (CloudFormation invokes the ServiceToken function), and the
        bucket notifications CDK writes through ``Custom::S3BucketNotifications``."""
        token = self.resolver.get(props, "ServiceToken")
        if self.may_be_function(token):
            self.push(token, rid, "cloudformation", ASYNC, self.loc(rid), rid)
        if self.type_of(rid) != "Custom::S3BucketNotifications":
            return
        bucket = self.model_ref(self.resolver.get(props, "BucketName"))
        configs = self.resolver.path(
            props, "NotificationConfiguration.LambdaFunctionConfigurations")
        if not configs.known or not isinstance(configs.value, list):
            if not configs.absent:
                self.model.unlinked.add("s3")
            return
        for index in range(len(configs.value)):
            entry = self.resolver.get(configs.value, index, configs.loc)
            if entry.known and isinstance(entry.value, dict):
                extra = {"events": self.resolver.get(entry.value, "Events", entry.loc),
                         "notification": rid}
                extra.update(self.s3_filter(entry.value.get("Filter"), entry.loc))
                self.push(self.resolver.get(entry.value, "LambdaFunctionArn", entry.loc), rid,
                          "s3", ASYNC, entry.loc or self.loc(rid), bucket or rid, extra)


def index_references(raw: dict, outputs: Any, aliases: dict[str, str], model: Model) -> None:
    """``model.depends`` and ``model.referrers``: who references whom, and the order
    CloudFormation creates resources in.

    A function of the template's parts, not a Builder method: the model keeps it until a
    rule asks, and a bound method would tie the builder (and the whole decoded template)
    to the model in a reference cycle that only the cyclic collector can free.
    """
    names = {rid for rid in raw if isinstance(rid, str)}
    for rid in names:
        resource = raw.get(rid)
        if not isinstance(resource, dict):
            continue
        deps = set(_names(resource.get("DependsOn")))
        props = resource.get("Properties")
        if isinstance(props, dict):
            for key, node in props.items():
                for target in _referenced(node, names, aliases):
                    deps.add(target)
                    if target != rid:
                        model.referrers.setdefault(target, []).append((rid, str(key)))
        deps.discard(rid)
        model.depends[rid] = deps
    if isinstance(outputs, dict):
        for output in outputs.values():
            if not isinstance(output, dict):
                continue
            key = "Export" if "Export" in output else "Value"
            for target in _referenced(output.get("Value"), names, aliases):
                model.referrers.setdefault(target, []).append(("Outputs", key))


#: Cognito user pool ``LambdaConfig`` keys whose value is the function ARN.
COGNITO_TRIGGERS = (
    "CreateAuthChallenge", "CustomMessage", "DefineAuthChallenge", "PostAuthentication",
    "PostConfirmation", "PreAuthentication", "PreSignUp", "PreTokenGeneration",
    "UserMigration", "VerifyAuthChallengeResponse",
)


def _written_node(node: Any, rid: str) -> tuple[str, bool]:
    """How an unresolved function name is written (``!Ref Name``, ``!ImportValue X``),
    and whether that text names one value wherever it is written."""
    if isinstance(node, dict) and len(node) == 1:
        (key, arg), = node.items()
        if key == "Ref" and isinstance(arg, str):
            return f"!Ref {arg}", True
        if key == "Fn::ImportValue" and isinstance(arg, str):
            return f"!ImportValue {arg}", True
        if key == "Fn::GetAtt" and isinstance(arg, list) and all(
                isinstance(a, str) for a in arg):
            return f"!GetAtt {'.'.join(arg)}", True
        if isinstance(key, str) and key.startswith("Fn::"):
            return f"!{key[4:]} ... (in {rid})", False
    return f"the function of {rid}", False


def _flat(value: str | Sym) -> str:
    """A string or Sym as text, pseudo parameters spelled without colons (for comparing)."""
    if isinstance(value, str):
        return value
    return "".join(
        part if isinstance(part, str)
        else "\x00" + part.ref.replace(":", "_") + "." + part.name + "\x00"
        for part in value.parts
    )


_LAMBDA_PATH = re.compile(
    r"lambda:path/[0-9-]+/functions/(.+)/(?:response-streaming-)?invocations")
_SUB_NAME = re.compile(r"\$\{([^}!][^}]*)\}")


def _referenced(node: Any, names: set[str], aliases: dict[str, str]) -> set[str]:
    """The resources a property value names through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()

    def add(name: Any) -> None:
        if isinstance(name, str):
            if name in aliases:
                found.add(aliases[name])
            elif name in names:
                found.add(name)
            elif "." in name and name.split(".", 1)[0] in names:
                found.add(name.split(".", 1)[0])

    stack = [node]
    seen: set[int] = set()  # YAML aliases share containers: walk each once (alias bombs)
    while stack:
        item = stack.pop()
        if isinstance(item, (list, dict)):
            if id(item) in seen:
                continue
            seen.add(id(item))
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if len(item) == 1:
                key, arg = next(iter(item.items()))
                if key == "Ref":
                    add(arg)
                    continue
                if key == "Fn::GetAtt":
                    if isinstance(arg, str):
                        add(arg.split(".", 1)[0] if arg.split(".", 1)[0] in names else arg)
                    elif isinstance(arg, list) and arg:
                        add(arg[0])
                        stack.extend(arg[1:])
                    continue
                if key == "Fn::Sub":
                    template, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(
                        arg) == 2 and isinstance(arg[1], dict) else (arg, {})
                    if isinstance(template, str):
                        for match in _SUB_NAME.finditer(template):
                            name = match.group(1).strip()
                            if name not in variables:
                                add(name)
                    if isinstance(variables, dict):
                        stack.extend(variables.values())
                    continue
            stack.extend(item.values())
    return found


def _arn_text(value: Any) -> str:
    """An ARN as text for reading its service, tokens standing in without their colons."""
    if isinstance(value, Sym):
        return "".join(p if isinstance(p, str) else "X" for p in value.parts)
    return str(value)


def _sym_json(sym: Sym) -> Any:
    """A Fn::Sub'ed JSON policy: parse it with tokens kept as placeholder strings."""
    placeholders: dict[str, Token] = {}
    text_parts = []
    for part in sym.parts:
        if isinstance(part, Token):
            key = f"\u0000{len(placeholders)}\u0000"
            placeholders[key] = part
            text_parts.append(key)
        else:
            text_parts.append(part)
    try:
        data = load_json("".join(text_parts), strict=False)  # NUL placeholders
    except ValueError:
        return None

    def restore(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: restore(v) for k, v in node.items()}
        if isinstance(node, list):
            return [restore(v) for v in node]
        if isinstance(node, str) and "\u0000" in node:
            pieces: list[Any] = []
            for chunk in node.split("\u0000"):
                key = f"\u0000{chunk}\u0000"
                pieces.append(placeholders.get(key, chunk))
            return {"Fn::Sub": _sym_to_sub(Sym.of(*pieces))}
        return node

    return restore(data)


def _sym_to_sub(sym: Sym) -> str:
    return str(sym)


def _names(depends: Any) -> tuple[str, ...]:
    if isinstance(depends, str):
        return (depends,)
    if isinstance(depends, list):
        return tuple(d for d in depends if isinstance(d, str))
    return ()


def _tag_options(tags: Any) -> dict:
    """Rule options from CloudFormation tags (a list of Key/Value, or SAM's mapping)."""
    if isinstance(tags, list):
        return options_from_tags((t.get("Key"), t.get("Value")) for t in tags
                                 if isinstance(t, dict))
    if isinstance(tags, dict):
        return options_from_tags(tags.items())
    return {}


#: Resource policy type -> (property naming what it applies to, resource kind).
_RESOURCE_POLICIES = {
    "AWS::SQS::QueuePolicy": ("Queues", "sqs"),
    "AWS::SNS::TopicPolicy": ("Topics", "sns"),
    "AWS::S3::BucketPolicy": ("Bucket", "s3"),
    "AWS::Events::EventBusPolicy": ("EventBusName", "eventbus"),
}

_LINKERS = {
    "AWS::Lambda::EventSourceMapping": Builder.esm,
    "AWS::Lambda::EventInvokeConfig": Builder.invoke_config,
    "AWS::Lambda::Permission": Builder.permission,
    "AWS::S3::Bucket": Builder.bucket,
    "AWS::SNS::Topic": Builder.topic,
    "AWS::SNS::Subscription": Builder.subscription,
    "AWS::Events::Rule": Builder.rule,
    "AWS::Scheduler::Schedule": Builder.schedule,
    "AWS::Logs::SubscriptionFilter": Builder.log_subscription,
    "AWS::IoT::TopicRule": Builder.topic_rule,
    "AWS::Lambda::Url": Builder.url,
    "AWS::Lambda::Alias": Builder.alias,
    "AWS::ApiGateway::Method": Builder.api_method,
    "AWS::ApiGateway::Authorizer": Builder.api_authorizer,
    "AWS::ApiGatewayV2::Authorizer": Builder.api_authorizer,
    "AWS::ApiGatewayV2::Integration": Builder.api_v2_integration,
    "AWS::ApiGatewayV2::Api": Builder.api_v2,
    "AWS::ApiGateway::RestApi": Builder.api_definition,
    "AWS::CloudFront::Distribution": Builder.distribution,
    "AWS::Serverless::Api": Builder.api_definition,
    "AWS::Serverless::HttpApi": Builder.api_definition,
    "AWS::ElasticLoadBalancingV2::TargetGroup": Builder.target_group,
    "AWS::Cognito::UserPool": Builder.user_pool,
    "AWS::SES::ReceiptRule": Builder.receipt_rule,
    "AWS::CodeCommit::Repository": Builder.repository,
    "AWS::Config::ConfigRule": Builder.config_rule,
    "AWS::SecretsManager::RotationSchedule": Builder.rotation,
    "AWS::CloudFormation::CustomResource": Builder.custom_resource,
    **{rtype: Builder.resource_policy for rtype in _RESOURCE_POLICIES},
}

# -- issue 21: role-based invokers (state machines, pipes, AppSync), in invokers.py -------
KINDS.update({
    "AWS::StepFunctions::StateMachine": "states",
    "AWS::Serverless::StateMachine": "states",
    "AWS::Pipes::Pipe": "pipes",
    "AWS::AppSync::DataSource": "appsync",
})
_LINKERS.update({
    **{rtype: invokers.state_machine for rtype in invokers.STATE_MACHINES},
    "AWS::Pipes::Pipe": invokers.pipe,
    "AWS::AppSync::DataSource": invokers.appsync_datasource,
    "AWS::Scheduler::Schedule": invokers.schedule,
})

__all__ = ["build_model", "Builder", "MDict"]
