"""Terraform plan JSON (``terraform show -json PLANFILE``, format_version 1.x).

A plan holds what Terraform knows before apply: ``planned_values`` (resources of the root
and child modules, with every value known at plan time, provider defaults included),
``resource_changes`` (``after_unknown`` marks the values only known after apply) and
``configuration`` (every argument the configuration sets, as a constant or as the
references it is built from). Data sources read during the plan sit in ``prior_state``.

ARNs of resources created by the same plan are unknown, so resources are linked through
the configuration's ``references`` (spec G.3): an event source mapping whose
``event_source_arn`` is ``["aws_sqs_queue.q.arn", "aws_sqs_queue.q"]`` reads the queue
``aws_sqs_queue.q``, through module outputs (``module.work.arn``) and module inputs
(``var.queue_arn`` inside a module) too. An argument the configuration does not set is
"not set" even though the plan shows the provider's default for it, so the mapping applies
the same defaults for every Terraform syntax. Plans carry no line numbers: findings point
at the plan file and name the resource address.
"""

from __future__ import annotations

import re
from typing import Any

from ...values import Loc, Sym, Token, Val, known, unknown
from ..yaml import load_json
from .builder import (
    NOT_SET,
    A,
    Hints,
    P,
    R,
    TfResource,
    build_model,
    policy_document,
)
from .expressions import JsonDoc, Unknown

_INDEX = re.compile(r"\[[^\]]*\]")
_RESOURCE_REF = re.compile(r"^((?:data\.)?[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+(?:\[[^\]]*\])?)"
                           r"\.([A-Za-z0-9_\-]+)")


def looks_like_plan(data: object) -> bool:
    return isinstance(data, dict) and "format_version" in data and (
        "planned_values" in data or "resource_changes" in data)


def _list(value: Any) -> list:
    """``value`` when it is a list, else nothing (a broken plan has other types)."""
    return value if isinstance(value, list) else []


def _strip_index(address: str) -> str:
    return _INDEX.sub("", address)


def _module_path(module_address: str) -> tuple[str, ...]:
    """``module.a["x"].module.b`` -> ("a", "b")."""
    if not module_address:
        return ()
    parts = _strip_index(module_address).split(".")
    return tuple(parts[i + 1] for i in range(0, len(parts) - 1, 2) if parts[i] == "module")


class PlanBody:
    """A resource's arguments from a plan: known values, after_unknown, configuration."""

    def __init__(self, plan: PlanLoader, values: Any, after_unknown: Any, exprs: Any,
                 module: tuple[str, ...], prefix: str, loc: Loc) -> None:
        self.plan = plan
        self.values = values if isinstance(values, dict) else {}
        self.after_unknown = after_unknown
        self.exprs = exprs if isinstance(exprs, dict) else None
        self.module = module
        self.prefix = prefix
        self.loc = loc

    def unknown_of(self, name: str) -> Any:
        if self.after_unknown is True:
            return True
        if isinstance(self.after_unknown, dict):
            return self.after_unknown.get(name)
        return None

    def get(self, name: str) -> Val:
        expr = self.exprs.get(name) if self.exprs is not None else None
        if self.exprs is not None and name not in self.exprs:
            return unknown(NOT_SET, self.loc)
        value = self.values.get(name)
        marks = self.unknown_of(name)
        if marks is True:
            resolved = self.plan.reference(expr, self.module)
            if isinstance(resolved, Unknown):
                return unknown(resolved.reason, self.loc)
            return known(resolved, self.loc)
        if value is None:
            if expr is not None and expr.get("references") and marks is None:
                resolved = self.plan.reference(expr, self.module)
                if not isinstance(resolved, Unknown):
                    return known(resolved, self.loc)
            return unknown(NOT_SET, self.loc)
        combined = self.combine(value, marks, expr)
        return known(combined, self.loc)

    def written(self, name: str) -> str | None:
        """The argument as the configuration writes it: its first reference, or its
        constant string."""
        expr = self.exprs.get(name) if self.exprs is not None else None
        if not isinstance(expr, dict):
            return None
        refs = expr.get("references")
        if isinstance(refs, list) and refs and isinstance(refs[0], str):
            return refs[0]
        constant = expr.get("constant_value")
        return constant if isinstance(constant, str) else None

    def combine(self, value: Any, marks: Any, expr: Any) -> Any:
        """A known value with its unknown parts filled from references (or Unknown)."""
        if marks is True:
            resolved = self.plan.reference(expr, self.module)
            return resolved
        if isinstance(value, list) and isinstance(marks, list):
            result = []
            unknown_items = sum(1 for m in marks if m is True)
            for index, item in enumerate(value):
                mark = marks[index] if index < len(marks) else None
                if mark is True:
                    if unknown_items == 1 and len(value) == 1:
                        result.append(self.plan.reference(expr, self.module))
                    else:
                        result.append(Unknown("known after apply"))
                else:
                    result.append(self.combine(item, mark, None))
            return result
        if isinstance(value, dict) and isinstance(marks, dict):
            return {k: self.combine(v, marks.get(k), None) for k, v in value.items()}
        return value

    def blocks(self, name: str) -> list | Val:
        if self.exprs is not None and name not in self.exprs and not self.values.get(name):
            return []  # not in the configuration (dynamic blocks are, as their values)
        marks = self.unknown_of(name)
        if marks is True:
            return unknown(f"{name} blocks are known after apply", self.loc)
        value = self.values.get(name)
        if not isinstance(value, list) or not value:
            if isinstance(value, dict):
                value = [value]
            else:
                return []
        exprs = self.exprs.get(name) if self.exprs is not None else None
        if not isinstance(exprs, list) or len(exprs) != len(value):
            exprs = [None] * len(value)
        marks_list = marks if isinstance(marks, list) else [None] * len(value)
        result: list = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            mark = marks_list[index] if index < len(marks_list) else None
            result.append(PlanBody(self.plan, item, mark, exprs[index], self.module,
                                   self.prefix, self.loc))
        return result


class PlanLoader:
    """Reads one plan into Terraform resources for :mod:`.builder`."""

    def __init__(self, path: str, data: dict) -> None:
        self.path = path
        self.data = data
        self.loc = Loc(path, 0, 0)
        self.hints = Hints()
        self.planned: dict[str, dict] = {}
        self.changes: dict[str, dict] = {}
        self.prior: dict[str, dict] = {}
        self.bases: dict[str, list[str]] = {}
        self.configs: dict[tuple[str, ...], dict] = {}
        self.docs: dict[str, Any] = {}
        self.active: set[str] = set()

    # -- indexes --------------------------------------------------------------------------
    def index(self) -> None:
        planned = self.data.get("planned_values")
        if isinstance(planned, dict):
            self.walk_module(planned.get("root_module"), self.planned)
        prior = self.data.get("prior_state")
        if isinstance(prior, dict):
            values = prior.get("values")
            if isinstance(values, dict):
                self.walk_module(values.get("root_module"), self.prior)
        for change in _list(self.data.get("resource_changes")):
            if isinstance(change, dict) and isinstance(change.get("address"), str):
                self.changes[change["address"]] = change
        for address in list(self.planned) + list(self.prior) + list(self.changes):
            base = _strip_index(address)
            entries = self.bases.setdefault(base, [])
            if address not in entries:
                entries.append(address)
        config = self.data.get("configuration")
        if isinstance(config, dict):
            self.walk_config(config.get("root_module"), ())

    def walk_module(self, module: Any, out: dict, depth: int = 0) -> None:
        if not isinstance(module, dict) or depth > 30:
            return
        for resource in _list(module.get("resources")):
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                out.setdefault(resource["address"], resource)
        for child in _list(module.get("child_modules")):
            self.walk_module(child, out, depth + 1)

    def walk_config(self, module: Any, path: tuple[str, ...], depth: int = 0) -> None:
        if not isinstance(module, dict) or depth > 30:
            return
        self.configs[path] = module
        calls = module.get("module_calls")
        for name, call in calls.items() if isinstance(calls, dict) else ():
            if isinstance(call, dict):
                self.walk_config(call.get("module"), path + (name,), depth + 1)

    def config_resource(self, module: tuple[str, ...], relative: str) -> dict | None:
        config = self.configs.get(module)
        if config is None:
            return None
        for resource in _list(config.get("resources")):
            if isinstance(resource, dict) and resource.get("address") == relative:
                return resource
        return None

    # -- references ---------------------------------------------------------------------------
    def reference(self, expr: Any, module: tuple[str, ...], depth: int = 0) -> Any:
        """The value an unknown argument refers to: a resource token, a module output, a
        module input, a policy document. Unknown when it combines several values."""
        if depth > 20:
            return Unknown("references nested too deeply")
        if not isinstance(expr, dict):
            return Unknown("known after apply")
        refs = [r for r in _list(expr.get("references")) if isinstance(r, str)]
        roots = []
        for ref in refs:
            if ref.startswith(("each.", "count.", "path.", "terraform.", "self.")):
                continue
            if any(other != ref and other.startswith(ref) for other in roots):
                continue
            if any(ref.startswith(other + ".") or ref.startswith(other + "[") for other in roots):
                continue
            roots.append(ref)
        if not roots:
            return Unknown("known after apply")
        if len(roots) > 1:
            return Unknown("known after apply (built from several values)")
        if isinstance(expr.get("constant_value"), str) and "${" in expr["constant_value"]:
            text = expr["constant_value"].strip()
            if not (text.startswith("${") and text.endswith("}") and text.count("${") == 1):
                return Unknown("known after apply (a string template)")
        return self.follow(roots[0], module, depth)

    def follow(self, ref: str, module: tuple[str, ...], depth: int) -> Any:
        prefix = "".join(f"module.{m}." for m in module)
        parts = ref.split(".")
        head = parts[0]
        if head == "var" and len(parts) >= 2:
            return self.module_input(parts[1], module, depth)
        if head == "local":
            return Unknown(f"{ref}: locals are not in plan JSON")
        if head == "module" and len(parts) >= 3:
            name = _strip_index(parts[1])
            config = self.configs.get(module + (name,))
            outputs = config.get("outputs") if isinstance(config, dict) else None
            output = outputs.get(parts[2]) if isinstance(outputs, dict) else None
            if not isinstance(output, dict):
                return Unknown(f"output {parts[2]} of module.{name} not in the plan")
            return self.reference(output.get("expression"), module + (name,), depth + 1)
        match = _RESOURCE_REF.match(ref)
        if not match:
            return Unknown(f"{ref} is not evaluated")
        relative, attr = match.group(1), match.group(2)
        address = prefix + relative
        if relative.startswith("data."):
            return self.data_attr(address, relative, attr, module)
        instances = self.bases.get(_strip_index(address), [])
        if address not in instances:
            if len(instances) == 1:
                address = instances[0]
            elif not instances:
                return Unknown(f"{address} is not in the plan")
            else:
                return Unknown(f"{address}: one of several instances")
        return Sym.of(Token("attr", address, attr))

    def module_input(self, name: str, module: tuple[str, ...], depth: int) -> Any:
        if not module:
            variables = self.data.get("variables")
            entry = variables.get(name) if isinstance(variables, dict) else None
            if isinstance(entry, dict) and "value" in entry:
                return entry["value"]
            return Unknown(f"var.{name} is not known")
        parent = self.configs.get(module[:-1])
        calls = parent.get("module_calls") if isinstance(parent, dict) else None
        call = calls.get(module[-1]) if isinstance(calls, dict) else None
        expressions = call.get("expressions") if isinstance(call, dict) else None
        expr = expressions.get(name) if isinstance(expressions, dict) else None
        if expr is None:
            return Unknown(f"var.{name} of module.{module[-1]} is not set")
        if "constant_value" in expr and not expr.get("references"):
            return expr["constant_value"]
        return self.reference(expr, module[:-1], depth + 1)

    def data_attr(self, address: str, relative: str, attr: str,
                  module: tuple[str, ...]) -> Any:
        dtype = relative.split(".")[1]
        if dtype == "aws_region" and attr in ("name", "id", "region"):
            return Sym.of(R)
        if dtype == "aws_caller_identity" and attr == "account_id":
            return Sym.of(A)
        if dtype == "aws_partition" and attr == "partition":
            return Sym.of(P)
        instances = self.bases.get(_strip_index(address), [])
        target = address if address in instances else (instances[0] if len(instances) == 1
                                                       else None)
        if target is None:
            return Unknown(f"{address} is not in the plan")
        values = self.data_values(target)
        if isinstance(values.get(attr), str) and attr not in ("json", "minified_json"):
            return values[attr]
        if dtype == "aws_iam_policy_document" and attr in ("json", "minified_json"):
            text = values.get(attr)
            if isinstance(text, str):
                return text
            if target in self.active:
                return Unknown(f"{target} refers to itself")
            self.active.add(target)
            try:
                doc = policy_document(self.body(target, module))
            finally:
                self.active.discard(target)
            return doc if isinstance(doc, Unknown) else JsonDoc(doc)
        return Unknown(f"{address}.{attr} is read from AWS")

    def data_values(self, address: str) -> dict:
        for source in (self.prior, self.planned):
            entry = source.get(address)
            if isinstance(entry, dict) and isinstance(entry.get("values"), dict):
                return entry["values"]
        change = self.changes.get(address, {}).get("change")
        if isinstance(change, dict) and isinstance(change.get("after"), dict):
            return change["after"]
        return {}

    # -- bodies -------------------------------------------------------------------------------
    def body(self, address: str, module: tuple[str, ...] | None = None) -> PlanBody:
        entry = self.planned.get(address) or self.prior.get(address) or {}
        change = self.changes.get(address, {})
        module_address = change.get("module_address") or entry.get("module_address") or ""
        if not isinstance(module_address, str):
            module_address = ""  # a plan written by hand (or broken): no module
        if module is None:
            module = _module_path(module_address) if module_address else \
                _module_path(".".join(address.split(".")[:-2]))
        prefix = "".join(f"module.{m}." for m in module)
        relative = _strip_index(address)
        if relative.startswith(prefix):
            relative = relative[len(prefix):]
        after = change.get("change", {}).get("after") if isinstance(change.get("change"),
                                                                      dict) else None
        values = entry.get("values") if isinstance(entry.get("values"), dict) else after
        after_unknown = change.get("change", {}).get("after_unknown") if isinstance(
            change.get("change"), dict) else None
        config = self.config_resource(module, relative)
        exprs = config.get("expressions", {}) if isinstance(config, dict) else None
        if address in self.prior and address not in self.changes:
            exprs = None  # read during the plan: its values are complete
        return PlanBody(self, values or {}, after_unknown, exprs if isinstance(exprs, dict)
                        else None, module, prefix, self.loc)

    def resources(self) -> list[TfResource]:
        out: list[TfResource] = []
        addresses = list(self.planned)
        for address in self.changes:
            change = self.changes[address]
            actions = change.get("change", {}).get("actions") if isinstance(
                change.get("change"), dict) else None
            if address not in self.planned and actions != ["delete"] and address not in \
                    self.prior:
                addresses.append(address)
        for address in addresses:
            entry = self.planned.get(address) or self.changes.get(address) or {}
            mode = entry.get("mode", "managed")
            rtype = entry.get("type")
            if not isinstance(rtype, str) or mode != "managed":
                continue
            change = self.changes.get(address, {}).get("change")
            if isinstance(change, dict) and change.get("actions") == ["delete"]:
                continue
            body = self.body(address)
            depends = self.depends_on(address, body)
            out.append(TfResource(address, "managed", rtype, str(entry.get("name", "")),
                                  self.loc, body, depends,
                                  references=self.references(body)))
        return out

    def references(self, body: PlanBody) -> list[tuple[str, str]]:
        """(resource address, argument) for each resource reference in the configuration."""
        result: list[tuple[str, str]] = []
        for argument, expr in (body.exprs or {}).items():
            for ref in _all_references(expr):
                match = _RESOURCE_REF.match(ref + ".x") if "." in ref else None
                if match is None or match.group(1).startswith("data."):
                    continue
                base = body.prefix + match.group(1)
                for address in self.bases.get(_strip_index(base), []):
                    if address == base or _strip_index(base) == base:
                        result.append((address, argument))
        return result

    def depends_on(self, address: str, body: PlanBody) -> tuple[str, ...]:
        config = self.config_resource(body.module, _strip_index(address)[len(body.prefix):])
        items = config.get("depends_on") if isinstance(config, dict) else None
        if not isinstance(items, list):
            return ()
        return tuple(body.prefix + str(item) for item in items if isinstance(item, str))


def _all_references(expr: Any, depth: int = 0) -> list[str]:
    if depth > 30:
        return []
    if isinstance(expr, dict):
        refs = [r for r in _list(expr.get("references")) if isinstance(r, str)]
        for key, value in expr.items():
            if key not in ("references", "constant_value"):
                refs.extend(_all_references(value, depth + 1))
        return refs
    if isinstance(expr, list):
        return [r for item in expr for r in _all_references(item, depth + 1)]
    return []


def load_plan(path: str, data: dict):
    """The model of a plan."""
    loader = PlanLoader(path, data)
    loader.index()
    resources = loader.resources()
    return build_model(path, "terraform-plan", resources, loader.hints)


def decode_plan(text: str) -> dict | None:
    try:
        data = load_json(text)  # bounded like every decoder (README "Bounds on input")
    except ValueError:
        return None
    return data if looks_like_plan(data) else None
