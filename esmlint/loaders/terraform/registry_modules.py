"""terraform-aws-modules registry modules, read from their inputs instead of their code.

Lambda users wire their functions to queues, topics, rules and tables made with the
terraform-aws-modules family, whose code is not on disk until ``terraform init``. These
classes turn a module call's inputs into the resources the module would create, as
:class:`~esmlint.loaders.terraform.builder.TfResource` entries the builder maps like any
other, so every rule sees them. The same reading serves a registry source, a git source
of the same repository and a copy on disk (``source = "../../"``, or one downloaded into
``.terraform/modules``): a copy is recognised by its variables and resources, so both
paths agree.

Checked against the modules' variables, resources and outputs at these versions (older
major versions where their interface differs, noted per class):

- terraform-aws-modules/lambda/aws 8.8.1 (``iam.tf``: the role and its policies)
- terraform-aws-modules/sqs/aws 5.2.1 (and 3.x: ``policy``, ``redrive_policy`` as JSON
  text, ``sqs_queue_*`` outputs)
- terraform-aws-modules/sns/aws 7.1.0 (subscriptions since 5.0; ``sns_topic_*`` outputs
  before)
- terraform-aws-modules/eventbridge/aws 4.3.2 (rules, targets, their ``retry_policy`` and
  ``dead_letter_arn``; the module creates no Lambda permission)
- terraform-aws-modules/dynamodb-table/aws 5.5.0 (``stream_enabled``; the table is
  ``autoscaled`` when ``autoscaling_enabled``)

Only what the inputs say is modelled; an input that cannot be evaluated stays Unknown,
and a switch that cannot be evaluated makes what it would add unknown (the role then is
open-ended, so the permission rules stay quiet). Findings point at the module call's line
for that input, and at the entry's own line for an entry of a map input
(``event_source_mapping = { orders = {...} }``).
"""

from __future__ import annotations

import re
from typing import Any

from ...values import Loc, Sym, Token, Val, known
from .bodies import DictBody, _dict_refs
from .builder import A, Hints, P, R, TfResource
from .expressions import JsonDoc, ObjectCons, TupleCons, Unknown

#: Source patterns: the registry address, or the GitHub repository (git sources).
_SOURCE = r"^(?:(?:registry\.terraform\.io/)?terraform-aws-modules/{0}/aws|" \
          r"(?:git::)?(?:https://|git@|ssh://git@)?github\.com[/:]terraform-aws-modules/" \
          r"terraform-aws-{0}(?:\.git)?)(?://[^?]*)?(?:\?.*)?$"


def source_pattern(name: str) -> re.Pattern:
    return re.compile(_SOURCE.format(re.escape(name)))


# --------------------------------------------------------------------------- positions


def _key_text(node: Any) -> str | None:
    value = getattr(node, "value", None)
    if isinstance(value, str):
        return value
    parts = getattr(node, "parts", None)
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    name = getattr(node, "name", None)
    return name if isinstance(name, str) and not hasattr(node, "target") else None


def _loc_at(attr: Any, offset: int) -> Loc:
    relative = offset - attr.offset
    text = attr.text[:max(relative, 0)]
    line = attr.loc.line + text.count("\n")
    column = relative - text.rfind("\n") if "\n" in text else attr.loc.column
    return Loc(attr.loc.path, line, max(column, 1))


def entry_locs(attr: Any, scope: Any) -> dict[str, tuple[Loc, Any]]:
    """Key -> (location of the key, value node) for a map written as an object literal in
    the user's file; empty for anything else (a variable, a downloaded module's code)."""
    if getattr(scope, "vendored", None) is not None or not hasattr(attr, "text"):
        return {}
    try:
        node = attr.node()
    except Exception:  # noqa: BLE001 - unreadable expressions are reported where evaluated
        return {}
    if not isinstance(node, ObjectCons):
        return {}
    result: dict[str, tuple[Loc, Any]] = {}
    for key_node, value in node.items:
        key = _key_text(key_node)
        if key is not None:
            result[key] = (_loc_at(attr, key_node.offset), value)
    return result


def node_text(node: Any) -> str | None:
    """A reference as written (``module.fn.lambda_function_arn``, ``var.arn``), from its
    parsed form; None for anything that is not a plain traversal."""
    steps: list[str] = []
    while True:
        name = getattr(node, "name", None)
        target = getattr(node, "target", None)
        if target is not None and isinstance(name, str):  # GetAttr
            steps.append(f".{name}")
            node = target
        elif target is not None and hasattr(node, "key"):  # Index
            key = getattr(node.key, "value", None)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                return None
            steps.append(f'["{key}"]' if isinstance(key, str) else f"[{key}]")
            node = target
        elif isinstance(name, str):  # Var
            return name + "".join(reversed(steps))
        else:
            return None


def field_node(node: Any, field: str) -> Any:
    """The value node of ``field`` in an object literal node."""
    if isinstance(node, ObjectCons):
        for key_node, value in node.items:
            if _key_text(key_node) == field:
                return value
    return None


# --------------------------------------------------------------------------- inputs


class ModuleInputs:
    """A module call's inputs, evaluated in the calling module, with their locations."""

    #: Resource address the module's outputs and resources are named after.
    def __init__(self, parent: Any, name: str, prefix: str, inputs: dict, block: Any,
                 conditional: str) -> None:
        self.parent = parent
        self.name = name
        self.prefix = prefix
        self.inputs = inputs
        self.block = block
        self.conditional = conditional or parent.conditional
        self.loc: Loc = block.loc

    def input(self, name: str, fallback: Any = None) -> Any:
        entry = self.inputs.get(name)
        if entry is None:
            return fallback
        attr, scope = entry
        value = scope.evaluate(attr)
        return fallback if value is None else value

    def loc_of(self, name: str) -> Loc:
        entry = self.inputs.get(name)
        return entry[0].loc if entry is not None else self.loc

    def flag(self, name: str, fallback: bool) -> Any:
        value = self.input(name, fallback)
        return value if isinstance(value, (bool, Unknown)) else Unknown(f"{name} not a bool")

    def val(self, name: str, fallback: Any = None) -> Val | None:
        """The input as a value located at its line (None when neither set nor defaulted)."""
        value = self.input(name, fallback)
        if value is None:
            return None
        if isinstance(value, Unknown):
            return Val("unknown", None, self.loc_of(name), value.reason)
        return known(value, self.loc_of(name))

    def written(self, name: str) -> str | None:
        entry = self.inputs.get(name)
        text = getattr(entry[0], "text", None) if entry is not None else None
        return text.strip() if isinstance(text, str) else None

    def entries(self, name: str) -> dict[str, tuple[Loc, Any]]:
        entry = self.inputs.get(name)
        return entry_locs(entry[0], entry[1]) if entry is not None else {}

    def entry_loc(self, name: str, key: str) -> Loc:
        found = self.entries(name).get(key)
        return found[0] if found is not None else self.loc_of(name)

    def item_loc(self, name: str, key: str, index: int) -> Loc:
        """The location of item ``index`` of the list under ``key`` of a map input."""
        found = self.entries(name).get(key)
        entry = self.inputs.get(name)
        if found is None or entry is None:
            return self.loc_of(name)
        node = found[1]
        if isinstance(node, TupleCons) and 0 <= index < len(node.items):
            return _loc_at(entry[0], node.items[index].offset)
        return found[0]

    def field_text(self, name: str, key: str, field: str, index: int | None = None
                   ) -> str | None:
        """How ``field`` of entry ``key`` (item ``index`` of it) of a map input is written."""
        found = self.entries(name).get(key)
        node = found[1] if found is not None else None
        if index is not None:
            node = node.items[index] if isinstance(node, TupleCons) and \
                0 <= index < len(node.items) else None
        return node_text(field_node(node, field))

    def unlinked(self, kind: str) -> None:
        self.parent.loader.hints.unlinked.add(kind)

    def creates(self, *switches: tuple[str, bool]) -> Any:
        """True, False, or the Unknown of the first switch that cannot be evaluated."""
        values = [self.flag(name, fallback) for name, fallback in switches]
        if any(value is False for value in values):
            return False
        return next((value for value in values if isinstance(value, Unknown)), True)

    def conditional_of(self, creates: Any) -> str:
        if isinstance(creates, Unknown):
            return self.conditional or f"module.{self.name}: {creates.reason}"
        return self.conditional

    def tf_resources(self, out: list, hints: Hints) -> None:
        start = len(out)
        self.resources_of(out, hints)
        for item in out[start:]:
            item.references = _dict_refs(item.body)

    def resources_of(self, out: list, hints: Hints) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def add(self, out: list, address: str, rtype: str, loc: Loc, values: dict,
            conditional: str, texts: dict[str, str] | None = None) -> None:
        add(out, address, rtype, loc, values, conditional, texts)


def add(out: list, address: str, rtype: str, loc: Loc, values: dict, conditional: str,
        texts: dict[str, str] | None = None) -> None:
    """A resource the module creates, its arguments given as plain values (or Vals)."""
    out.append(TfResource(address, "managed", rtype, address.rsplit(".", 1)[-1], loc,
                          DictBody(values, loc, texts), (), conditional))


def attr(address: str, name: str) -> Sym:
    return Sym.of(Token("attr", address, name))


def _none_if_unknown(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value


# --------------------------------------------------------------------------- lambda role

#: The role's switches (module variable -> default), in the order iam.tf applies them.
LAMBDA_ROLE_SWITCHES = (
    ("attach_cloudwatch_logs_policy", True), ("attach_dead_letter_policy", False),
    ("attach_network_policy", False), ("attach_tracing_policy", False),
    ("attach_async_event_policy", False), ("attach_policy_json", False),
    ("attach_policy_jsons", False), ("attach_policy", False), ("attach_policies", False),
    ("attach_policy_statements", False),
)
_MANAGED = "arn:aws:iam::aws:policy/"


def lambda_role(module: Any, out: list, hints: Hints, conditional: str) -> Any:
    """The execution role of a terraform-aws-modules/lambda call: the role's ARN as the
    function's ``role`` (or ``lambda_role`` when ``create_role = false``), with the role
    and every policy its switches attach added to ``out`` (lambda module ``iam.tf``)."""
    create_role = module.flag("create_role", True)
    if create_role is False:
        return module.input("lambda_role", Unknown("lambda_role not set"))
    if isinstance(create_role, Unknown):
        return Unknown(f"module.{module.name}: create_role cannot be evaluated")
    address = module.role_address
    role_name = attr(address, "name")
    add(out, address, "aws_iam_role", module.loc, {"assume_role_policy": JsonDoc({
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"Service": "lambda.amazonaws.com"}}]})}, conditional)
    open_ended: list[str] = []
    if module.input("role_permissions_boundary") is not None:
        open_ended.append("role_permissions_boundary limits what its policies grant")
    fn_name = module.input("function_name")
    if not isinstance(fn_name, (str, Sym)):
        fn_name = Token("attr", module.fn_address, "function_name")
    for switch, fallback in LAMBDA_ROLE_SWITCHES:
        on = module.flag(switch, fallback)
        if isinstance(on, Unknown):
            open_ended.append(f"{switch} cannot be evaluated")
            continue
        if not on:
            continue
        loc = module.loc_of(switch)

        def policy(suffix: str, document: Any, where: Loc = loc) -> None:
            add(out, f"{module.prefix}aws_iam_role_policy.{suffix}",
                       "aws_iam_role_policy", where, {"role": role_name, "policy": document},
                       conditional)

        def attach(suffix: str, arn: Any, where: Loc = loc) -> None:
            add(out, f"{module.prefix}aws_iam_role_policy_attachment.{suffix}",
                       "aws_iam_role_policy_attachment", where,
                       {"role": role_name, "policy_arn": arn}, conditional)

        if switch == "attach_cloudwatch_logs_policy":
            group = Sym.of("arn:", P, ":logs:", R, ":", A, ":log-group:/aws/lambda/", fn_name)
            policy("logs", _document(["logs:CreateLogGroup", "logs:CreateLogStream",
                                      "logs:PutLogEvents"],
                                     [Sym.of(group, ":*"), Sym.of(group, ":*:*")]))
        elif switch == "attach_dead_letter_policy":
            target = module.input("dead_letter_target_arn", Unknown(
                "dead_letter_target_arn not set"))
            policy("dead_letter", _document(["sns:Publish", "sqs:SendMessage"], [target]))
        elif switch == "attach_network_policy":
            attach("vpc", _MANAGED + "service-role/AWSLambdaENIManagementAccess")
        elif switch == "attach_tracing_policy":
            attach("tracing", _MANAGED + "AWSXRayDaemonWriteAccess")
        elif switch == "attach_async_event_policy":
            targets = [module.input(name) for name in ("destination_on_failure",
                                                       "destination_on_success")]
            targets = [t for i, t in enumerate(targets) if t is not None and
                       t not in targets[:i]]
            policy("async", _document(["sns:Publish", "sqs:SendMessage", "events:PutEvents",
                                       "lambda:InvokeFunction"], targets))
        elif switch == "attach_policy_json":
            policy("additional_json", module.input("policy_json", Unknown(
                "policy_json not set")), module.loc_of("policy_json"))
        elif switch == "attach_policy_jsons":
            for index, item in enumerate(_counted(module, "policy_jsons",
                                                  "number_of_policy_jsons")):
                policy(f"additional_jsons[{index}]", item, module.loc_of("policy_jsons"))
        elif switch == "attach_policy":
            attach("additional_one", module.input("policy", Unknown("policy not set")),
                   module.loc_of("policy"))
        elif switch == "attach_policies":
            for index, item in enumerate(_counted(module, "policies", "number_of_policies")):
                attach(f"additional_many[{index}]", item, module.loc_of("policies"))
        elif switch == "attach_policy_statements":
            policy("additional_inline", _statements(module.input("policy_statements", {})),
                   module.loc_of("policy_statements"))
    if open_ended:
        hints.open_roles[address] = f"module.{module.name}: " + "; ".join(open_ended)
    return attr(address, "arn")


def _document(actions: list[str], resources: list) -> JsonDoc:
    return JsonDoc({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resources}]})


#: More policies than a role can hold (IAM: 20 managed, a few inline): not counted out.
MAX_COUNTED = 100


def _counted(module: Any, items_name: str, count_name: str) -> list:
    """The first ``number_of_...`` items of a list input (the module counts them so)."""
    count = module.input(count_name, 0)
    items = module.input(items_name, [])
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNTED:
        return [Unknown(f"{count_name} cannot be evaluated")]
    if not isinstance(items, list):
        return [Unknown(f"{items_name} cannot be evaluated")] if count else []
    return [items[i] if i < len(items) else Unknown(f"{items_name}[{i}] does not exist")
            for i in range(count)]


def _statements(value: Any) -> Any:
    """``policy_statements`` (a map of statement objects) as an IAM policy document."""
    if isinstance(value, Unknown) or not isinstance(value, dict):
        return Unknown("policy_statements cannot be evaluated")
    statements = []
    for key, item in value.items():
        if not isinstance(item, dict):
            statements.append(Unknown(f"policy_statements[{key}] cannot be evaluated"))
            continue
        statement: dict = {"Sid": key, "Effect": item.get("effect") or "Allow"}
        for arg, name in (("actions", "Action"), ("not_actions", "NotAction"),
                          ("resources", "Resource"), ("not_resources", "NotResource")):
            if item.get(arg) is not None:
                statement[name] = item[arg]
        if "Action" not in statement and "NotAction" not in statement:
            statement["Action"] = []
        principals = item.get("principals")
        if isinstance(principals, list) and principals:
            found: dict = {}
            for entry in principals:
                if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
                    found = {"AWS": Unknown("principals cannot be evaluated")}
                    break
                ids = entry.get("identifiers")
                found.setdefault(entry["type"], []).extend(ids if isinstance(ids, list)
                                                           else [ids])
            statement["Principal"] = found
        elif principals is not None and not isinstance(principals, list):
            statement["Principal"] = {"AWS": Unknown("principals cannot be evaluated")}
        if item.get("condition") or item.get("conditions"):
            statement["Condition"] = {"esmlint": "condition"}
        statements.append(statement)
    return JsonDoc({"Version": "2012-10-17", "Statement": statements})


# --------------------------------------------------------------------------- sqs


class SqsModule(ModuleInputs):
    """terraform-aws-modules/sqs/aws: the queue (``aws_sqs_queue.this``) and the
    dead-letter queue ``create_dlq`` makes (``aws_sqs_queue.dlq``, redriven to after
    ``maxReceiveCount`` 5 unless ``redrive_policy`` says otherwise)."""

    VARIABLES = ("visibility_timeout_seconds", "redrive_policy", "fifo_queue", "create")
    RESOURCES = ("aws_sqs_queue.this",)

    def names(self) -> tuple[Any, Any]:
        """(queue name, dead-letter queue name) as the module builds them."""
        if self.input("use_name_prefix", False) is not False or self.input(
                "name_prefix") is not None:
            return Unknown("name_prefix: generated"), Unknown("name_prefix: generated")
        name, fifo = self.input("name"), self.input("fifo_queue", False)
        if not isinstance(name, str) or not isinstance(fifo, bool):
            return (name if isinstance(name, Sym) else Unknown("name not known"),
                    Unknown("dlq name not known"))
        base = name.removesuffix(".fifo")
        queue = f"{base}.fifo" if fifo else base
        dlq = self.input("dlq_name")
        dlq = dlq.removesuffix(".fifo") if isinstance(dlq, str) and dlq else f"{base}-dlq"
        return queue, f"{dlq}.fifo" if fifo else dlq

    def output(self, name: str) -> Any:
        if self.creates(("create", True)) is False:
            return Unknown(f"module.{self.name} creates no queue")
        queue, dlq = f"{self.prefix}aws_sqs_queue.this", f"{self.prefix}aws_sqs_queue.dlq"
        names = self.names()
        mapping = {"queue_arn": attr(queue, "arn"), "sqs_queue_arn": attr(queue, "arn"),
                   "queue_arn_static": attr(queue, "arn"),
                   "queue_url": attr(queue, "url"), "queue_id": attr(queue, "url"),
                   "sqs_queue_id": attr(queue, "url"),
                   "queue_name": names[0] if isinstance(names[0], (str, Sym))
                   else attr(queue, "name"),
                   "sqs_queue_name": names[0] if isinstance(names[0], (str, Sym))
                   else attr(queue, "name")}
        if self.flag("create_dlq", False) is True:
            mapping.update({"dead_letter_queue_arn": attr(dlq, "arn"),
                            "dead_letter_queue_arn_static": attr(dlq, "arn"),
                            "dead_letter_queue_url": attr(dlq, "url"),
                            "dead_letter_queue_id": attr(dlq, "url"),
                            "dead_letter_queue_name": names[1] if isinstance(
                                names[1], (str, Sym)) else attr(dlq, "name")})
        if name in mapping:
            return mapping[name]
        return Unknown(f"output {name} of module.{self.name} is not modelled")

    def resources_of(self, out: list, hints: Hints) -> None:
        creates = self.creates(("create", True))
        if creates is False:
            return
        conditional = self.conditional_of(creates)
        queue_name, dlq_name = self.names()
        dlq_flag = self.flag("create_dlq", False)
        values: dict = {
            "name": _none_if_unknown(queue_name),
            "fifo_queue": self.val("fifo_queue"),
            "visibility_timeout_seconds": self.val("visibility_timeout_seconds"),
            "message_retention_seconds": self.val("message_retention_seconds"),
            "kms_master_key_id": self.val("kms_master_key_id"),
            "redrive_policy": self.redrive(dlq_flag),
        }
        if isinstance(queue_name, Unknown):
            values["name"] = Val("unknown", None, self.loc_of("name"), queue_name.reason)
        self.add(out, f"{self.prefix}aws_sqs_queue.this", "aws_sqs_queue", self.loc, values,
                 conditional)
        if self.input("create_queue_policy", False) is not False or \
                self.input("policy") is not None:
            self.unlinked("resource-policy:sqs")  # a queue policy esmlint does not read
        if dlq_flag is not True:
            return
        dlq: dict = {
            "name": dlq_name if not isinstance(dlq_name, Unknown) else Val(
                "unknown", None, self.loc_of("create_dlq"), dlq_name.reason),
            "fifo_queue": self.val("fifo_queue"),
            "visibility_timeout_seconds": self.val("dlq_visibility_timeout_seconds") or
            self.val("visibility_timeout_seconds"),
            "message_retention_seconds": self.val("dlq_message_retention_seconds") or
            self.val("message_retention_seconds"),
            "kms_master_key_id": self.val("dlq_kms_master_key_id") or
            self.val("kms_master_key_id"),
        }
        self.add(out, f"{self.prefix}aws_sqs_queue.dlq", "aws_sqs_queue",
                 self.loc_of("create_dlq"), dlq, conditional)

    def redrive(self, dlq_flag: Any) -> Any:
        policy = self.input("redrive_policy")
        loc = self.loc_of("redrive_policy") if policy is not None else self.loc_of(
            "create_dlq")
        if isinstance(dlq_flag, Unknown):
            return Val("unknown", None, self.loc_of("create_dlq"), dlq_flag.reason)
        if dlq_flag:
            base: dict = {"deadLetterTargetArn": attr(f"{self.prefix}aws_sqs_queue.dlq",
                                                      "arn"), "maxReceiveCount": 5}
            if isinstance(policy, dict):
                base.update(policy)
            elif policy is not None and policy != {}:
                return Val("unknown", None, loc, "redrive_policy cannot be evaluated")
            return known(JsonDoc(base), loc)
        if policy is None or policy in ({}, ""):
            return None
        if isinstance(policy, Unknown):
            return Val("unknown", None, loc, policy.reason)
        return known(JsonDoc(policy) if isinstance(policy, dict) else policy, loc)


# --------------------------------------------------------------------------- sns


class SnsModule(ModuleInputs):
    """terraform-aws-modules/sns/aws: the topic and its ``subscriptions`` (a map of
    ``protocol`` / ``endpoint`` / ``filter_policy``...; ``create_subscription``)."""

    VARIABLES = ("subscriptions", "fifo_topic", "create_topic_policy")
    RESOURCES = ("aws_sns_topic.this", "aws_sns_topic_subscription.this")

    def topic_name(self) -> Any:
        if self.input("use_name_prefix", False) is not False:
            return Unknown("name_prefix: generated")
        name, fifo = self.input("name"), self.input("fifo_topic", False)
        if isinstance(name, str) and isinstance(fifo, bool):
            base = name.removesuffix(".fifo")
            return f"{base}.fifo" if fifo else base
        return name if isinstance(name, Sym) else Unknown("name not known")

    def output(self, name: str) -> Any:
        if self.creates(("create", True)) is False:
            return Unknown(f"module.{self.name} creates no topic")
        topic = f"{self.prefix}aws_sns_topic.this"
        mapping = {"topic_arn": attr(topic, "arn"), "sns_topic_arn": attr(topic, "arn"),
                   "topic_id": attr(topic, "arn"), "sns_topic_id": attr(topic, "arn"),
                   "topic_name": attr(topic, "name"), "sns_topic_name": attr(topic, "name")}
        if name in mapping:
            return mapping[name]
        return Unknown(f"output {name} of module.{self.name} is not modelled")

    def resources_of(self, out: list, hints: Hints) -> None:
        creates = self.creates(("create", True))
        if creates is False:
            return
        conditional = self.conditional_of(creates)
        topic = f"{self.prefix}aws_sns_topic.this"
        name = self.topic_name()
        self.add(out, topic, "aws_sns_topic", self.loc, {
            "name": name if not isinstance(name, Unknown) else Val(
                "unknown", None, self.loc_of("name"), name.reason),
            "fifo_topic": self.val("fifo_topic"),
            "kms_master_key_id": self.val("kms_master_key_id")}, conditional)
        if self.input("create_topic_policy", True) is not False or \
                self.input("topic_policy") is not None:
            self.unlinked("resource-policy:sns")
        subscribe = self.creates(("create_subscription", True))
        subscriptions = self.input("subscriptions", {})
        if subscribe is False or subscriptions in ({}, None):
            return
        if isinstance(subscriptions, Unknown) or not isinstance(subscriptions, dict) or \
                isinstance(subscribe, Unknown):
            self.unlinked("sns")
            return
        for key, spec in subscriptions.items():
            loc = self.entry_loc("subscriptions", key)
            if not isinstance(spec, dict):
                self.unlinked("sns")
                continue
            values = {"topic_arn": attr(topic, "arn"),
                      "protocol": spec.get("protocol", Unknown("protocol not set")),
                      "endpoint": spec.get("endpoint", Unknown("endpoint not set")),
                      "filter_policy": spec.get("filter_policy")}
            written = self.field_text("subscriptions", key, "endpoint")
            self.add(out, f'{self.prefix}aws_sns_topic_subscription.this["{key}"]',
                     "aws_sns_topic_subscription", loc, values, conditional,
                     {"endpoint": written} if written else None)


# --------------------------------------------------------------------------- eventbridge


class EventBridgeModule(ModuleInputs):
    """terraform-aws-modules/eventbridge/aws: ``rules`` (a map; each rule named
    ``<key>-rule`` with ``_`` made ``-`` unless ``append_rule_postfix = false``) and their
    ``targets`` (a map of lists: ``name``, ``arn``, ``dead_letter_arn``, ``retry_policy``).
    The module creates no Lambda permission: that is the Lambda module's
    ``allowed_triggers`` (or an ``aws_lambda_permission``)."""

    VARIABLES = ("rules", "targets", "create_bus", "bus_name")
    RESOURCES = ("aws_cloudwatch_event_rule.this", "aws_cloudwatch_event_target.this")

    def rule_name(self, key: str) -> Any:
        postfix = self.input("append_rule_postfix", True)
        if not isinstance(postfix, bool):
            return Unknown("append_rule_postfix cannot be evaluated")
        return f"{key.replace('_', '-')}-rule" if postfix else key

    def output(self, name: str) -> Any:
        if self.creates(("create", True)) is False:
            return Unknown(f"module.{self.name} creates nothing")
        rules = self.input("rules", {})
        if name == "eventbridge_rule_arns" and isinstance(rules, dict):
            return {key: attr(f'{self.prefix}aws_cloudwatch_event_rule.this["{key}"]', "arn")
                    for key in rules}
        if name == "eventbridge_rule_ids" and isinstance(rules, dict):
            return {key: attr(f'{self.prefix}aws_cloudwatch_event_rule.this["{key}"]', "id")
                    for key in rules}
        if name in ("eventbridge_bus_arn", "eventbridge_bus_name") and \
                self.flag("create_bus", True) is True:
            return attr(f"{self.prefix}aws_cloudwatch_event_bus.this",
                        "arn" if name.endswith("arn") else "name")
        return Unknown(f"output {name} of module.{self.name} is not modelled")

    def resources_of(self, out: list, hints: Hints) -> None:
        creates = self.creates(("create", True), ("create_rules", True))
        if creates is False:
            return
        conditional = self.conditional_of(creates)
        rules = self.input("rules", {})
        targets = self.input("targets", {})
        if isinstance(rules, Unknown) or not isinstance(rules, dict):
            self.unlinked("eventbridge")
            return
        make_targets = self.creates(("create_targets", True))
        for key, spec in rules.items():
            address = f'{self.prefix}aws_cloudwatch_event_rule.this["{key}"]'
            name = self.rule_name(key)
            spec = spec if isinstance(spec, dict) else {}
            self.add(out, address, "aws_cloudwatch_event_rule",
                     self.entry_loc("rules", key), {
                         "name": name if not isinstance(name, Unknown) else None,
                         "schedule_expression": spec.get("schedule_expression"),
                         "event_pattern": spec.get("event_pattern")}, conditional)
            if make_targets is False:
                continue
            listed = targets.get(key, []) if isinstance(targets, dict) else targets
            if isinstance(listed, Unknown) or not isinstance(listed, list) or \
                    isinstance(make_targets, Unknown):
                self.unlinked("eventbridge")
                continue
            for index, target in enumerate(listed):
                self.target(out, address, key, index, target, conditional)

    def target(self, out: list, rule: str, key: str, index: int, target: Any,
               conditional: str) -> None:
        loc = self.item_loc("targets", key, index)
        if not isinstance(target, dict):
            self.unlinked("eventbridge")
            return
        label = target.get("name") if isinstance(target.get("name"), str) else \
            f"{key}[{index}]"
        values: dict = {"rule": attr(rule, "name"),
                        "arn": target.get("arn", Unknown("arn not set"))}
        if target.get("destination") is not None:
            values["arn"] = Unknown("an API destination")
        if target.get("dead_letter_arn") is not None:
            values["dead_letter_config"] = [{"arn": target["dead_letter_arn"]}]
        retry = target.get("retry_policy")
        if isinstance(retry, dict):
            values["retry_policy"] = [retry]
        written = self.field_text("targets", key, "arn", index)
        self.add(out, f'{self.prefix}aws_cloudwatch_event_target.this["{label}"]',
                 "aws_cloudwatch_event_target", loc, values, conditional,
                 {"arn": written} if written else None)


# --------------------------------------------------------------------------- dynamodb


class DynamoDbTableModule(ModuleInputs):
    """terraform-aws-modules/dynamodb-table/aws: the table and whether it has a stream."""

    VARIABLES = ("stream_enabled", "hash_key", "autoscaling_enabled")
    RESOURCES = ("aws_dynamodb_table.this",)

    def address(self) -> str:
        scaled = self.input("autoscaling_enabled", False)
        if scaled is True:
            ignore = self.input("ignore_changes_global_secondary_index", False)
            kind = "autoscaled_gsi_ignore" if ignore is True else "autoscaled"
        else:
            kind = "this"
        return f"{self.prefix}aws_dynamodb_table.{kind}"

    def output(self, name: str) -> Any:
        if self.creates(("create_table", True)) is False:
            return Unknown(f"module.{self.name} creates no table")
        table = self.address()
        mapping = {"dynamodb_table_arn": attr(table, "arn"),
                   "dynamodb_table_id": self.input("name", attr(table, "id")),
                   "dynamodb_table_stream_arn": attr(table, "stream_arn"),
                   "dynamodb_table_stream_label": attr(table, "stream_label")}
        if name in mapping:
            return mapping[name]
        return Unknown(f"output {name} of module.{self.name} is not modelled")

    def resources_of(self, out: list, hints: Hints) -> None:
        creates = self.creates(("create_table", True))
        if creates is False:
            return
        conditional = self.conditional_of(creates)
        if isinstance(self.input("autoscaling_enabled", False), Unknown):
            conditional = conditional or f"module.{self.name}: autoscaling_enabled unknown"
        self.add(out, self.address(), "aws_dynamodb_table", self.loc, {
            "name": self.val("name"),
            "stream_enabled": self.val("stream_enabled", False)}, conditional)


# --------------------------------------------------------------------------- dispatch

MODULES: tuple[tuple[re.Pattern, type], ...] = (
    (source_pattern("sqs"), SqsModule),
    (source_pattern("sns"), SnsModule),
    (source_pattern("eventbridge"), EventBridgeModule),
    (source_pattern("dynamodb-table"), DynamoDbTableModule),
)


def by_source(source: Any) -> type | None:
    """The class that reads a module called with this source, if it is one of these."""
    if not isinstance(source, str):
        return None
    return next((cls for pattern, cls in MODULES if pattern.match(source)), None)


def by_code(blocks: list) -> type | None:
    """The class for a copy of one of these modules on disk, by its variables and
    resources (a local copy, or one ``terraform init`` downloaded from git)."""
    variables = {b.labels[0] for b in blocks if b.type == "variable" and b.labels}
    resources = {f"{b.labels[0]}.{b.labels[1]}" for b in blocks
                 if b.type == "resource" and len(b.labels) >= 2}
    for _, cls in MODULES:
        if set(cls.VARIABLES) <= variables and set(cls.RESOURCES) <= resources:
            return cls
    return None
