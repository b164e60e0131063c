"""Release files: the version in one place, the changelog, the licence, the metadata."""

from __future__ import annotations

import re
import sys

from conftest import REPO

from esmlint import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_is_written_once():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "esmlint._version.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    # No other file of the package spells a version out.
    for path in (REPO / "esmlint").rglob("*.py"):
        if path.name != "_version.py":
            assert not re.search(r"__version__\s*=\s*['\"]", path.read_text()), path


def test_changelog_keeps_a_changelog():
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n")
    assert "keepachangelog.com" in text and "semver.org" in text
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", text, re.MULTILINE)
    assert headings and headings[0][0] == "Unreleased"
    for version, rest in headings[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), (version, rest)
    released = [version for version, _ in headings[1:]]
    # The version in esmlint/_version.py is released, or the next one, announced as such.
    assert __version__ in released or f"the first release, {__version__}" in text
    for version, _ in headings:  # every heading links to its changes
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, re.MULTILINE), version
    kinds = set(re.findall(r"^### (\w+)$", text, re.MULTILINE))
    assert kinds and kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed",
                               "Security"}


def test_licence_and_metadata():
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    classifiers = project["classifiers"]
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639: the expression
    python = re.search(r">=3\.(\d+)", project["requires-python"]).group(1)
    assert f"Programming Language :: Python :: 3.{python}" in classifiers
    urls = project["urls"]
    from esmlint.links import DOCS_BASE, REPOSITORY

    assert urls["Documentation"] == DOCS_BASE
    assert urls["Repository"] == REPOSITORY and urls["Issues"].startswith(REPOSITORY)
    assert urls["Changelog"].endswith("/CHANGELOG.md")
    assert set(project["optional-dependencies"]) >= {"lsp", "test", "docs"}


def test_readme_recipes_name_the_current_release():
    # pre-commit `rev:`, the action's and the image's tags: the version being released.
    texts = [(REPO / "README.md").read_text(encoding="utf-8"),
             (REPO / "docs" / "integrations.md").read_text(encoding="utf-8")]
    found = [m for text in texts for m in
             re.findall(r"(?:esmlint/esmlint\n\s+rev: v|esmlint/esmlint@v|"
                        r"ghcr\.io/esmlint/esmlint:)(\d+\.\d+\.\d+)", text)]
    assert found and set(found) == {__version__}
