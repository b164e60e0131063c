"""Configuration files: where they are found, how they are checked, what they change.

A configuration is ``.esmlint.yaml`` or ``.esmlint.yml`` (YAML), or the ``[tool.esmlint]``
table of ``pyproject.toml``. Each linted file uses the nearest one found from its folder
upward; the search stops at the repository root (a folder holding ``.git``) or at the
filesystem root. ``--config FILE`` names one file for the whole run and ``--no-config``
uses none. In one folder ``.esmlint.yaml`` wins over ``.esmlint.yml``, which wins over
``pyproject.toml``; a ``pyproject.toml`` without ``[tool.esmlint]`` is passed over.

A configuration is validated against the JSON Schema shipped in
``esmlint/data/config.schema.json`` (jsonschema is imported only when a configuration file
exists: the common path stays fast), then against the rules themselves: rule IDs and
names, and each rule's option names and value types. Any problem is a
:class:`ConfigError` naming the file, the line (YAML), the key as a path
(``rules.ESM102.multiplier``) and what is allowed; the CLI exits with code 2.

Command-line options win over the configuration: ``--select`` replaces the
configuration's ``select`` and ``ignore``, ``--ignore`` adds to its ``ignore``,
``--severity`` / ``--fail-on`` / ``--baseline`` replace ``min-severity`` / ``fail-on`` /
``baseline``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, Severity

CONFIG_NAMES: tuple[str, ...] = (".esmlint.yaml", ".esmlint.yml")
PYPROJECT = "pyproject.toml"
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data",
                           "config.schema.json")

#: What the CLI shows and fails on when neither the command line nor a configuration says.
DEFAULT_MIN_SEVERITY = "warning"
DEFAULT_FAIL_ON = "error"

_TOOL_SECTION = re.compile(r"^\s*\[\s*tool\s*\.\s*esmlint(?![\w-])", re.MULTILINE)
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ConfigError(Exception):
    """A configuration (or baseline) file that cannot be read or is not valid: exit 2."""


# --- globs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glob:
    """A path pattern, matched against paths relative to the configuration's folder.

    ``*`` and ``?`` stay within one path segment, ``**`` crosses folders, ``[abc]`` is a
    character class. A pattern without ``/`` matches a file or folder name at any depth
    (``legacy``, ``*.generated.yaml``); a pattern with ``/`` is anchored at the
    configuration's folder (``stacks/legacy/**``, ``/template.yaml``). A pattern that
    matches a folder covers everything below it.
    """

    pattern: str
    regex: re.Pattern[str]
    anchored: bool

    @classmethod
    def compile(cls, pattern: str) -> Glob:
        text = pattern.strip().replace("\\", "/")
        while text.startswith("./"):
            text = text[2:]
        anchored = "/" in text.rstrip("/")
        text = text.strip("/")
        return cls(pattern, re.compile(_glob_regex(text)), anchored)

    def matches(self, relative: str) -> bool:
        parts = [p for p in relative.split("/") if p]
        if self.anchored:
            candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        else:
            candidates = parts
        return any(self.regex.fullmatch(candidate) for candidate in candidates)


def _glob_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def _wildcard(pattern: str) -> re.Pattern[str]:
    """A resource address pattern: ``*`` matches any text, everything else is literal."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


# --- the configuration -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceIgnore:
    """One ``ignore-resources`` entry: findings of ``rule`` about matching resources."""

    pattern: str
    regex: re.Pattern[str]
    rule: str
    reason: str = ""

    def covers(self, resource: str) -> bool:
        return bool(resource) and self.regex.fullmatch(resource) is not None


@dataclass(frozen=True)
class Config:
    """One configuration file's settings, resolved (rule names to IDs, paths to absolute).

    The default configuration (no file) changes nothing.
    """

    path: str | None = None
    root: str = ""
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: str | None = None
    min_severity: str | None = None
    exclude: tuple[Glob, ...] = ()
    per_file_ignores: tuple[tuple[Glob, tuple[str, ...]], ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    ignore_resources: tuple[ResourceIgnore, ...] = ()
    baseline: str | None = None
    #: Rule selectors whose findings ``--fix`` leaves as they are (as ruff's ``unfixable``).
    unfixable: tuple[str, ...] = ()

    # Config and Finder both answer ``for_path``: the engine takes either.
    def for_path(self, path: str) -> Config:
        return self

    @property
    def name(self) -> str:
        return display(self.path) if self.path else "the default configuration"

    def relative(self, path: str) -> str | None:
        """``path`` relative to this configuration's folder, with ``/``; None if outside."""
        if not self.root:
            return None
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive (Windows)
            return None
        rel = rel.replace(os.sep, "/")
        if rel == ".." or rel.startswith("../"):
            return None
        return rel

    def fixable(self, rule_id: str) -> bool:
        """Whether ``--fix`` (and an editor) may fix the findings of ``rule_id``."""
        return not any(rule_id.startswith(prefix) for prefix in self.unfixable)

    def excluded(self, path: str) -> bool:
        if not self.exclude:
            return False
        rel = self.relative(path)
        return rel is not None and any(glob.matches(rel) for glob in self.exclude)

    def file_ignores(self, path: str) -> tuple[str, ...]:
        """The rule selectors ``per-file-ignores`` switches off for ``path``."""
        if not self.per_file_ignores:
            return ()
        rel = self.relative(path)
        if rel is None:
            return ()
        found: list[str] = []
        for glob, selectors in self.per_file_ignores:
            if glob.matches(rel):
                found.extend(selectors)
        return tuple(found)

    def scope(self, path: str, select: Sequence[str] = (), ignore: Sequence[str] = (),
              options: Mapping[str, Mapping[str, Any]] | None = None
              ) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, dict[str, Any]]]:
        """(select, ignore, rule options) for one file, command-line values first.

        A command-line ``select`` replaces the configuration's ``select`` and ``ignore``
        (as in ruff); a command-line ``ignore`` adds to them; ``per-file-ignores`` always
        applies.
        """
        if select:
            chosen, ignored = tuple(select), tuple(ignore)
        else:
            chosen, ignored = self.select, self.ignore + tuple(ignore)
        ignored += self.file_ignores(path)
        merged: dict[str, dict[str, Any]] = {rid: dict(opts) for rid, opts in self.rules.items()}
        for key, value in (options or {}).items():
            if isinstance(value, Mapping):
                merged.setdefault(key, {}).update(value)
        return chosen, ignored, merged

    def adjust(self, findings: Iterable[Finding], select: Sequence[str],
               ignore: Sequence[str]) -> list[Finding]:
        """Drop what this file's selection switches off (ESM001 and ESM002 included) and
        apply the severity overrides."""
        from .registry import INTERNAL_ERROR_NAME, is_enabled

        kept: list[Finding] = []
        for finding in findings:
            if not is_enabled(finding.rule, select, ignore):
                continue
            override = self.severity.get(finding.rule)
            if override is not None and finding.name != INTERNAL_ERROR_NAME:
                finding.severity = override
            kept.append(finding)
        return kept


DEFAULT = Config()


def display(path: str) -> str:
    """A path as users read it: relative to the current folder when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


# --- finding configuration files ---------------------------------------------------------------


class Finder:
    """The configuration of each linted file: the nearest one upward, cached per folder."""

    def __init__(self, config_file: str | None = None, isolated: bool = False) -> None:
        self.fixed: Config | None = None
        if config_file:
            self.fixed = load(config_file)
        elif isolated:
            self.fixed = DEFAULT
        self._by_dir: dict[str, Config] = {}
        self._by_path: dict[str, Config] = {}  # asked once per finding: 30,000 stat calls

    def for_path(self, path: str) -> Config:
        if self.fixed is not None:
            return self.fixed
        found = self._by_path.get(path)
        if found is None:
            start = os.path.abspath(path)
            found = self._lookup(start if os.path.isdir(start) else os.path.dirname(start))
            self._by_path[path] = found
        return found

    def _lookup(self, directory: str) -> Config:
        visited: list[str] = []
        current = directory
        while True:
            if current in self._by_dir:
                found = self._by_dir[current]
                break
            visited.append(current)
            candidate = config_in(current)
            if candidate:
                found = load(candidate)
                break
            parent = os.path.dirname(current)
            if parent == current or os.path.exists(os.path.join(current, ".git")):
                found = DEFAULT
                break
            current = parent
        for folder in visited:
            self._by_dir[folder] = found
        return found


def find(path: str) -> Config:
    """The configuration that applies to ``path`` (for editors and library callers)."""
    return Finder().for_path(path)


def config_in(directory: str) -> str | None:
    """The configuration file in ``directory``, if there is one."""
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    candidate = os.path.join(directory, PYPROJECT)
    if os.path.isfile(candidate) and _has_tool_section(candidate):
        return candidate
    return None


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    if "esmlint" not in text:
        return False
    if _TOOL_SECTION.search(text):
        return True
    # ``[tool]`` with ``esmlint = {...}``, or a dotted key: rare, so parse only then.
    toml = _toml()
    if toml is None:
        return False
    try:
        data = toml.loads(text)
    except Exception:  # noqa: BLE001 - not our table; someone else's broken file
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "esmlint" in tool


def _toml() -> Any:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found,no-redef]
        except ImportError:
            return None
    return tomllib


# --- reading and validating ----------------------------------------------------------------


@dataclass
class _Problem:
    parts: tuple[str | int, ...]
    text: str


def load(path: str) -> Config:
    """Read, validate and resolve one configuration file; :class:`ConfigError` if bad."""
    data, prefix = _read(path)
    problems = _schema_problems(data)
    if not problems:
        config, problems = _resolve(path, data)
        if not problems:
            return config
    lines = [f"invalid configuration in {display(path)}:"]
    located = sorted((_line_of(data, p.parts), key_path(p.parts, prefix), p.text)
                      for p in problems)
    for line, key, text in located:
        where = f"{display(path)}:{line}" if line else display(path)
        lines.append(f"  {where}: {key}: {text}")
    raise ConfigError("\n".join(lines))


def _read(path: str) -> tuple[Any, str]:
    """The configuration mapping in a file, and the key prefix its paths are shown with."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ConfigError(
            f"cannot read configuration {display(path)}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"configuration {display(path)} is not UTF-8 text") from None
    if path.lower().endswith(".toml"):
        toml = _toml()
        if toml is None:
            raise ConfigError(
                f"cannot read {display(path)}: reading TOML needs Python 3.11 or the tomli "
                "package (pip install tomli); or move the settings to .esmlint.yaml")
        try:
            data = toml.loads(text)
        except Exception as exc:  # noqa: BLE001 - tomllib.TOMLDecodeError, tomli's too
            raise ConfigError(f"cannot parse {display(path)}: {exc}") from None
        if os.path.basename(path) == PYPROJECT:
            tool = data.get("tool") if isinstance(data, dict) else None
            if not isinstance(tool, dict) or "esmlint" not in tool:
                raise ConfigError(f"{display(path)} has no [tool.esmlint] table")
            return tool["esmlint"], "tool.esmlint"
        return data, ""
    from .loaders.yaml import DecodeError, decode

    try:
        data = decode(text)
    except DecodeError as exc:
        where = f"{display(path)}:{exc.line}" if exc.line else display(path)
        raise ConfigError(f"cannot parse configuration {where}: {exc.message}") from None
    return ({} if data is None else data), ""


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """The configuration's JSON Schema (``esmlint/data/config.schema.json``)."""
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def _schema_problems(data: Any) -> list[_Problem]:
    if not isinstance(data, dict):
        return [_Problem((), f"expected a mapping of settings, got {_kind(data)}")]
    import jsonschema  # only here: a configuration file exists

    validator = jsonschema.Draft202012Validator(schema())
    problems: list[_Problem] = []
    for error in validator.iter_errors(data):
        problems.extend(_explain(error))
    return problems


def _explain(error: Any) -> list[_Problem]:
    parts = tuple(error.absolute_path)
    allowed = _description(parts)
    if error.validator == "additionalProperties":
        import difflib

        names = sorted((error.schema.get("properties") or {}).keys())
        problems = []
        for key in error.instance:
            if key in names:
                continue
            text = "unknown key"
            close = difflib.get_close_matches(str(key), names, n=1)
            if close:
                text += f" (did you mean {close[0]!r}?)"
            problems.append(_Problem(parts + (key,), f"{text}; allowed keys: {', '.join(names)}"))
        return problems
    if error.validator == "enum":
        return [_Problem(parts, f"{error.instance!r} is not allowed; allowed: "
                                f"{', '.join(map(str, error.validator_value))}")]
    if error.validator == "minLength":
        return [_Problem(parts, f"must not be empty; allowed: {allowed}")]
    if error.validator == "required":
        return [_Problem(parts, f"{error.message}; allowed: {allowed}")]
    return [_Problem(parts, f"expected {allowed}, got {_kind(error.instance)}")]


def _description(parts: Sequence[str | int]) -> str:
    """The schema's description of the value at ``parts`` (what is allowed there)."""
    root = schema()
    node: Any = root
    for part in parts:
        node = _deref(root, node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            props = node.get("properties", {})
            node = props[part] if part in props else node.get("additionalProperties", {})
        if not isinstance(node, dict):
            return "a valid value"
    described = node.get("description") if isinstance(node, dict) else None
    if not described:
        described = _deref(root, node).get("description")
    return described or "a valid value"


def _deref(root: dict, node: Any) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = root
        for piece in node["$ref"].lstrip("#/").split("/"):
            target = target[piece]
        node = target
    return node if isinstance(node, dict) else {}


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def key_path(parts: Sequence[str | int], prefix: str = "") -> str:
    """``rules.ESM102.multiplier``, ``per-file-ignores["stacks/*.yaml"][0]``."""
    out = prefix
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(str(part)):
            out += ("." if out else "") + str(part)
        else:
            out += f"[{json.dumps(str(part))}]"
    return out or "(top level)"


def _line_of(data: Any, parts: Sequence[str | int]) -> int:
    """The line of the value at ``parts`` in a YAML configuration (0 when unknown)."""
    from .loaders.yaml import MDict, MList

    node, line = data, getattr(data, "line", 0)
    for part in parts:
        if isinstance(node, MDict) and part in node:
            line = node.mark(part)[0]
            node = node[part]
        elif isinstance(node, MList) and isinstance(part, int) and part < len(node):
            line = node.mark(part)[0]
            node = node[part]
        else:
            break
    return line


def _resolve(path: str, data: Mapping[str, Any]) -> tuple[Config, list[_Problem]]:
    """Schema-valid data to a :class:`Config`, checking every rule reference."""
    import difflib

    from . import registry

    rules = registry.load_rules()
    problems: list[_Problem] = []

    def selectors(values: Sequence[str], parts: tuple[str | int, ...]) -> tuple[str, ...]:
        result: list[str] = []
        for index, value in enumerate(values):
            try:
                result.extend(registry.parse_selectors([value], rules))
            except registry.UnknownRuleError as exc:
                problems.append(_Problem(parts + (index,), _unknown_rule(exc.token, rules)))
        return tuple(result)

    def rule_id(token: str, parts: tuple[str | int, ...]) -> str | None:
        try:
            return registry.find_rule(token, rules).id
        except registry.UnknownRuleError:
            problems.append(_Problem(parts, _unknown_rule(token, rules, prefixes=False)))
            return None

    root = os.path.dirname(os.path.abspath(path))
    select = selectors(data.get("select", []), ("select",))
    ignore = selectors(data.get("ignore", []), ("ignore",))
    unfixable = selectors(data.get("unfixable", []), ("unfixable",))

    severity: dict[str, Severity] = {}
    for key, value in data.get("severity", {}).items():
        rid = rule_id(key, ("severity", key))
        if rid:
            severity[rid] = Severity.parse(value)

    per_file = []
    for pattern, values in data.get("per-file-ignores", {}).items():
        per_file.append((Glob.compile(pattern), selectors(values, ("per-file-ignores", pattern))))

    options: dict[str, dict[str, Any]] = {}
    for key, values in data.get("rules", {}).items():
        rid = rule_id(key, ("rules", key))
        if not rid:
            continue
        rule = next(r for r in rules if r.id == rid)
        for name, value in values.items():
            if name not in rule.options:
                allowed = ", ".join(sorted(rule.options)) or "none (this rule has no options)"
                close = difflib.get_close_matches(str(name), list(rule.options), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(_Problem(("rules", key, name),
                                         f"{rid} has no option {name!r}{hint}; allowed: "
                                         f"{allowed}"))
                continue
            expected = _option_type(rule.options[name])
            if expected and not _fits(value, rule.options[name]):
                problems.append(_Problem(("rules", key, name),
                                         f"expected {expected}, got {_kind(value)}"))
                continue
            options.setdefault(rid, {})[name] = value

    resources: list[ResourceIgnore] = []
    for pattern, entries in data.get("ignore-resources", {}).items():
        for index, entry in enumerate(entries):
            token = entry if isinstance(entry, str) else entry["rule"]
            parts = ("ignore-resources", pattern, index)
            if not isinstance(entry, str):
                parts += ("rule",)
            rid = rule_id(token, parts)
            if rid:
                reason = "" if isinstance(entry, str) else str(entry.get("reason", ""))
                resources.append(ResourceIgnore(pattern, _wildcard(pattern), rid, reason))

    baseline = data.get("baseline")
    config = Config(
        path=path,
        root=root,
        select=select,
        ignore=ignore,
        severity=severity,
        fail_on=data.get("fail-on"),
        min_severity=data.get("min-severity"),
        exclude=tuple(Glob.compile(p) for p in data.get("exclude", [])),
        per_file_ignores=tuple(per_file),
        rules=options,
        ignore_resources=tuple(resources),
        baseline=os.path.join(root, baseline) if baseline else None,
        unfixable=unfixable,
    )
    return config, problems


def _unknown_rule(token: str, rules: Sequence[Any], prefixes: bool = True) -> str:
    import difflib

    names = [r.id for r in rules] + [r.name for r in rules]
    close = difflib.get_close_matches(token, names, n=1, cutoff=0.8)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    what = "a rule ID, an ID prefix or a rule name" if prefixes else "a rule ID or name"
    return (f"unknown rule {token!r}{hint}; allowed: {what} ('esmlint rules' lists them)")


def _option_type(default: Any) -> str:
    if isinstance(default, bool):
        return "a boolean (true or false)"
    if isinstance(default, (int, float)):
        return "a number"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, list):
        return "a list"
    if isinstance(default, dict):
        return "a mapping"
    return ""


def _fits(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))
