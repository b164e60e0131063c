"""The GitHub Action's run step (``action.yml``): lint, annotate, summarise, write SARIF.

The action installs esmlint into its own virtual environment and runs this script with
that environment's Python, so ``python -m esmlint`` is the esmlint of the action's version.
It reads the action's inputs from the environment (``INPUT_PATHS``, ``INPUT_ARGS``,
``INPUT_SARIF_FILE``, ``INPUT_SUMMARY``) and:

1. runs ``esmlint check PATHS ARGS --format github``: the findings become annotations on
   the pull request, and its exit code is the step's (0, 1 or 2, as ``esmlint check``'s);
2. runs it again with ``--format json``, to write the job summary (``GITHUB_STEP_SUMMARY``)
   and the step's outputs (``GITHUB_OUTPUT``: ``exit-code``, ``findings``, ``errors``,
   ``warnings``, ``infos``);
3. when ``INPUT_SARIF_FILE`` is set, runs it once more with ``--format sarif`` into that
   file, for ``github/codeql-action/upload-sarif`` (the next step of the action).

Linting is fast, so three runs cost less than a second on a typical repository, and each
format stays the one ``esmlint check`` writes (no second renderer to drift). The test suite
runs this script with the same environment a runner gives it (tests/test_action.py).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

#: Findings listed one by one in the job summary; the rest are counted per rule.
SUMMARY_ROWS = 50


def esmlint(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "esmlint", *args]
    return subprocess.run(command, text=True, check=False,
                          stdout=subprocess.PIPE if capture else None)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(report: dict, exit_code: int) -> str:
    """The job summary: counts, findings per rule (linked to the rule's page), the
    findings themselves (at most :data:`SUMMARY_ROWS`)."""
    from esmlint.links import rule_url

    counts = report.get("summary", {})
    findings = report.get("findings", [])
    verdict = {0: "passed", 1: "failed"}.get(exit_code, f"could not run (exit code {exit_code})")
    lines = ["## esmlint", ""]
    if not findings:
        lines.append(f"No problems found in {_count(counts.get('files', 0), 'template')}: "
                     f"{verdict}.")
        return "\n".join(lines) + "\n"
    lines += [
        f"**{counts.get('total', len(findings))} findings** ({counts.get('errors', 0)} errors, "
        f"{counts.get('warnings', 0)} warnings, {counts.get('infos', 0)} infos) in "
        f"{_count(counts.get('files', 0), 'template')} checked: {verdict}.",
        "",
        "| rule | name | findings |",
        "|---|---|---|",
    ]
    per_rule: dict[tuple[str, str], int] = {}
    for finding in findings:
        key = (finding["rule"], finding.get("name", ""))
        per_rule[key] = per_rule.get(key, 0) + 1
    for (rule, name), count in sorted(per_rule.items()):
        lines.append(f"| [{rule}]({rule_url(rule)}) | {_cell(name)} | {count} |")
    lines += ["", "| where | severity | rule | message |", "|---|---|---|---|"]
    for finding in findings[:SUMMARY_ROWS]:
        where = f"{finding['path']}:{finding['line']}"
        lines.append(f"| `{_cell(where)}` | {finding['severity']} | {finding['rule']} | "
                     f"{_cell(finding['message'])} |")
    if len(findings) > SUMMARY_ROWS:
        lines += ["", f"… and {len(findings) - SUMMARY_ROWS} more (see the annotations)."]
    return "\n".join(lines) + "\n"


def _append(variable: str, text: str) -> None:
    target = os.environ.get(variable)
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)


def main() -> int:
    paths = shlex.split(os.environ.get("INPUT_PATHS", "") or ".")
    args = shlex.split(os.environ.get("INPUT_ARGS", ""))
    sarif_file = os.environ.get("INPUT_SARIF_FILE", "").strip()
    want_summary = os.environ.get("INPUT_SUMMARY", "true").strip().lower() != "false"

    # Options after ARGS win (click keeps the last value of an option given twice).
    annotated = esmlint("check", *paths, *args, "--format", "github")
    exit_code = annotated.returncode
    outputs = {"exit-code": str(exit_code)}

    if exit_code in (0, 1):
        listed = esmlint("check", *paths, *args, "--format", "json", capture=True)
        try:
            report = json.loads(listed.stdout)
        except json.JSONDecodeError:
            report = {}
        counts = report.get("summary", {})
        for key in ("errors", "warnings", "infos"):
            outputs[key] = str(counts.get(key, 0))
        outputs["findings"] = str(counts.get("total", 0))
        if want_summary and report:
            _append("GITHUB_STEP_SUMMARY", summary(report, exit_code))
        if sarif_file:
            written = esmlint("check", *paths, *args, "--format", "sarif", "--output",
                              sarif_file)
            if written.returncode in (0, 1) and Path(sarif_file).is_file():
                outputs["sarif-file"] = sarif_file
    elif want_summary:
        _append("GITHUB_STEP_SUMMARY", f"## esmlint\n\nesmlint could not run (exit code "
                                       f"{exit_code}); the step's log says why.\n")
    _append("GITHUB_OUTPUT", "".join(f"{key}={value}\n" for key, value in outputs.items()))
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
