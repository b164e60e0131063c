"""Lambda tasks in a Step Functions state machine definition (Amazon States Language).

Shared by the CloudFormation (and SAM) and Terraform front ends: each decodes the
definition its own way (a mapping in the template, JSON text with deploy-time parts, a
file beside the template, ``jsonencode(...)``) and hands it here with a *reader* that turns
any part of it into a :class:`~esmlint.values.Val`. This module walks the states (nested
``Parallel`` branches and ``Map`` item processors included) and returns one
:class:`LambdaTask` per ``Task`` state that invokes a Lambda function:

- ``arn:<partition>:states:::lambda:invoke`` (the optimized integration) with
  ``Parameters`` (JSONPath) or ``Arguments`` (JSONata) ``FunctionName``, ``Qualifier``
  and ``InvocationType``: synchronous unless ``InvocationType`` is ``Event``;
- ``arn:<partition>:states:::lambda:invoke.waitForTaskToken``: the callback pattern, an
  asynchronous task (Step Functions waits for the token, not for the function);
- ``arn:<partition>:states:::aws-sdk:lambda:invoke`` (the SDK integration), read like the
  optimized one;
- a function ARN (or a reference to a function) written as the ``Resource`` itself:
  synchronous.

Anything that may be a Lambda task but cannot be read (a ``Resource`` or ``FunctionName``
known only at run time, ``FunctionName.$``, a JSONata expression, a definition that is
not a mapping) is returned as a reason in :attr:`Tasks.unread`: the front end marks the
model as not fully linked, so rules that need every invoker stay silent.

Facts (AWS documentation):
https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html (the Resource
forms), https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
(``TimeoutSeconds``: 99999999 when not set; ``TimeoutSecondsPath``),
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
(``Retry``, ``MaxAttempts`` 3 by default, 0 never retries; ``States.ALL`` and
``States.TaskFailed`` match every Lambda error name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..values import Loc, Sym, Token, Val, default, known, unknown

#: ``TimeoutSeconds`` of a Task state that sets none (the documented default).
DEFAULT_TASK_TIMEOUT = 99999999

#: Reads part of a definition: (container, key or index, location of the container) ->
#: the value there, located as precisely as the front end can; ``unknown("not set")``
#: when the key is absent.
Reader = Callable[[Any, Any, "Loc | None"], Val]

_OPTIMIZED = re.compile(r"^arn:[^:]*:states:::lambda:invoke(?P<suffix>\.\w+)?$")
_SDK = re.compile(r"^arn:[^:]*:states:::aws-sdk:lambda:invoke(?P<suffix>\.\w+)?$")
_OTHER_STATES = re.compile(r"^arn:[^:]*:states:")
_FUNCTION_ARN = re.compile(r"^arn:[^:]*:lambda:[^:]*:[^:]*:function:")
_JSONATA = re.compile(r"^\s*\{%.*%\}\s*$", re.S)
#: Nesting of Parallel / Map states followed before giving up (the value is then unread).
MAX_NESTING = 40
MISSING_TIMEOUT = unknown("not set")
MISSING_RETRY = unknown("not set")


@dataclass
class LambdaTask:
    """A Task state that invokes a Lambda function."""

    #: The state's name, with the names of the Parallel / Map states around it
    #: ("Fan out > Resize").
    name: str
    #: The function as written: ``FunctionName`` or the ``Resource`` ARN.
    function: Val
    #: ``Qualifier`` of the optimized integration (absent when not given).
    qualifier: Val
    #: ``invoke`` (optimized), ``callback`` (``.waitForTaskToken``), ``sdk``
    #: (``aws-sdk:lambda:invoke``) or ``arn`` (the function ARN as ``Resource``).
    pattern: str
    #: SYNC or ASYNC (from the pattern and ``InvocationType``); "" when unreadable.
    mode: str
    invocation_type: Val
    #: ``TimeoutSeconds`` (Default 99999999 when absent; unknown with TimeoutSecondsPath).
    timeout: Val
    #: The ``Retry`` list (each entry a Val of a mapping); unknown when unreadable,
    #: absent when the state has none.
    retry: Val
    #: The error names each readable retrier retries (MaxAttempts other than 0), in order.
    retried: list[set[str]] = field(default_factory=list)
    #: Whether every retrier could be read (ErrorEquals and MaxAttempts).
    retry_readable: bool = True
    loc: Loc | None = None


@dataclass
class Tasks:
    """The Lambda tasks of a definition, and what could not be read."""

    tasks: list[LambdaTask] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


def resource_text(value: Any) -> str | None:
    """A ``Resource`` (or ARN) as text for classification, deploy-time parts standing in
    as ``\\x00``; pseudo parameters (``${AWS::Partition}``) as a placeholder word."""
    if isinstance(value, str):
        return value
    if isinstance(value, Sym):
        pieces = []
        for part in value.parts:
            if isinstance(part, Token):
                pieces.append("aws" if part.kind == "pseudo" else "\x00")
            else:
                pieces.append(part)
        return "".join(pieces)
    return None


def lambda_tasks(definition: Val, read: Reader) -> Tasks:
    """Every Lambda task of a state machine definition (see the module docstring)."""
    found = Tasks()
    if not definition.known:
        found.unread.append(definition.reason or "the definition cannot be read")
        return found
    stack: list[tuple[Any, Loc | None, str, int]] = [(definition.value, definition.loc, "", 0)]
    seen: set[int] = set()
    while stack:
        machine, loc, prefix, depth = stack.pop()
        if depth > MAX_NESTING:
            found.unread.append("states nested too deeply")
            continue
        if isinstance(machine, (dict, list)):
            if id(machine) in seen:  # YAML aliases share containers: each is read once
                continue
            seen.add(id(machine))
        if not isinstance(machine, dict):
            found.unread.append(f"{prefix or 'the definition'} is not a mapping")
            continue
        states = read(machine, "States", loc)
        if not states.known or not isinstance(states.value, dict):
            if not states.absent or prefix == "":
                found.unread.append(f"States of {prefix or 'the definition'} cannot be read")
            continue
        for name in states.value:
            state = read(states.value, name, states.loc)
            label = f"{prefix} > {name}" if prefix else str(name)
            if not state.known or not isinstance(state.value, dict):
                found.unread.append(f"state {label} cannot be read")
                continue
            body, where = state.value, state.loc
            stype = read(body, "Type", where)
            if not stype.known:
                found.unread.append(f"the Type of state {label} cannot be read")
                continue
            if stype.value == "Parallel":
                branches = read(body, "Branches", where)
                if branches.known and isinstance(branches.value, list):
                    for index in range(len(branches.value)):
                        branch = read(branches.value, index, branches.loc)
                        if branch.known:
                            stack.append((branch.value, branch.loc, label, depth + 1))
                        else:
                            found.unread.append(f"a branch of state {label} cannot be read")
                elif not branches.absent:
                    found.unread.append(f"the Branches of state {label} cannot be read")
            elif stype.value == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    inner = read(body, key, where)
                    if inner.known:
                        stack.append((inner.value, inner.loc, label, depth + 1))
                    elif not inner.absent:
                        found.unread.append(f"the {key} of state {label} cannot be read")
            elif stype.value == "Task":
                _task(found, label, body, where, read)
    found.tasks.sort(key=lambda t: (t.loc.line if t.loc else 0, t.name))
    return found


def _task(found: Tasks, label: str, body: dict, where: Loc | None, read: Reader) -> None:
    resource = read(body, "Resource", where)
    if not resource.known:
        found.unread.append(f"the Resource of state {label} cannot be read")
        return
    text = resource_text(resource.value)
    if text is None:
        found.unread.append(f"the Resource of state {label} is not a string")
        return
    loc = resource.loc if resource.loc is not None and resource.loc.line else where
    optimized = _OPTIMIZED.match(text)
    sdk = _SDK.match(text)
    if optimized or sdk:
        suffix = (optimized or sdk).group("suffix") or ""
        if suffix not in ("", ".waitForTaskToken"):
            found.unread.append(f"state {label} uses {text}, which esmlint does not read")
            return
        params = _parameters(body, where, read)
        if params is None:
            found.unread.append(f"the Parameters of state {label} cannot be read")
            return
        mapping, ploc = params
        function = _field(mapping, "FunctionName", ploc, read)
        qualifier = _field(mapping, "Qualifier", ploc, read)
        invocation = _field(mapping, "InvocationType", ploc, read)
        if function.absent:
            found.unread.append(f"state {label} gives no FunctionName")
            return
        if not function.known:
            found.unread.append(f"the FunctionName of state {label} is chosen at run time")
            return
        pattern = "callback" if suffix else ("sdk" if sdk else "invoke")
        if pattern == "callback":
            mode = "async"
        elif invocation.absent:
            mode = "sync"
        elif invocation.known and isinstance(invocation.value, str):
            mode = {"Event": "async", "RequestResponse": "sync"}.get(invocation.value, "")
        else:
            mode = ""
        found.tasks.append(_with_limits(LambdaTask(
            label, function, qualifier, pattern, mode, invocation,
            MISSING_TIMEOUT, MISSING_RETRY, loc=loc), body, where, read))
        return
    if _FUNCTION_ARN.match(text) or (isinstance(resource.value, Sym) and text == "\x00"):
        # A function ARN as the Resource (a bare reference may be one: the front end
        # decides whether it names a function).
        found.tasks.append(_with_limits(LambdaTask(
            label, resource, unknown("not set", loc), "arn", "sync",
            unknown("not set", loc), MISSING_TIMEOUT, MISSING_RETRY, loc=loc),
            body, where, read))
        return
    if "\x00" in text and not _OTHER_STATES.match(text) and not text.startswith("arn:"):
        found.unread.append(f"the Resource of state {label} is known only at deploy time")


def _parameters(body: dict, where: Loc | None, read: Reader) -> tuple[Any, Loc | None] | None:
    """The task's ``Parameters`` (JSONPath) or ``Arguments`` (JSONata) mapping."""
    for key in ("Parameters", "Arguments"):
        value = read(body, key, where)
        if value.absent:
            continue
        if value.known and isinstance(value.value, dict):
            return value.value, value.loc
        return None
    return {}, where


def _field(mapping: Any, key: str, loc: Loc | None, read: Reader) -> Val:
    """A parameter: unknown when given as a path (``Key.$``) or a JSONata expression."""
    if isinstance(mapping, dict) and f"{key}.$" in mapping:
        return unknown(f"{key}.$ is a path into the state input", loc)
    value = read(mapping, key, loc)
    if value.known and isinstance(value.value, str) and _JSONATA.match(value.value):
        return unknown(f"{key} is a JSONata expression", value.loc)
    return value


def _with_limits(task: LambdaTask, body: dict, where: Loc | None, read: Reader) -> LambdaTask:
    """The task's TimeoutSeconds and Retry."""
    timeout = read(body, "TimeoutSeconds", where)
    if isinstance(body, dict) and "TimeoutSecondsPath" in body:
        timeout = unknown("TimeoutSecondsPath sets it from the state input", where)
    elif timeout.absent:
        timeout = default(DEFAULT_TASK_TIMEOUT, task.loc or where)
    elif timeout.known and isinstance(timeout.value, str) and _JSONATA.match(timeout.value):
        timeout = unknown("TimeoutSeconds is a JSONata expression", timeout.loc)
    task.timeout = timeout
    retry = read(body, "Retry", where)
    task.retry = retry
    if retry.absent:
        return task
    if not retry.known or not isinstance(retry.value, list):
        task.retry_readable = False
        return task
    for index in range(len(retry.value)):
        entry = read(retry.value, index, retry.loc)
        if not entry.known or not isinstance(entry.value, dict):
            task.retry_readable = False
            continue
        errors = read(entry.value, "ErrorEquals", entry.loc)
        attempts = read(entry.value, "MaxAttempts", entry.loc)
        if not errors.known or not isinstance(errors.value, list):
            task.retry_readable = False
            continue
        names: set[str] = set()
        for position in range(len(errors.value)):
            name = read(errors.value, position, errors.loc)
            if name.known and isinstance(name.value, str):
                names.add(name.value)
            else:
                task.retry_readable = False
        if attempts.absent:
            count: int | None = 3
        else:
            count = attempts.int()
        if count is None:
            task.retry_readable = False  # it may retry: at worst a missed finding
            continue
        if count > 0:
            task.retried.append(names)
    return task


def task_extra(task: LambdaTask) -> dict:
    """What the rules read of a task, for ``Source.extra`` of its source: the state's
    name, the integration pattern, ``TimeoutSeconds``, and its retriers (each the set of
    error names it retries; ``retry_readable`` False when some part cannot be read)."""
    return {"state": task.name, "pattern": task.pattern, "timeout": task.timeout,
            "retried": task.retried, "retry_readable": task.retry_readable,
            "retry_absent": task.retry.absent}


def plain_reader(fallback: Loc | None) -> Reader:
    """A reader for definitions decoded from text (JSON in a string, a definition file,
    ``jsonencode``): plain values, every one located at ``fallback`` (the property that
    holds the text). A value that is a :class:`~esmlint.values.Val` already (Terraform
    unknowns) is taken as it is."""

    def read(container: Any, key: Any, loc: Loc | None = None) -> Val:
        where = fallback
        if isinstance(container, dict):
            if key not in container:
                return unknown("not set", where)
            value = container[key]
        elif isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container):
            value = container[key]
        else:
            return unknown("not set", where)
        if isinstance(value, Val):
            return value
        reason = getattr(value, "reason", None)
        if isinstance(reason, str) and type(value).__name__ == "Unknown":
            return unknown(reason, where)
        return known(value, where)

    return read


_SUBSTITUTION = re.compile(r"\$\{([^}]*)\}")


def substituted(value: Val, substitutions: dict[str, Val]) -> Val:
    """A string of the definition with ``DefinitionSubstitutions`` put in: ``${Name}``
    becomes the value given for Name (text, or a deploy-time reference); a substitution
    that cannot be read makes the whole string unknown. Names not given stay as written."""
    if not substitutions or not value.known:
        return value
    raw = value.value
    if isinstance(raw, str):
        parts: tuple = (raw,)
    elif isinstance(raw, Sym):
        parts = raw.parts
    else:
        return value
    pieces: list[Any] = []
    changed = False
    for part in parts:
        if not isinstance(part, str):
            pieces.append(part)
            continue
        pos = 0
        for match in _SUBSTITUTION.finditer(part):
            name = match.group(1).strip()
            if name not in substitutions:
                continue
            given = substitutions[name]
            pieces.append(part[pos:match.start()])
            pos = match.end()
            changed = True
            if not given.known or not isinstance(given.value, (str, Sym, int, float)) \
                    or isinstance(given.value, bool):
                return unknown(f"DefinitionSubstitutions {name} cannot be read", value.loc)
            pieces.append(given.value if isinstance(given.value, Sym) else str(given.value))
        pieces.append(part[pos:])
    if not changed:
        return value
    sym = Sym.of(*pieces)
    text = sym.literal()
    return Val(value.state, text if text is not None else sym, value.loc, value.reason,
               value.condition, value.extra)


def definition_file(template_path: str, written: Val) -> Val:
    """A definition file named beside the template (SAM ``DefinitionUri``, a packaged
    ``DefinitionS3Location``, Terraform ``file()``), decoded, or unknown with the reason.

    Only a file inside the template's folder (or below it) is read, and only as data
    (JSON or YAML, through the same bounded reader as templates): an S3 location, a path
    leaving the project folder, a missing or unreadable file is unknown.
    """
    import os

    from ..reading import NotReadable, read_text
    from .yaml import DecodeError, decode

    loc = written.loc
    if not written.known or not isinstance(written.value, str):
        return unknown(written.reason or "the definition location is not a path", loc)
    name = written.value.strip()
    if not name or name.startswith(("s3://", "http://", "https://")) or "${" in name:
        return unknown(f"the definition is at {name or 'an empty path'}, not in the project "
                       "folder", loc)
    if not os.path.isfile(template_path):
        return unknown("the template is not a file on disk", loc)
    folder = os.path.dirname(os.path.realpath(template_path))
    target = os.path.realpath(os.path.join(folder, name))
    try:
        inside = os.path.commonpath([target, folder]) == folder
    except ValueError:  # another drive
        inside = False
    if not inside:
        return unknown(f"{name} is outside the project folder (not read)", loc)
    try:
        text = read_text(target)
    except NotReadable as exc:
        return unknown(f"{name} is {exc.strerror} (not read)", loc)
    except OSError as exc:
        return unknown(f"{name} cannot be read ({exc.strerror or exc})", loc)
    try:
        data = decode(text)
    except DecodeError as exc:
        return unknown(f"{name} cannot be parsed ({exc})", loc)
    return known(data, loc)


def json_text(text: str | Sym, loc: Loc | None, what: str) -> Val:
    """A definition written as JSON text; deploy-time parts of a :class:`Sym` (``Fn::Sub``,
    Terraform interpolation) are kept as Syms in the strings they sit in."""
    from .yaml import load_json

    placeholders: dict[str, Token] = {}
    if isinstance(text, Sym):
        pieces = []
        for part in text.parts:
            if isinstance(part, Token):
                key = f"\u0000{len(placeholders)}\u0000"
                placeholders[key] = part
                pieces.append(key)
            else:
                pieces.append(part)
        raw = "".join(pieces)
    else:
        raw = text
    try:
        data = load_json(raw, strict=False)  # NUL placeholders are control characters
    except ValueError:
        return unknown(f"{what} is not valid JSON", loc)
    if not placeholders:
        return known(data, loc)
    stack = [data]
    while stack:
        node = stack.pop()
        items = list(node.items()) if isinstance(node, dict) else (
            list(enumerate(node)) if isinstance(node, list) else [])
        for key, item in items:
            if isinstance(item, (dict, list)):
                stack.append(item)
            elif isinstance(item, str) and "\u0000" in item:
                out: list[Any] = []
                for chunk in item.split("\u0000"):
                    out.append(placeholders.get(f"\u0000{chunk}\u0000", chunk))
                node[key] = Sym.of(*out)
    return known(data, loc)
