"""Start-up cost of each command: wall time and what it imports.

Pre-commit and editors start esmlint for every commit and save, so what a command imports
before it does anything is part of its speed. For each command this prints the best wall
time of several runs and how many modules it imports beyond the interpreter's own start-up
(in all, and of esmlint's own); the counts are exact, where times vary with the machine's
load. ``python -X importtime -m esmlint ...`` shows the time of each.

    python benchmarks/startup.py [--repeat N] [--json]

It measures the esmlint that ``python`` imports outside this checkout (the installed
package), with the example templates of this repository as inputs; nothing else is needed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (label, arguments) of each command measured.
COMMANDS = (
    ("esmlint --version", ["--version"]),
    ("esmlint rules", ["rules"]),
    ("esmlint explain ESM101", ["explain", "ESM101"]),
    ("esmlint check template.yaml (SAM)", ["check", "--fail-on", "never",
                                           str(ROOT / "examples" / "template.yaml")]),
    ("esmlint check main.tf (Terraform)", ["check", "--fail-on", "never",
                                           str(ROOT / "examples" / "terraform" / "main.tf")]),
)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONSAFEPATH"] = "1"  # the installed package, not the source tree beside it
    return env


def wall(args: list[str], repeat: int) -> float:
    """Best wall time in seconds of ``python -m esmlint ARGS``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "esmlint", *args], capture_output=True,
                       env=_env(), cwd=ROOT, check=False)
        best = min(best, time.perf_counter() - start)
    return best


_PROBE = """
import sys
from esmlint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
names = [m for m in sys.modules if m not in BEFORE]
print(len(names), sum(m.split('.')[0] == 'esmlint' for m in names), file=sys.stderr)
"""


def imports(args: list[str]) -> tuple[int, int]:
    """(modules the command imports in all, of which esmlint's own), counted in
    ``sys.modules`` after the interpreter's own start-up. Unlike times, these counts do not
    depend on how busy the machine is."""
    code = "import sys\nBEFORE = set(sys.modules)\n" + _PROBE
    run = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         env=_env(), cwd=ROOT, check=False)
    total, own = run.stderr.strip().splitlines()[-1].split()
    return int(total), int(own)


def measure(repeat: int) -> list[dict]:
    rows = []
    for label, args in COMMANDS:
        total, own = imports(args)
        rows.append({"command": label, "wall_ms": round(wall(args, repeat) * 1000, 1),
                     "modules": total, "esmlint_modules": own})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    options = parser.parse_args()
    rows = measure(options.repeat)
    if options.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"| command | wall (best of {options.repeat}) | modules imported | of them esmlint's |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| `{row['command']}` | {row['wall_ms']:.0f} ms | {row['modules']} | "
              f"{row['esmlint_modules']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
