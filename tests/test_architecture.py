"""The package's shape: no import cycles, layers that point one way, a command line that
imports only what each command needs.

The import graph is read from the source (every ``import``, including those inside
functions and under ``TYPE_CHECKING``), so a cycle cannot hide behind a lazy import.
What each command imports is measured in a child process running the installed package.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import esmlint
import esmlint.rules

PACKAGE = Path(esmlint.__file__).resolve().parent
RULES = Path(esmlint.rules.__path__[0]).resolve()


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if RULES in path.parents:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    for path in RULES.glob("*.py"):
        name = "esmlint.rules" if path.stem == "__init__" else f"esmlint.rules.{path.stem}"
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The esmlint modules ``name`` imports, anywhere in its source."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                child = f"{module}.{alias.name}"
                targets.add(child if child in MODULES else module)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_graph_reader_sees_real_imports():
    assert "esmlint.loaders.cloudformation.sam" in GRAPH["esmlint.loaders.cloudformation.builder"]
    assert "esmlint.registry" in GRAPH["esmlint.engine"]


def test_no_import_cycles():
    assert _cycles() == []


def _importers_of(prefix: str, importers: str) -> list[str]:
    return sorted(name for name in GRAPH if name.startswith(importers)
                  for target in GRAPH[name] if target.startswith(prefix))


def test_front_ends_never_import_rules_engine_or_reporters():
    for layer in ("esmlint.rules", "esmlint.engine", "esmlint.runner", "esmlint.registry",
                  "esmlint.reporters", "esmlint.cli"):
        assert _importers_of(layer, "esmlint.loaders") == [], layer


def test_rules_never_import_front_ends_or_the_runner():
    for layer in ("esmlint.loaders", "esmlint.runner", "esmlint.engine", "esmlint.cli",
                  "esmlint.reporters", "esmlint.config"):
        assert _importers_of(layer, "esmlint.rules") == [], layer


def test_front_ends_share_only_the_top_level_of_loaders():
    """CloudFormation and Terraform do not reach into each other's subpackage."""
    assert _importers_of("esmlint.loaders.terraform", "esmlint.loaders.cloudformation") == []
    assert _importers_of("esmlint.loaders.cloudformation", "esmlint.loaders.terraform") == []
    # serverless.yml compiles to CloudFormation and reuses its builder: that one way only.
    assert _importers_of("esmlint.loaders.terraform", "esmlint.loaders.serverless") == []
    for other in ("esmlint.loaders.cloudformation", "esmlint.loaders.terraform"):
        assert _importers_of("esmlint.loaders.serverless", other) == []


# --- what each command imports -----------------------------------------------------------

_PROBE = """
import json, sys
from esmlint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('esmlint', 'yaml'))),
      file=sys.stderr)
"""


def _imported(child_env, *args: str, cwd: Path | None = None) -> set[str]:
    run = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True,
                         text=True, env=child_env, cwd=cwd, timeout=120)
    return set(json.loads(run.stderr.strip().splitlines()[-1]))


CHECK_PATH = ("esmlint.runner", "esmlint.engine", "esmlint.loaders", "esmlint.discover",
              "esmlint.config", "esmlint.suppress", "esmlint.model", "yaml")


def test_version_imports_only_the_command_line(child_env):
    imported = _imported(child_env, "--version")
    # esmlint._version holds the version (a constant: cheaper than reading the metadata).
    assert imported <= {"esmlint", "esmlint._version", "esmlint.cli", "esmlint.findings",
                        "esmlint.reporters"}


def test_rules_and_explain_import_the_registry_not_the_check_path(child_env):
    for args in (("rules",), ("explain", "ESM101")):
        imported = _imported(child_env, *args)
        assert "esmlint.registry" in imported
        leaked = sorted(m for m in imported
                        if m in CHECK_PATH[:-2] or m.startswith("esmlint.loaders"))
        assert leaked == [], args


def test_check_imports_only_the_front_end_of_the_files_at_hand(child_env, tmp_path):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", encoding="utf-8")
    (tmp_path / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n', encoding="utf-8")
    cloudformation = _imported(child_env, "check", "template.yaml", cwd=tmp_path)
    assert "esmlint.loaders.cloudformation.builder" in cloudformation
    assert not any(m.startswith("esmlint.loaders.terraform.") for m in cloudformation)
    terraform = _imported(child_env, "check", "main.tf", cwd=tmp_path)
    assert "esmlint.loaders.terraform.builder" in terraform
    assert "esmlint.loaders.cloudformation.builder" not in terraform
    assert not any(m.startswith("esmlint.loaders.serverless.") for m in cloudformation | terraform)


def test_rules_use_only_the_data_classes_of_fixes():
    """A rule attaches a Fix (esmlint.fixes); it never reaches the writers, which read text,
    and the writers never read the model."""
    assert _importers_of("esmlint.fixes.", "esmlint.rules") == []
    assert GRAPH["esmlint.fixes"] <= {"esmlint.values"}
    for writer in ("esmlint.fixes.yaml", "esmlint.fixes.hcl", "esmlint.fixes.apply"):
        assert not any(t.startswith(("esmlint.model", "esmlint.loaders", "esmlint.runner"))
                       for t in GRAPH[writer]), writer
    assert _importers_of("esmlint.fixes", "esmlint.loaders") == []


def test_check_without_fix_imports_no_fix_writer(child_env, tmp_path):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", encoding="utf-8")
    imported = _imported(child_env, "check", "template.yaml", cwd=tmp_path)
    assert not any(m.startswith("esmlint.fixes.") for m in imported), sorted(imported)
    fixing = _imported(child_env, "check", "--diff", "template.yaml", cwd=tmp_path)
    assert "esmlint.fixes.run" in fixing
