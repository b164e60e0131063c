"""The documentation is generated from the rules and cannot drift from them."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_rule_table_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import update_readme
    finally:
        sys.path.pop(0)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert update_readme.updated(text) == text, "run: python3 scripts/update_readme.py"


def test_every_rule_documents_what_why_example_fix_and_references() -> None:
    from esmlint.registry import load_rules

    for rule in load_rules():
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix",
                        "## References"):
            assert heading in rule.doc, f"{rule.id} lacks '{heading}'"


def test_readme_example_output_matches_the_example() -> None:
    import re

    from esmlint.findings import Severity
    from esmlint.runner import lint_paths

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("On the examples, esmlint prints:", 1)[1].split("```text\n", 1)[1]
    block = block.split("```", 1)[0]
    shown = re.findall(r"^examples/([\w/.]+):(\d+):(\d+): (\w+) (ESM\d+) .*\[([\w.]+)\]$",
                       block, re.MULTILINE)
    examples = ROOT / "examples"
    result = lint_paths([str(examples)])
    actual = [(Path(f.path).relative_to(examples).as_posix(), str(f.line), str(f.column),
               f.severity.label, f.rule, f.resource)
              for f in result.findings if f.severity >= Severity.WARNING]  # the default
    assert {path for path, *_ in actual} == {"template.yaml", "terraform/main.tf"}
    assert shown and shown == actual, "update the example output in README.md"
    summary = re.search(r"^Found (\d+) problems .* in (\d+) files", block, re.MULTILINE)
    assert summary and summary.groups() == (str(len(actual)), "2")


# --- the README: what a newcomer needs, and links that lead somewhere -----------------------

def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _sections(text: str) -> list[str]:
    import re

    return re.findall(r"^## (.+)$", text, re.MULTILINE)


def test_readme_has_what_a_newcomer_needs_and_no_more() -> None:
    text = _readme()
    sections = _sections(text)
    for wanted in ("Quick start (fresh machine)", "Usage", "Configuration", "Rules",
                   "Links", "Contributing"):
        assert wanted in sections, wanted
    # The two fresh-machine commands, as a newcomer copies them.
    assert (".venv/bin/pip install . && .venv/bin/esmlint check examples/" in text)
    assert '.venv/bin/pip install ".[test]" && PYTHONSAFEPATH=1 .venv/bin/python -m pytest' \
        in text
    # The long reference lives on the documentation site, not here.
    for moved in ("Bounds on input", "Suppressions", "Baselines", "cfn-lint", "Performance",
                  "What esmlint understands"):
        assert not any(section.startswith(moved) for section in sections), moved
    assert len(text.splitlines()) < 300


def test_readme_says_what_exit_code_1_of_the_example_run_means(run_program) -> None:
    text = _readme()
    after = text.split("On the examples, esmlint prints:", 1)[1]
    explanation = after.split("```", 2)[2].split("\n## ", 1)[0]
    assert "exit code 1" in explanation and "error" in explanation
    run = run_program("check", "examples/", cwd=ROOT)
    assert run.exit_code == 1  # what the README says the quick start ends with


def test_readme_links_lead_somewhere() -> None:
    import re

    from esmlint.links import DOCS_BASE

    text = _readme()
    targets = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"\*\*Documentation: (\S+)\*\*",
                                                                 text)
    site = [t for t in targets if t.startswith(DOCS_BASE)]
    local = [t for t in targets if not t.startswith(("http://", "https://", "#"))]
    anchors = [t[1:] for t in targets if t.startswith("#")]
    assert site and local and anchors
    for url in site:  # a page of the site: a guide in docs/ or a generated rule page
        page = url[len(DOCS_BASE):].split("#", 1)[0].strip("/")
        assert page in ("", "rules") or (ROOT / "docs" / f"{page}.md").is_file(), url
    for path in local:
        assert (ROOT / path).exists(), path
    slugs = {re.sub(r"[^\w\- ]", "", s).strip().lower().replace(" ", "-")
             for s in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    for anchor in anchors:
        assert anchor in slugs, anchor
    assert "[ARCHITECTURE.md](ARCHITECTURE.md)" in text.split("## Contributing", 1)[1]


def test_guides_moved_out_of_the_readme_are_on_the_site() -> None:
    docs = ROOT / "docs"
    for page, heading in (("configuration.md", "## Suppressions"),
                          ("configuration.md", "## Baselines"),
                          ("usage.md", "## Exit codes"),
                          ("integrations.md", "## pre-commit"),
                          ("integrations.md", "## GitHub Action"),
                          ("integrations.md", "## Container image"),
                          ("integrations.md", "## VS Code"),
                          ("understands.md", "## Bounds on input")):
        assert heading in (docs / page).read_text(encoding="utf-8"), (page, heading)


# --- the documentation site ------------------------------------------------------------------

def test_rule_pages_are_generated_from_the_docstrings(tmp_path) -> None:
    import subprocess

    from conftest import program_env

    from esmlint.registry import load_rules

    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_docs.py"),
                          str(tmp_path)], env=program_env(), capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    rules = load_rules()
    index = (tmp_path / "rules" / "index.md").read_text(encoding="utf-8")
    for rule in rules:
        page = (tmp_path / "rules" / f"{rule.id}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {rule.id} {rule.name}\n")
        assert rule.doc.split("\n", 1)[1].strip() in page  # the docstring, whole
        assert f"| default severity | {rule.severity.label} |" in page
        assert f"| precision | {rule.precision} |" in page
        for option in rule.options:
            assert f"`{option}` (default" in page, (rule.id, option)
        assert ("| security severity (SARIF) |" in page) == bool(rule.security_severity)
        assert f"]({rule.id}.md)" in index


def test_site_builds_strictly_offline(tmp_path) -> None:
    """`mkdocs build --strict`: a broken link, a missing anchor or page fails it."""
    import importlib.util
    import os
    import subprocess

    if importlib.util.find_spec("mkdocs") is None or \
            importlib.util.find_spec("material") is None:
        import pytest

        pytest.skip("mkdocs and mkdocs-material are in the docs extra: pip install '.[docs]'")
    from conftest import program_env

    from esmlint.links import DOCS_BASE, rule_url
    from esmlint.registry import load_rules

    site = tmp_path / "site"
    env = program_env({"NO_MKDOCS_2_WARNING": "1"})
    # No network: a proxy that refuses every connection makes any fetch fail the build.
    env.update({"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
                "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"})
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                          "--site-dir", str(site)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "WARNING" not in run.stderr
    for rule in load_rules():
        page = site / rule_url(rule.id)[len(DOCS_BASE):] / "index.html"
        html = page.read_text(encoding="utf-8")
        assert rule.name in html and "What it does" in html, rule.id
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{DOCS_BASE}rules/ESM101/</loc>" in sitemap  # site_url from esmlint.links
    assert not os.path.exists(ROOT / "docs" / "rules")  # generated in memory, not committed
