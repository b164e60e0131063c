"""The container image (Dockerfile): its contract, and a real build and run where Docker is.

The build needs a Docker engine and, inside the build, the base image and the package
index (pip installs esmlint's dependencies). Where there is no engine the build test is
skipped; where the engine cannot fetch the base image or reach the package index, it is
skipped too, saying so, and any other build failure fails it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest
from conftest import REPO

DOCKERFILE = REPO / "Dockerfile"

#: What a build log says when the failure is the network's, not the Dockerfile's.
_OFFLINE = re.compile(
    r"pull access denied|failed to resolve source metadata|failed to do request|"
    r"dial tcp|no such host|Temporary failure in name resolution|Network is unreachable|"
    r"Could not find a version that satisfies|No matching distribution found|"
    r"connection (refused|reset|timed out)|TLS handshake timeout|i/o timeout", re.IGNORECASE)


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def test_dockerfile_contract():
    steps = instructions()
    words = [word for word, _ in steps]
    [base] = [rest for word, rest in steps if word == "FROM"]
    assert re.fullmatch(r"python:3\.1\d-slim", base), base
    user = [rest for word, rest in steps if word == "USER"]
    assert user and user[-1].split(":")[0] not in ("root", "0"), user
    assert dict(steps)["WORKDIR"] == "/src"
    assert dict(steps)["ENTRYPOINT"] == '["esmlint"]'
    # The user is switched before the entry point runs, and after everything that
    # installs (pip runs as root; esmlint never does).
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")
    ignored = (REPO / ".dockerignore").read_text().split()
    for name in (".git", "tests", "fixtures"):
        assert name in ignored, name
    for needed in ("README.md", "LICENSE", "pyproject.toml", "esmlint", "rules"):
        assert needed not in ignored, needed


def _docker_usable() -> str | None:
    if shutil.which("docker") is None:
        return "docker is not installed"
    probe = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                           capture_output=True, text=True, timeout=60, check=False)
    if probe.returncode != 0:
        return f"no Docker engine answers: {probe.stderr.strip().splitlines()[-1:]}"
    return None


@pytest.fixture(scope="module")
def image():
    why = _docker_usable()
    if why:
        pytest.skip(why)
    tag = f"esmlint-test:{uuid.uuid4().hex[:12]}"
    build = subprocess.run(["docker", "build", "--tag", tag, str(REPO)], capture_output=True,
                           text=True, timeout=900, check=False)
    log = build.stdout + build.stderr
    if build.returncode != 0:
        if _OFFLINE.search(log):
            pytest.skip("the image build cannot reach the base image or the package index "
                        f"from here: {_OFFLINE.search(log).group(0)}")
        pytest.fail(f"docker build failed:\n{log[-4000:]}")
    yield tag
    subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True, check=False)


def test_image_lints_the_mounted_folder_as_a_non_root_user(image):
    run = subprocess.run(["docker", "run", "--rm", "-v", f"{REPO / 'examples'}:/src:ro", image],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stderr  # the examples have errors
    assert re.search(r"^template\.yaml:\d+:\d+: error ESM101 ", run.stdout, re.MULTILINE)
    assert re.search(r"^terraform/main\.tf:\d+:\d+: ", run.stdout, re.MULTILINE)
    who = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", image, "-u"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert who.stdout.strip() not in ("", "0")
    where = subprocess.run(["docker", "run", "--rm", "--entrypoint", "pwd", image],
                           capture_output=True, text=True, timeout=120, check=False)
    assert where.stdout.strip() == "/src"
    from esmlint import __version__

    version = subprocess.run(["docker", "run", "--rm", image, "--version"],
                             capture_output=True, text=True, timeout=120, check=False)
    assert version.stdout.strip() == f"esmlint {__version__}"
