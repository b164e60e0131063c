#!/usr/bin/env python3
"""Mutation testing of rule modules: do the tests notice when a rule's logic changes?

Run by hand (it takes minutes, and is not part of CI):

    python scripts/mutation.py                      # the six rules of issue 14
    python scripts/mutation.py ESM201 ESM601 -j 2   # other rules, two processes
    python scripts/mutation.py ESM101 --show-survivors

For each rule module it makes plausible small changes ("mutants"), one at a time:
flipped and off-by-one comparisons, ``and``/``or`` swapped, a negation dropped, a number
(a documented default, a limit) moved by one, a kind or value string in a comparison
changed, a condition of an ``if`` forced true or false, a returned value replaced by
None. Each mutant is run against the tests that judge rules (the fixtures, the Terraform
fixtures and ``tests/test_precision.py``); a mutant is *killed* when a test fails, and
*survives* otherwise. The score is killed / (killed + survived); a mutant that does not
compile or makes the tests time out counts as killed (the change is noticed).

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
         "tests/test_precision.py")
TIMEOUT = 300

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
    tree = ast.parse(original)
    points = list(mutations(tree))
    result = []
    for index, (node, what, make) in enumerate(points):
        mutated_tree = copy.deepcopy(tree)
        target = list(mutations(mutated_tree))[index][0]
        replacement = make(target)
        _replace(mutated_tree, target, replacement)
        ast.fix_missing_locations(mutated_tree)
        try:
            source = ast.unparse(mutated_tree)
        except Exception:  # noqa: BLE001 - an unprintable mutant is not a mutant
            continue
        if source != ast.unparse(tree):
            result.append(Mutant(rule_id, getattr(node, "lineno", 0), what, source))
    return result


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rules", nargs="*", default=list(DEFAULT_RULES))
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--show-survivors", action="store_true")
    parser.add_argument("--json", help="write the per-rule results to this file")
    args = parser.parse_args(argv)
    python = sys.executable
    if not baseline_passes(python):
        print("the tests fail without mutants: fix them first", file=sys.stderr)
        return 2
    results: dict[str, dict] = {}
    for rule_id in args.rules:
        mutants = mutants_of(rule_id.upper())
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            outcomes = list(pool.map(lambda m: run_mutant(m, python), mutants))
        killed = outcomes.count("killed")
        score = killed / len(mutants) if mutants else 1.0
        survivors = [f"line {m.line}: {m.what}" for m, o in zip(mutants, outcomes,
                                                                  strict=True)
                     if o == "survived"]
        results[rule_id] = {"mutants": len(mutants), "killed": killed,
                            "score": round(score, 3), "survivors": survivors}
        print(f"{rule_id}: {killed}/{len(mutants)} killed ({score:.0%}) in "
              f"{time.monotonic() - start:.0f} s", flush=True)
        if args.show_survivors:
            for line in survivors:
                print(f"  survived: {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
