"""benchmarks/run.py: its synthetic inputs are what they claim, and its report judges the
targets from the numbers it is given (a benchmark that fails after minutes of timing, or
calls a missed target met, is worse than none). Timing itself is not tested here."""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import REPO

from esmlint import loaders


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def results(ten_thousand: float, cfn_lint: float | None = 40.0) -> dict:
    batch = {"files": 435, "esmlint": 0.5, "serial": 0.55, "floor": 0.4}
    cold = {"python": 0.02, "esmlint": 0.1}
    if cfn_lint is not None:
        batch["cfn-lint"] = cfn_lint
        cold["cfn-lint"] = 1.1
    sizes = [(10, 0.1), (100, 0.15), (1000, 0.5), (10000, ten_thousand)]
    return {
        "python": "3.11", "cpus": 2, "batch": batch, "cold": cold, "heavy_imports": [],
        "scaling": [{"functions": n, "seconds": t, "peak_mib": 20.0, "bytes": n * 900}
                    for n, t in sizes],
        "plan": {"resources": 5000, "seconds": 1.9, "bytes": 2_000_000},
        "relint": {"lines": 482, "best": 0.005, "median": 0.006},
        "corpus": {"files": 475, "tf": 40, "serial": 0.7, "floor": 0.4},
        "terraform": [{"functions": n, "sam": t, "tf": t * 1.3, "sam_peak_mib": 20.0,
                       "tf_peak_mib": 22.0} for n, t in ((100, 0.3), (1000, 0.5), (5000, 1.6))],
    }


def verdicts(bench, data: dict) -> dict[str, bool | None]:
    return {name: met for name, _, met in bench.targets(data)}


def test_every_target_met(bench):
    data = results(ten_thousand=4.0)
    assert all(met is True for met in verdicts(bench, data).values())
    text = bench.report(data, 3)
    assert "| 10,000 functions in at most 5 s | 4.00 s | yes |" in text
    assert "**no**" not in text


def test_missed_targets_are_reported(bench):
    data = results(ten_thousand=6.2)  # over 5 s, and 12.4x the 1,000-function time
    judged = verdicts(bench, data)
    assert judged["10,000 functions in at most 5 s"] is False
    assert judged["scaling: 10x the functions, at most 12x the time"] is False
    assert "| 10,000 functions in at most 5 s | 6.20 s | **no** |" in bench.report(data, 3)


def test_without_cfn_lint_the_ratios_are_not_judged(bench):
    judged = verdicts(bench, results(ten_thousand=4.0, cfn_lint=None))
    assert judged["batch: at least 50x faster than cfn-lint"] is None
    assert judged["cold: at most 1/10 of cfn-lint"] is None
    assert "n/a" in bench.report(results(ten_thousand=4.0, cfn_lint=None), 1)


def test_synthetic_template_has_what_it_says(bench):
    model = loaders.load_text("synthetic.yaml", bench.synthetic(12), True).model
    assert len(model.functions) == 12
    assert all(fn.role is not None for fn in model.functions)
    sources = [source for fn in model.functions for source in fn.sources]
    assert len(sources) == 12 and all(s.kind == "sqs" and s.resource for s in sources)


def test_synthetic_plan_has_what_it_says(bench):
    model = loaders.load_text("plan.json", json.dumps(bench.synthetic_plan(40)), True).model
    assert len(model.functions) == 10
    assert sum(len(fn.sources) for fn in model.functions) == 10


def test_without_the_corpus_the_batch_is_not_measured(bench):
    # A fresh clone has no ../shared/corpus: the batch measures are skipped, said so.
    data = results(ten_thousand=4.0)
    del data["batch"], data["corpus"]
    assert bench.template_files(REPO / "no-such-corpus") == []
    judged = verdicts(bench, data)
    assert judged["batch: within 2x of the floor"] is None
    assert judged["whole corpus (.tf included), --jobs 1: within 2x of the floor"] is None
    assert "not measured (no corpus)" in bench.report(data, 1)


def test_terraform_against_sam_is_judged_per_function(bench):
    data = results(ten_thousand=4.0)
    data["terraform"] = [
        {"functions": 100, "sam": 0.3, "tf": 0.35, "sam_peak_mib": 30, "tf_peak_mib": 32},
        {"functions": 1000, "sam": 0.5, "tf": 0.7, "sam_peak_mib": 50, "tf_peak_mib": 60},
        {"functions": 5000, "sam": 1.6, "tf": 2.6, "sam_peak_mib": 150, "tf_peak_mib": 200}]
    judged = verdicts(bench, data)
    assert judged[".tf within 1.5x of SAM per function (100 / 1,000 / 5,000)"] is False
    assert judged["5,000 functions in .tf: at most 3 s and 250 MiB"] is True
    assert judged["whole corpus (.tf included), --jobs 1: within 2x of the floor"] is True
    text = bench.report(data, 1)
    assert "| 5,000 | 1.60 s | 0.32 ms | 2.60 s | 0.52 ms | 1.62x | 150 / 200 MiB |" in text


def test_synthetic_terraform_matches_the_sam_template(bench):
    from esmlint.loaders.terraform.configuration import load_module

    sam = loaders.load_text("sam.yaml", bench.synthetic_sam(7), True).model
    load = load_module(".", {"main.tf": bench.synthetic_tf(7)})
    assert not load.errors
    for model in (sam, load.model):
        sources = [source for fn in model.functions for source in fn.sources]
        assert len(model.functions) == 7
        assert len(sources) == 7 and all(s.kind == "sqs" and s.resource for s in sources)


def test_ratios_are_of_processor_time_where_measured(bench):
    # On a shared machine other programs add wall time at random, not processor time.
    data = results(ten_thousand=4.0)
    data["batch"].update(serial=0.9, serial_cpu=0.5, floor_cpu=0.4)
    assert verdicts(bench, data)["batch, --jobs 1: within 1.5x of the floor"] is True
    assert "1.25x (processor time; wall 2.25x)" in bench.report(data, 1)
