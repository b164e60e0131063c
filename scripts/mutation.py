#!/usr/bin/env python3
"""Mutation testing of rule modules: do the tests notice when a rule's logic changes?

Run by hand (it takes minutes, and is not part of CI):

    python scripts/mutation.py                      # the six rules of issue 14
    python scripts/mutation.py ESM201 ESM601 -j 2   # other rules, two processes
    python scripts/mutation.py ESM101 --show-survivors
    python scripts/mutation.py --defaults           # the documented defaults are pinned

For each rule module it makes plausible small changes ("mutants"), one at a time:
flipped and off-by-one comparisons, ``and``/``or`` swapped, a negation dropped, a number
(a documented default, a limit) moved by one, a kind or value string in a comparison
changed, a condition of an ``if`` forced true or false, a returned value replaced by
None. Each mutant is run against the tests that judge rules (the fixtures, the Terraform
fixtures, ``tests/test_precision.py`` for severities and messages, ``tests/test_fixes.py``
and ``tests/test_rule_fixes.py`` for ``--fix``); a mutant is *killed* when a test fails, and
*survives* otherwise. The score is killed / (killed + survived); a mutant that does not
compile or makes the tests time out counts as killed (the change is noticed).

A survivor is either a test that is missing (add a fixture that must or must not trigger
the rule, or a focused test) or an *equivalent* mutant, one that cannot change what
esmlint reports. Equivalent mutants are listed in ``EQUIVALENT`` below, each with the
reason; they are not run and not counted. ``--show-survivors`` prints each survivor with
the line as written and the change.

The documented defaults the rules rely on partly live outside the rule modules (the
batch sizes in the model, the queue visibility and function timeouts in the front ends):
``--defaults`` moves each one in ``DEFAULTS`` by one second or record, up and down, and
reports the changes no test notices.

Why not mutmut: mutmut 3 copies the files it mutates into ``mutants/`` and expects the
tests to import them from there. esmlint's rules are installed from ``rules/`` as the
``esmlint.rules`` package (``package-dir`` in ``pyproject.toml``), so the tests import
the original modules and never see mutmut's copies; mutmut's own test run also fails
because it does not copy ``fixtures/``. Here each mutant is compiled and executed as the
module ``esmlint.rules.<name>`` in a fresh interpreter before pytest starts, so every
import of the rule (the registry, and the rules that import from it) gets the mutant.

Needs the package installed with its test extras (``pip install -e ".[test]"``).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"
DEFAULT_RULES = ("ESM101", "ESM108", "ESM109", "ESM201", "ESM301", "ESM401")
TESTS = ("tests/test_fixtures.py", "tests/test_terraform_fixtures.py",
         "tests/test_precision.py", "tests/test_fixes.py", "tests/test_rule_fixes.py")
TIMEOUT = 300

# --------------------------------------------------------------------------- defaults
#: Documented defaults the six rules depend on that live outside the rule modules (the
#: model and the front ends; the ones inside rule modules are mutated with the rest).
#: ``--defaults`` moves each by one, up and down, and expects the tests to notice.
#: (path, a snippet that holds the number once in that file, the number, what it is)
DEFAULTS: list[tuple[str, str, int, str]] = [
    ("esmlint/model.py", '"sqs": 10', 10, "SQS BatchSize (spec A.2)"),
    ("esmlint/model.py", '"kinesis": 100', 100, "Kinesis BatchSize (spec A.2)"),
    ("esmlint/model.py", '"dynamodb": 100', 100, "DynamoDB Streams BatchSize (spec A.2)"),
    ("esmlint/model.py", '"msk": 100', 100, "Amazon MSK BatchSize (spec A.2)"),
    ("esmlint/model.py", '"kafka": 100', 100, "self-managed Kafka BatchSize (spec A.2)"),
    ("esmlint/model.py", '"mq": 100', 100, "Amazon MQ BatchSize (spec A.2)"),
    ("esmlint/model.py", '"documentdb": 100', 100, "DocumentDB BatchSize (spec A.2)"),
    ("esmlint/loaders/cloudformation/builder.py", '"VisibilityTimeout", rid, 30', 30,
     "SQS VisibilityTimeout (spec A.5)"),
    ("esmlint/loaders/cloudformation/builder.py", '"Timeout", rid, 3)', 3,
     "function Timeout (spec A.8)"),
    ("esmlint/loaders/cloudformation/sam.py",
     'queue.props["visibility_timeout"] = default(30, loc)', 30,
     "VisibilityTimeout of the queue SAM creates for an SqsSubscription (spec A.5)"),
    ("esmlint/loaders/terraform/builder.py", '"visibility_timeout_seconds", 30', 30,
     "aws_sqs_queue visibility_timeout_seconds (spec A.5, G)"),
    ("esmlint/loaders/terraform/builder.py", '"timeout", 3, loc', 3,
     "aws_lambda_function timeout (spec A.8, G)"),
    ("esmlint/loaders/serverless/compile.py", "timeout if written else 6", 6,
     "the Serverless Framework's function timeout"),
]

# --------------------------------------------------------------------------- equivalents
# Mutants that cannot change what esmlint reports, with the reason. They are not run and
# not counted (score = killed / (mutants - equivalent)). Each entry names the rule, the
# function, the line as written and the changed code as the mutant has it (``if <test>:``,
# ``return None`` or the new expression); one that matches no mutant any more stops the
# run (tests/test_mutation_script.py checks it), so that a changed line is judged again.
# Judge a survivor before adding it here: most survivors are missing fixtures.

#: Unknown values carry None as their value (esmlint.values.unknown): a test of the
#: value's type after "not known" has already been asked gives the same answer.
UNKNOWN_IS_NONE = ("an Unknown value's value is None, so the type test alone answers "
                   "as the dropped known-test did")
FALSY = "its only callers test the result for truth: None and False/\"\" are alike"
#: ESM401's grants() is read only by matching(), which keeps YES and UNKNOWN.
MATCHING_DROPS = ("grants() is read only by matching(), which keeps YES and UNKNOWN "
                  "answers and drops the rest: None is dropped like NO")
NONE_ACTS_AS_YES = ("in grants() an answer that is neither NO nor UNKNOWN counts as YES, "
                    "and the function is called from grants() alone (ESM305 calls "
                    "principal_tri only for services other than CloudWatch Logs)")
SAM_EVENTS = ("a SAM event carries the permission SAM generates for it (the SAM "
              "expansion models it), which matches by construction: checking SAM events "
              "finds it (verified on a template with every SAM push event type)")
BARE_TOKEN = ("the subject is then a bare GetAtt token or None: match_arn answers a bare "
              "token only YES (for \"*\") or UNKNOWN, as None does, and ESM401/ESM404 act "
              "on NO alone (ESM404's S3 sources always have a bucket ARN)")
LOG_GROUP_IS_VAL = "every front end gives log_group as a Val (resolver.get / body.get)"
KAFKA_ACCESS = ("the front ends set access.vpc and access.secrets together, from the same "
                "SourceAccessConfigurations value: an unknown VPC comes with unknown "
                "secrets (requirements() has returned None already), an absent VPC with "
                "no secrets (no requirement at all)")
PIPE_FUNCTIONS = ("a pipe's polling source always lists the functions it invokes (one at "
                  "least: the front ends make it only for a pipe that invokes one)")
ORIGIN_IS_SAM = ("every role with an origin is one SAM generates (sam.py, invokers.py), "
                 "handled by the test above it")
SAM_FUNCTION = ("reached only for a role SAM generates, that is for a SAM function without "
                "Role: the test is never true")

EQUIVALENT: list[tuple[str, str, str, str, str]] = [
    ("ESM108", "check", "if size is None or size < 1:", "size is None",
     "a batch size below 1 never fails the next test: with a positive timeout and "
     "budget, timeout >= budget * size holds, and nothing in between reads size"),
    ("ESM108", "check", "if size is None or size < 1:", "0",
     "size 0 is skipped by the same test as above (timeout >= 0)"),
    ("ESM108", "check", "if timeout >= per_record * size * (1 - 1e-9):",
     "timeout > per_record * size * (1 - 1e-09)",
     "differs only when the timeout equals budget * size * (1 - 1e-9) exactly, which is "
     "not a whole number of seconds for any batch size up to 10,000; Lambda timeouts are "
     "whole seconds (spec A.8)"),
    ("ESM108", "check", "batch.loc if not batch.is_default and batch.loc else source.loc,",
     "batch.loc", "a default batch size is located at its mapping (default(..., "
     "source.loc)): batch.loc is source.loc then"),
    ("ESM108", "check", "batch.loc if not batch.is_default and batch.loc else source.loc,",
     "not batch.is_default", "a BatchSize the template sets is read by a front end's "
     "resolver, which always locates it (a Loc, never empty)"),
    ("ESM108", "check", "batch.loc if not batch.is_default and batch.loc else source.loc,",
     "not batch.is_default or batch.loc", "the two reasons above together"),
    ("ESM109", "unbounded", "if number is None:", "if False:",
     "returns False instead of None: check() reads the result only in "
     "`not (retries and age)`, where both mean 'do not report'"),
    ("ESM301", "check", "if fn.external:", "if False:",
     "an external function's dead-letter queue is Unknown, never absent "
     "(model.outside_function): the next test skips it"),
    ("ESM201", "source_arn",
     "if source.arn.known and isinstance(source.arn.value, (str, Sym)):",
     "isinstance(source.arn.value, (str, Sym))", UNKNOWN_IS_NONE),
    ("ESM201", "secrets", "if not item.known or not isinstance(item.value, (str, Sym)):",
     "not isinstance(item.value, (str, Sym))", UNKNOWN_IS_NONE),
    ("ESM201", "requirements",
     'if public.absent or (public.known and public.value in (False, "false")):',
     "public.value in (False, 'false')", UNKNOWN_IS_NONE),
    ("ESM201", "requirements", "if not vpc.absent and not vpc.known:", "if False:",
     KAFKA_ACCESS),
    ("ESM201", "requirements", "if not vpc.absent and not vpc.known:", "not vpc.known",
     KAFKA_ACCESS),
    ("ESM201", "requirements", "if not vpc.absent and not vpc.known:", "vpc.absent",
     KAFKA_ACCESS),
    ("ESM201", "requirements", "if vpc.known and vpc.value:", "vpc.value",
     KAFKA_ACCESS + "; an absent VPC's value is None"),
    ("ESM201", "missing", 'if "|" not in action:', "if False:",
     "a plain action run through the alternatives path gives the same answer: allowed -> "
     "skipped, denied -> listed under its own name, and an unsure one has made missing() "
     "return None already"),
    ("ESM201", "queue_policy_may_grant", 'if source.kind != "sqs": return False',
     "return None", FALSY),
    ("ESM201", "queue_policy_may_grant", "if queue is None: return False", "return None",
     FALSY),
    ("ESM201", "queue_policy_may_grant", "if not attached.known: return False",
     "return None", FALSY),
    ("ESM201", "queue_policy_may_grant", "return False", "return None", FALSY),
    ("ESM201", "queue_policy_may_grant", "if attached.is_unknown and not attached.absent:",
     "if False:", "no front end sets resource_policies to an Unknown value (it is a known "
     "list, or absent): the branch is never taken"),
    ("ESM201", "queue_policy_may_grant",
     "if attached.is_unknown and not attached.absent: return True", "return None",
     "the same unreachable branch"),
    ("ESM201", "check", "if role.sam_generated and source.sam_event:", "if False:",
     "the role SAM generates holds the policies SAM adds for each poll event (the SAM "
     "expansion models them): checking it finds them (verified for SQS, Kinesis, "
     "DynamoDB, MSK, MQ, self-managed Kafka and DocumentDB events)"),
    ("ESM201", "check", "if fn.sam_role_set and source.sam_event:", "source.sam_event",
     "a SAM event reaches this line only for a function with Role: without Role the role "
     "is SAM-generated and the event was skipped above"),
    ("ESM109", "bound_retries",
     'if source.kind in ("kinesis", "dynamodb") and (bisect.absent or bisect.is_default):',
     "bisect.absent", "no front end gives BisectBatchOnFunctionError a default value: it is "
     "read as written, or absent"),
    ("ESM109", "pipe_finding",
     'invokes = ", ".join(source.extra.get("functions") or [fn.id])',
     "source.extra.get('functions')", PIPE_FUNCTIONS),
    ("ESM201", "check", 'invokes = ", ".join(source.extra.get("functions") or [fn.id])',
     "source.extra.get('functions')", PIPE_FUNCTIONS),
    ("ESM201", "fix_for", "if role.origin:", "if False:", ORIGIN_IS_SAM),
    ("ESM201", "fix_for", 'if role.origin: return f"the role {role.id} is generated from '
     '{role.origin}"', "return None", ORIGIN_IS_SAM),
    ("ESM201", "fix_for", "if role.loc is None or role.loc.line <= 0:", "role.loc.line <= 0",
     "every role a front end makes has a location (a Loc; line 0 in a plan)"),
    ("ESM201", "_policy_template", "if not fn.is_sam or fn.sam_role_set:", "if False:",
     SAM_FUNCTION),
    ("ESM201", "_policy_template", "if not fn.is_sam or fn.sam_role_set:",
     "not fn.is_sam and fn.sam_role_set", SAM_FUNCTION),
    ("ESM201", "_policy_template", "if not fn.is_sam or fn.sam_role_set:", "fn.sam_role_set",
     SAM_FUNCTION),
    ("ESM201", "_policy_template", "if not fn.is_sam or fn.sam_role_set:", "not fn.is_sam",
     SAM_FUNCTION),
    ("ESM201", "_policy_template", 'if not fn.is_sam or fn.sam_role_set: return f"function '
     '{fn.id} is not a SAM function whose role SAM generates"', "return None", SAM_FUNCTION),
    ("ESM201", "_policy_template",
     "if resource is None or resource.kind != source.kind or resource.origin:",
     "resource is None or resource.origin",
     "the source's kind is read from its resource (source_kind), so they agree for SQS, "
     "Kinesis and DynamoDB, the kinds with a policy template"),
    ("ESM201", "_policy_template",
     "if resource is None or resource.kind != source.kind or resource.origin:",
     "resource is None or resource.kind != source.kind",
     "a plain mapping cannot name a resource SAM generates (GetAtt of a generated ID is "
     "'not in the template', unknown), so its resource has no origin"),
    ("ESM401", "qualifier_of", "if value.known:", "if True:",
     "a resolved permission's qualifier is a known string or absent in every front end, "
     "and qualifier_of is called only for resolved permissions; str(None or '') is ''"),
    ("ESM401", "qualifier_of", 'return str(value.value or "")', "value.value",
     "the same: a known qualifier is a string, '' or a name"),
    ("ESM401", "principal_tri", 'name = service.split(".", 1)[0]', "2",
     "the first piece of a split is the same whatever the split limit"),
    ("ESM401", "principal_tri", 'if name == "logs" and text.startswith("logs.") and '
     'text.endswith(".amazonaws.com"): return Tri.YES  # logs.<region>.amazonaws.com',
     "return None", NONE_ACTS_AS_YES),
    ("ESM401", "action_tri", "if not value.known or not isinstance(value.value, str):",
     "not isinstance(value.value, str)", UNKNOWN_IS_NONE),
    ("ESM401", "invoker_subject",
     "if isinstance(group, Val) and group.known and isinstance(group.value, Sym):",
     "group.known and isinstance(group.value, Sym)", LOG_GROUP_IS_VAL),
    ("ESM401", "invoker_subject",
     "if isinstance(group, Val) and group.known and isinstance(group.value, Sym):",
     "isinstance(group, Val) and isinstance(group.value, Sym)", UNKNOWN_IS_NONE),
    ("ESM401", "invoker_subject",
     "elif isinstance(group, Val) and group.known and isinstance(group.value, str):",
     "group.known and isinstance(group.value, str)", LOG_GROUP_IS_VAL),
    ("ESM401", "invoker_subject",
     "elif isinstance(group, Val) and group.known and isinstance(group.value, str):",
     "isinstance(group, Val) and isinstance(group.value, str)", UNKNOWN_IS_NONE),
    ("ESM401", "invoker_subject", "elif arn is None and source.invoker in model.resources:",
     "if False:", BARE_TOKEN),
    ("ESM401", "invoker_subject", "elif arn is None and source.invoker in model.resources:",
     "arn is None", BARE_TOKEN),
    ("ESM401", "invoker_subject", "elif arn is None and source.invoker in model.resources:",
     "source.invoker not in model.resources", BARE_TOKEN),
    ("ESM401", "source_arn_tri", "if value.absent: return Tri.YES", "return None",
     NONE_ACTS_AS_YES),
    ("ESM401", "source_arn_tri", "if named & ids: return Tri.YES", "return None",
     NONE_ACTS_AS_YES),
    ("ESM401", "source_arn_tri",
     "if not value.known or not isinstance(value.value, (str, Sym)):",
     "not isinstance(value.value, (str, Sym))", UNKNOWN_IS_NONE),
    ("ESM401", "_type", "if rid in model.origins:", "if True:",
     "every SAM event's source ID is in model.origins (the SAM expansion records it): "
     "for any other ID the loop finds no SAM event with that ID"),
    ("ESM401", "_type", 'return ""', "return None",
     "'' and None are both false for bool(kind) and both differ from any type"),
    ("ESM401", "_type", "if source.id == rid and source.sam_event:", "source.id == rid",
     "an ID in model.origins is SAM-generated: no CloudFormation source can have it "
     "(logical IDs are unique)"),
    ("ESM401", "_same_type", "return bool(kind) and model.function(ref) is None and any(",
     "model.function(ref) is None and any((_type(model, rid) == kind for rid in ids))",
     "the IDs of a source ESM401/ESM404 check are template resources, which all have a "
     "type: none has the type '' (SAM events are not checked)"),
    ("ESM401", "_same_type", "return bool(kind) and model.function(ref) is None and any(",
     "bool(kind) and any((_type(model, rid) == kind for rid in ids))",
     "no source ESM401/ESM404 check has a function as its invoker or ID, so a function's "
     "type matches none of them"),
    ("ESM401", "grants", "if tri is Tri.NO:", "if False:",
     "the NO stays in results, and grants() returns NO for it at the end"),
    ("ESM401", "grants", "if not perm.url_auth_type.absent or (perm.invoked_via_url.known",
     "perm.invoked_via_url.value in (True, 'true')", UNKNOWN_IS_NONE),
    ("ESM401", "grants", "if tri is Tri.NO: return Tri.NO", "return None", MATCHING_DROPS),
    ("ESM401", "grants", "elif perm.resolved is not source.function: return Tri.NO",
     "return None", MATCHING_DROPS),
    ("ESM401", "grants", "if Tri.NO in results: return Tri.NO", "return None",
     MATCHING_DROPS),
    ("ESM401", "checked", "if not principal or source.sam_event:", "if False:", SAM_EVENTS),
    ("ESM401", "checked", "if not principal or source.sam_event:",
     "not principal and source.sam_event", SAM_EVENTS),
    ("ESM401", "checked", "if not principal or source.sam_event:", "source.sam_event",
     "a source without a principal then goes on to return its principal, '', all the same"),
    ("ESM401", "checked", "if not principal or source.sam_event:", "not principal",
     SAM_EVENTS),
    ("ESM401", "checked", 'if not principal or source.sam_event: return ""  # SAM '
     'creates the permission of its events itself', "return None", FALSY),
    ("ESM401", "checked", "if isinstance(credentials, Val) and not credentials.absent: "
     'return ""  # API Gateway invokes with that role instead', "return None", FALSY),
    ("ESM401", "invoker_label", "name = source.invoker or source.id", "source.invoker",
     "every push source ESM401 reports has an invoker (the front ends fall back to the "
     "source's own ID)"),
]

#: Comparison operator -> the operators it is mutated into.
COMPARE = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.GtE), ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE), ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,), ast.NotIn: (ast.In,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,),
}

#: Run in the child before pytest: the mutant replaces the module everywhere.
BOOT = """
import importlib, sys, types
name, path = sys.argv[1], sys.argv[2]
source = open(path, encoding="utf-8").read()
module = types.ModuleType(name)
real = importlib.util.find_spec(name)
module.__file__ = real.origin
module.__package__ = name.rpartition(".")[0]
sys.modules[name] = module
exec(compile(source, real.origin, "exec"), module.__dict__)
import pytest
rule = sys.argv[3]


class FirstTheRulesOwn:  # the rule's own fixtures first: with -x a kill stops early

    def pytest_collection_modifyitems(self, items):
        items.sort(key=lambda item: rule not in item.nodeid)


sys.exit(pytest.main(sys.argv[4:], plugins=[FirstTheRulesOwn()]))
"""


@dataclass
class Mutant:
    rule: str
    line: int
    what: str
    source: str
    #: The function the change is in ("" at module level), the line as written and the
    #: changed code (the expression, ``if <test>:`` or ``return None``): what
    #: ``EQUIVALENT`` entries name.
    function: str = ""
    before: str = ""
    after: str = ""

    def key(self) -> tuple[str, str, str, str]:
        return (self.rule, self.function, self.before, self.after)


def rule_file(rule_id: str) -> Path:
    found = sorted(RULES.glob(f"{rule_id.lower()}_*.py"))
    if not found:
        raise SystemExit(f"no rule module for {rule_id} in {RULES}")
    return found[0]


def _skip(node: ast.AST, parents: dict) -> bool:
    """Docstrings, message text and the rule's ID/NAME/SEVERITY are not logic."""
    current = node
    while current in parents:
        parent = parents[current]
        if isinstance(parent, ast.JoinedStr):
            return True  # inside an f-string: message text
        if isinstance(parent, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("ID", "NAME", "SEVERITY")
                for t in parent.targets):
            return True
        if isinstance(parent, ast.Call) and getattr(parent.func, "id", "") == "report" \
                and current is not parent.func and current in parent.args[1:2]:
            return True  # the message argument of report()
        current = parent
    return False


def mutations(tree: ast.Module) -> Iterator[tuple[ast.AST, str, object]]:
    """(node, description, replacement factory) for every mutation point of a module."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if _skip(node, parents):
            continue
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                for new in COMPARE.get(type(op), ()):
                    yield node, f"{type(op).__name__} -> {new.__name__}", (
                        lambda n, i=index, k=new: _set_op(n, i, k))
            for index, comparator in enumerate(node.comparators):
                if isinstance(comparator, ast.Constant) and isinstance(comparator.value, str):
                    yield node, f"compared string {comparator.value!r} changed", (
                        lambda n, i=index: _change_string(n, i))
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And
            yield node, f"{type(node.op).__name__} -> {other.__name__}", (
                lambda n, k=other: _set_boolop(n, k))
            for index in range(len(node.values)):
                yield node, f"operand {index + 1} of {type(node.op).__name__} dropped", (
                    lambda n, i=index: _drop_operand(n, i))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "not dropped", lambda n: n.operand
        elif isinstance(node, ast.Constant) and type(node.value) in (int, float) \
                and not isinstance(parents.get(node), ast.Subscript):
            yield node, f"number {node.value!r} + 1", (
                lambda n: ast.Constant(n.value + 1))
            yield node, f"number {node.value!r} - 1", (
                lambda n: ast.Constant(n.value - 1))
        elif isinstance(node, ast.If):
            yield node, "if condition forced True", lambda n: _set_test(n, True)
            yield node, "if condition forced False", lambda n: _set_test(n, False)
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            yield node, "return value replaced by None", (
                lambda n: ast.Return(ast.Constant(None)))


def _set_op(node, index, new):
    node.ops[index] = new()
    return node


def _change_string(node, index):
    node.comparators[index] = ast.Constant(node.comparators[index].value + "_mutant")
    return node


def _set_boolop(node, new):
    node.op = new()
    return node


def _drop_operand(node, index):
    values = node.values[:index] + node.values[index + 1:]
    if len(values) == 1:
        return values[0]
    node.values = values
    return node


def _set_test(node, value):
    node.test = ast.Constant(value)
    return node


def mutants_of(rule_id: str) -> list[Mutant]:
    path = rule_file(rule_id)
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines()
    tree = ast.parse(original)
    unparsed = ast.unparse(tree)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    points = list(mutations(tree))
    # A deep copy walks in the same order: the n-th node of the copy is the n-th node of
    # the original, so each mutant's target is found without enumerating the points again.
    order = {id(node): index for index, node in enumerate(ast.walk(tree))}
    result = []
    for node, what, make in points:
        mutated_tree = copy.deepcopy(tree)
        target = list(ast.walk(mutated_tree))[order[id(node)]]
        replacement = make(target)
        _replace(mutated_tree, target, replacement)
        ast.fix_missing_locations(mutated_tree)
        try:
            source = ast.unparse(mutated_tree)
        except Exception:  # noqa: BLE001 - an unprintable mutant is not a mutant
            continue
        if source == unparsed:
            continue
        line = getattr(node, "lineno", 0)
        after = (f"if {ast.unparse(replacement.test)}:" if isinstance(replacement, ast.If)
                 else ast.unparse(replacement))
        before = lines[line - 1].strip() if line else ""
        parent = parents.get(node)
        if isinstance(node, ast.Return) and isinstance(parent, ast.If):
            # ``return False`` is written many times: say which test it answers
            head = lines[parent.lineno - 1].strip() if node in parent.body else "else:"
            before = f"{head} {before}"
        result.append(Mutant(rule_id, line, what, source, function=_function_of(node, parents),
                             before=before, after=after))
    return result


def _function_of(node: ast.AST, parents: dict) -> str:
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node.name
    return ""


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    if old is new:
        return
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
                        return


def module_name(rule_id: str) -> str:
    return f"esmlint.rules.{rule_file(rule_id).stem}"


def run_mutant(mutant: Mutant, python: str) -> str:
    """"killed" or "survived" (a timeout counts as killed)."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False,
                                     encoding="utf-8") as handle:
        handle.write(mutant.source)
    try:
        proc = subprocess.run(
            [python, "-c", BOOT, module_name(mutant.rule), handle.name, mutant.rule,
             "-x", "-q",
             "-p", "no:cacheprovider", *TESTS],
            cwd=REPO, capture_output=True, text=True, timeout=TIMEOUT,
            env={**os.environ, "PYTHONSAFEPATH": "1"})
    except subprocess.TimeoutExpired:
        return "killed"
    finally:
        os.unlink(handle.name)
    return "survived" if proc.returncode == 0 else "killed"


def baseline_passes(python: str) -> bool:
    proc = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                           *TESTS], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONSAFEPATH": "1"})
    return proc.returncode == 0


def run_default(path: str, snippet: str, number: int, delta: int, python: str) -> str:
    """Move one default by ``delta`` in the file itself, run the tests, put it back.

    The front ends are imported by everything, so the file is changed in place (and
    restored whatever happens) instead of being swapped in like a rule module; these run
    one at a time.
    """
    target = REPO / path
    original = target.read_bytes()
    text = original.decode("utf-8")
    if text.count(snippet) != 1:
        raise SystemExit(f"{path}: {snippet!r} must occur exactly once")
    moved = re.sub(rf"\b{number}\b(?!.*\b{number}\b)", str(number + delta), snippet)
    try:
        target.write_text(text.replace(snippet, moved), encoding="utf-8")
        proc = subprocess.run([python, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                               *TESTS], cwd=REPO, capture_output=True, text=True,
                              timeout=TIMEOUT, env={**os.environ, "PYTHONSAFEPATH": "1"})
    except subprocess.TimeoutExpired:
        return "killed"
    finally:
        target.write_bytes(original)
    return "survived" if proc.returncode == 0 else "killed"


def check_defaults(python: str) -> int:
    """``--defaults``: every default of ``DEFAULTS`` moved by one must fail a test."""
    unpinned = []
    for path, snippet, number, meaning in DEFAULTS:
        for delta in (1, -1):
            if run_default(path, snippet, number, delta, python) == "survived":
                unpinned.append(f"{meaning} ({path}): {number} -> {number + delta}")
    total = 2 * len(DEFAULTS)
    print(f"defaults: {total - len(unpinned)}/{total} changes noticed "
          f"({len(DEFAULTS)} defaults, each moved by +1 and -1)")
    for line in unpinned:
        print(f"  not pinned: {line}")
    return 1 if unpinned else 0


def equivalent_reasons(rule_id: str) -> dict[tuple[str, str, str, str], str]:
    """The ``EQUIVALENT`` entries of one rule, by mutant key."""
    return {entry[:4]: entry[4] for entry in EQUIVALENT if entry[0] == rule_id}


def stale_equivalents(rule_ids: list[str]) -> list[tuple[str, str, str, str, str]]:
    """``EQUIVALENT`` entries of these rules that do not match exactly one mutant."""
    keys = [m.key() for rule_id in set(rule_ids) for m in mutants_of(rule_id)]
    return [entry for entry in EQUIVALENT
            if entry[0] in rule_ids and keys.count(entry[:4]) != 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rules", nargs="*", default=list(DEFAULT_RULES))
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--show-survivors", action="store_true")
    parser.add_argument("--json", help="write the per-rule results to this file")
    parser.add_argument("--defaults", action="store_true",
                        help="check instead that the documented defaults of DEFAULTS "
                             "(outside the rule modules) are pinned by the tests")
    args = parser.parse_args(argv)
    python = sys.executable
    if not baseline_passes(python):
        print("the tests fail without mutants: fix them first", file=sys.stderr)
        return 2
    if args.defaults:
        return check_defaults(python)
    stale = stale_equivalents([rule.upper() for rule in args.rules])
    if stale:
        for entry in stale:
            print(f"EQUIVALENT entry does not match exactly one mutant: {entry[:4]}",
                  file=sys.stderr)
        return 2
    results: dict[str, dict] = {}
    for rule_id in (rule.upper() for rule in args.rules):
        every = mutants_of(rule_id)
        reasons = equivalent_reasons(rule_id)
        excluded = [m for m in every if m.key() in reasons]
        mutants = [m for m in every if m.key() not in reasons]
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda m: run_mutant(m, python), mutants))
        killed = outcomes.count("killed")
        score = killed / len(mutants) if mutants else 1.0
        survivors = [f"line {m.line} ({m.function or 'module'}): {m.what}: {m.before} "
                     f"-> {m.after}" for m, o in zip(mutants, outcomes, strict=True)
                     if o == "survived"]
        results[rule_id] = {"mutants": len(every), "equivalent": len(excluded),
                            "killed": killed, "score": round(score, 3),
                            "survivors": survivors}
        print(f"{rule_id}: {killed}/{len(mutants)} killed ({score:.0%}), "
              f"{len(excluded)} of {len(every)} mutants equivalent, in "
              f"{time.monotonic() - start:.0f} s", flush=True)
        if args.show_survivors:
            for line in survivors:
                print(f"  survived: {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
