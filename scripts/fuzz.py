#!/usr/bin/env python3
"""A long fuzz run: the properties of tests/test_fuzz.py over many more inputs.

    python scripts/fuzz.py --count 20000            # about 20,000 inputs over all targets
    python scripts/fuzz.py --seconds 600            # as many as fit in ten minutes
    python scripts/fuzz.py --target mutated-text --count 5000 --seed 7

Each target (mutated and generated SAM/CloudFormation, Terraform HCL, .tf.json and plan
JSON, damaged text) runs in rounds of ``--batch`` inputs until its share of ``--count`` or
of ``--seconds`` is used. A failing input is shrunk by Hypothesis and printed with its
traceback; the run goes on with the next round. At the end: how many inputs were tried per
target, and every failure. The exit code is 1 when anything failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_fuzz  # noqa: E402
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402


def run_round(target: str, examples: int, round_seed: int, shrink: bool) -> tuple[int, str]:
    """One round of ``examples`` inputs: (inputs tried, failure report or "")."""
    tried = 0
    strategy = test_fuzz.TARGETS[target]

    @seed(round_seed)
    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=strategy)
    def prop(case: tuple[str, str | bytes]) -> None:
        nonlocal tried
        tried += 1
        test_fuzz.check_input(*case)

    try:
        prop()
    except Exception:  # noqa: BLE001 - every failure is reported, then the run goes on
        return tried, traceback.format_exc()
    return tried, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=0,
                        help="inputs to try over all targets (default: 2000 without --seconds)")
    parser.add_argument("--seconds", type=float, default=0, help="time budget")
    parser.add_argument("--target", action="append", choices=sorted(test_fuzz.TARGETS),
                        help="only this target (repeatable; default: all)")
    parser.add_argument("--batch", type=int, default=200, help="inputs per round")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="first seed")
    parser.add_argument("--no-shrink", action="store_true", help="report failures unshrunk")
    parser.add_argument("--time-limit", type=float, default=20,
                        help="seconds one input may take before it counts as a hang")
    args = parser.parse_args(argv)
    test_fuzz.TIME_LIMIT = args.time_limit
    count = args.count or (0 if args.seconds else 2000)
    targets = args.target or sorted(test_fuzz.TARGETS)
    print(f"esmlint fuzz: targets {', '.join(targets)}; seed {args.seed}; "
          f"{count or 'unlimited'} inputs; {args.seconds or 'no'} time budget "
          f"(pid {os.getpid()})", flush=True)

    start = time.monotonic()
    tried = dict.fromkeys(targets, 0)
    failures: list[tuple[str, str]] = []
    round_seed = args.seed
    share = count // len(targets) if count else 0
    while True:
        active = [t for t in targets if not share or tried[t] < share]
        if not active:
            break
        if args.seconds and time.monotonic() - start > args.seconds:
            break
        for target in active:
            if args.seconds and time.monotonic() - start > args.seconds:
                break
            examples = min(args.batch, share - tried[target]) if share else args.batch
            done, failure = run_round(target, examples, round_seed, not args.no_shrink)
            round_seed += 1
            tried[target] += max(done, 1)
            if failure:
                failures.append((target, failure))
                print(f"FAILURE in {target} (seed {round_seed - 1}):\n{failure}", flush=True)
        print(f"  {sum(tried.values())} inputs, {len(failures)} failures, "
              f"{time.monotonic() - start:.0f} s", flush=True)

    total = sum(tried.values())
    print(f"\nTried {total} inputs in {time.monotonic() - start:.0f} s:")
    for target in targets:
        print(f"  {target:26} {tried[target]}")
    print(f"Failures: {len(failures)}")
    for target, failure in failures:
        last = failure.strip().splitlines()[-1]
        print(f"  {target}: {last}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
