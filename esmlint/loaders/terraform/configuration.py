"""A Terraform module's configuration (``.tf`` and ``.tf.json``) evaluated statically.

A directory is one Terraform module: its files are read together. This module evaluates
what Terraform would know at plan time without reaching AWS: variables take their defaults
(and ``terraform.tfvars`` / ``*.auto.tfvars``), locals and outputs are computed, local
modules (``source = "./..."``) are followed with their inputs, and references to resources
become ``Token("attr", address, attribute)`` so the mapping
(:mod:`esmlint.loaders.terraform.builder`) can link them.

What cannot be known stays Unknown, never guessed: a variable without default, a value
that depends on ``count.index`` / ``each`` (resources with ``count`` / ``for_each`` are one
entity in the model, their per-instance values unknown), a ``dynamic`` block whose
``for_each`` cannot be evaluated, a module whose source is not on disk (its outputs are
unknown, and what it may attach to the module's functions and roles makes the rules that
need the whole picture stay quiet). ``count = 0`` (after evaluation) removes a resource.

Modules from the registry, git or elsewhere are on disk once ``terraform init`` has run:
``.terraform/modules/modules.json`` in the root module names the directory of each
module call. Those are read like local ones, but every position in them is the position of
the ``module`` block that calls them: that is the file the user owns and can change,
annotate or suppress a finding in.

The terraform-aws-modules/lambda module (registry source, or a local copy of it) is read
from its inputs instead of its code (:class:`LambdaModule`): its function, event source
mappings (``event_source_mapping``), permissions (``allowed_triggers``) and asynchronous
configuration (``create_async_event_config``, ``destination_on_failure``...) and role
(its ``attach_*`` switches). So are the sqs, sns, eventbridge and dynamodb-table modules
of the same family (:mod:`.registry_modules`), from the registry, git, a local copy or a
downloaded one alike.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...reading import read_text
from ...values import Loc, NotedLoc, Sym, Token, Val, known, unknown
from ..external import bare_expression
from ..yaml import load_json
from .bodies import DictBody, _dict_refs, _tokens
from .builder import (
    EVERY_UNLINKED,
    NOT_SET,
    A,
    Hints,
    P,
    R,
    TfResource,
    policy_document,
)
from .expressions import (
    MAX_INT_BITS,
    MAX_TEXT,
    Evaluator,
    GetAttr,
    HclError,
    Index,
    JsonDoc,
    Lit,
    Template,
    Unknown,
    Var,
    contains_sym,
    parse_template,
)
from .hcl import HclAttr, HclBlock, TfSyntaxError

#: Module call arguments that are not inputs.
META_ARGS = ("source", "version", "count", "for_each", "providers", "depends_on")
MAX_MODULE_DEPTH = 8
#: Module instances one root module may expand into (calls beyond are not read): a
#: module called four times by each of its callers, eight levels deep, would be 65,536.
MAX_MODULE_INSTANCES = 1000
LAMBDA_MODULE = re.compile(r"^(registry\.terraform\.io/)?terraform-aws-modules/lambda/aws"
                           r"(//.*)?$")

#: A parsed file: its top-level blocks (HclBlock or JsonBlock; same interface).
Blocks = list


@dataclass
class FileSet:
    """The files of one module directory, parsed; errors per file."""

    directory: str
    blocks: list = field(default_factory=list)
    errors: list[tuple[str, TfSyntaxError]] = field(default_factory=list)
    tfvars: dict = field(default_factory=dict)


def parse_file(path: str, text: str) -> list:
    """The top-level blocks of one file; raises :class:`TfSyntaxError` at the first
    broken place (modules the user's files call, sibling files read for context)."""
    if path.lower().endswith(".tf.json"):
        from .tf_json import parse_tf_json

        return parse_tf_json(path, text)
    from .hcl import parse_hcl

    return parse_hcl(path, text)


def read_file(path: str, text: str) -> tuple[list, list[TfSyntaxError], bool]:
    """One of the files the user lints: (blocks, broken places, complete).

    A ``.tf`` file is read as far as it parses (:func:`~esmlint.loaders.terraform.hcl.
    read_hcl`); ``complete`` is False when a broken place could define anything. A
    ``.tf.json`` file parses whole or not at all."""
    if path.lower().endswith(".tf.json"):
        try:
            return parse_file(path, text), [], True
        except TfSyntaxError as exc:
            return [], [exc], False
    from .hcl import read_hcl

    result = read_hcl(path, text)
    return result.blocks, result.errors, result.complete


def is_terraform_file(path: str) -> bool:
    lower = path.lower()
    return lower.endswith(".tf") or lower.endswith(".tf.json")


def read_directory(directory: str) -> FileSet:
    """Every ``.tf`` / ``.tf.json`` file of a directory (not its subdirectories)."""
    files = FileSet(directory)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return files
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not is_terraform_file(name) or not os.path.isfile(path):
            continue
        try:
            text = read_text(path)
            files.blocks.extend(parse_file(path, text))
        except TfSyntaxError as exc:
            files.errors.append((path, exc))
        except (OSError, RecursionError) as exc:
            files.errors.append((path, TfSyntaxError(str(exc))))
    return files


def read_tfvars(directory: str) -> dict:
    """Variable values Terraform loads by itself: terraform.tfvars, *.auto.tfvars(.json)."""
    values: dict = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return values
    chosen = [n for n in names if n in ("terraform.tfvars", "terraform.tfvars.json")]
    chosen += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    for name in chosen:
        path = os.path.join(directory, name)
        try:
            text = read_text(path)
            if name.endswith(".json"):
                from ..yaml import DecodeError, decode_json
                from .tf_json import JsonAttr, _loc

                try:
                    data = decode_json(text)
                except DecodeError:
                    continue
                if isinstance(data, dict):
                    for key, value in data.items():
                        values[key] = JsonAttr(value, _loc(path, data, key), path, True)
            else:
                from .hcl import parse_tfvars

                values.update(parse_tfvars(path, text))
        except (OSError, TfSyntaxError):
            values["\0unreadable"] = name
    return values


# --------------------------------------------------------------------------- bodies


#: An argument that is just a variable: ``var.timeout`` (``"${var.timeout}"`` in JSON).
_BARE_VARIABLE = re.compile(r"\s*(\$\{\s*)?var\.([A-Za-z_][\w\-]*)\s*(?(1)\})\s*")


class ConfigBody:
    """A resource's (or nested block's) arguments, evaluated in its module scope."""

    def __init__(self, block: Any, scope: ModuleScope, bindings: dict | None = None) -> None:
        self.block = block
        self.scope = scope
        self.bindings = bindings or {}
        self.loc: Loc = block.loc
        #: Why the block could not be parsed ("" when it was).
        self.broken: str = getattr(block, "broken", "")
        self._not_set: Val | None = None

    def get(self, name: str) -> Val:
        attr = self.block.attr(name)
        if attr is None:
            # Most arguments a mapping asks for are not written: one value serves them
            # all (values are never changed once made).
            if self._not_set is None:
                self._not_set = unknown(NOT_SET, self.loc)
            return self._not_set
        value = self.scope.evaluate(attr, self.bindings)
        if isinstance(value, Unknown):
            return unknown(value.reason, attr.loc)
        if value is None:
            return unknown(NOT_SET, attr.loc)
        return known(value, self.noted(attr))

    def document(self, name: str) -> Val:
        """Like :meth:`get`, with ``file()``, ``templatefile()`` and ``yamldecode()``
        evaluated as Terraform would, reading files from disk: for arguments that hold a
        whole document written beside the configuration (an API's OpenAPI ``body``).
        Only these arguments read files, so no other value changes."""
        attr = self.block.attr(name)
        if attr is None:
            return unknown(NOT_SET, self.loc)
        loader = self.scope.loader
        loader.reading_files += 1
        try:
            value = self.scope.evaluate(attr, self.bindings)
        finally:
            loader.reading_files -= 1
        if isinstance(value, Unknown):
            return unknown(value.reason, attr.loc)
        if value is None:
            return unknown(NOT_SET, attr.loc)
        return known(value, attr.loc)

    def noted(self, attr: Any) -> Loc:
        """The argument's location, noted with the variable default it takes its value
        from when it is just ``var.NAME`` (messages then say where to look)."""
        text = getattr(attr, "text", None)
        match = _BARE_VARIABLE.fullmatch(text) if isinstance(text, str) and "var." in text \
            else None
        origin = self.scope.default_origin(match.group(2)) if match else None
        if origin is None:
            return attr.loc
        name = match.group(2)
        place = f"line {origin.line}" if origin.path == attr.loc.path else (
            f"{os.path.basename(origin.path)} line {origin.line}")
        return NotedLoc(*attr.loc, via=f"the default of variable {name}, {place}")

    def written(self, name: str) -> str | None:
        """The argument as written (``module.fn.lambda_function_arn``), for messages."""
        attr = self.block.attr(name)
        text = getattr(attr, "text", None)
        if text is None:
            value = getattr(attr, "value", None)
            text = value if isinstance(value, str) else None
        return bare_expression(text)

    def blocks(self, name: str) -> list | Val:
        if self.broken:  # a block that does not parse: its nested blocks are unknown
            return unknown(self.broken, self.loc)
        if getattr(self.block, "blocks", None) == []:
            return []  # no nested block at all (HCL): nothing to look through
        result: list = [ConfigBody(b, self.scope, self.bindings) for b in
                        self.block.children(name)]
        for dyn in self.block.dynamic(name):
            attr = dyn.attr("for_each")
            items = self.scope.evaluate(attr, self.bindings) if attr is not None else \
                Unknown("dynamic block without for_each")
            if isinstance(items, Unknown):
                return unknown(f"dynamic \"{name}\" block: {items.reason}", dyn.loc)
            if isinstance(items, dict):
                pairs = list(items.items())
            elif isinstance(items, list):
                pairs = list(enumerate(items))
            elif items is None:
                pairs = []
            else:
                return unknown(f"dynamic \"{name}\" block: for_each is not a collection",
                               dyn.loc)
            iterator = name
            named = dyn.attr("iterator")
            if named is not None:
                label = self.scope.evaluate_name(named)
                if not isinstance(label, str):
                    return unknown(f"dynamic \"{name}\" block: iterator not readable", dyn.loc)
                iterator = label
            contents = dyn.children("content")
            if not contents:
                continue
            for key, value in pairs:
                bindings = dict(self.bindings)
                bindings[iterator] = {"key": key, "value": value}
                result.append(ConfigBody(contents[0], self.scope, bindings))
        return result


# --------------------------------------------------------------------------- scope


_ACTIVE = object()


class ModuleScope:
    """One module instance: its variables, locals, resources, data sources and calls."""

    def __init__(self, loader: ModuleLoader, directory: str, blocks: list, prefix: str,
                 inputs: dict | None = None, caller: ModuleScope | None = None,
                 depth: int = 0, tfvars: dict | None = None,
                 conditional: str = "", vendored: Loc | None = None) -> None:
        self.loader = loader
        self.directory = directory
        #: Where a downloaded module (or one inside it) is called from the user's files.
        self.vendored = vendored
        self.prefix = prefix
        self.inputs = inputs or {}
        self.caller = caller
        self.depth = depth
        self.tfvars = tfvars or {}
        self.conditional = conditional
        self.variables: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}
        self.resources: dict[str, Any] = {}
        self.data: dict[str, Any] = {}
        self.modules: dict[str, Any] = {}
        self.outputs: dict[str, Any] = {}
        self.types: set[str] = set()
        self.cache: dict[tuple, Any] = {}
        self.children: dict[str, Any] = {}
        #: The ``module`` block that created this instance (None for the root module).
        self.call: Any = None
        for block in blocks:
            btype, labels = block.type, block.labels
            if btype == "variable" and labels:
                self.variables[labels[0]] = block
            elif btype == "locals":
                for name in block.attr_names():
                    attr = block.attr(name)
                    if attr is not None:
                        self.locals[name] = attr
            elif btype == "resource" and len(labels) >= 2:
                self.resources.setdefault(f"{labels[0]}.{labels[1]}", block)
                self.types.add(labels[0])
            elif btype == "data" and len(labels) >= 2:
                self.data.setdefault(f"{labels[0]}.{labels[1]}", block)
            elif btype == "module" and labels:
                self.modules.setdefault(labels[0], block)
            elif btype == "output" and labels:
                self.outputs[labels[0]] = block

    # -- evaluation -------------------------------------------------------------------
    def evaluate(self, attr: Any, bindings: dict | None = None) -> Any:
        try:
            node = attr.node()
        except HclError as exc:
            return Unknown(f"expression not read by esmlint ({exc})")
        except RecursionError:
            return Unknown("expression nested too deeply")
        kind = node.__class__
        if kind is Lit:  # the commonest values, as the evaluator gives them
            value = node.value
            if value is None or value.__class__ in (bool, float) or (
                    value.__class__ is int and value.bit_length() <= MAX_INT_BITS) or (
                    value.__class__ is str and len(value) <= MAX_TEXT):
                return value
        elif kind is Template and not node.directive and len(node.parts) <= 1:
            text = node.parts[0] if node.parts else ""
            if text.__class__ is str and len(text) <= MAX_TEXT:
                return text
        evaluator = Evaluator(self.resolve)
        if self.loader.reading_files:
            evaluator.functions = _FileFunctions(self).functions()
        if bindings:
            evaluator.bindings.append(bindings)
        try:
            return evaluator.eval(node)
        except RecursionError:
            return Unknown("expression nested too deeply")

    def evaluate_name(self, attr: Any) -> Any:
        """An iterator name: a bare identifier."""
        try:
            node = attr.node()
        except HclError:
            return None
        name = getattr(node, "name", None)
        if isinstance(name, str):
            return name
        value = self.evaluate(attr)
        return value if isinstance(value, str) else None

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if self.loader.reading_files:  # values that read files are kept apart
            key = (*key, "files")
        if key in self.cache:
            value = self.cache[key]
            if value is _ACTIVE:
                return Unknown(f"{key[1]} refers to itself")
            return value
        self.cache[key] = _ACTIVE
        try:
            value = compute()
        except RecursionError:
            value = Unknown("references nested too deeply")
        self.cache[key] = value
        return value

    def resolve(self, name: str, steps: list) -> tuple[Any, int]:
        first = steps[0][1] if steps and steps[0][0] == "attr" else None
        if name == "var":
            if first is None:
                return Unknown("var used without a name"), len(steps)
            return self.variable(first), 1
        if name == "local":
            if first is None:
                return Unknown("local used without a name"), len(steps)
            attr = self.locals.get(first)
            if attr is None:
                return Unknown(f"local.{first} is not defined"), 1
            return self.memo(("local", f"local.{first}"), lambda: self.evaluate(attr)), 1
        if name == "module":
            return self.module_output(steps)
        if name == "data":
            return self.data_attr(steps)
        if name in ("count", "each"):
            return Unknown(f"{name}.{first or ''} differs per instance"), len(steps)
        if name == "path":
            if self.loader.reading_files:
                return _FileFunctions(self).path(first), 1
            return ".", 1
        if name == "terraform":
            return ("default" if first == "workspace" else Unknown("terraform.*")), 1
        if name == "self":
            return Unknown("self is not evaluated"), len(steps)
        if name in self.types and first is not None:
            return self.resource_attr(f"{name}.{first}", steps[1:], 1)
        if first is not None and "_" in name:
            return Unknown(f"{name}.{first} is not in this module"), len(steps)
        return Unknown(f"{name} is not known"), len(steps)

    def variable(self, name: str) -> Any:
        def compute() -> Any:
            if name in self.inputs:
                attr, caller = self.inputs[name]
                return caller.evaluate(attr)
            if name in self.tfvars:
                return self.evaluate(self.tfvars[name])
            block = self.variables.get(name)
            if block is None:
                return Unknown(f"variable {name} is not declared")
            if self.caller is None and "\0unreadable" in self.tfvars:
                return Unknown(f"variable {name}: a tfvars file could not be read")
            default = block.attr("default")
            if default is None:
                return Unknown(f"variable {name} has no default")
            return self.evaluate(default)

        return self.memo(("var", f"var.{name}"), compute)

    def default_origin(self, name: str) -> Loc | None:
        """Where variable ``name``'s default is written, when that default is the value
        it takes (no module input, no tfvars entry sets it); else None."""
        if name in self.inputs or name in self.tfvars:
            return None
        block = self.variables.get(name)
        default = block.attr("default") if block is not None else None
        loc = getattr(default, "loc", None)
        return loc if loc is not None and loc.line else None

    def resource_attr(self, key: str, steps: list, used: int) -> tuple[Any, int]:
        block = self.resources.get(key)
        if block is None:  # a type the module has, a name it does not
            return Unknown(f"{key} is not in this module"), used + len(steps)
        i = 0
        if steps and steps[0][0] == "index":
            i = 1
        if i >= len(steps):
            return Unknown(f"{key} as a whole object is not evaluated"), used + len(steps)
        kind, attr = steps[i]
        if kind != "attr":
            return Unknown(f"{key}: unexpected index"), used + len(steps)
        address = self.prefix + key
        arg = block.attr(attr)
        if arg is None:
            return Sym.of(Token("attr", address, attr)), used + i + 1
        value = self.memo(("attr", f"{address}.{attr}"), lambda: self.evaluate(arg))
        if isinstance(value, Unknown) or value is None:
            return Sym.of(Token("attr", address, attr)), used + i + 1
        return value, used + i + 1

    def data_attr(self, steps: list) -> tuple[Any, int]:
        if len(steps) < 2 or steps[0][0] != "attr" or steps[1][0] != "attr":
            return Unknown("data source reference not read"), len(steps)
        dtype, dname = steps[0][1], steps[1][1]
        key = f"{dtype}.{dname}"
        used = 2
        if len(steps) > used and steps[used][0] == "index":
            used += 1
        if len(steps) <= used or steps[used][0] != "attr":
            return Unknown(f"data.{key} as a whole object"), len(steps)
        attr = steps[used][1]
        used += 1
        block = self.data.get(key)
        if block is None:
            return Unknown(f"data.{key} is not in this module"), used
        address = f"{self.prefix}data.{key}"
        arg = block.attr(attr)
        if arg is not None:
            return self.memo(("attr", f"{address}.{attr}"), lambda: self.evaluate(arg)), used
        if dtype == "aws_iam_policy_document" and attr in ("json", "minified_json"):
            def document() -> Any:
                doc = policy_document(ConfigBody(block, self))
                return doc if isinstance(doc, Unknown) else JsonDoc(doc)

            return self.memo(("doc", address), document), used
        if dtype == "aws_region" and attr in ("name", "id", "region"):
            return Sym.of(R), used
        if dtype == "aws_caller_identity" and attr == "account_id":
            return Sym.of(A), used
        if dtype == "aws_partition" and attr == "partition":
            return Sym.of(P), used
        if dtype == "aws_partition" and attr == "dns_suffix":
            return "amazonaws.com", used
        return Unknown(f"data.{key}.{attr} is read from AWS"), used

    # -- modules ------------------------------------------------------------------------
    def child(self, name: str) -> Any:
        """The module instance a ``module`` block creates (or None when it creates none)."""
        if name in self.children:
            return self.children[name]
        self.children[name] = None
        block = self.modules.get(name)
        if block is None:
            return None
        child = self.loader.instantiate(self, name, block)
        self.children[name] = child
        return child

    def module_output(self, steps: list) -> tuple[Any, int]:
        if not steps or steps[0][0] != "attr":
            return Unknown("module reference not read"), len(steps)
        name = steps[0][1]
        used = 1
        if len(steps) > used and steps[used][0] == "index":
            used += 1
        if len(steps) <= used or steps[used][0] != "attr":
            return Unknown(f"module.{name} as a whole object"), len(steps)
        output = steps[used][1]
        used += 1
        if name not in self.modules:
            return Unknown(f"module.{name} is not declared"), used
        child = self.child(name)
        if child is None:
            return Unknown(f"module.{name} creates no instance"), used
        return child.output(output), used

    def output(self, name: str) -> Any:
        block = self.outputs.get(name)
        if block is None:
            return Unknown(f"output {name} of {self.prefix.rstrip('.')} is not defined")
        attr = block.attr("value")
        if attr is None:
            return Unknown(f"output {name} has no value")
        return self.memo(("output", f"output.{name}"), lambda: self.evaluate(attr))

    # -- resources ------------------------------------------------------------------------
    def instances(self, block: Any, what: str) -> tuple[bool, str]:
        """(exists, conditional reason) from ``count`` / ``for_each``."""
        count = block.attr("count")
        if count is not None:
            value = self.evaluate(count)
            if isinstance(value, Unknown) or contains_sym(value):
                return True, f"count of {what} cannot be evaluated"
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return True, f"count of {what} cannot be evaluated"
            return value > 0, ""
        for_each = block.attr("for_each")
        if for_each is not None:
            value = self.evaluate(for_each)
            if isinstance(value, (dict, list)):
                return len(value) > 0, ""
            return True, f"for_each of {what} cannot be evaluated"
        return True, ""

    def tf_resources(self, out: list, hints: Hints) -> None:
        for key, block in self.resources.items():
            address = self.prefix + key
            exists, conditional = self.instances(block, address)
            if not exists:
                continue
            out.append(TfResource(address, "managed", block.labels[0], block.labels[1],
                                  block.loc, ConfigBody(block, self),
                                  self.depends_on(block),
                                  conditional or self.conditional,
                                  self.references(block)))
        for name in self.modules:
            child = self.child(name)
            if child is not None:
                child.tf_resources(out, hints)

    def references(self, block: Any) -> list[tuple[str, str]]:
        """(resource address, top-level argument) for every reference in a block."""
        result: list[tuple[str, str]] = []
        for argument, text in _argument_texts(block):
            for match in _REF.finditer(text):
                if match.group(5):
                    key = f"{match.group(5)}.{match.group(6)}"
                    if key in self.resources:
                        result.append((self.prefix + key, argument))
        return result

    def depends_on(self, block: Any) -> tuple[str, ...]:
        attr = block.attr("depends_on")
        if attr is None:
            return ()
        try:
            node = attr.node()
        except HclError:
            return ()
        items = getattr(node, "items", None)
        result = []
        for item in items or []:
            if isinstance(item, Lit):
                if isinstance(item.value, str):
                    result.append(self.prefix + item.value)
                continue
            parts = []
            current = item
            while isinstance(current, (GetAttr, Index)):
                if isinstance(current, GetAttr):
                    parts.append(current.name)
                current = current.target
            if isinstance(current, Var):
                parts.append(current.name)
            parts.reverse()
            if parts:
                result.append(self.prefix + ".".join(parts))
        return tuple(result)


class OpaqueModule:
    """A module whose code esmlint does not read: every output is unknown."""

    def __init__(self, name: str, source: str) -> None:
        self.name = name
        self.source = source

    def output(self, name: str) -> Any:
        return Unknown(f"output {name} of module {self.name} ({self.source}) is not read")

    def tf_resources(self, out: list, hints: Hints) -> None:
        return None


# --------------------------------------------------------------------------- loader


class ModuleLoader:
    """Instantiates modules: follows local sources, recognises the Lambda module."""

    def __init__(self, hints: Hints) -> None:
        self.hints = hints
        self.files: dict[str, FileSet] = {}
        self.manifests: dict[str, dict[str, str]] = {}
        #: Above 0 while a document argument is evaluated (:meth:`ConfigBody.document`).
        self.reading_files = 0
        #: Module calls Terraform refuses (a module that calls itself), located at the
        #: ``module`` block, each once.
        self.problems: list[tuple[str, TfSyntaxError]] = []
        self.instances = 0
        #: Folder -> its local module calls, and the folders its text names as sources
        #: (see :meth:`cycle`).
        self.calls: dict[str, list[tuple[Any, str]]] = {}
        self.sources: dict[str, list[str]] = {}

    def files_of(self, directory: str) -> FileSet:
        key = os.path.normcase(os.path.abspath(directory))
        if key not in self.files:
            self.files[key] = read_directory(directory)
        return self.files[key]

    def instantiate(self, parent: ModuleScope, name: str, block: Any) -> Any:
        if getattr(block, "broken", ""):
            # A module call that does not parse may pass anything to anything.
            self.hints.open_all_roles = self.hints.open_all_roles or \
                f"module.{name} does not parse"
            self.hints.unlinked.update(OPAQUE_UNLINKED)
            return OpaqueModule(name, "a module block that does not parse")
        source_attr = block.attr("source")
        source = parent.evaluate(source_attr) if source_attr is not None else None
        exists, conditional = parent.instances(block, f"module.{name}")
        if not exists:
            return None
        prefix = f"{parent.prefix}module.{name}."
        inputs = {key: (block.attr(key), parent) for key in block.attr_names()
                  if key not in META_ARGS and block.attr(key) is not None}
        if isinstance(source, str) and LAMBDA_MODULE.match(source):
            return LambdaModule(parent, name, prefix, inputs, block, conditional)
        from .registry_modules import by_code, by_source

        registry = by_source(source)
        if registry is not None:  # read from its inputs, downloaded or not
            return registry(parent, name, prefix, inputs, block, conditional)
        local = isinstance(source, str) and source.startswith(("./", "../"))
        directory = None
        if parent.depth < MAX_MODULE_DEPTH:
            directory = os.path.normpath(os.path.join(parent.directory, source)) if local \
                else self.downloaded(parent, name)
        if directory is not None and os.path.isdir(directory):
            cycle = self.cycle(parent, block, directory)
            if cycle is not None:
                self.refuse(cycle)
                self.opaque(parent, name, str(source), inputs)
                return OpaqueModule(name, f"{source}: a module that calls itself")
            if self.instances >= MAX_MODULE_INSTANCES:
                self.opaque(parent, name, str(source), inputs)
                return OpaqueModule(name, f"{source}: more than {MAX_MODULE_INSTANCES:,} "
                                          "module instances")
            files = self.files_of(directory)
            if files.errors:
                self.opaque(parent, name, str(source), inputs)
                return OpaqueModule(name, f"{source}: a file could not be parsed")
            blocks = files.blocks
            vendored = parent.vendored or (None if local else block.loc)
            if vendored is not None:
                if not all(isinstance(item, HclBlock) for item in blocks):
                    self.opaque(parent, name, str(source), inputs)  # .tf.json: not moved
                    return OpaqueModule(name, f"{source}: JSON configuration syntax")
                blocks = [_relocated(item, vendored) for item in blocks]
            if LambdaModule.looks_like(blocks):
                return LambdaModule(parent, name, prefix, inputs, block, conditional)
            registry = by_code(blocks)
            if registry is not None:  # a copy of a registry module: the same reading
                return registry(parent, name, prefix, inputs, block, conditional)
            self.instances += 1
            scope = ModuleScope(self, directory, blocks, prefix, inputs, parent,
                                parent.depth + 1,
                                conditional=conditional or parent.conditional,
                                vendored=vendored)
            scope.call = block
            return scope
        self.opaque(parent, name, str(source), inputs)
        return OpaqueModule(name, str(source))

    def downloaded(self, parent: ModuleScope, name: str) -> str | None:
        """Where ``terraform init`` put the module ``name`` called by ``parent``, if it ran."""
        root = parent
        while root.caller is not None:
            root = root.caller
        key = ".".join([*re.findall(r"module\.([^.]+)\.", parent.prefix), name])
        found = self.manifest(root.directory).get(key)
        return os.path.normpath(os.path.join(root.directory, found)) if found else None

    def manifest(self, root: str) -> dict[str, str]:
        """Module key (``queue``, ``queue.inner``) -> directory, from ``modules.json``."""
        if root not in self.manifests:
            self.manifests[root] = _read_manifest(
                os.path.join(root, ".terraform", "modules", "modules.json"))
        return self.manifests[root]

    def opaque(self, parent: ModuleScope, name: str, source: str, inputs: dict) -> None:
        """A module esmlint cannot read may attach anything to what it is given."""
        reason = f"module.{name} ({source}) is not read by esmlint"
        for attr, scope in inputs.values():
            for token in _tokens(scope.evaluate(attr)):
                if ".aws_iam_role." in f".{token.ref}":
                    self.hints.open_roles[token.ref] = reason
                if ".aws_lambda_function." in f".{token.ref}" or \
                        ".aws_lambda_alias." in f".{token.ref}":
                    self.hints.unlinked.update(OPAQUE_UNLINKED)

    def cycle(self, parent: ModuleScope, block: Any, directory: str) -> list[Any] | None:
        """The ``module`` blocks of the cycle the call ``block`` of ``parent`` (to
        ``directory``) belongs to, in the order they call each other, starting with
        ``block``; None when it is on no cycle.

        A module's ``source`` is a literal string, so which folder calls which is known
        before anything is expanded: a call is on a cycle when the folder it calls leads
        back, through local module calls, to the folder of the caller. Such a call is not
        expanded at all, so no block of the cycle is read twice (under two addresses).
        """
        start, goal = _same_file_key(directory), _same_file_key(parent.directory)
        if start == goal:
            return [block]
        if self.reaches(directory, goal):
            found = self.local_cycle(block, directory, start, goal)
            if found is not None:
                return found
        # Downloaded modules (.terraform/modules) are not in that map: a folder already on
        # the chain of calls that led here closes a cycle too.
        calls = [block]
        scope: ModuleScope | None = parent
        while scope is not None and scope.call is not None:
            if _same_file_key(scope.directory) == start:
                return calls[::-1]
            calls.append(scope.call)
            scope = scope.caller
        return None

    def reaches(self, directory: str, goal: str) -> bool:
        """Whether local module calls may lead from ``directory`` to the folder ``goal``:
        read from the files' text (every ``source = "./..."``, in a module block or not),
        so it never misses a call and reads no folder twice; :meth:`local_cycle` then
        checks the module blocks themselves."""
        seen = {_same_file_key(directory)}
        queue = [directory]
        while queue and len(seen) <= MAX_MODULE_INSTANCES:
            folder = queue.pop(0)
            for target in self.sources_in(folder):
                key = _same_file_key(target)
                if key == goal:
                    return True
                if key not in seen:
                    seen.add(key)
                    queue.append(target)
        return False

    def sources_in(self, directory: str) -> list[str]:
        """Folders the ``source = "./..."`` lines of a folder's files name (cached)."""
        key = _same_file_key(directory)
        if key not in self.sources:
            found: list[str] = []
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                names = []
            for name in names:
                path = os.path.join(directory, name)
                if name.startswith(".") or not is_terraform_file(name):
                    continue
                try:
                    text = read_text(path)
                except OSError:
                    continue
                for match in _LOCAL_SOURCE.finditer(text):
                    target = os.path.normpath(os.path.join(directory, match.group(1)))
                    if os.path.isdir(target):
                        found.append(target)
            self.sources[key] = found
        return self.sources[key]

    def local_cycle(self, block: Any, directory: str, start: str, goal: str
                    ) -> list[Any] | None:
        """The module blocks from ``directory`` back to ``goal``, breadth first, after
        ``block``; None when no module block leads there."""
        paths: dict[str, list[Any]] = {start: []}
        queue = [directory]
        while queue and len(paths) <= MAX_MODULE_INSTANCES:
            folder = queue.pop(0)
            for call, target in self.local_calls(folder):
                key = _same_file_key(target)
                if key in paths:
                    continue
                paths[key] = [*paths[_same_file_key(folder)], call]
                if key == goal:
                    return [block, *paths[key]]
                queue.append(target)
        return None

    def local_calls(self, directory: str) -> list[tuple[Any, str]]:
        """(``module`` block, folder it calls) for the local module calls of a folder."""
        key = _same_file_key(directory)
        if key not in self.calls:
            found = []
            for item in self.files_of(directory).blocks:
                source = _literal_source(item) if item.type == "module" else None
                if source is not None and source.startswith(("./", "../")):
                    target = os.path.normpath(os.path.join(directory, source))
                    if os.path.isdir(target):
                        found.append((item, target))
            self.calls[key] = found
        return self.calls[key]

    def refuse(self, calls: list[Any]) -> None:
        """A module cycle, reported once: at the first of its ``module`` blocks in file
        and line order (the same whichever module of the cycle is linted as the root, so a
        directory walk reports each cycle once)."""
        first = min(range(len(calls)), key=lambda i: (calls[i].loc.path, calls[i].loc.line,
                                                      calls[i].loc.column))
        ring = calls[first:] + calls[:first]
        head = ring[0]
        source = _source_text(head)
        if len(ring) == 1:
            message = (f"module \"{head.labels[0] if head.labels else '?'}\" calls "
                       f"{source}, its own folder")
        else:
            steps = " -> ".join(f"{call.loc.path} line {call.loc.line} ({_source_text(call)})"
                                for call in ring)
            message = (f"module \"{head.labels[0] if head.labels else '?'}\" calls {source}, "
                       f"whose module calls lead back to this folder ({steps})")
        message += (": Terraform cannot load a module that calls itself; esmlint does not "
                    "expand it")
        loc = head.loc
        if any(path == loc.path and (exc.line, exc.column) == (loc.line, loc.column)
               for path, exc in self.problems):
            return
        self.problems.append((loc.path, TfSyntaxError(message, loc.line, loc.column)))


def _literal_source(block: Any) -> str | None:
    """A module block's ``source`` when it is a literal string (Terraform requires one)."""
    attr = block.attr("source")
    value = getattr(attr, "value", None)
    if isinstance(value, str):
        return value
    try:
        node = attr.node() if attr is not None else None
    except (HclError, RecursionError):
        return None
    if isinstance(node, Lit) and isinstance(node.value, str):
        return node.value
    parts = getattr(node, "parts", None)
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], str):
        return parts[0]
    return None


def _source_text(block: Any) -> str:
    """A module block's ``source`` as written, for messages."""
    attr = block.attr("source")
    text = getattr(attr, "text", None)
    if isinstance(text, str) and text.strip():
        return text.strip()
    value = getattr(attr, "value", None)
    return f'"{value}"' if isinstance(value, str) else "its source"


#: A local module source as written in HCL (``source = "./x"``) or JSON (``"source":
#: "../x"``).
_LOCAL_SOURCE = re.compile(r'(?<![\w-])"?source"?\s*[=:]\s*"(\.\.?/[^"\n]*|\.\.?)"')


def _same_file_key(directory: str) -> str:
    """One spelling for a folder, whatever path led to it (``./``, ``../x``, a link)."""
    return os.path.normcase(os.path.realpath(directory or "."))


#: modules.json files beyond this size are not read (the modules stay opaque).
MAX_MANIFEST_BYTES = 5 * 1024 * 1024


def _read_manifest(path: str) -> dict[str, str]:
    """``terraform init``'s record of downloaded modules; empty when absent or unreadable."""
    try:
        if os.path.getsize(path) > MAX_MANIFEST_BYTES:
            return {}
        data = load_json(read_text(path, MAX_MANIFEST_BYTES))
    except (OSError, ValueError):
        return {}
    modules = data.get("Modules") if isinstance(data, dict) else None
    return {entry["Key"]: entry["Dir"] for entry in modules or ()
            if isinstance(entry, dict) and isinstance(entry.get("Key"), str)
            and entry["Key"] and isinstance(entry.get("Dir"), str) and entry["Dir"]}


def _relocated(block: HclBlock, loc: Loc) -> HclBlock:
    """A copy of a downloaded module's block with every position moved to ``loc``."""
    return HclBlock(block.type, block.labels, loc,
                    {name: HclAttr(attr.text, loc, attr.offset)
                     for name, attr in block.attrs.items()},
                    [_relocated(child, loc) for child in block.blocks])


#: What a module esmlint cannot read may add to a function it is given.
OPAQUE_UNLINKED = ("esm", "invoke-config", "permission", "s3", "sns", "eventbridge", "url")


# --------------------------------------------------------------------------- lambda module


class LambdaModule:
    """terraform-aws-modules/lambda/aws, read from its inputs (module v7/v8 interface).

    Modelled where the inputs are static: the function (``function_name``, ``timeout``,
    ``reserved_concurrent_executions``, ``dead_letter_target_arn``), its event source
    mappings (``event_source_mapping`` map: ``event_source_arn``, ``batch_size``,
    ``maximum_retry_attempts``, ``destination_arn_on_failure``, ``scaling_config``,
    ``filter_criteria``...), the permissions of ``allowed_triggers`` (``principal`` or
    ``service``, ``source_arn``), the asynchronous configuration
    (``create_async_event_config``, ``maximum_retry_attempts``,
    ``maximum_event_age_in_seconds``, ``destination_on_failure`` / ``_on_success``) and the
    Function URL. The role the module creates is modelled from its switches
    (:func:`~esmlint.loaders.terraform.registry_modules.lambda_role`). Mappings and
    permissions are located at their entry of the map input.
    """

    VARIABLES = ("event_source_mapping", "allowed_triggers", "create_async_event_config")

    def __init__(self, parent: ModuleScope, name: str, prefix: str, inputs: dict, block: Any,
                 conditional: str) -> None:
        self.parent = parent
        self.name = name
        self.prefix = prefix
        self.inputs = inputs
        self.block = block
        self.conditional = conditional or parent.conditional
        self.loc: Loc = block.loc
        self.fn_address = f"{prefix}aws_lambda_function.this"
        self.role_address = f"{prefix}aws_iam_role.lambda"

    @staticmethod
    def looks_like(blocks: list) -> bool:
        variables = {b.labels[0] for b in blocks if b.type == "variable" and b.labels}
        resources = {f"{b.labels[0]}.{b.labels[1]}" for b in blocks
                     if b.type == "resource" and len(b.labels) >= 2}
        return set(LambdaModule.VARIABLES) <= variables and \
            "aws_lambda_function.this" in resources

    def input(self, name: str, fallback: Any = None) -> Any:
        entry = self.inputs.get(name)
        if entry is None:
            return fallback
        attr, scope = entry
        value = scope.evaluate(attr)
        return fallback if value is None else value

    def loc_of(self, name: str) -> Loc:
        entry = self.inputs.get(name)
        return entry[0].loc if entry is not None else self.loc

    def flag(self, name: str, fallback: bool) -> Any:
        value = self.input(name, fallback)
        return value if isinstance(value, (bool, Unknown)) else Unknown(f"{name} not a bool")

    def creates_function(self) -> Any:
        values = [self.flag("create", True), self.flag("create_function", True)]
        layer = self.flag("create_layer", False)
        values.append(not layer if isinstance(layer, bool) else layer)
        if any(v is False for v in values):
            return False
        for value in values:
            if isinstance(value, Unknown):
                return value
        return True

    def output(self, name: str) -> Any:
        fn = self.fn_address
        if self.creates_function() is False:
            return Unknown(f"module.{self.name} creates no function")
        function_name = self.input("function_name", Unknown("function_name not set"))
        mapping = {
            "lambda_function_arn": Sym.of(Token("attr", fn, "arn")),
            "lambda_function_arn_static": Sym.of(Token("attr", fn, "arn")),
            "lambda_function_invoke_arn": Sym.of(Token("attr", fn, "invoke_arn")),
            "lambda_function_qualified_arn": Sym.of(Token("attr", fn, "qualified_arn")),
            "lambda_function_name": function_name if isinstance(function_name, (str, Sym))
            else Sym.of(Token("attr", fn, "function_name")),
            "lambda_role_arn": Sym.of(Token("attr", self.role_address, "arn")),
            "lambda_role_name": Sym.of(Token("attr", self.role_address, "name")),
            "lambda_function_url": Sym.of(Token("attr", f"{self.prefix}aws_lambda_function_url"
                                                ".this", "function_url")),
        }
        if name in mapping:
            return mapping[name]
        return Unknown(f"output {name} of module.{self.name} is not modelled")

    def tf_resources(self, out: list, hints: Hints) -> None:
        start = len(out)
        self.resources_of(out, hints)
        for item in out[start:]:
            item.references = _dict_refs(item.body)

    def resources_of(self, out: list, hints: Hints) -> None:
        creates = self.creates_function()
        if creates is False:
            return
        conditional = self.conditional or (
            f"module.{self.name}: {creates.reason}" if isinstance(creates, Unknown) else "")
        fn_ref = Sym.of(Token("attr", self.fn_address, "arn"))
        fn_name = self.input("function_name", Unknown("function_name not set"))
        from .registry_modules import lambda_role

        role_arn = lambda_role(self, out, hints, conditional)
        values: dict = {
            "function_name": fn_name,
            "role": role_arn,
            "timeout": Val("known", self.input("timeout"), self.loc_of("timeout"))
            if self.input("timeout") is not None else None,
            "reserved_concurrent_executions": self.input("reserved_concurrent_executions"),
            "memory_size": self.input("memory_size"),
            "runtime": self.input("runtime"),
            "handler": self.input("handler"),
            "publish": self.input("publish"),
            "tags": self.input("tags"),
        }
        dlq = self.input("dead_letter_target_arn")
        if dlq is not None:
            values["dead_letter_config"] = [{"target_arn": dlq}]
        if self.input("vpc_subnet_ids") is not None:
            values["vpc_config"] = [{"subnet_ids": self.input("vpc_subnet_ids")}]
        out.append(TfResource(self.fn_address, "managed", "aws_lambda_function", "this",
                              self.loc, DictBody(values, self.loc), (), conditional))
        if self.input("recursive_loop") == "Allow":
            out.append(TfResource(f"{self.prefix}aws_lambda_function_recursion_config.this",
                                  "managed", "aws_lambda_function_recursion_config", "this",
                                  self.loc_of("recursive_loop"), DictBody(
                                      {"function_name": fn_ref, "recursive_loop": "Allow"},
                                      self.loc), (), conditional))
        self.mappings(out, fn_ref, conditional)
        self.triggers(out, fn_ref, conditional)
        self.async_config(out, fn_ref, conditional)
        if self.flag("create_lambda_function_url", False) is True:
            out.append(TfResource(f"{self.prefix}aws_lambda_function_url.this", "managed",
                                  "aws_lambda_function_url", "this",
                                  self.loc_of("create_lambda_function_url"), DictBody({
                                      "function_name": fn_ref,
                                      "authorization_type": self.input("authorization_type",
                                                                       "NONE")},
                                      self.loc_of("create_lambda_function_url")), (),
                                  conditional))

    def mappings(self, out: list, fn_ref: Sym, conditional: str) -> None:
        mappings = self.input("event_source_mapping", {})
        loc = self.loc_of("event_source_mapping")
        if isinstance(mappings, Unknown) or not isinstance(mappings, dict):
            if mappings:
                self.parent.loader.hints.unlinked.add("esm")
            return
        from .registry_modules import entry_locs

        entry = self.inputs.get("event_source_mapping")
        found = entry_locs(*entry) if entry is not None else {}
        default_loc = loc
        for key, spec in mappings.items():
            loc = found[key][0] if key in found else default_loc
            address = f'{self.prefix}aws_lambda_event_source_mapping.this["{key}"]'
            if not isinstance(spec, dict):
                self.parent.loader.hints.unlinked.add("esm")
                continue
            values = {k: v for k, v in spec.items() if k in (
                "event_source_arn", "batch_size", "maximum_batching_window_in_seconds",
                "starting_position", "starting_position_timestamp", "parallelization_factor",
                "maximum_retry_attempts", "maximum_record_age_in_seconds",
                "bisect_batch_on_function_error", "tumbling_window_in_seconds",
                "function_response_types", "enabled", "topics", "queues", "kms_key_arn")}
            values["function_name"] = fn_ref
            if spec.get("destination_arn_on_failure") is not None:
                values["destination_config"] = [{"on_failure": [{
                    "destination_arn": spec["destination_arn_on_failure"]}]}]
            for name in ("scaling_config", "metrics_config", "provisioned_poller_config"):
                if isinstance(spec.get(name), (dict, Unknown)):
                    values[name] = spec[name]
            for name in ("self_managed_event_source", "self_managed_kafka_event_source_config",
                         "amazon_managed_kafka_event_source_config",
                         "source_access_configuration", "document_db_event_source_config"):
                if spec.get(name) is not None:
                    values[name] = spec[name]
            criteria = spec.get("filter_criteria")
            if isinstance(criteria, Unknown):
                values["filter_criteria"] = criteria
            elif criteria is not None:
                items = criteria if isinstance(criteria, list) else [criteria]
                values["filter_criteria"] = [{"filter": [
                    {"pattern": item.get("pattern")} if isinstance(item, dict) else item
                    for item in items]}]
            out.append(TfResource(address, "managed", "aws_lambda_event_source_mapping",
                                  "this", loc, DictBody(values, loc), (), conditional))

    def triggers(self, out: list, fn_ref: Sym, conditional: str) -> None:
        triggers = self.input("allowed_triggers", {})
        loc = self.loc_of("allowed_triggers")
        if isinstance(triggers, Unknown) or not isinstance(triggers, dict):
            if triggers:
                self.parent.loader.hints.unlinked.add("permission")
            return
        from .registry_modules import entry_locs

        entry = self.inputs.get("allowed_triggers")
        found = entry_locs(*entry) if entry is not None else {}
        default_loc = loc
        for key, spec in triggers.items():
            loc = found[key][0] if key in found else default_loc
            if not isinstance(spec, dict):
                self.parent.loader.hints.unlinked.add("permission")
                continue
            principal = spec.get("principal")
            if principal is None and isinstance(spec.get("service"), str):
                principal = f"{spec['service']}.amazonaws.com"
            values = {
                "function_name": fn_ref,
                "action": spec.get("action", "lambda:InvokeFunction"),
                "principal": principal if principal is not None else Unknown(
                    "principal not set"),
                "source_arn": spec.get("source_arn"),
                "source_account": spec.get("source_account"),
                "function_url_auth_type": spec.get("function_url_auth_type"),
                "principal_org_id": spec.get("principal_org_id"),
                "event_source_token": spec.get("event_source_token"),
            }
            address = f'{self.prefix}aws_lambda_permission.unqualified_alias_triggers["{key}"]'
            out.append(TfResource(address, "managed", "aws_lambda_permission",
                                  "unqualified_alias_triggers", loc, DictBody(values, loc),
                                  (), conditional))

    def async_config(self, out: list, fn_ref: Sym, conditional: str) -> None:
        create = self.flag("create_async_event_config", False)
        if create is False:
            return
        if isinstance(create, Unknown):
            self.parent.loader.hints.unlinked.add("invoke-config")
            return
        loc = self.loc_of("create_async_event_config")
        values: dict = {
            "function_name": fn_ref,
            "maximum_event_age_in_seconds": self.input("maximum_event_age_in_seconds"),
            "maximum_retry_attempts": self.input("maximum_retry_attempts"),
        }
        failure = self.input("destination_on_failure")
        success = self.input("destination_on_success")
        if failure is not None or success is not None:
            block: dict = {}
            if failure is not None:
                block["on_failure"] = [{"destination": failure}]
            if success is not None:
                block["on_success"] = [{"destination": success}]
            values["destination_config"] = [block]
        out.append(TfResource(f"{self.prefix}aws_lambda_function_event_invoke_config.this",
                              "managed", "aws_lambda_function_event_invoke_config", "this",
                              loc, DictBody(values, loc), (), conditional))


# --------------------------------------------------------------------------- entry point


@dataclass
class ConfigResult:
    resources: list[TfResource]
    hints: Hints
    #: Module calls Terraform refuses (a module that calls itself), at their blocks.
    errors: list[tuple[str, TfSyntaxError]]


class _FileFunctions:
    """``file()``, ``templatefile()`` and ``yamldecode()`` for one module scope.

    Terraform resolves a relative path against the directory it runs in (the root module)
    and ``path.module`` is the module's directory relative to it, so ``file("${path.module}
    /api.yaml")`` reads the file beside the module's code. Files are read through
    :func:`esmlint.reading.read_text` (regular files only, within the size limit); one
    that cannot be read, a template with directives (``%{ if }``) or variables that cannot
    be known make the value Unknown.
    """

    def __init__(self, scope: ModuleScope) -> None:
        self.scope = scope
        self.depth = 0  # templates rendered inside templates (Terraform refuses recursion)
        root = scope
        while root.caller is not None:
            root = root.caller
        self.root = root.directory

    def functions(self) -> dict[str, Callable[..., Any]]:
        from .expressions import FUNCTIONS

        return {**FUNCTIONS, "file": self.file, "templatefile": self.template,
                "yamldecode": _yamldecode}

    def path(self, name: str | None) -> Any:
        if name == "module":
            relative = os.path.relpath(self.scope.directory, self.root)
            return "." if relative == "." else relative.replace(os.sep, "/")
        if name in ("root", "cwd"):
            return "."
        return Unknown(f"path.{name} is not known")

    def read(self, path: Any, function: str) -> Any:
        if isinstance(path, Unknown):
            return path
        if not isinstance(path, str):
            return Unknown(f"{function}() of a path known only at apply time")
        full = path if os.path.isabs(path) else os.path.join(self.root, path)
        if not self.inside(full):
            return Unknown(f"{function}(\"{path}\") is outside the project folder (not read)")
        try:
            return read_text(full)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            return Unknown(f"{function}(\"{path}\") cannot be read ({reason})")

    def inside(self, full: str) -> bool:
        """Whether a file is inside the project: the root module's folder or this
        module's own (a local module may sit beside the root)."""
        target = os.path.realpath(full)
        for base in (self.root, self.scope.directory):
            folder = os.path.realpath(base)
            try:
                if os.path.commonpath([target, folder]) == folder:
                    return True
            except ValueError:  # another drive
                continue
        return False

    def file(self, path: Any) -> Any:
        return self.read(path, "file")

    def template(self, path: Any, variables: Any = None) -> Any:
        text = self.read(path, "templatefile")
        if isinstance(text, Unknown):
            return text
        if isinstance(variables, Unknown):
            return variables
        if variables is not None and not isinstance(variables, dict):
            return Unknown("templatefile() variables are not a map")
        try:
            node = parse_template(text)
        except (HclError, RecursionError) as exc:
            return Unknown(f"templatefile(\"{path}\") is not a template esmlint reads ({exc})")
        names = dict(variables or {})

        def resolve(name: str, steps: list) -> tuple[Any, int]:
            return Unknown(f"{name} is not a variable of templatefile(\"{path}\")"), len(steps)

        if self.depth >= _MAX_TEMPLATE_DEPTH:
            return Unknown("templatefile() inside templatefile() nested too deeply")
        evaluator = Evaluator(resolve)
        evaluator.functions = self.functions()
        evaluator.bindings.append(names)
        self.depth += 1
        try:
            return evaluator.eval(node)
        except RecursionError:
            return Unknown("template nested too deeply")
        finally:
            self.depth -= 1


_MAX_TEMPLATE_DEPTH = 8


def _yamldecode(text: Any) -> Any:
    if isinstance(text, Unknown):
        return text
    if not isinstance(text, str):
        return Unknown("yamldecode() of a value known only at apply time")
    from ..yaml import DecodeError, decode, unmarked

    try:
        return unmarked(decode(text))
    except DecodeError as exc:
        return Unknown(f"yamldecode(): {exc.message}")


def evaluate_module(directory: str, blocks: list, tfvars: dict | None = None) -> ConfigResult:
    """The resources of a root module made of ``blocks`` (files of ``directory``)."""
    hints = Hints()
    loader = ModuleLoader(hints)
    root = ModuleScope(loader, directory, blocks, "", tfvars=tfvars)
    resources: list[TfResource] = []
    root.tf_resources(resources, hints)
    return ConfigResult(resources, hints, loader.problems)


# --------------------------------------------------------------------------- modules on disk

_REF = re.compile(r"(?<![\w.\-])(?:(var|local|module|output)\.([A-Za-z_][\w\-]*)|"
                  r"data\.([A-Za-z_][\w\-]*)\.([A-Za-z_][\w\-]*)|"
                  r"([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w\-]*))")


def _texts(block: Any, out: list[str], depth: int = 0) -> None:
    """Every expression text of a block (for the reference scan)."""
    if depth > 40:
        return
    attrs = getattr(block, "attrs", None)
    if isinstance(attrs, dict):
        out.extend(attr.text for attr in attrs.values())
        for child in block.blocks:
            _texts(child, out, depth + 1)
        return
    import json

    try:
        out.append(json.dumps(getattr(block, "obj", {}), default=str))
    except (TypeError, ValueError):
        pass


def _argument_texts(block: Any) -> list[tuple[str, str]]:
    """(top-level argument or nested block type, expression text) of a block."""
    attrs = getattr(block, "attrs", None)
    result: list[tuple[str, str]] = []
    if isinstance(attrs, dict):
        for name, attr in attrs.items():
            if name != "depends_on":
                result.append((name, attr.text))
        for child in block.blocks:
            texts: list[str] = []
            _texts(child, texts)
            name = child.labels[0] if child.type == "dynamic" and child.labels else child.type
            result.extend((name, text) for text in texts)
        return result
    import json

    obj = getattr(block, "obj", {})
    for name, value in obj.items() if isinstance(obj, dict) else ():
        if name in ("depends_on", "//"):
            continue
        try:
            result.append((name, json.dumps(value, default=str)))
        except (TypeError, ValueError):
            continue
    return result


def defined_names(blocks: list) -> set[str]:
    names: set[str] = set()
    for block in blocks:
        labels = block.labels
        if block.type == "variable" and labels:
            names.add(f"var.{labels[0]}")
        elif block.type == "locals":
            names.update(f"local.{name}" for name in block.attr_names())
        elif block.type == "module" and labels:
            names.add(f"module.{labels[0]}")
        elif block.type == "output" and labels:
            names.add(f"output.{labels[0]}")
        elif block.type == "resource" and len(labels) >= 2:
            names.add(f"{labels[0]}.{labels[1]}")
        elif block.type == "data" and len(labels) >= 2:
            names.add(f"data.{labels[0]}.{labels[1]}")
    return names


def referenced_names(blocks: list) -> set[str]:
    texts: list[str] = []
    for block in blocks:
        _texts(block, texts)
    names: set[str] = set()
    for text in texts:
        for match in _REF.finditer(text):
            if match.group(1):
                names.add(f"{match.group(1)}.{match.group(2)}")
            elif match.group(3):
                names.add(f"data.{match.group(3)}.{match.group(4)}")
            else:
                names.add(f"{match.group(5)}.{match.group(6)}")
    return names


def connected_files(named: dict[str, list], others: dict[str, list]) -> list[str]:
    """The sibling files that belong with the named ones: linked to them by references
    (either way) and defining none of their names. Files of a directory that only sit
    side by side (esmlint's own fixture folders) stay apart."""
    chosen_defs: set[str] = set()
    chosen_refs: set[str] = set()
    for blocks in named.values():
        chosen_defs |= defined_names(blocks)
        chosen_refs |= referenced_names(blocks)
    candidates = {path: (defined_names(blocks), referenced_names(blocks))
                  for path, blocks in others.items()}
    excluded = {path for path, (defs, _) in candidates.items() if defs & chosen_defs}
    added: list[str] = []
    changed = True
    while changed:
        changed = False
        for path, (defs, refs) in candidates.items():
            if path in excluded or path in added:
                continue
            if defs & chosen_defs:
                excluded.add(path)
                continue
            if (chosen_refs & defs) or (refs & chosen_defs):
                added.append(path)
                chosen_defs |= defs
                chosen_refs |= refs
                changed = True
    return sorted(added)


@dataclass
class ModuleLoad:
    """A Terraform module read from disk: its model, and the broken places of its files.

    A broken block whose type and labels can be read stays in the module with every
    argument unknown, so the model is built and ``errors`` lists the broken places beside
    it; when a broken place could define anything, ``model`` is None."""

    directory: str
    files: list[str]
    model: Any = None
    errors: list[tuple[str, TfSyntaxError]] = field(default_factory=list)
    #: Module calls Terraform refuses (a module that calls itself), at their blocks.
    refused: list[tuple[str, TfSyntaxError]] = field(default_factory=list)


def load_module(directory: str, texts: dict[str, str], explicit: bool = False) -> ModuleLoad:
    """The module of ``directory`` from the files in ``texts`` (path -> text).

    With ``explicit``, the files were named by the user: the other files of the directory
    that belong with them (:func:`connected_files`) are read too.
    """
    from .builder import build_model

    parsed: dict[str, list] = {}
    load = ModuleLoad(directory, sorted(texts))
    complete = True
    for path in sorted(texts):
        try:
            blocks, errors, whole = read_file(path, texts[path])
        except RecursionError:
            blocks, errors, whole = [], [TfSyntaxError("nesting too deep")], False
        parsed[path] = blocks
        load.errors.extend((path, exc) for exc in errors)
        complete = complete and whole
    if not complete:
        return load  # a broken place that could define anything: not linted
    if explicit:
        others: dict[str, list] = {}
        named = {os.path.normcase(os.path.abspath(p)) for p in texts}
        try:
            siblings = sorted(os.listdir(directory or "."))
        except OSError:
            siblings = []
        for name in siblings:
            path = os.path.join(directory, name) if directory else name
            if name.startswith(".") or not is_terraform_file(name) or \
                    os.path.normcase(os.path.abspath(path)) in named or \
                    not os.path.isfile(path):
                continue
            try:
                others[path] = parse_file(path, read_text(path))
            except (OSError, TfSyntaxError, RecursionError):
                continue
        for path in connected_files(parsed, others):
            parsed[path] = others[path]
    blocks = [block for path in sorted(parsed) for block in parsed[path]]
    tfvars = read_tfvars(directory or ".")
    result = evaluate_module(directory or ".", blocks, tfvars)
    if load.errors:
        # What a broken block may hold is not seen: any role may have more permissions,
        # any function more invokers, any resource a policy (the rules that need the whole
        # picture stay quiet); the findings on what parsed stand.
        path, first = load.errors[0]
        reason = f"{os.path.basename(path)} line {first.line} does not parse"
        result.hints.open_all_roles = result.hints.open_all_roles or reason
        result.hints.unlinked.update(EVERY_UNLINKED)
    kind = "terraform-json" if all(p.lower().endswith(".json") for p in parsed) else \
        "terraform"
    load.model = build_model(directory or ".", kind, result.resources, result.hints)
    load.refused = result.errors
    load.files = sorted(parsed)
    return load
