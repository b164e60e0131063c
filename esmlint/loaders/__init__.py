"""Front ends: turn one file's text into the invocation model.

One subpackage per family of formats, each filling the same :class:`~esmlint.model.Model`
(the one contract between front ends and rules):

- :mod:`.cloudformation`: CloudFormation, SAM and CDK output, in YAML or JSON;
- :mod:`.cdk`: CDK apps: the templates of a cloud assembly, and construct paths;
- :mod:`.terraform`: HCL, ``.tf.json`` and plan JSON;
- :mod:`.serverless`: Serverless Framework ``serverless.yml``, compiled to CloudFormation.

Shared by them: :mod:`.yaml` (YAML/JSON decoding that keeps line marks) and
:mod:`.canonical` (one spelling for references to a resource). ``load_text(path, text)`` is
the dispatcher the runner calls for one file; whole Terraform modules go to
:func:`esmlint.loaders.terraform.configuration.load_module`. A front end is imported only
when a file of its format is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Model
from . import cloudformation, serverless, terraform


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
    #: More broken places after the first (``error``), as (message, line, column): a
    #: ``.tf`` file with broken blocks may also have a ``model`` of the rest.
    more_errors: list[tuple[str, int, int]] = field(default_factory=list)
    #: The file did not parse whole: ``model`` is of the blocks that did.
    partial: bool = False

    def errors(self) -> list[tuple[str, int, int]]:
        """Every broken place: (message, line, column)."""
        first = [(self.error, self.line, self.column)] if self.error else []
        return first + self.more_errors


def load_text(path: str, text: str, explicit: bool = False) -> LoadResult:
    """Load one file's text. Never raises for bad input: problems come back in the result."""
    from .yaml import DecodeError, decode, decode_json

    if terraform.is_configuration(path):
        return _load_terraform(path, text)
    if not text.strip("\ufeff \t\r\n"):
        return LoadResult(path, is_template=False)  # empty: nothing to lint, JSON or not
    if terraform.sniff_plan(text):
        from .terraform.plan import decode_plan, load_plan

        plan = decode_plan(text)
        if plan is not None:
            return LoadResult(path, is_template=True, model=load_plan(path, plan),
                              format="terraform-plan")
    try:
        if path.lower().endswith(".json"):
            data = decode_json(text)
        elif text.lstrip("\ufeff \t\r\n").startswith("{"):
            # JSON (CDK's *.template), or YAML written in flow style: JSON's error wins.
            try:
                data = decode_json(text)
            except DecodeError as json_error:
                try:
                    data = decode(text)
                except DecodeError:
                    raise json_error from None
        else:
            data = decode(text)
    except DecodeError as exc:
        looks = explicit or cloudformation.sniff_text(text) or serverless.is_config(path)
        return LoadResult(path, is_template=looks, error=exc.message, line=exc.line,
                          column=exc.column)
    named = serverless.is_config(path)
    if named or isinstance(data, dict) and "service" in data and "provider" in data:
        if serverless.looks_like_service(data, named):
            return LoadResult(path, is_template=True, model=serverless.load(path, data),
                              format="serverless")
        if named:
            return LoadResult(path, is_template=False)  # another provider's service
    kind = cloudformation.looks_like_template(data)
    if not kind:
        return LoadResult(path, is_template=False)
    from .cloudformation.builder import build_model

    model = build_model(path, data, kind)
    if kind in ("cloudformation", "sam"):
        from .cdk.assembly import annotate  # construct paths, for CDK output

        annotate(model, path, data)
    return LoadResult(path, is_template=True, model=model, format=kind)


def _load_terraform(path: str, text: str) -> LoadResult:
    """One .tf / .tf.json file as a module on its own (runner.lint_terraform reads whole
    directories)."""
    import os

    from .terraform.configuration import load_module

    load = load_module(os.path.dirname(path), {path: text})
    errors = [(error.message, error.line, error.column)
              for _, error in [*load.errors, *load.refused]]
    first = errors[0] if errors else ("", 0, 0)
    return LoadResult(path, is_template=True, model=load.model, error=first[0],
                      line=first[1], column=first[2], more_errors=errors[1:],
                      format=load.model.format if load.model is not None else "terraform",
                      partial=bool(load.errors))


