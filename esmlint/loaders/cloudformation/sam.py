"""Expand AWS::Serverless::Function into the model as the SAM translator would.

Mirrors what aws-sam-translator generates (spec section F): Globals merged into each
function; every event turned into a source; the generated execution role with the managed
policies and statements SAM adds by itself (none at all when ``Role`` is set); policy
templates expanded from the translator's own ``policy_templates.json`` (read as data, the
translator is never imported); permissions for push events; the queue SAM creates for an
SNS event with ``SqsSubscription: true``.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from ...model import (
    ASYNC,
    POLL,
    SYNC,
    Function,
    InvokeConfig,
    Model,
    Permission,
    Policy,
    PolicyTemplateUse,
    Resource,
    Role,
    Source,
    Statement,
)
from ...sam_data import managed_policy_arns, policy_templates
from ...values import ACCOUNT_ID as A
from ...values import PARTITION as P
from ...values import REGION as R
from ...values import Loc, Sym, Token, Val, default, known, unknown
from .intrinsics import Resolver, is_intrinsic


class TemplateBuilder(Protocol):
    """What SAM expansion needs of the CloudFormation builder it runs inside.

    The builder creates the expander and hands itself over; naming the interface here,
    instead of importing the builder, keeps the dependency one-way (builder -> sam).
    """

    data: dict
    raw: dict
    resolver: Resolver
    model: Model
    alias_of: dict[str, tuple[str, str]]

    def loc(self, rid: str) -> Loc: ...
    def props(self, rid: str) -> dict: ...
    def condition_of(self, rid: str) -> str: ...
    def type_of(self, rid: str) -> str: ...
    def policy(self, document: Val, source: str) -> Policy: ...
    def model_ref(self, value: Val) -> str: ...
    def nested_settings(self, source: Source, props: dict, loc: Loc | None = None) -> None: ...
    def source_kind(self, arn: Val) -> tuple[str, Resource | None]: ...
    def s3_filter(self, node: Any, loc: Loc | None) -> dict: ...
    def definition_may_set_timeout(self, api: str) -> bool: ...


#: Managed policy SAM adds to the generated role for each poll event type (F.1).
EVENT_MANAGED_POLICY = {
    "SQS": "service-role/AWSLambdaSQSQueueExecutionRole",
    "Kinesis": "service-role/AWSLambdaKinesisExecutionRole",
    "DynamoDB": "service-role/AWSLambdaDynamoDBExecutionRole",
    "MSK": "service-role/AWSLambdaMSKExecutionRole",
}

POLL_EVENTS = {
    "SQS": ("sqs", "Queue"),
    "Kinesis": ("kinesis", "Stream"),
    "DynamoDB": ("dynamodb", "Stream"),
    "MSK": ("msk", "Stream"),
    "MQ": ("mq", "Broker"),
    "DocumentDB": ("documentdb", "Cluster"),
    "SelfManagedKafka": ("kafka", ""),
}

#: Push events: SAM type -> (model kind, mode, principal of the permission SAM creates).
PUSH_EVENTS = {
    "S3": ("s3", ASYNC, "s3.amazonaws.com"),
    "SNS": ("sns", ASYNC, "sns.amazonaws.com"),
    "EventBridgeRule": ("eventbridge", ASYNC, "events.amazonaws.com"),
    "CloudWatchEvent": ("eventbridge", ASYNC, "events.amazonaws.com"),
    "Schedule": ("schedule", ASYNC, "events.amazonaws.com"),
    "ScheduleV2": ("scheduler", ASYNC, ""),
    "CloudWatchLogs": ("logs", ASYNC, "logs.amazonaws.com"),
    "IoTRule": ("iot", ASYNC, "iot.amazonaws.com"),
    "Cognito": ("cognito", SYNC, "cognito-idp.amazonaws.com"),
    "Api": ("api", SYNC, "apigateway.amazonaws.com"),
    "HttpApi": ("httpapi", SYNC, "apigateway.amazonaws.com"),
    "AlexaSkill": ("alexa", SYNC, "alexa-appkit.amazon.com"),
}

#: Globals.Function properties SAM does not merge (F.4).
_NOT_GLOBAL = {"Role", "Policies", "FunctionName", "Events"}


def merge_globals(global_props: Any, local: Any, _memo: dict | None = None) -> Any:
    """SAM's Globals merge: local wins for scalars, lists concatenate, dicts merge.

    ``_memo`` merges each pair of mappings once: YAML aliases can share one mapping
    thousands of times on both sides (an alias bomb), and the result stays shared.
    """
    if isinstance(global_props, dict) and isinstance(local, dict):
        if is_intrinsic(global_props) or is_intrinsic(local):
            return local
        memo: dict = {} if _memo is None else _memo
        pair = (id(global_props), id(local))
        if pair in memo:
            return memo[pair]
        merged = type(local)() if hasattr(local, "marks") else {}
        memo[pair] = merged
        if hasattr(merged, "marks"):
            merged.line, merged.column = local.line, local.column
        for key, value in global_props.items():
            merged[key] = value
            if hasattr(merged, "marks") and hasattr(global_props, "marks"):
                merged.marks[key] = global_props.marks.get(key, (0, 0))
        for key, value in local.items():
            merged[key] = merge_globals(global_props[key], value, memo) \
                if key in global_props else value
            if hasattr(merged, "marks"):
                merged.marks[key] = local.marks.get(key, (0, 0))
        return merged
    if isinstance(global_props, list) and isinstance(local, list):
        merged_list = type(local)() if hasattr(local, "marks") else []
        if hasattr(merged_list, "marks"):
            merged_list.line, merged_list.column = local.line, local.column
        for source in (global_props, local):
            for index, item in enumerate(source):
                merged_list.append(item)
                if hasattr(merged_list, "marks"):
                    merged_list.marks.append(source.marks[index] if hasattr(source, "marks")
                                             else (0, 0))
        return merged_list
    return local


def _is_set(props: Any, key: str) -> bool:
    """Whether a SAM property is given: SAM treats ``Role:`` with no value (null) and
    ``!Ref AWS::NoValue`` as not set (it then generates the role, with Policies)."""
    return isinstance(props, dict) and props.get(key) is not None and not (
        isinstance(props[key], dict) and props[key] == {"Ref": "AWS::NoValue"})


class SamExpander:
    """Expands the SAM resources of one template inside a CloudFormation builder."""

    def __init__(self, builder: TemplateBuilder) -> None:
        self.b = builder
        self.r = builder.resolver
        globals_ = builder.data.get("Globals")
        function_globals = globals_.get("Function") if isinstance(globals_, dict) else None
        self.globals: dict = function_globals if isinstance(function_globals, dict) else {}

    def sam_functions(self) -> list[str]:
        return [rid for rid in self.b.raw if isinstance(rid, str)
                and self.b.type_of(rid) == "AWS::Serverless::Function"]

    def register_generated(self) -> None:
        """Make the names SAM generates resolvable: ``Fn.Alias``, ``FnRole``, queues..."""
        for rid in self.sam_functions():
            props = self.properties(rid)
            self.r.resources.setdefault(f"{rid}.Alias", {"Type": "AWS::Lambda::Alias"})
            self.r.resources.setdefault(f"{rid}.Version", {"Type": "AWS::Lambda::Version"})
            alias = self.r.get(props, "AutoPublishAlias")
            alias_name = alias.value if alias.known and isinstance(alias.value, str) else "?"
            self.b.alias_of[f"{rid}.Alias"] = (rid, alias_name)
            self.b.alias_of[f"{rid}.Version"] = (rid, "version")
            if alias.known and isinstance(alias.value, str):
                self.b.alias_of[f"{rid}Alias{alias.value}"] = (rid, alias.value)
            if not _is_set(props, "Role"):
                self.r.resources.setdefault(f"{rid}Role", {"Type": "AWS::IAM::Role"})
            for kind in ("Queue", "Topic"):
                self.r.resources.setdefault(f"{rid}.Destination{kind}", {"Type": "SAM"})

    def properties(self, rid: str) -> dict:
        local = self.b.props(rid)
        resource = self.b.raw.get(rid)
        ignore = resource.get("IgnoreGlobals") if isinstance(resource, dict) else None
        if ignore == "*":
            return local
        ignored = set(ignore) if isinstance(ignore, list) else set()
        global_props = {k: v for k, v in self.globals.items()
                        if k not in _NOT_GLOBAL and k not in ignored}
        if hasattr(self.globals, "marks"):
            from ..yaml import MDict

            marked = MDict(self.globals.line, self.globals.column)
            for key, value in global_props.items():
                marked[key] = value
                marked.marks[key] = self.globals.marks.get(key, (0, 0))
            global_props = marked
        if not global_props:
            return local
        if not isinstance(local, dict) or not local:
            from ..yaml import MDict

            local = MDict(*self._resource_pos(rid))
        return self._noted(merge_globals(global_props, local), global_props, local)

    @staticmethod
    def _noted(merged: Any, global_props: dict, local: dict) -> Any:
        """The merged properties, each key taken from Globals alone noted as such, so
        that messages can say "Timeout 30 s (from Globals.Function.Timeout, line 5)"."""
        from ..yaml import MDict, NotedMDict

        if type(merged) is not MDict:
            return merged
        noted = NotedMDict(merged.line, merged.column)
        noted.update(merged)
        noted.marks.update(merged.marks)
        for key in global_props:
            if key not in local:
                line = merged.marks.get(key, (0, 0))[0]
                noted.notes[key] = f"Globals.Function.{key}" + (f", line {line}" if line else "")
        return noted

    def _resource_pos(self, rid: str) -> tuple[int, int]:
        loc = self.b.loc(rid)
        return loc.line, loc.column

    # -- functions ------------------------------------------------------------------
    def expand_functions(self) -> None:
        for rid in self.sam_functions():
            self.b.model.functions.append(self.function(rid))

    def function(self, rid: str) -> Function:
        b = self.b
        props = self.properties(rid)
        fn = Function(rid, "AWS::Serverless::Function", b.loc(rid), is_sam=True)
        b.fill_function(fn, props)
        alias = self.r.get(props, "AutoPublishAlias")
        qualifier = alias.value if alias.known and isinstance(alias.value, str) else ""
        if qualifier:
            fn.aliases = (qualifier,)
        if _is_set(props, "Role"):
            fn.sam_role_set = True
            fn.role_ref = self.r.get(props, "Role")
            fn.role = b.role_from_ref(fn.role_ref)
            if fn.role is None and fn.role_ref.known and isinstance(fn.role_ref.value, Sym):
                conditional = fn.role_ref
                fn.role_ref = unknown("role chosen by a condition", conditional.loc)
            # What SAM would have generated, and drops because Role is set (ESM204).
            fn.sam_dropped_role = self.generated_role(rid, props, fn)
        else:
            fn.role = self.generated_role(rid, props, fn)
            fn.role_ref = known(Sym.of(Token("attr", fn.role.id, "Arn")), fn.loc)
            b.model.roles[fn.role.id] = fn.role
            b.model.origins[fn.role.id] = rid
        if _is_set(props, "Policies"):
            fn.props["Policies"] = self.r.get(props, "Policies")
        dlq = self.r.get(props, "DeadLetterQueue")
        if dlq.known and isinstance(dlq.value, dict):
            fn.dead_letter = self.r.get(dlq.value, "TargetArn", dlq.loc)
            fn.dead_letter_type = self.r.get(dlq.value, "Type", dlq.loc)
            sam_role = self.sam_role(fn)
            if sam_role is not None:
                action = "sns:Publish" if str(fn.dead_letter_type.value).upper() == "SNS" \
                    else "sqs:SendMessage"
                sam_role.policies.append(self.simple_policy(
                    action, fn.dead_letter, "DeadLetterQueuePolicy (added by SAM)"))
        config = self.r.get(props, "EventInvokeConfig")
        if config.known and isinstance(config.value, dict):
            self.invoke_config(fn, config, qualifier)
        events = self.r.get(props, "Events")
        if events.known and isinstance(events.value, dict):
            for name in events.value:
                event_val = self.r.get(events.value, name, events.loc)
                if event_val.known and isinstance(event_val.value, dict):
                    self.event(fn, str(name), event_val, qualifier)
        url = self.r.get(props, "FunctionUrlConfig")
        if url.known and isinstance(url.value, dict):
            source = Source(f"{rid}Url", SYNC, "url", url.loc or fn.loc, fn,
                            qualifier=qualifier, invoker=f"{rid}Url", origin=rid,
                            extra={"auth_type": self.r.get(url.value, "AuthType", url.loc),
                                   "sam": True})
            fn.sources.append(source)
            auth = self.r.get(url.value, "AuthType", url.loc)
            if auth.known and auth.value == "NONE":
                for pid, action in ((f"{rid}UrlPublicPermissions", "lambda:InvokeFunctionUrl"),
                                    (f"{rid}URLInvokeAllowPublicAccess",
                                     "lambda:InvokeFunction")):
                    self.b.model.permissions.append(Permission(
                        pid, url.loc or fn.loc, known(Sym.of(Token("attr", rid, "Ref")), fn.loc),
                        action=known(action), principal=known("*"),
                        url_auth_type=known("NONE") if "Url" in action else unknown("not set"),
                        origin=rid, resolved=fn, qualifier=known(qualifier),
                        invoked_via_url=unknown("not set") if "Url" in action else known(True)))
        return fn

    # -- the generated role ---------------------------------------------------------
    @staticmethod
    def sam_role(fn: Function) -> Role | None:
        """The role SAM adds its policies to: the generated one, or the one it drops."""
        if fn.role is not None and fn.role.sam_generated:
            return fn.role
        return fn.sam_dropped_role

    def generated_role(self, rid: str, props: dict, fn: Function) -> Role:
        role = Role(f"{rid}Role", fn.loc, sam_generated=True, origin=rid)
        if self.r.has(props, "AssumeRolePolicyDocument"):
            # SAM uses the function's AssumeRolePolicyDocument as the role's trust policy.
            role.trust = self.b.policy(self.r.get(props, "AssumeRolePolicyDocument"),
                                       f"AssumeRolePolicyDocument of {rid}")
        else:
            role.trust = Policy([Statement(
                "Allow", [known("sts:AssumeRole")], None,
                principals=[known("lambda.amazonaws.com")], source="trust policy added by SAM")],
                source="trust policy added by SAM")
        role.managed_policies.append(self.managed("service-role/AWSLambdaBasicExecutionRole"))
        if fn.vpc:
            role.managed_policies.append(
                self.managed("service-role/AWSLambdaVPCAccessExecutionRole"))
        tracing = self.r.get(props, "Tracing")
        if tracing.known and tracing.value not in (None, "Disabled"):
            role.managed_policies.append(self.managed("AWSXRayDaemonWriteAccess"))
        # What Policies gives, kept apart too: ESM204 compares it with a role given in Role.
        given = Role(role.id, role.loc, sam_generated=True, origin=rid)
        policies = self.r.get(props, "Policies")
        if _is_set(props, "Policies"):
            if policies.known and isinstance(policies.value, list):
                for index in range(len(policies.value)):
                    self.policy_entry(given, self.r.get(policies.value, index, policies.loc),
                                      rid)
            else:
                self.policy_entry(given, policies, rid)
        role.policies.extend(given.policies)
        role.managed_policies.extend(given.managed_policies)
        if fn.sam_role_set:
            fn.sam_dropped_policies = given
        return role

    def managed(self, name: str) -> Val:
        return known(Sym.of("arn:", P, f":iam::aws:policy/{name}"))

    def policy_entry(self, role: Role, entry: Val, rid: str) -> None:
        source = f"Policies of {rid}"
        if not entry.known:
            role.managed_policies.append(entry)
            return
        value = entry.value
        if isinstance(value, str):
            if value.startswith("arn:"):
                role.managed_policies.append(entry)
                return
            # SAM turns a managed policy name into its ARN (with its path) from its map.
            arn = managed_policy_arns().get(value)
            if arn and arn.startswith("arn:aws:iam::aws:policy/"):
                role.managed_policies.append(
                    known(Sym.of("arn:", P, arn[len("arn:aws"):]), entry.loc))
            else:
                role.managed_policies.append(self.managed(value))
            return
        if isinstance(value, Sym):
            target = self.b.model_ref(entry)
            if target and self.b.type_of(target) == "AWS::IAM::ManagedPolicy":
                role.policies.append(self.b.policy(
                    self.r.get(self.b.props(target), "PolicyDocument"),
                    f"AWS::IAM::ManagedPolicy {target}"))
            else:
                role.managed_policies.append(entry)
            return
        if isinstance(value, dict):
            if "Statement" in value:
                role.policies.append(self.b.policy(entry, source))
                return
            if len(value) == 1:
                name = next(iter(value))
                templates = policy_templates()
                if name in templates:
                    role.policies.append(self.expand_template(name, value[name], entry, rid))
                    return
        role.policies.append(Policy(unresolved="policy entry not understood", source=source,
                                    loc=entry.loc))

    def expand_template(self, name: str, params: Any, entry: Val, rid: str) -> Policy:
        """A SAM policy template with its parameters put in, parsed like any policy."""
        template = policy_templates()[name]
        definition = copy.deepcopy(template.get("Definition", {}))
        given = params if isinstance(params, dict) else {}
        self.b.model.policy_template_uses.append(PolicyTemplateUse(
            name, rid, {key: self.r.get(given, key, entry.loc) for key in given}, entry.loc))
        missing = [p for p in template.get("Parameters", {}) if p not in given]
        if missing:
            return Policy(unresolved=f"{name} lacks parameter {', '.join(missing)}",
                          source=f"{name} of {rid}", loc=entry.loc)

        def substitute(node: Any) -> Any:
            if isinstance(node, dict):
                if len(node) == 1 and "Ref" in node and node["Ref"] in given:
                    return given[node["Ref"]]
                return {k: substitute(v) for k, v in node.items()}
            if isinstance(node, list):
                return [substitute(v) for v in node]
            return node

        document = known(substitute(definition), entry.loc)
        policy = self.b.policy(document, f"SAM policy template {name} of {rid}")
        for statement in policy.statements:
            statement.loc = entry.loc
        policy.loc = entry.loc
        return policy

    def simple_policy(self, action: str, resource: Val, source: str) -> Policy:
        resources = [resource] if resource.known else [resource]
        return Policy([Statement("Allow", [known(action)], resources, source=source)],
                      source=source)

    # -- async configuration -----------------------------------------------------------
    def invoke_config(self, fn: Function, config: Val, qualifier: str) -> None:
        body = config.value
        cid = f"{fn.id}EventInvokeConfig"
        ic = InvokeConfig(
            cid, config.loc or fn.loc, fn, qualifier=qualifier or "$LATEST",
            max_retry_attempts=self.r.get(body, "MaximumRetryAttempts", config.loc),
            max_event_age=self.r.get(body, "MaximumEventAgeInSeconds", config.loc),
            origin=fn.id, condition=self.b.condition_of(fn.id),
        )
        for when in ("OnSuccess", "OnFailure"):
            dest = self.r.path(body, f"DestinationConfig.{when}", config.loc)
            if not dest.known or not isinstance(dest.value, dict):
                continue
            dtype = self.r.get(dest.value, "Type", dest.loc)
            target = self.r.get(dest.value, "Destination", dest.loc)
            if not self.r.has(dest.value, "Destination") and dtype.known and dtype.value in (
                "SQS", "SNS"
            ):
                kind = "Queue" if dtype.value == "SQS" else "Topic"
                gid = f"{fn.id}EventInvokeConfig{when}{kind}"
                res = Resource(gid, "sqs" if kind == "Queue" else "sns",
                               "AWS::SQS::Queue" if kind == "Queue" else "AWS::SNS::Topic",
                               dest.loc or fn.loc, origin=fn.id)
                res.props["fifo"] = default(False, dest.loc)
                res.props["visibility_timeout"] = default(30, dest.loc)
                res.arn = Sym.of(Token("attr", gid, "Arn"))
                self.b.model.resources[gid] = res
                self.b.model.origins[gid] = fn.id
                target = known(Sym.of(Token("attr", gid, "Arn" if kind == "Queue" else "Ref")),
                               dest.loc)
            if when == "OnSuccess":
                ic.on_success, ic.on_success_type = target, dtype
            else:
                ic.on_failure, ic.on_failure_type = target, dtype
            sam_role = self.sam_role(fn)
            if sam_role is not None and dtype.known:
                action = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish",
                          "Lambda": "lambda:InvokeFunction", "EventBridge": "events:PutEvents",
                          "S3Bucket": "s3:PutObject"}.get(str(dtype.value))
                if action:
                    resource = target
                    if action == "s3:PutObject" and target.known:
                        resource = known(Sym.of(target.value if isinstance(target.value, Sym)
                                                else str(target.value), "/*"), target.loc)
                    sam_role.policies.append(self.simple_policy(
                        action, resource, f"{cid}{when}{dtype.value}Policy (added by SAM)"))
        fn.invoke_configs.append(ic)
        self.b.model.invoke_configs.append(ic)
        self.b.model.origins[cid] = fn.id

    # -- events -----------------------------------------------------------------------
    def event(self, fn: Function, name: str, event: Val, qualifier: str) -> None:
        etype = self.r.get(event.value, "Type", event.loc)
        props_val = self.r.get(event.value, "Properties", event.loc)
        props = props_val.value if props_val.known and isinstance(props_val.value, dict) else {}
        loc = event.loc or fn.loc
        if not etype.known or not isinstance(etype.value, str):
            return
        kind = etype.value
        eid = f"{fn.id}{name}"
        if kind in POLL_EVENTS:
            self.poll_event(fn, eid, name, kind, props, loc, qualifier)
        elif kind in PUSH_EVENTS:
            self.push_event(fn, eid, name, kind, props, loc, qualifier)

    def poll_event(self, fn: Function, eid: str, name: str, kind: str, props: dict, loc: Loc,
                   qualifier: str) -> None:
        model_kind, arn_key = POLL_EVENTS[kind]
        arn = self.r.get(props, arn_key, loc) if arn_key else unknown("self-managed", loc)
        source = Source(eid, POLL, model_kind, loc, fn, arn=arn, qualifier=qualifier,
                        sam_event=kind, origin=fn.id,
                        extra={"sam": True, "event": name,
                               "condition": self.b.condition_of(fn.id)})
        if arn_key:
            found_kind, source.resource = self.b.source_kind(arn)
            if model_kind == "dynamodb" and found_kind == "dynamodb-table":
                source.kind = "dynamodb-table"
        for key in ("BatchSize", "MaximumBatchingWindowInSeconds", "StartingPosition",
                    "StartingPositionTimestamp", "ParallelizationFactor", "MaximumRetryAttempts",
                    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
                    "TumblingWindowInSeconds", "DestinationConfig", "FunctionResponseTypes",
                    "FilterCriteria", "ScalingConfig", "Enabled", "Topics", "Queues",
                    "SourceAccessConfigurations", "ProvisionedPollerConfig", "KmsKeyArn",
                    "MetricsConfig", "ConsumerGroupId", "SchemaRegistryConfig",
                    "DocumentDBEventSourceConfig", "DatabaseName", "CollectionName"):
            if key in props:
                source.settings[key] = self.r.get(props, key, loc)
        self.b.nested_settings(source, props, loc)
        if kind == "SelfManagedKafka":
            servers = self.r.get(props, "KafkaBootstrapServers", loc)
            source.settings["SelfManagedEventSource"] = servers
        fn.sources.append(source)
        self.b.model.origins[eid] = fn.id
        role = self.sam_role(fn)
        if role is None:
            return
        if kind in EVENT_MANAGED_POLICY:
            role.managed_policies.append(self.managed(EVENT_MANAGED_POLICY[kind]))
        self.poll_event_statements(role, kind, props, arn, loc, name)
        destination = self.r.path(props, "DestinationConfig.OnFailure", loc)
        if destination.known and isinstance(destination.value, dict):
            dtype = self.r.get(destination.value, "Type", destination.loc)
            target = self.r.get(destination.value, "Destination", destination.loc)
            action = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish",
                      "S3": "s3:PutObject"}.get(str(dtype.value) if dtype.known else "")
            if action:
                if action == "s3:PutObject" and target.known:
                    target = known(Sym.of(target.value if isinstance(target.value, Sym)
                                          else str(target.value), "/*"), target.loc)
                role.policies.append(self.simple_policy(
                    action, target, f"{eid}{dtype.value}Policy (added by SAM)"))

    def poll_event_statements(self, role: Role, kind: str, props: dict, arn: Val, loc: Loc,
                              name: str) -> None:
        """The inline statements SAM writes for MQ, DocumentDB and self-managed Kafka events."""
        source = f"policy SAM adds for the {name} event"
        secrets = self.secret_uris(props, loc)
        statements: list[Statement] = []
        if kind in ("MQ", "DocumentDB", "SelfManagedKafka", "MSK") and secrets:
            statements.append(Statement("Allow", [known("secretsmanager:GetSecretValue")],
                                        secrets, source=source))
        if kind == "MQ":
            statements.append(Statement("Allow", [known("mq:DescribeBroker")], [arn],
                                        source=source))
        if kind == "DocumentDB":
            for action in ("rds:DescribeDBClusterParameters", "rds:DescribeDBSubnetGroups",
                           "rds:DescribeDBClusters"):
                statements.append(Statement("Allow", [known(action)], [known("*")],
                                            source=source))
            statements.append(self.eni_statement(source))
        if kind == "SelfManagedKafka" and self.has_vpc_access(props, loc):
            statements.append(self.eni_statement(source))
        kms = self.r.get(props, "SecretsManagerKmsKeyId", loc)
        if kms.known:
            statements.append(Statement("Allow", [known("kms:Decrypt")], [known("*")],
                                        source=source))
        if statements:
            role.policies.append(Policy(statements, source=source))

    def eni_statement(self, source: str) -> Statement:
        actions = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
                   "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
                   "ec2:DescribeSecurityGroups"]
        return Statement("Allow", [known(a) for a in actions], [known("*")], source=source)

    def secret_uris(self, props: dict, loc: Loc) -> list[Val]:
        configs = self.r.get(props, "SourceAccessConfigurations", loc)
        result: list[Val] = []
        if configs.known and isinstance(configs.value, list):
            for index in range(len(configs.value)):
                item = self.r.get(configs.value, index, configs.loc)
                if not (item.known and isinstance(item.value, dict)):
                    continue
                ctype = self.r.get(item.value, "Type", item.loc)
                if ctype.known and ctype.value in ("BASIC_AUTH", "SASL_SCRAM_256_AUTH",
                                                   "SASL_SCRAM_512_AUTH",
                                                   "CLIENT_CERTIFICATE_TLS_AUTH"):
                    result.append(self.r.get(item.value, "URI", item.loc))
        return result

    def has_vpc_access(self, props: dict, loc: Loc) -> bool:
        configs = self.r.get(props, "SourceAccessConfigurations", loc)
        if configs.known and isinstance(configs.value, list):
            for item in configs.value:
                if isinstance(item, dict) and item.get("Type") == "VPC_SUBNET":
                    return True
        return False

    def push_event(self, fn: Function, eid: str, name: str, kind: str, props: dict, loc: Loc,
                   qualifier: str) -> None:
        model_kind, mode, principal = PUSH_EVENTS[kind]
        invoker_key = {"S3": "Bucket", "SNS": "Topic", "Cognito": "UserPool",
                       "Api": "RestApiId", "HttpApi": "ApiId"}.get(kind, "")
        invoker_val = self.r.get(props, invoker_key, loc) if invoker_key else unknown("")
        invoker = self.b.model_ref(invoker_val) or eid
        extra: dict = {"sam": True, "event": name, "properties": props}
        if kind == "S3":
            extra["filter"] = props.get("Filter")
            extra.update(self.b.s3_filter(props.get("Filter"), loc))
        if kind == "SNS":
            extra["filtered"] = self.r.has(props, "FilterPolicy")
        if kind == "SNS" and "SqsSubscription" in props:
            sqs_sub = self.r.get(props, "SqsSubscription", loc)
            if sqs_sub.known and sqs_sub.value not in (False, "false"):
                self.sns_sqs_subscription(fn, eid, name, sqs_sub, loc, qualifier)
                fn.sources[-1].invoker = invoker
                fn.sources[-1].extra["filtered"] = extra["filtered"]
                return
        if kind in ("Api", "HttpApi"):
            extra["timeout_ms"] = self.r.get(props, "TimeoutInMillis", loc)
            if extra["timeout_ms"].absent and invoker != eid and \
                    self.b.definition_may_set_timeout(invoker):
                extra["timeout_ms"] = unknown("the API's OpenAPI definition may set it", loc)
        if kind == "Cognito":
            extra["trigger"] = self.r.get(props, "Trigger", loc)
        if kind in ("EventBridgeRule", "CloudWatchEvent", "Schedule", "ScheduleV2"):
            extra["target_dlq"] = self.r.has(props, "DeadLetterConfig")
        source = Source(eid, mode, model_kind, loc, fn, qualifier=qualifier, sam_event=kind,
                        origin=fn.id, invoker=invoker, extra=extra)
        fn.sources.append(source)
        self.b.model.origins[eid] = fn.id
        if kind == "ScheduleV2":
            from .invokers import sam_schedule

            sam_schedule(self.b, source, props, loc)
        if principal:
            pid = f"{eid}Permission"
            target = known(Sym.of(Token("attr", fn.id, "Ref")), loc)
            self.b.model.permissions.append(Permission(
                pid, loc, target, action=known("lambda:InvokeFunction"),
                principal=known(principal),
                source_arn=self.permission_source_arn(kind, eid, invoker_val, loc),
                source_account=known(Sym.of(A)),
                qualifier=known(qualifier) if qualifier else unknown("not set"),
                origin=fn.id, resolved=fn))
            self.b.model.origins[pid] = fn.id

    def permission_source_arn(self, kind: str, eid: str, invoker: Val, loc: Loc) -> Val:
        """The SourceArn SAM writes on the permission of a push event (spec C, F.1)."""
        if kind == "SNS":
            return invoker
        if kind == "S3":
            return unknown("not set", loc)  # SAM sets SourceAccount only
        if kind in ("EventBridgeRule", "CloudWatchEvent", "Schedule", "IoTRule"):
            return known(Sym.of(Token("attr", eid, "Arn")), loc)
        if kind == "Cognito" and invoker.known:
            return known(Sym.of(Token("attr", self.b.model_ref(invoker) or eid, "Arn")), loc)
        if kind in ("Api", "HttpApi"):
            api = self.b.model_ref(invoker) or (
                "ServerlessRestApi" if kind == "Api" else "ServerlessHttpApi")
            return known(Sym.of("arn:", P, ":execute-api:", R, ":",
                                A, ":",
                                Token("attr", api, "Ref"), "/*"), loc)
        return unknown("set by SAM", loc)

    def sns_sqs_subscription(self, fn: Function, eid: str, name: str, sqs_sub: Val, loc: Loc,
                             qualifier: str) -> None:
        """SNS event with SqsSubscription: SAM puts a queue (its own, or the given one) between."""
        batch: Val = default(10, loc)
        if isinstance(sqs_sub.value, dict):
            arn = self.r.get(sqs_sub.value, "QueueArn", sqs_sub.loc)
            kind, queue = self.b.source_kind(arn)
            if "BatchSize" in sqs_sub.value:
                batch = self.r.get(sqs_sub.value, "BatchSize", sqs_sub.loc)
        else:
            qid = f"{eid}Queue"
            queue = Resource(qid, "sqs", "AWS::SQS::Queue", loc, origin=fn.id)
            queue.props["visibility_timeout"] = default(30, loc)
            queue.props["fifo"] = default(False, loc)
            queue.props["redrive"] = default(None, loc)
            queue.arn = Sym.of("arn:", P, ":sqs:", R, ":",
                               A, ":",
                               Token("attr", qid, "QueueName"))
            self.b.model.resources[qid] = queue
            self.b.model.origins[qid] = fn.id
            arn = known(Sym.of(Token("attr", qid, "Arn")), loc)
        source = Source(f"{eid}EventSourceMapping", POLL, "sqs", loc, fn, resource=queue,
                        arn=arn, qualifier=qualifier, sam_event="SNS", origin=fn.id,
                        extra={"sqs_subscription": True, "event": name,
                               "condition": self.b.condition_of(fn.id)})
        source.settings["BatchSize"] = batch
        fn.sources.append(source)
        self.b.model.origins[source.id] = fn.id
        sam_role = self.sam_role(fn)
        if sam_role is not None:
            sam_role.managed_policies.append(self.managed(EVENT_MANAGED_POLICY["SQS"]))
