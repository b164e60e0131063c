"""A resolved ``serverless.yml`` compiled into the CloudFormation the Framework deploys.

The Framework itself compiles ``serverless.yml`` into one CloudFormation template
(``.serverless/cloudformation-template-update-stack.json``); this module writes the part of
that template esmlint reads, with the Framework's logical IDs (``HelloLambdaFunction``,
``IamRoleLambdaExecution``, ``HelloEventSourceMappingSQSJobs``...) and its defaults, so the
CloudFormation builder turns it into the model exactly as it would the deployed stack.
Every generated node carries the line of the ``serverless.yml`` setting it comes from; a
generated default carries the line of the event or function it applies to.

What is generated, and from which Framework source, is listed in the package docstring
(:mod:`esmlint.loaders.serverless`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..yaml import MDict, MList
from .variables import Unresolved

Mark = tuple[int, int]
_ABSENT = object()

#: Lambda's managed policy for functions in a VPC, which the Framework attaches.
VPC_POLICY = ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
EC2_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
               "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets",
               "ec2:DescribeSecurityGroups"]
#: The ``msk`` and ``kafka`` event settings the Framework copies to the mapping.
KAFKA_SETTINGS = {
    "batchSize": "BatchSize", "maximumBatchingWindow": "MaximumBatchingWindowInSeconds",
    "enabled": "Enabled", "startingPosition": "StartingPosition",
    "startingPositionTimestamp": "StartingPositionTimestamp"}
#: Kafka access configuration key -> (CloudFormation type, URI prefix, a secret?).
KAFKA_ACCESS = {
    "vpcSubnet": ("VPC_SUBNET", "subnet:", False),
    "vpcSecurityGroup": ("VPC_SECURITY_GROUP", "security_group:", False),
    "saslPlainAuth": ("BASIC_AUTH", "", True),
    "saslScram256Auth": ("SASL_SCRAM_256_AUTH", "", True),
    "saslScram512Auth": ("SASL_SCRAM_512_AUTH", "", True),
    "clientCertificateTlsAuth": ("CLIENT_CERTIFICATE_TLS_AUTH", "", True),
    "serverRootCaCertificate": ("SERVER_ROOT_CA_CERTIFICATE", "", True),
}
#: ``http.integration`` spellings that are Lambda integrations, and their CloudFormation type.
HTTP_INTEGRATIONS = {None: "AWS_PROXY", "lambda-proxy": "AWS_PROXY", "aws-proxy": "AWS_PROXY",
                     "aws_proxy": "AWS_PROXY", "lambda": "AWS", "aws": "AWS"}
#: Cognito trigger names (``trigger:``) -> ``LambdaConfig`` key.
COGNITO_KEYS = {"PreSignUp": "PreSignUp", "PostConfirmation": "PostConfirmation",
                "PreAuthentication": "PreAuthentication",
                "PostAuthentication": "PostAuthentication",
                "PreTokenGeneration": "PreTokenGeneration", "CustomMessage": "CustomMessage",
                "DefineAuthChallenge": "DefineAuthChallenge",
                "CreateAuthChallenge": "CreateAuthChallenge",
                "VerifyAuthChallengeResponse": "VerifyAuthChallengeResponse",
                "UserMigration": "UserMigration", "CustomSMSSender": "CustomSMSSender",
                "CustomEmailSender": "CustomEmailSender"}


@dataclass
class Compiled:
    """The generated template and what the builder must know about it."""

    template: MDict
    #: Generated resource id -> the function logical ID it was generated for.
    origins: dict[str, str] = field(default_factory=dict)
    #: Generated resource id -> property names the Framework filled with its default.
    defaults: dict[str, set[str]] = field(default_factory=dict)
    #: Function logical ID -> (function key, timeout written?).
    functions: dict[str, tuple[str, bool]] = field(default_factory=dict)
    #: The role the Framework generates (``IamRoleLambdaExecution``), when it does.
    role: str = ""
    #: Push sources the Framework wires through custom resources (``existing: true``):
    #: (function id, id, kind, mark, extra).
    existing: list[tuple[str, str, str, Mark, dict]] = field(default_factory=list)
    #: Functions whose role esmlint cannot see (per-function IAM roles).
    hidden_roles: set[str] = field(default_factory=set)
    #: Every resource id the Framework generates (not written in ``resources:``).
    generated: set[str] = field(default_factory=set)


def normalize(name: str) -> str:
    """The Framework's ``getNormalizedResourceName``: ``-`` and ``_`` spelled out, first
    letter upper case."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]


def alnum(name: str) -> str:
    """The Framework's ``normalizeNameToAlphaNumericOnly``."""
    text = re.sub(r"[^0-9A-Za-z]", "", name)
    return text[:1].upper() + text[1:]


def node(mark: Mark, pairs: dict | None = None, marks: dict | None = None) -> MDict:
    """An MDict at ``mark`` whose keys are all marked there (or at ``marks[key]``)."""
    out = MDict(*mark)
    for key, value in (pairs or {}).items():
        out[key] = value
        out.marks[key] = (marks or {}).get(key, mark)
    return out


def items(mark: Mark, values: list, marks: list | None = None) -> MList:
    out = MList(*mark)
    for index, value in enumerate(values):
        out.append(value)
        out.marks.append(marks[index] if marks and index < len(marks) else mark)
    return out


def put(target: MDict, key: str, value: Any, mark: Mark) -> None:
    target[key] = value
    target.marks[key] = mark


def getatt(rid: str, attr: str, mark: Mark) -> MDict:
    return node(mark, {"Fn::GetAtt": items(mark, [rid, attr])})


def ref(name: str, mark: Mark) -> MDict:
    return node(mark, {"Ref": name})


def join(mark: Mark, parts: list, sep: str = "") -> MDict:
    return node(mark, {"Fn::Join": items(mark, [sep, items(mark, parts)])})


def sub(text: str, mark: Mark) -> MDict:
    return node(mark, {"Fn::Sub": text})


def mark_of(container: Any, key: Any) -> Mark:
    if isinstance(container, (MDict, MList)):
        return container.mark(key)
    return (0, 0)


def at(container: Any) -> Mark:
    return (getattr(container, "line", 0), getattr(container, "column", 0))


def text_of(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class Compiler:
    """One resolved configuration -> :class:`Compiled`."""

    def __init__(self, config: MDict) -> None:
        self.config = config
        provider = config.get("provider")
        self.provider: MDict = provider if isinstance(provider, dict) else MDict()
        self.resources = MDict(*at(config))
        self.outputs = MDict(*at(config))
        self.out = Compiled(node(at(config), {"AWSTemplateFormatVersion": "2010-09-09"}))
        self.statements: MList = MList(*at(self.provider))
        self.managed: MList = MList(*at(self.provider))
        self.trust_services: list[str] = ["lambda.amazonaws.com"]
        service = config.get("service")
        if isinstance(service, dict):  # v1: service: {name: ...}
            service = service.get("name")
        self.service = service if isinstance(service, str) else None
        stage = self.provider.get("stage", "dev")
        self.stage = stage if isinstance(stage, str) else None
        self.functions: dict[str, MDict] = {}
        self.logical: dict[str, str] = {}

    # -- entry -------------------------------------------------------------------------
    def compile(self) -> Compiled:
        functions = self.config.get("functions")
        if isinstance(functions, list):  # v1: a list of mappings, merged
            merged = MDict(*at(functions))
            for entry in functions:
                if isinstance(entry, dict):
                    for key, value in entry.items():
                        merged[key] = value
                        merged.marks[key] = mark_of(entry, key)
            functions = merged
        if isinstance(functions, dict):
            for key, body in functions.items():
                if isinstance(key, str):
                    self.functions[key] = body if isinstance(body, dict) else MDict(
                        *mark_of(functions, key))
                    self.logical[key] = normalize(key) + "LambdaFunction"
                    self.resources.marks[self.logical[key]] = mark_of(functions, key)
        self.role_decision()
        for key, body in self.functions.items():
            self.function(key, body, self.resources.marks[self.logical[key]])
        self.finish_role()
        self.merge_resources()
        template = self.out.template
        custom = self.config.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("esmlint"), dict):
            # custom.esmlint plays the part of a template's Metadata.esmlint.
            put(template, "Metadata", node(mark_of(custom, "esmlint"), {
                "esmlint": custom["esmlint"]}), mark_of(custom, "esmlint"))
        put(template, "Resources", self.resources, at(self.config))
        put(template, "Outputs", self.outputs, at(self.config))
        return self.out

    # -- IAM ---------------------------------------------------------------------------
    def iam_role(self) -> Any:
        iam = self.provider.get("iam")
        return iam.get("role", _ABSENT) if isinstance(iam, dict) else _ABSENT

    @staticmethod
    def existing_role(role: Any) -> bool:
        """The Framework's ``isExistingRoleProvided``: a name, an ARN or an intrinsic."""
        return isinstance(role, str) or isinstance(role, Unresolved) or (
            isinstance(role, dict) and any("::" in str(k) for k in role))

    def role_decision(self) -> None:
        """Whether the Framework generates ``IamRoleLambdaExecution`` (mergeIamTemplates)."""
        role = self.iam_role()
        self.per_function = isinstance(role, dict) and role.get("mode") == "perFunction"
        if self.existing_role(role) or "role" in self.provider or self.per_function:
            return
        if self.functions and all("role" in body for body in self.functions.values()):
            return
        if not self.functions:
            return
        self.out.role = "IamRoleLambdaExecution"

    def custom_role(self, body: MDict) -> tuple[Any, Mark] | None:
        """``getCustomExecutionRole``: the function's ``role``, an existing provider role,
        or the legacy ``provider.role``; None when the generated role applies."""
        if "role" in body:
            return body["role"], mark_of(body, "role")
        role = self.iam_role()
        if role is not _ABSENT and self.existing_role(role):
            iam = self.provider["iam"]
            return role, mark_of(iam, "role")
        if "role" in self.provider:
            return self.provider["role"], mark_of(self.provider, "role")
        return None

    def dedicated_role(self, body: MDict) -> bool:
        """``usesDedicatedPerFunctionRole`` (v4): a role of its own, not modelled here."""
        if "role" in body or self.custom_role(body) is not None:
            return False
        if self.per_function:
            return True
        iam = body.get("iam")
        role = iam.get("role") if isinstance(iam, dict) else None
        return "iamRoleStatements" in body or (isinstance(role, dict) and (
            "statements" in role or role.get("managedPolicies")))

    def allow(self, actions: list[str], resources: list, mark: Mark,
              marks: list | None = None) -> None:
        """A statement the Framework adds to its generated role."""
        if not self.out.role or not resources:
            return
        resource: Any = resources[0] if len(resources) == 1 and isinstance(
            resources[0], str) and resources[0] == "*" else items(mark, resources, marks)
        self.statements.append(node(mark, {
            "Effect": "Allow", "Action": items(mark, list(actions)), "Resource": resource}))
        self.statements.marks.append(mark)

    def finish_role(self) -> None:
        if not self.out.role:
            return
        pmark = at(self.provider)
        role = self.iam_role()
        role = role if isinstance(role, dict) else MDict(*pmark)
        statements = MList(*pmark)
        log_group = f"/aws/lambda/{self.service}-{self.stage}*" if (
            self.service and self.stage) else "/aws/lambda/*"
        for actions, tail in ((["logs:CreateLogStream", "logs:CreateLogGroup",
                                "logs:TagResource"], ":*"), (["logs:PutLogEvents"], ":*:*")):
            statements.append(node(pmark, {"Effect": "Allow", "Action": items(pmark, actions),
                                           "Resource": items(pmark, [sub(
                "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                + log_group + tail, pmark)])}))
            statements.marks.append(pmark)
        for entry, emark in zip(self.statements, self.statements.marks, strict=True):
            statements.append(entry)
            statements.marks.append(emark)
        user = role.get("statements") if "statements" in role else self.provider.get(
            "iamRoleStatements")  # v1/v2 spelling, still read by v3 and v4
        if isinstance(user, list):
            for index, entry in enumerate(user):
                statements.append(entry)
                statements.marks.append(mark_of(user, index))
        elif user is not None:
            statements.append(user)  # Unresolved or malformed: the evaluator says unknown
            statements.marks.append(pmark)
        managed = role.get("managedPolicies") if "managedPolicies" in role else \
            self.provider.get("iamManagedPolicies")
        arns = MList(*pmark)
        if isinstance(managed, list):
            for index, entry in enumerate(managed):
                arns.append(entry)
                arns.marks.append(mark_of(managed, index))
        for entry, emark in zip(self.managed, self.managed.marks, strict=True):
            arns.append(entry)
            arns.marks.append(emark)
        policy = node(pmark, {"PolicyName": f"{self.stage}-{self.service}-lambda",
                              "PolicyDocument": node(pmark, {
                                  "Version": "2012-10-17", "Statement": statements})})
        trust = node(pmark, {"Version": "2012-10-17", "Statement": items(pmark, [node(pmark, {
            "Effect": "Allow", "Principal": node(pmark, {
                "Service": items(pmark, self.trust_services)}),
            "Action": items(pmark, ["sts:AssumeRole"])})])})
        props = node(pmark, {"AssumeRolePolicyDocument": trust,
                             "Policies": items(pmark, [policy])})
        if arns or isinstance(managed, Unresolved):
            put(props, "ManagedPolicyArns", arns if not isinstance(managed, Unresolved)
                else managed, pmark)
        for key in ("permissionsBoundary", "permissionBoundary"):
            if key in role:
                put(props, "PermissionsBoundary", role[key], mark_of(role, key))
                break
        else:
            if "rolePermissionsBoundary" in self.provider:
                put(props, "PermissionsBoundary", self.provider["rolePermissionsBoundary"],
                    mark_of(self.provider, "rolePermissionsBoundary"))
        self.add(self.out.role, "AWS::IAM::Role", props, pmark)

    # -- resources -----------------------------------------------------------------------
    def add(self, rid: str, rtype: str, props: MDict, mark: Mark, origin: str = "",
            defaults: set[str] | None = None, extra: dict | None = None) -> MDict:
        resource = node(mark, {"Type": rtype, "Properties": props})
        for key, value in (extra or {}).items():
            put(resource, key, value, mark)
        self.resources[rid] = resource
        self.resources.marks[rid] = mark
        self.out.generated.add(rid)
        if origin:
            self.out.origins[rid] = origin
        if defaults:
            self.out.defaults[rid] = set(defaults)
        return resource

    def merge_resources(self) -> None:
        """``resources:`` (one mapping, or a list of them as ``${file()}`` includes give):
        ``Resources`` merged over the generated ones, ``Outputs`` beside them."""
        sections = self.config.get("resources")
        for section in sections if isinstance(sections, list) else [sections]:
            if not isinstance(section, dict):
                continue
            for name, target in (("Resources", self.resources), ("Outputs", self.outputs)):
                part = section.get(name)
                if not isinstance(part, dict):
                    continue
                for rid, body in part.items():
                    existing = target.get(rid)
                    if isinstance(existing, dict) and isinstance(body, dict) and name == \
                            "Resources" and rid in self.resources:
                        target[rid] = _merge(existing, body)  # overrides, as the Framework
                    else:
                        target[rid] = body
                    target.marks[rid] = mark_of(part, rid)
            for key in ("Conditions", "Parameters", "Mappings"):
                if isinstance(section.get(key), dict):
                    put(self.out.template, key, section[key], mark_of(section, key))

    # -- functions ---------------------------------------------------------------------
    def setting(self, body: MDict, key: str) -> tuple[Any, Mark, bool]:
        """A function setting, else the provider's: (value, mark, written?)."""
        if key in body:
            return body[key], mark_of(body, key), True
        if key in self.provider:
            return self.provider[key], mark_of(self.provider, key), True
        return _ABSENT, at(body), False

    def function(self, key: str, body: MDict, mark: Mark) -> None:
        fid = self.logical[key]
        props = MDict(*mark)
        timeout, tmark, written = self.setting(body, "timeout")
        put(props, "Timeout", timeout if written else 6, tmark if written else mark)
        self.out.functions[fid] = (key, written)
        name = body.get("name")
        if "name" in body:
            put(props, "FunctionName", name, mark_of(body, "name"))
        elif self.service and self.stage:
            put(props, "FunctionName", f"{self.service}-{self.stage}-{key}", mark)
        memory, mmark, written = self.setting(body, "memorySize")
        put(props, "MemorySize", memory if written else 1024, mmark)
        runtime, rmark, written = self.setting(body, "runtime")
        if written:
            put(props, "Runtime", runtime, rmark)
        if "handler" in body:
            put(props, "Handler", body["handler"], mark_of(body, "handler"))
        if "reservedConcurrency" in body:
            put(props, "ReservedConcurrentExecutions", body["reservedConcurrency"],
                mark_of(body, "reservedConcurrency"))
        vpc, vmark, vpc_written = self.setting(body, "vpc")
        if vpc_written:
            put(props, "VpcConfig", vpc, vmark)
        tags = body.get("tags")
        if isinstance(tags, dict):  # esmlint:RULE:option tags give rule options
            put(props, "Tags", items(mark_of(body, "tags"), [
                node(mark_of(tags, k), {"Key": k, "Value": v}) for k, v in tags.items()]),
                mark_of(body, "tags"))
        dedicated = self.dedicated_role(body)
        custom = self.custom_role(body)
        if dedicated:
            self.out.hidden_roles.add(fid)
            put(props, "Role", Unresolved("a per-function IAM role (not modelled)"), mark)
        elif custom is not None:
            role, rmark = custom
            if isinstance(role, str) and not role.startswith("arn:"):
                role = getatt(role, "Arn", rmark)  # a logical ID in resources
            put(props, "Role", role, rmark)
        elif self.out.role:
            put(props, "Role", getatt(self.out.role, "Arn", mark), mark)
        own_role = not dedicated and custom is None
        if "onError" in body:
            target, omark = body["onError"], mark_of(body, "onError")
            put(props, "DeadLetterConfig", node(omark, {"TargetArn": target}), omark)
            if isinstance(target, str) and own_role:
                self.allow(["sns:Publish"], [target], omark)
        kms = body.get("kmsKeyArn", self.provider.get("kmsKeyArn"))
        if isinstance(kms, str) and own_role:
            self.allow(["kms:Decrypt"], [kms], mark)
        if "vpc" in body or "vpc" in self.provider:
            if not self.managed:
                self.managed.append(join(vmark, ["arn:", ref("AWS::Partition", vmark),
                                                 VPC_POLICY]))
                self.managed.marks.append(vmark)
        self.add(fid, "AWS::Lambda::Function", props, mark)
        self.invoke_config(key, fid, body, mark, own_role)
        self.url(key, fid, body, mark)
        events = body.get("events")
        if isinstance(events, list):
            counters: dict[str, int] = {}
            for index, event in enumerate(events):
                emark = mark_of(events, index)
                if isinstance(event, dict) and len(event) >= 1:
                    etype = next(iter(event))
                    counters[etype] = counters.get(etype, 0) + 1
                    handler = getattr(self, "event_" + str(etype).replace("-", "_"), None)
                    if handler is not None:
                        handler(key, fid, event[etype], emark, counters[etype],
                                mark_of(event, etype))

    def fn_arn(self, fid: str, mark: Mark) -> MDict:
        return getatt(fid, "Arn", mark)

    def invoke_config(self, key: str, fid: str, body: MDict, mark: Mark,
                      own_role: bool) -> None:
        """``destinations`` / ``maximumEventAge`` / ``maximumRetryAttempts``: an
        AWS::Lambda::EventInvokeConfig ``<Fn>LambdaEvConf``."""
        destinations = body.get("destinations")
        if destinations is None and not body.get("maximumEventAge") and \
                body.get("maximumRetryAttempts") is None:
            return
        props = node(mark, {"FunctionName": ref(fid, mark), "Qualifier": "$LATEST"})
        config = MDict(*mark)
        if isinstance(destinations, dict):
            for name, cfn in (("onSuccess", "OnSuccess"), ("onFailure", "OnFailure")):
                if name not in destinations:
                    continue
                target, dmark = destinations[name], mark_of(destinations, name)
                arn = self.destination_arn(target, dmark)
                put(config, cfn, node(dmark, {"Destination": arn}), dmark)
                if own_role:
                    self.destination_statement(target, arn, dmark)
        elif destinations is not None:
            config = destinations  # Unresolved: the builder reads it as unknown
        put(props, "DestinationConfig", config, mark_of(body, "destinations")
            if "destinations" in body else mark)
        for name, cfn in (("maximumEventAge", "MaximumEventAgeInSeconds"),
                          ("maximumRetryAttempts", "MaximumRetryAttempts")):
            if body.get(name) is not None:
                put(props, cfn, body[name], mark_of(body, name))
        rid = normalize(key) + "LambdaEvConf"
        self.add(rid, "AWS::Lambda::EventInvokeConfig", props, mark, origin=fid)

    def destination_arn(self, target: Any, mark: Mark) -> Any:
        if isinstance(target, dict) and not isinstance(target, Unresolved) and "arn" in target:
            return target["arn"]
        if isinstance(target, str) and not target.startswith("arn:"):
            if target in self.logical:  # a function of this service, by its key
                return self.fn_arn(self.logical[target], mark)
            return Unresolved(f"destination {target} is not a function of this service")
        return target

    def destination_statement(self, target: Any, arn: Any, mark: Mark) -> None:
        """``ensureTargetExecutionPermission``: the action the role needs on the target."""
        action = None
        if isinstance(target, dict) and not isinstance(target, Unresolved):
            action = {"function": "lambda:InvokeFunction", "sqs": "sqs:SendMessage",
                      "sns": "sns:Publish", "eventBus": "events:PutEvents"}.get(
                str(target.get("type")))
        elif isinstance(target, str):
            if not target.startswith("arn:") or ":function:" in target:
                action = "lambda:InvokeFunction"
            elif ":sqs:" in target:
                action = "sqs:SendMessage"
            elif ":sns:" in target:
                action = "sns:Publish"
            elif ":event-bus/" in target:
                action = "events:PutEvents"
        if action is None:
            return
        if isinstance(target, str) and not target.startswith("arn:"):
            fbody = self.functions.get(target)
            fname = fbody.get("name") if isinstance(fbody, dict) else None
            if not isinstance(fname, str) and self.service and self.stage:
                fname = f"{self.service}-{self.stage}-{target}"
            if not isinstance(fname, str):
                return
            arn = sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:"
                      f"function:{fname}", mark)
        self.allow([action], [arn], mark)

    def url(self, key: str, fid: str, body: MDict, mark: Mark) -> None:
        """``url: true`` / ``url: {authorizer: aws_iam}``: AWS::Lambda::Url, and for
        AuthType NONE the two public permissions the Framework adds."""
        url = body.get("url")
        if not url:
            return
        umark = mark_of(body, "url")
        auth = "AWS_IAM" if isinstance(url, dict) and url.get("authorizer") == "aws_iam" \
            else "NONE"
        amark = mark_of(url, "authorizer") if isinstance(url, dict) and "authorizer" in url \
            else umark
        props = node(umark, {"AuthType": auth, "TargetFunctionArn": self.fn_arn(fid, umark)},
                     {"AuthType": amark})
        base = normalize(key)
        self.add(base + "LambdaFunctionUrl", "AWS::Lambda::Url", props, umark, origin=fid)
        if auth == "NONE":
            self.permission(base + "LambdaPermissionFnUrl", fid, "*", None, umark,
                            {"Action": "lambda:InvokeFunctionUrl", "FunctionUrlAuthType": "NONE"})
            self.permission(base + "LambdaPermissionFnUrlInvokeFunction", fid, "*", None, umark,
                            {"InvokedViaFunctionUrl": True})

    def permission(self, rid: str, fid: str, principal: Any, source_arn: Any, mark: Mark,
                   more: dict | None = None) -> None:
        props = node(mark, {"FunctionName": self.fn_arn(fid, mark),
                            "Action": "lambda:InvokeFunction", "Principal": principal})
        if source_arn is not None:
            put(props, "SourceArn", source_arn, mark)
        for k, v in (more or {}).items():
            put(props, k, v, mark)
        self.add(rid, "AWS::Lambda::Permission", props, mark, origin=fid)

    # -- poll events -------------------------------------------------------------------
    def esm(self, rid: str, fid: str, event: Any, mark: Mark, fields: dict,
            fixed: dict, defaults: dict) -> MDict:
        """An event source mapping: ``fields`` maps the event's keys to CloudFormation
        properties, ``fixed`` adds computed ones, ``defaults`` the Framework's defaults."""
        props = node(mark, {"FunctionName": self.fn_arn(fid, mark)})
        written: set[str] = set()
        for key, cfn in fields.items():
            if isinstance(event, dict) and event.get(key) is not None:
                put(props, cfn, event[key], mark_of(event, key))
                written.add(cfn)
        for cfn, (value, vmark) in fixed.items():
            put(props, cfn, value, vmark)
            written.add(cfn)
        defaulted = set()
        for cfn, value in defaults.items():
            if cfn not in props:
                put(props, cfn, value, mark)
                defaulted.add(cfn)
        if isinstance(event, dict):
            response = event.get("functionResponseType")
            if response is not None:
                rmark = mark_of(event, "functionResponseType")
                put(props, "FunctionResponseTypes", items(rmark, [response]), rmark)
            patterns = event.get("filterPatterns")
            if patterns is not None:
                put(props, "FilterCriteria", self.filters(patterns,
                                                          mark_of(event, "filterPatterns")),
                    mark_of(event, "filterPatterns"))
        self.add(rid, "AWS::Lambda::EventSourceMapping", props, mark, origin=fid,
                 defaults=defaulted)
        return props

    @staticmethod
    def filters(patterns: Any, mark: Mark) -> Any:
        if not isinstance(patterns, list):
            return patterns
        filters = MList(*mark)
        for index, pattern in enumerate(patterns):
            pmark = mark_of(patterns, index)
            text: Any = _json(pattern)
            filters.append(node(pmark, {"Pattern": text if text is not None else Unresolved(
                "filter pattern not resolved")}))
            filters.marks.append(pmark)
        return node(mark, {"Filters": filters})

    def event_sqs(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                  vmark: Mark) -> None:
        arn, amark = (event.get("arn"), mark_of(event, "arn")) if isinstance(event, dict) and \
            not isinstance(event, Unresolved) else (event, vmark)
        rid = normalize(key) + "EventSourceMappingSQS" + alnum(_queue_name(arn) or str(index))
        props = self.esm(rid, fid, event, mark, {
            "batchSize": "BatchSize", "maximumBatchingWindow": "MaximumBatchingWindowInSeconds",
            "enabled": "Enabled"}, {"EventSourceArn": (arn, amark)},
            {"BatchSize": 10, "Enabled": True})
        if isinstance(event, dict) and event.get("maximumConcurrency"):
            cmark = mark_of(event, "maximumConcurrency")
            put(props, "ScalingConfig", node(cmark, {
                "MaximumConcurrency": event["maximumConcurrency"]}), cmark)
        self.allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                   [arn], amark)

    def event_stream(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                     vmark: Mark) -> None:
        is_map = isinstance(event, dict) and not isinstance(event, Unresolved)
        arn, amark = (event.get("arn"), mark_of(event, "arn")) if is_map else (event, vmark)
        stype = event.get("type") if is_map else None
        if stype is None and isinstance(arn, str):
            pieces = arn.split(":")
            stype = pieces[2] if len(pieces) > 2 else None
        if stype not in ("kinesis", "dynamodb"):
            stype = "kinesis" if isinstance(arn, str) and ":kinesis:" in arn else stype
        name = _stream_name(arn) or str(index)
        rid = normalize(key) + "EventSourceMapping" + str(stype or "").capitalize()[:1].upper() \
            + str(stype or "")[1:] + alnum(name)
        fields = {"batchSize": "BatchSize", "parallelizationFactor": "ParallelizationFactor",
                  "startingPosition": "StartingPosition", "enabled": "Enabled",
                  "batchWindow": "MaximumBatchingWindowInSeconds",
                  "maximumRetryAttempts": "MaximumRetryAttempts",
                  "bisectBatchOnFunctionError": "BisectBatchOnFunctionError",
                  "maximumRecordAgeInSeconds": "MaximumRecordAgeInSeconds",
                  "tumblingWindowInSeconds": "TumblingWindowInSeconds"}
        fixed: dict = {"EventSourceArn": (arn, amark)}
        consumer = event.get("consumer") if is_map else None
        if consumer and stype == "kinesis":
            cmark = mark_of(event, "consumer")
            if consumer is True:
                cname = f"{key}{name}Consumer"
                cid = normalize(cname) + "StreamConsumer"
                self.add(cid, "AWS::Kinesis::StreamConsumer", node(cmark, {
                    "StreamARN": arn, "ConsumerName": cname}), cmark, origin=fid)
                consumer_arn: Any = ref(cid, cmark)
            else:
                consumer_arn = consumer
            fixed["EventSourceArn"] = (consumer_arn, cmark)
            if is_map and event.get("startingPositionTimestamp") is not None:
                fields["startingPositionTimestamp"] = "StartingPositionTimestamp"
            self.allow(["kinesis:GetRecords", "kinesis:GetShardIterator",
                        "kinesis:DescribeStreamSummary", "kinesis:ListShards"], [arn], amark)
            self.allow(["kinesis:SubscribeToShard"], [consumer_arn], cmark)
        elif stype == "dynamodb":
            self.allow(["dynamodb:GetRecords", "dynamodb:GetShardIterator",
                        "dynamodb:DescribeStream", "dynamodb:ListStreams"], [arn], amark)
        elif stype == "kinesis":
            self.allow(["kinesis:GetRecords", "kinesis:GetShardIterator",
                        "kinesis:DescribeStream", "kinesis:ListStreams"], [arn], amark)
        destinations = event.get("destinations") if is_map else None
        if isinstance(destinations, dict) and "onFailure" in destinations:
            target, dmark = destinations["onFailure"], mark_of(destinations, "onFailure")
            dest = target.get("arn") if isinstance(target, dict) and not isinstance(
                target, Unresolved) else target
            dtype = target.get("type") if isinstance(target, dict) and not isinstance(
                target, Unresolved) else None
            if dtype is None and isinstance(dest, str):
                pieces = dest.split(":")
                dtype = pieces[2] if len(pieces) > 2 else None
            if dtype == "sns":
                self.allow(["sns:Publish"], [dest], dmark)
            elif dtype is not None:
                self.allow(["sqs:ListQueues", "sqs:SendMessage"], [dest], dmark)
            fixed["DestinationConfig"] = (node(dmark, {"OnFailure": node(dmark, {
                "Destination": dest})}), mark_of(event, "destinations"))
        elif destinations is not None:
            fixed["DestinationConfig"] = (destinations, mark_of(event, "destinations"))
        self.esm(rid, fid, event, mark, fields, fixed,
                 {"BatchSize": 10, "StartingPosition": "TRIM_HORIZON", "Enabled": True})

    def event_msk(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                  vmark: Mark) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        arn, amark = event.get("arn"), mark_of(event, "arn")
        topic = event.get("topic")
        rid = normalize(key) + "EventSourceMappingMSK" + alnum(
            _cluster_name(arn) or str(index)) + alnum(str(topic or ""))
        fixed: dict = {"EventSourceArn": (arn, amark),
                       "Topics": (items(mark_of(event, "topic"), [topic]),
                                  mark_of(event, "topic"))}
        if event.get("saslScram512") is not None:
            smark = mark_of(event, "saslScram512")
            fixed["SourceAccessConfigurations"] = (items(smark, [node(smark, {
                "Type": "SASL_SCRAM_512_AUTH", "URI": event["saslScram512"]})]), smark)
        self.kafka_esm(rid, fid, event, mark, fixed, "AmazonManagedKafkaEventSourceConfig")
        self.allow(["kafka:DescribeCluster", "kafka:GetBootstrapBrokers"], [arn], amark)
        self.allow(EC2_ACTIONS, ["*"], amark)

    def kafka_esm(self, rid: str, fid: str, event: dict, mark: Mark, fixed: dict,
                  group_config: str) -> None:
        """The mapping of an ``msk`` or ``kafka`` event: the settings both share, and the
        consumer group under the property of that source type."""
        if event.get("consumerGroupId"):
            gmark = mark_of(event, "consumerGroupId")
            fixed[group_config] = (node(gmark, {
                "ConsumerGroupId": event["consumerGroupId"]}), gmark)
        self.esm(rid, fid, event, mark, KAFKA_SETTINGS, fixed,
                 {"StartingPosition": "TRIM_HORIZON"})

    def event_kafka(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                    vmark: Mark) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        topic = event.get("topic")
        rid = normalize(key) + "EventSourceMappingKafka" + alnum(str(topic or index))
        servers = event.get("bootstrapServers")
        smark = mark_of(event, "bootstrapServers")
        fixed: dict = {
            "SelfManagedEventSource": (node(smark, {"Endpoints": node(smark, {
                "KafkaBootstrapServers": servers})}), smark),
            "Topics": (items(mark_of(event, "topic"), [topic]), mark_of(event, "topic"))}
        access = event.get("accessConfigurations")
        configs = MList(*mark_of(event, "accessConfigurations"))
        secrets: list = []
        vpc = False
        if isinstance(access, dict):
            for name, values in access.items():
                ctype, prefix, secret = KAFKA_ACCESS.get(name, (name, "", False))
                vpc = vpc or name.startswith("vpc")
                for index_, value in enumerate(values if isinstance(values, list) else [values]):
                    vm = mark_of(values, index_) if isinstance(values, list) else mark_of(
                        access, name)
                    uri = prefix + value if isinstance(value, str) and prefix else value
                    configs.append(node(vm, {"Type": ctype, "URI": uri}))
                    configs.marks.append(vm)
                    if secret:
                        secrets.append(value)
            fixed["SourceAccessConfigurations"] = (configs, mark_of(event, "accessConfigurations"))
        elif access is not None:
            fixed["SourceAccessConfigurations"] = (access, mark_of(event, "accessConfigurations"))
        self.kafka_esm(rid, fid, event, mark, fixed, "SelfManagedKafkaEventSourceConfig")
        if secrets:
            self.allow(["secretsmanager:GetSecretValue"], secrets, mark)
        if vpc:
            self.allow(EC2_ACTIONS, ["*"], mark)

    def _mq(self, key: str, fid: str, event: Any, mark: Mark, engine: str) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        arn, amark = event.get("arn"), mark_of(event, "arn")
        queue = event.get("queue")
        rid = normalize(key) + f"EventSourceMapping{engine}" + alnum(str(queue or ""))
        auth, bmark = event.get("basicAuthArn"), mark_of(event, "basicAuthArn")
        configs = items(bmark, [node(bmark, {"Type": "BASIC_AUTH", "URI": auth})])
        if engine == "RabbitMQ" and event.get("virtualHost"):
            hmark = mark_of(event, "virtualHost")
            configs.append(node(hmark, {"Type": "VIRTUAL_HOST", "URI": event["virtualHost"]}))
            configs.marks.append(hmark)
        self.esm(rid, fid, event, mark, {
            "batchSize": "BatchSize", "maximumBatchingWindow": "MaximumBatchingWindowInSeconds",
            "enabled": "Enabled"}, {
            "EventSourceArn": (arn, amark),
            "Queues": (items(mark_of(event, "queue"), [queue]), mark_of(event, "queue")),
            "SourceAccessConfigurations": (configs, bmark)}, {})
        self.allow(["secretsmanager:GetSecretValue"], [auth], bmark)
        self.allow(["mq:DescribeBroker"], [arn], amark)
        self.allow(EC2_ACTIONS, ["*"], amark)

    def event_activemq(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                       vmark: Mark) -> None:
        self._mq(key, fid, event, mark, "ActiveMQ")

    def event_rabbitmq(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                       vmark: Mark) -> None:
        self._mq(key, fid, event, mark, "RabbitMQ")

    # -- push events -------------------------------------------------------------------
    def event_sns(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                  vmark: Mark) -> None:
        is_map = isinstance(event, dict) and not isinstance(event, Unresolved)
        arn: Any = None
        name: Any = None
        if is_map:
            arn = event.get("arn")
            if isinstance(arn, str):
                name = arn.split(":")[-1]
            name = event.get("topicName", name)
        elif isinstance(event, str) and event.startswith("arn:"):
            arn, name = event, event.split(":")[-1]
        elif isinstance(event, str):
            name = event
        if isinstance(event, Unresolved):
            arn = event
        label = alnum(name) if isinstance(name, str) else str(index)
        base = normalize(key)
        endpoint = self.fn_arn(fid, mark)
        filter_policy = event.get("filterPolicy") if is_map else None
        redrive = self.sns_redrive(event.get("redrivePolicy"), mark) if is_map else None
        if arn is not None:
            sprops = node(mark, {"TopicArn": arn, "Protocol": "lambda", "Endpoint": endpoint},
                          {"TopicArn": mark_of(event, "arn") if is_map else vmark})
            if filter_policy is not None:
                put(sprops, "FilterPolicy", filter_policy, mark_of(event, "filterPolicy"))
            if redrive is not None:
                put(sprops, "RedrivePolicy", redrive, mark_of(event, "redrivePolicy"))
            self.add(base + "SnsSubscription" + label, "AWS::SNS::Subscription", sprops, mark,
                     origin=fid)
            source_arn = arn
        else:
            tid = "SNSTopic" + label
            source_arn = ref(tid, mark)
            topic = self.resources.get(tid)
            if topic is None:
                tprops = node(mark, {"TopicName": name})
                if is_map and "kmsMasterKeyId" in event:
                    put(tprops, "KmsMasterKeyId", event["kmsMasterKeyId"],
                        mark_of(event, "kmsMasterKeyId"))
                topic = self.add(tid, "AWS::SNS::Topic", tprops, mark)
            if filter_policy is not None or redrive is not None:
                sprops = node(mark, {"TopicArn": ref(tid, mark), "Protocol": "lambda",
                                     "Endpoint": endpoint})
                if filter_policy is not None:
                    put(sprops, "FilterPolicy", filter_policy, mark_of(event, "filterPolicy"))
                if redrive is not None:
                    put(sprops, "RedrivePolicy", redrive, mark_of(event, "redrivePolicy"))
                self.add(base + "SnsSubscription" + label, "AWS::SNS::Subscription", sprops,
                         mark, origin=fid)
            else:
                subs = topic["Properties"].get("Subscription")
                if not isinstance(subs, MList):
                    subs = MList(*mark)
                    put(topic["Properties"], "Subscription", subs, mark)
                subs.append(node(mark, {"Endpoint": endpoint, "Protocol": "lambda"}))
                subs.marks.append(mark)
        self.permission(base + "LambdaPermission" + label + "SNS", fid, "sns.amazonaws.com",
                        source_arn, mark)

    @staticmethod
    def sns_redrive(policy: Any, mark: Mark) -> Any:
        if not isinstance(policy, dict) or isinstance(policy, Unresolved):
            return policy
        pmark = at(policy)
        if "deadLetterTargetArn" in policy:
            target = policy["deadLetterTargetArn"]
        elif "deadLetterTargetRef" in policy:
            target = getatt(str(policy["deadLetterTargetRef"]), "Arn", pmark)
        elif isinstance(policy.get("deadLetterTargetImport"), dict):
            target = node(pmark, {"Fn::ImportValue": policy["deadLetterTargetImport"].get("arn")})
        else:
            return policy
        return node(pmark, {"deadLetterTargetArn": target})

    def event_s3(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                 vmark: Mark) -> None:
        is_map = isinstance(event, dict) and not isinstance(event, Unresolved)
        bucket = event.get("bucket") if is_map else event
        notification = event.get("event", "s3:ObjectCreated:*") if is_map else \
            "s3:ObjectCreated:*"
        nmark = mark_of(event, "event") if is_map and "event" in event else mark
        rules = event.get("rules") if is_map else None
        filt = None
        if isinstance(rules, list):
            entries = MList(*mark_of(event, "rules"))
            for i, rule in enumerate(rules):
                if isinstance(rule, dict) and rule:
                    name, value = next(iter(rule.items()))
                    rm = mark_of(rules, i)
                    entries.append(node(rm, {"Name": name, "Value": value}))
                    entries.marks.append(rm)
            filt = node(mark_of(event, "rules"), {"S3Key": node(mark_of(event, "rules"), {
                "Rules": entries})})
        base = normalize(key)
        if is_map and event.get("existing"):
            # The Framework's Custom::S3 resource calls PutBucketNotification and
            # lambda:AddPermission (principal s3.amazonaws.com, SourceArn the bucket,
            # SourceAccount) at deploy time.
            self.out.existing.append((fid, base + "CustomS31", "s3", mark, {
                "bucket": bucket, "bucket_mark": mark_of(event, "bucket"),
                "events": notification, "events_mark": nmark, "filter": filt}))
            return
        if not isinstance(bucket, str):
            return  # the Framework refuses a non-literal bucket without existing: true
        providers3 = self.provider.get("s3")
        conf = providers3.get(bucket) if isinstance(providers3, dict) else None
        name = conf.get("name", bucket) if isinstance(conf, dict) else bucket
        bid = "S3Bucket" + alnum(bucket if isinstance(conf, dict) else str(name))
        existing = self.resources.get(bid)
        entry = node(mark, {"Event": notification, "Function": self.fn_arn(fid, mark)},
                     {"Event": nmark})
        if filt is not None:
            put(entry, "Filter", filt, mark_of(event, "rules"))
        if existing is None:
            bprops = node(mark, {"BucketName": name})
            if isinstance(conf, dict):
                for ckey, cvalue in conf.items():
                    if ckey not in ("name", "notificationConfiguration"):
                        put(bprops, ckey[:1].upper() + ckey[1:], cvalue, mark_of(conf, ckey))
            put(bprops, "NotificationConfiguration", node(mark, {
                "LambdaConfigurations": items(mark, [])}), mark)
            existing = self.add(bid, "AWS::S3::Bucket", bprops, mark)
        configs = existing["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
        configs.append(entry)
        configs.marks.append(mark)
        pid = base + "LambdaPermission" + alnum(str(bucket)) + "S3"
        if "DependsOn" not in existing:  # the bucket waits for its permissions
            put(existing, "DependsOn", MList(*mark), mark)
        if pid not in existing["DependsOn"]:
            existing["DependsOn"].append(pid)
            existing["DependsOn"].marks.append(mark)
        self.permission(pid, fid,
                        "s3.amazonaws.com", join(mark, ["arn:", ref("AWS::Partition", mark),
                                                        f":s3:::{name}"]), mark,
                        {"SourceAccount": ref("AWS::AccountId", mark)})

    def rule(self, rid: str, fid: str, mark: Mark, props: MDict, target: MDict,
             perm: str) -> None:
        put(target, "Arn", self.fn_arn(fid, mark), mark)
        put(props, "Targets", items(mark, [target]), mark)
        self.add(rid, "AWS::Events::Rule", props, mark, origin=fid)
        self.permission(perm, fid, "events.amazonaws.com", getatt(rid, "Arn", mark), mark)

    def event_schedule(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                       vmark: Mark) -> None:
        is_map = isinstance(event, dict) and not isinstance(event, Unresolved)
        rates = event.get("rate") if is_map else event
        rates = rates if isinstance(rates, list) else [rates]
        base = normalize(key)
        for offset, rate in enumerate(rates):
            number = index + offset
            if is_map and event.get("method") == "scheduler":
                props = node(mark, {"ScheduleExpression": rate, "FlexibleTimeWindow": node(
                    mark, {"Mode": "OFF"})})
                target = node(mark, {"Arn": self.fn_arn(fid, mark)})
                if self.out.role:
                    put(target, "RoleArn", getatt(self.out.role, "Arn", mark), mark)
                    if "scheduler.amazonaws.com" not in self.trust_services:
                        self.trust_services.append("scheduler.amazonaws.com")
                    self.allow(["lambda:InvokeFunction"], [self.fn_arn(fid, mark)], mark)
                put(props, "Target", target, mark)
                self.add(base + f"SchedulerSchedule{number}", "AWS::Scheduler::Schedule",
                         props, mark, origin=fid)
                continue
            props = node(mark, {"ScheduleExpression": rate, "State": "ENABLED"})
            if is_map and event.get("enabled") is False:
                put(props, "State", "DISABLED", mark_of(event, "enabled"))
            self.rule(base + f"EventsRuleSchedule{number}", fid, mark, props,
                      node(mark, {"Id": f"{key}Schedule"}),
                      base + f"LambdaPermissionEventsRuleSchedule{number}")

    def event_eventBridge(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                          vmark: Mark) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        props = MDict(*mark)
        for skey, cfn in (("pattern", "EventPattern"), ("schedule", "ScheduleExpression"),
                          ("eventBus", "EventBusName")):
            if skey in event and event[skey] != "default":
                put(props, cfn, event[skey], mark_of(event, skey))
        target = node(mark, {"Id": f"{key}-eventBridge-{index}"})
        retry = event.get("retryPolicy")
        if isinstance(retry, dict):
            rmark = mark_of(event, "retryPolicy")
            policy = MDict(*rmark)
            for skey, cfn in (("maximumEventAge", "MaximumEventAgeInSeconds"),
                              ("maximumRetryAttempts", "MaximumRetryAttempts")):
                if skey in retry:
                    put(policy, cfn, retry[skey], mark_of(retry, skey))
            put(target, "RetryPolicy", policy, rmark)
        if "deadLetterQueueArn" in event:
            dmark = mark_of(event, "deadLetterQueueArn")
            put(target, "DeadLetterConfig", node(dmark, {"Arn": event["deadLetterQueueArn"]}),
                dmark)
        base = normalize(key)
        self.rule(base + f"EventBridgeRule{index}", fid, mark, props, target,
                  base + f"EventBridgeLambdaPermission{index}")

    event_cloudwatchEvent = event_eventBridge  # v1/v2 name; v3 and v4 still accept it

    def event_cloudwatchLog(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                            vmark: Mark) -> None:
        is_map = isinstance(event, dict) and not isinstance(event, Unresolved)
        group = event.get("logGroup") if is_map else event
        gmark = mark_of(event, "logGroup") if is_map else vmark
        props = node(mark, {"LogGroupName": group, "DestinationArn": self.fn_arn(fid, mark),
                            "FilterPattern": event.get("filter", "") if is_map else ""},
                     {"LogGroupName": gmark})
        base = normalize(key)
        self.add(base + f"LogsSubscriptionFilterCloudWatchLog{index}",
                 "AWS::Logs::SubscriptionFilter", props, mark, origin=fid)
        self.permission(base + "LambdaPermissionLogsSubscriptionFilterCloudWatchLog", fid,
                        join(mark, ["logs.", ref("AWS::Region", mark), ".amazonaws.com"]),
                        join(mark, ["arn:", ref("AWS::Partition", mark), ":logs:",
                                    ref("AWS::Region", mark), ":", ref("AWS::AccountId", mark),
                                    ":log-group:*"]) if not isinstance(group, str) else
                        join(mark, ["arn:", ref("AWS::Partition", mark), ":logs:",
                                    ref("AWS::Region", mark), ":", ref("AWS::AccountId", mark),
                                    f":log-group:{group}:*"]), mark)

    def event_iot(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                  vmark: Mark) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        rid = normalize(key) + f"IotTopicRule{index}"
        payload = node(mark, {"Sql": event.get("sql"), "RuleDisabled": event.get(
            "enabled") is False, "Actions": items(mark, [node(mark, {"Lambda": node(mark, {
                "FunctionArn": self.fn_arn(fid, mark)})})])}, {"Sql": mark_of(event, "sql")})
        self.add(rid, "AWS::IoT::TopicRule", node(mark, {"TopicRulePayload": payload}), mark,
                 origin=fid)
        self.permission(normalize(key) + f"LambdaPermissionIotTopicRule{index}", fid,
                        "iot.amazonaws.com", getatt(rid, "Arn", mark), mark)

    def event_cognitoUserPool(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                              vmark: Mark) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        pool, trigger = event.get("pool"), event.get("trigger")
        config_key = COGNITO_KEYS.get(trigger) if isinstance(trigger, str) else None
        if config_key is None:
            return
        base = normalize(key)
        if event.get("existing"):
            self.out.existing.append((fid, base + "CustomCognitoUserPool1", "cognito", mark, {
                "trigger": config_key, "pool": pool}))
            return
        if not isinstance(pool, str):
            return
        pid = "CognitoUserPool" + alnum(pool)
        existing = self.resources.get(pid)
        arn = self.fn_arn(fid, mark)
        value: Any = arn
        if config_key in ("CustomSMSSender", "CustomEmailSender"):
            value = node(mark, {"LambdaArn": arn, "LambdaVersion": "V1_0"})
        if existing is None:
            existing = self.add(pid, "AWS::Cognito::UserPool", node(mark, {
                "UserPoolName": pool, "LambdaConfig": MDict(*mark)}), mark)
        put(existing["Properties"]["LambdaConfig"], config_key, value, mark)
        self.permission(base + "LambdaPermissionCognitoUserPool" + alnum(pool) +
                        "TriggerSource" + alnum(trigger), fid, "cognito-idp.amazonaws.com",
                        getatt(pid, "Arn", mark), mark)

    def event_alb(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                  vmark: Mark) -> None:
        if not isinstance(event, dict) or isinstance(event, Unresolved):
            return
        base = normalize(key)
        tid = base + f"AlbTargetGroup{index}"
        self.add(tid, "AWS::ElasticLoadBalancingV2::TargetGroup", node(mark, {
            "TargetType": "lambda", "Targets": items(mark, [node(mark, {
                "Id": self.fn_arn(fid, mark)})])}), mark, origin=fid)
        self.permission(base + "LambdaPermissionAlb", fid,
                        "elasticloadbalancing.amazonaws.com", ref(tid, mark), mark)

    def lambda_uri(self, fid: str, mark: Mark) -> MDict:
        return join(mark, ["arn:", ref("AWS::Partition", mark), ":apigateway:",
                           ref("AWS::Region", mark), ":lambda:path/2015-03-31/functions/",
                           self.fn_arn(fid, mark), "/invocations"])

    def event_http(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                   vmark: Mark) -> None:
        is_map = isinstance(event, dict) and not isinstance(event, Unresolved)
        if isinstance(event, str):
            method = event.split()[0] if event.split() else "ANY"
            event = None
        else:
            method = event.get("method", "ANY") if is_map else "ANY"
        integration = event.get("integration") if is_map else None
        itype = HTTP_INTEGRATIONS.get(str(integration).lower() if integration else None)
        if itype is None:
            return  # http, http-proxy, mock: API Gateway does not call the function
        api = self.rest_api(mark)
        body = node(mark, {"Type": itype, "IntegrationHttpMethod": "POST",
                           "Uri": self.lambda_uri(fid, mark)})
        timeout = event.get("timeoutInMillis") if is_map else None
        apigw = self.provider.get("apiGateway")
        if timeout is None and isinstance(apigw, dict):
            timeout = apigw.get("timeoutInMillis")
        if timeout is not None:
            put(body, "TimeoutInMillis", timeout, mark_of(event, "timeoutInMillis") if is_map
                and "timeoutInMillis" in event else mark)
        if is_map and event.get("async"):
            put(body, "RequestParameters", node(mark_of(event, "async"), {
                "integration.request.header.X-Amz-Invocation-Type": "'Event'"}),
                mark_of(event, "async"))
        props = node(mark, {"HttpMethod": str(method).upper(), "RestApiId": api,
                            "Integration": body})
        base = normalize(key)
        self.add(f"ApiGatewayMethod{base}{index}", "AWS::ApiGateway::Method", props, mark,
                 origin=fid)
        self.permission(base + "LambdaPermissionApiGateway", fid, "apigateway.amazonaws.com",
                        join(mark, ["arn:", ref("AWS::Partition", mark), ":execute-api:",
                                    ref("AWS::Region", mark), ":", ref("AWS::AccountId", mark),
                                    ":", api, "/*/*"]), mark)

    def rest_api(self, mark: Mark) -> Any:
        apigw = self.provider.get("apiGateway")
        if isinstance(apigw, dict) and "restApiId" in apigw:
            return apigw["restApiId"]
        if "ApiGatewayRestApi" not in self.resources:
            self.add("ApiGatewayRestApi", "AWS::ApiGateway::RestApi", node(mark, {
                "Name": f"{self.stage}-{self.service}"}), mark)
        return ref("ApiGatewayRestApi", mark)

    def event_httpApi(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                      vmark: Mark) -> None:
        http = self.provider.get("httpApi")
        if isinstance(http, dict) and "id" in http:
            api: Any = http["id"]
        else:
            if "HttpApi" not in self.resources:
                self.add("HttpApi", "AWS::ApiGatewayV2::Api", node(mark, {
                    "Name": f"{self.stage}-{self.service}", "ProtocolType": "HTTP"}), mark)
            api = ref("HttpApi", mark)
        base = normalize(key)
        iid = f"HttpApiIntegration{base}"
        if iid in self.resources:
            return  # one integration and one permission per function
        self.add(iid, "AWS::ApiGatewayV2::Integration", node(mark, {
            "ApiId": api, "IntegrationType": "AWS_PROXY",
            "IntegrationUri": self.fn_arn(fid, mark), "PayloadFormatVersion": "2.0",
            "TimeoutInMillis": 30000}), mark, origin=fid)
        self.permission(base + "LambdaPermissionHttpApi", fid, "apigateway.amazonaws.com",
                        join(mark, ["arn:", ref("AWS::Partition", mark), ":execute-api:",
                                    ref("AWS::Region", mark), ":", ref("AWS::AccountId", mark),
                                    ":", api, "/*"]), mark)

    def event_websocket(self, key: str, fid: str, event: Any, mark: Mark, index: int,
                        vmark: Mark) -> None:
        apigw = self.provider.get("websocketApiId")
        if apigw is not None:
            api: Any = apigw
        else:
            if "WebsocketsApi" not in self.resources:
                self.add("WebsocketsApi", "AWS::ApiGatewayV2::Api", node(mark, {
                    "Name": f"{self.stage}-{self.service}-websockets",
                    "ProtocolType": "WEBSOCKET"}), mark)
            api = ref("WebsocketsApi", mark)
        base = normalize(key)
        iid = f"{base}WebsocketsIntegration"
        if iid in self.resources:
            return
        self.add(iid, "AWS::ApiGatewayV2::Integration", node(mark, {
            "ApiId": api, "IntegrationType": "AWS_PROXY",
            "IntegrationUri": self.lambda_uri(fid, mark)}), mark, origin=fid)
        self.permission(base + "LambdaPermissionWebsockets", fid, "apigateway.amazonaws.com",
                        None, mark)


def _merge(base: dict, override: dict) -> MDict:
    """``resources:`` over a generated resource: mappings merged, the rest replaced (the
    Framework's ``_.merge``)."""
    out = MDict(getattr(base, "line", 0), getattr(base, "column", 0))
    for key, value in base.items():
        out[key] = value
        out.marks[key] = mark_of(base, key)
    for key, value in override.items():
        if isinstance(out.get(key), dict) and isinstance(value, dict) and not isinstance(
                value, Unresolved):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
        out.marks[key] = mark_of(override, key)
    return out


def _json(value: Any) -> str | None:
    """A filter pattern as the JSON text the Framework writes (``JSON.stringify``)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unresolved) or (isinstance(item, dict) and any(
                str(k).startswith("Fn::") or k == "Ref" for k in item)):
            return None
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    try:
        return json.dumps(value, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def _queue_name(arn: Any) -> str | None:
    """``queueName`` as the Framework reads it from an ARN or intrinsic (for the ID)."""
    if isinstance(arn, str):
        return arn.split(":")[-1]
    if isinstance(arn, dict) and not isinstance(arn, Unresolved):
        if isinstance(arn.get("Fn::GetAtt"), list) and arn["Fn::GetAtt"]:
            return str(arn["Fn::GetAtt"][0])
        if "Fn::ImportValue" in arn:
            return str(arn["Fn::ImportValue"])
        if isinstance(arn.get("Fn::Sub"), str):  # ${aws:region} in the ARN
            return arn["Fn::Sub"].split(":")[-1]
        parts = arn.get("Fn::Join")
        if isinstance(parts, list) and len(parts) == 2 and isinstance(parts[1], list) and \
                parts[1] and isinstance(parts[1][-1], str):
            return parts[1][-1]
    return None


def _stream_name(arn: Any) -> str | None:
    """The Framework's ``getStreamNameFromArn``."""
    if isinstance(arn, str):
        pieces = arn.split("/")
        return pieces[1] if len(pieces) > 1 else arn.split(":")[-1]
    if isinstance(arn, dict) and not isinstance(arn, Unresolved):
        if isinstance(arn.get("Fn::GetAtt"), list) and arn["Fn::GetAtt"]:
            return str(arn["Fn::GetAtt"][0])
        if "Fn::ImportValue" in arn:
            return str(arn["Fn::ImportValue"])
        if "Ref" in arn:
            return str(arn["Ref"])
    return None


def _cluster_name(arn: Any) -> str | None:
    if isinstance(arn, str):
        pieces = arn.split("/")
        return pieces[1] if len(pieces) > 1 else None
    if isinstance(arn, dict) and not isinstance(arn, Unresolved):
        if isinstance(arn.get("Fn::GetAtt"), list) and arn["Fn::GetAtt"]:
            return str(arn["Fn::GetAtt"][0])
        if "Ref" in arn:
            return str(arn["Ref"])
    return None
