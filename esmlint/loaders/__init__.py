"""Front ends: turn one file's text into the invocation model.

``load_text(path, text)`` is the one entry point the engine uses. It sniffs the format
(CloudFormation or SAM in YAML/JSON today), decodes it and builds a :class:`Model`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Model


@dataclass
class LoadResult:
    """The outcome of loading one file.

    ``is_template`` is False for YAML/JSON that is not a template (skipped silently in
    directory walks). ``error`` is set, with its position, when a file that looks like a
    template (or was named explicitly) cannot be decoded: the engine turns it into ESM001.
    """

    path: str
    is_template: bool
    model: Model | None = None
    error: str = ""
    line: int = 0
    column: int = 0
    format: str = ""
    notes: list[str] = field(default_factory=list)


def looks_like_template(data: object) -> str:
    """"sam", "cloudformation" or "" for decoded YAML/JSON."""
    if not isinstance(data, dict):
        return ""
    transform = data.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms):
        return "sam"
    resources = data.get("Resources")
    if isinstance(resources, dict):
        for resource in resources.values():
            if isinstance(resource, dict):
                rtype = resource.get("Type")
                if isinstance(rtype, str) and (
                    rtype.startswith("AWS::") or rtype.startswith("Custom::")
                ):
                    if rtype.startswith("AWS::Serverless::"):
                        return "sam"
                    return "cloudformation"
    if "AWSTemplateFormatVersion" in data:
        return "cloudformation"
    return ""


def load_text(path: str, text: str, explicit: bool = False) -> LoadResult:
    """Load one file's text. Never raises for bad input: problems come back in the result."""
    from .yaml import DecodeError, decode

    lower = path.lower()
    if lower.endswith((".tf", ".tf.json")):
        return _load_terraform(path, text)
    if not text.strip("\ufeff \t\r\n"):
        return LoadResult(path, is_template=False)  # empty: nothing to lint, JSON or not
    if _sniff_plan(text):
        from .terraform_plan import decode_plan, load_plan

        plan = decode_plan(text)
        if plan is not None:
            return LoadResult(path, is_template=True, model=load_plan(path, plan),
                              format="terraform-plan")
    try:
        if path.lower().endswith(".json"):
            data = _decode_json(text)
        elif text.lstrip("\ufeff \t\r\n").startswith("{"):
            # JSON (CDK's *.template), or YAML written in flow style: JSON's error wins.
            try:
                data = _decode_json(text)
            except DecodeError as json_error:
                try:
                    data = decode(text)
                except DecodeError:
                    raise json_error from None
        else:
            data = decode(text)
    except DecodeError as exc:
        looks = explicit or _sniff_text(text)
        return LoadResult(path, is_template=looks, error=exc.message, line=exc.line,
                          column=exc.column)
    kind = looks_like_template(data)
    if not kind:
        return LoadResult(path, is_template=False)
    from .cloudformation import build_model

    model = build_model(path, data, kind)
    return LoadResult(path, is_template=True, model=model, format=kind)


def _sniff_plan(text: str) -> bool:
    """Whether text looks like ``terraform show -json`` output (checked before decoding)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{") or '"format_version"' not in text:
        return False
    return '"terraform_version"' in text and (
        '"planned_values"' in text or '"resource_changes"' in text)


def _load_terraform(path: str, text: str) -> LoadResult:
    """One .tf / .tf.json file as a module on its own (engine.lint_terraform reads whole
    directories)."""
    import os

    from .terraform_config import load_module

    load = load_module(os.path.dirname(path), {path: text})
    if load.errors:
        _, error = load.errors[0]
        return LoadResult(path, is_template=True, error=error.message, line=error.line,
                          column=error.column, format="terraform")
    return LoadResult(path, is_template=True, model=load.model, format=load.model.format)


def _sniff_text(text: str) -> bool:
    """Whether undecodable text still looks like a template (so its error is reported)."""
    head = text[:20000]
    return (
        "AWSTemplateFormatVersion" in head
        or "AWS::Serverless" in head
        or ("Resources" in head and "AWS::" in head)
    )


def _decode_json(text: str) -> object:
    """JSON is checked by the strict JSON parser, then decoded by libyaml for its marks.

    libyaml accepts things JSON does not (trailing commas, comments), so the strict parse
    comes first; if libyaml then fails on valid JSON (rare escapes), the JSON value is
    used without marks.
    """
    import json

    from .yaml import MAX_DEPTH, BoundError, DecodeError, decode, unmarked, valid_json_escapes

    text = valid_json_escapes(text)
    try:
        plain = json.loads(text)
    except RecursionError:
        # Deeper than Python's JSON parser goes: the YAML reader stops at MAX_DEPTH and
        # says where.
        decode(text)
        raise DecodeError(f"nesting deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", 0)
        column = getattr(exc, "colno", 0)
        message = getattr(exc, "msg", str(exc)).split(";")[0]
        raise DecodeError(f"invalid JSON: {message}", line, column) from None
    try:
        return decode(text)
    except BoundError:
        raise
    except DecodeError:
        return unmarked(plain)
