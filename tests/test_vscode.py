"""The VS Code extension (editors/vscode): its manifest, and a real build of the .vsix.

The build installs the extension's node_modules from its package-lock.json (``npm ci``),
compiles the TypeScript and packages it with @vscode/vsce, in a copy of the folder (the
checkout is left as it was). It is skipped when node or npm is missing, or when npm cannot
install the dependencies (no registry); a failure after that fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from esmlint import __version__

EXTENSION = REPO / "editors" / "vscode"
MANIFEST = json.loads((EXTENSION / "package.json").read_text())


def test_manifest_starts_the_server_for_yaml_json_and_terraform():
    assert MANIFEST["version"] == __version__  # released together with esmlint
    assert MANIFEST["main"] == "./out/extension.js"
    events = set(MANIFEST["activationEvents"])
    assert {"onLanguage:yaml", "onLanguage:json", "onLanguage:terraform"} <= events
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert settings["esmlint.path"]["default"] == "esmlint"
    assert settings["esmlint.config"]["default"] == ""
    severities = set(settings["esmlint.severity"]["enum"]) - {""}
    assert severities == {"info", "warning", "error"}
    assert "vscode-languageclient" in MANIFEST["dependencies"]
    assert "@vscode/vsce" in MANIFEST["devDependencies"]
    source = (EXTENSION / "src" / "extension.ts").read_text()
    assert '"server"' in source and '"--config"' in source and '"--severity"' in source
    for setting in settings:
        if setting != "esmlint.trace.server":  # read by vscode-languageclient itself
            assert f'"{setting.split(".", 1)[1]}"' in source, setting
    for language in ("yaml", "json", "terraform"):
        assert f'language: "{language}"' in source, language


def test_lockfile_is_committed_and_matches_the_manifest():
    lock = json.loads((EXTENSION / "package-lock.json").read_text())
    assert lock["lockfileVersion"] >= 2
    root = lock["packages"][""]
    assert root["version"] == MANIFEST["version"]
    assert root["dependencies"] == MANIFEST["dependencies"]
    assert root["devDependencies"] == MANIFEST["devDependencies"]
    ignored = (REPO / ".gitignore").read_text().split()
    assert "editors/vscode/node_modules/" in ignored and "*.vsix" in ignored


def test_no_build_product_is_tracked():
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files", "editors/vscode"], cwd=REPO,
                             capture_output=True, text=True, check=True).stdout.split()
    assert "editors/vscode/package.json" in tracked
    assert "editors/vscode/package-lock.json" in tracked
    for path in tracked:
        assert not path.startswith(("editors/vscode/node_modules/", "editors/vscode/out/")), path
        assert not path.endswith(".vsix") and path != "editors/vscode/LICENSE", path


def _copy(tmp_path: Path) -> Path:
    """The extension folder without its build products, where ../../LICENSE resolves."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "LICENSE", root / "LICENSE")
    target = root / "editors" / "vscode"
    shutil.copytree(EXTENSION, target, ignore=shutil.ignore_patterns(
        "node_modules", "out", "*.vsix", "LICENSE"))
    return target


def test_extension_builds_to_a_vsix(tmp_path):
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node and npm are needed to build the extension")
    folder = _copy(tmp_path)
    env = {**os.environ, "npm_config_audit": "false", "npm_config_fund": "false",
           "npm_config_update_notifier": "false"}
    install = subprocess.run([npm, "ci"], cwd=folder, env=env, capture_output=True,
                             text=True, timeout=600, check=False)
    if install.returncode != 0:
        pytest.skip(f"npm ci could not install the extension's dependencies: "
                    f"{(install.stderr or install.stdout).strip().splitlines()[-1:]}")
    build = subprocess.run([npm, "run", "package"], cwd=folder, env=env, capture_output=True,
                           text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    vsix = folder / "esmlint.vsix"
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        packaged = json.loads(archive.read("extension/package.json"))
        script = archive.read("extension/out/extension.js").decode("utf-8")
    assert packaged["version"] == __version__
    assert "extension.vsixmanifest" in names
    assert any(name.startswith("extension/LICENSE") for name in names)
    # The client library is packaged (the extension cannot run without it); sources not.
    assert "extension/node_modules/vscode-languageclient/package.json" in names
    assert not any(name.startswith("extension/src/") for name in names)
    assert "esmlint.restart" in script and "--config" in script
