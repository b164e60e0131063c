"""Read a CDK cloud assembly: which templates it holds and which construct made each resource.

The shapes are those ``cdk synth`` writes (cloud assembly schema, ``manifest.json``):

- ``artifacts`` maps an artifact ID to ``{"type": ..., "properties": {...}, "metadata":
  {...}}``. A stack is ``aws:cloudformation:stack`` with ``properties.templateFile``
  (relative to the assembly folder); a stage is a nested assembly, ``cdk:cloud-assembly``
  with ``properties.directoryName`` (``assembly-Prod``), holding a ``manifest.json`` of its
  own. Nested stacks are not artifacts: their templates sit beside their parent's as
  ``*.nested.template.json``.
- A stack's ``metadata`` maps a construct path (``/OrdersStack/Worker/Resource``) to entries;
  the entry ``{"type": "aws:cdk:logicalId", "data": "WorkerD1A2B3C4"}`` names the logical ID
  of the resource that construct made, and carries a ``trace`` (the construct's creation
  stack) when the app was synthesized with stack traces on.

Templates also carry the path themselves (``Metadata: {aws:cdk:path: ...}``) unless the app
turned path metadata off; the manifest is read for templates without it. Nothing here
raises on a broken or foreign manifest: it then yields nothing, and the folder is read as
plain templates.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field

from ...model import Model

#: How deep nested assemblies (stages in stages) are followed.
MAX_NESTING = 10

#: Manifests larger than this are not read (a real one is a few hundred KiB at most).
MAX_MANIFEST_BYTES = 20 * 1024 * 1024

_FRAME = re.compile(r"\(?(?P<file>[^()\s]+?):(?P<line>\d+):(?P<column>\d+)\)?\s*$")


def app_output(app_dir: str) -> str:
    """The assembly folder of the CDK app in ``app_dir``: ``cdk.json``'s ``output``, or
    ``cdk.out``."""
    return _output(app_dir, "cdk.json", "cdk.out")


def cdktf_output(app_dir: str) -> str:
    """The output folder of the CDK for Terraform app in ``app_dir`` (``cdktf.out``)."""
    return _output(app_dir, "cdktf.json", "cdktf.out")


def _output(app_dir: str, config: str, fallback: str) -> str:
    data = _read_json(os.path.join(app_dir, config))
    output = data.get("output") if isinstance(data, dict) else None
    if not isinstance(output, str) or not output.strip():
        output = fallback
    return os.path.normpath(os.path.join(app_dir, output))


def is_assembly(folder: str) -> bool:
    """Whether ``folder`` is a cloud assembly: it holds a ``manifest.json`` with artifacts."""
    return bool(_manifest(folder).get("artifacts"))


def templates(assembly_dir: str) -> list[str]:
    """Every stack template of the assembly, nested stages and nested stacks included,
    in a stable order."""
    found: list[str] = []
    _collect(assembly_dir, found, set(), 0)
    return found


def _collect(folder: str, found: list[str], seen: set[str], depth: int) -> None:
    real = os.path.realpath(folder)
    if real in seen or depth > MAX_NESTING:
        return
    seen.add(real)
    artifacts = _manifest(folder).get("artifacts")
    if not isinstance(artifacts, dict):
        return
    listed: set[str] = set()
    for _name, artifact in sorted(artifacts.items(), key=lambda item: str(item[0])):
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        kind = artifact.get("type")
        if kind == "aws:cloudformation:stack":
            name = properties.get("templateFile")
            path = _inside(folder, name)
            if path and os.path.isfile(path) and path not in listed:
                listed.add(path)
                found.append(path)
        elif kind == "cdk:cloud-assembly":
            nested = _inside(folder, properties.get("directoryName"))
            if nested and os.path.isdir(nested):
                _collect(nested, found, seen, depth + 1)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        path = os.path.join(folder, name)
        if name.endswith(".nested.template.json") and path not in listed:
            listed.add(path)
            found.append(path)


def _inside(folder: str, name: object) -> str | None:
    """``folder/name`` when ``name`` is a relative path that stays inside ``folder``."""
    if not isinstance(name, str) or not name or os.path.isabs(name):
        return None
    path = os.path.normpath(os.path.join(folder, name))
    base = os.path.normpath(folder)
    if path != base and not path.startswith(base + os.sep):
        return None
    return path


@dataclass
class Constructs:
    """Construct paths and creation places of one template's resources, by logical ID."""

    paths: dict[str, str] = field(default_factory=dict)
    #: Logical ID -> (file, line, column) of the user's code that created the construct.
    created: dict[str, tuple[str, int, int]] = field(default_factory=dict)


def constructs(template_path: str) -> Constructs:
    """What the manifest beside ``template_path`` says of that template's resources.

    A stack template's entries come from its own artifact; a nested stack's template is not
    an artifact, so its entries come from every artifact of the assembly, keeping only logical
    IDs that map to one construct path.
    """
    folder = os.path.dirname(template_path) or "."
    artifacts = _manifest(folder).get("artifacts")
    result = Constructs()
    if not isinstance(artifacts, dict):
        return result
    name = os.path.basename(template_path)
    own = [a for a in artifacts.values() if isinstance(a, dict)
           and isinstance(a.get("properties"), dict)
           and a["properties"].get("templateFile") == name]
    nested = not own
    sources = own or [a for a in artifacts.values() if isinstance(a, dict)]
    ambiguous: set[str] = set()
    for artifact in sources:
        metadata = artifact.get("metadata")
        if not isinstance(metadata, dict):
            continue
        for path, entries in metadata.items():
            if not isinstance(path, str) or not isinstance(entries, list):
                continue
            for entry in entries:
                if not isinstance(entry, dict) or entry.get("type") != "aws:cdk:logicalId":
                    continue
                logical_id = entry.get("data")
                if not isinstance(logical_id, str):
                    continue
                shown = display_path(path)
                if nested and result.paths.get(logical_id, shown) != shown:
                    ambiguous.add(logical_id)
                result.paths[logical_id] = shown
                place = _creation(entry.get("trace"), folder)
                if place is not None:
                    result.created[logical_id] = place
    for logical_id in ambiguous:
        result.paths.pop(logical_id, None)
        result.created.pop(logical_id, None)
    return result


def display_path(path: str) -> str:
    """A construct path as a CDK user reads it: no leading ``/``, and no trailing
    ``/Resource`` (the CloudFormation resource inside the construct the user wrote)."""
    shown = path.strip().strip("/")
    if shown.endswith("/Resource"):
        shown = shown[: -len("/Resource")]
    return shown


def _creation(trace: object, assembly_dir: str) -> tuple[str, int, int] | None:
    """The first frame of a creation stack that is the user's own code and exists here.

    Frames in ``node_modules`` (the CDK library) and Node's internals are passed over; a
    frame whose file is not on this machine (synthesized elsewhere) is not reported.
    """
    if not isinstance(trace, list):
        return None
    app_dir = _app_root(assembly_dir)
    for frame in trace:
        if not isinstance(frame, str):
            continue
        match = _FRAME.search(frame)
        if not match:
            continue
        file = match.group("file")
        if file.startswith("file://"):
            file = file[len("file://"):]
        if "node_modules" in file.replace("\\", "/").split("/") or file.startswith("node:"):
            continue
        candidate = file if os.path.isabs(file) else os.path.join(app_dir, file)
        if os.path.isfile(candidate):
            return os.path.relpath(candidate), int(match.group("line")), int(
                match.group("column"))
    return None


def annotate(model: Model, template_path: str, data: dict) -> None:
    """Give ``model`` the construct paths of its resources: from the template's own
    ``aws:cdk:path`` metadata, else from the manifest beside it; and the creation places
    the manifest records. A template that is not CDK output is left as it is (one
    ``stat`` of a ``manifest.json`` that is not there)."""
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for logical_id, resource in resources.items():
            metadata = resource.get("Metadata") if isinstance(resource, dict) else None
            path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
            if isinstance(logical_id, str) and isinstance(path, str) and path.strip():
                model.construct_paths[logical_id] = display_path(path)
    if not os.path.isfile(os.path.join(os.path.dirname(template_path) or ".",
                                       "manifest.json")):
        return
    found = constructs(template_path)
    for logical_id, path in found.paths.items():
        model.construct_paths.setdefault(logical_id, path)
    model.construct_created.update(found.created)


def _app_root(assembly_dir: str) -> str:
    """The CDK app folder of an assembly (nested ones included): the nearest folder above
    it that holds ``cdk.json``, else the assembly's parent. Relative frames of a creation
    stack are relative to it, where ``cdk synth`` ran."""
    folder = os.path.abspath(assembly_dir)
    for _ in range(MAX_NESTING + 2):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
        if os.path.isfile(os.path.join(folder, "cdk.json")):
            return folder
    return os.path.dirname(os.path.abspath(assembly_dir))


def _manifest(folder: str) -> dict:
    path = os.path.join(folder, "manifest.json")
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    return _read_manifest(os.path.realpath(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_manifest(path: str, _mtime: int, size: int) -> dict:
    if size > MAX_MANIFEST_BYTES:
        return {}
    data = _read_json(path)
    return data if isinstance(data, dict) else {}


def _read_json(path: str) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
