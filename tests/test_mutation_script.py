"""The mutation-testing script (scripts/mutation.py) without running any mutant.

Running the mutants takes many minutes and is done by hand; what is checked here is fast:
every rule it targets yields mutants, and every mutant it excludes as equivalent is still
there, exactly once, so that a rule change makes someone judge the exclusion again.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "mutation.py"


@pytest.fixture(scope="module")
def mutation():
    spec = importlib.util.spec_from_file_location("mutation_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_every_default_rule_has_mutants(mutation):
    for rule in mutation.DEFAULT_RULES:
        assert len(mutation.mutants_of(rule)) >= 10, rule


def test_equivalent_mutants_match_exactly_one_mutant(mutation):
    rules = sorted({entry[0] for entry in mutation.EQUIVALENT})
    assert mutation.stale_equivalents(rules) == []


def test_equivalent_entries_give_a_reason(mutation):
    for entry in mutation.EQUIVALENT:
        assert len(entry) == 5 and len(entry[4]) > 20, entry[:4]


def test_mutants_say_where_they_are(mutation):
    mutants = mutation.mutants_of("ESM109")
    forced = [m for m in mutants if m.function == "unbounded" and m.after == "if False:"]
    assert {m.before for m in forced} == {"if value.absent:", "if number is None:"}
    returns = [m for m in mutants if m.function == "unbounded" and m.after == "return None"]
    assert "if value.absent: return True" in {m.before for m in returns}


def test_pinned_defaults_are_where_the_script_looks(mutation):
    root = SCRIPT.parents[1]
    for path, snippet, number, _ in mutation.DEFAULTS:
        text = (root / path).read_text(encoding="utf-8")
        assert text.count(snippet) == 1, (path, snippet)
        assert str(number) in snippet
