"""The rules: discovered, validated, looked up and selected.

Rules are discovered, not registered: every module in the ``esmlint.rules`` package with a
module-level ``ID`` is a rule (see :mod:`esmlint.rule` for the shape). The rule reference
(``esmlint rules``, ``esmlint explain``, the documentation) is generated from the same
modules, so code and documentation cannot drift apart.

This module imports no front end and no reporter: ``esmlint rules`` and ``esmlint explain``
load only what is here and the rule modules.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .findings import Finding, Severity

if TYPE_CHECKING:
    from .model import Model

PARSE_ERROR_ID = "ESM001"
PARSE_ERROR_NAME = "parse-error"
INTERNAL_ERROR_NAME = "internal-error"


class RuleError(Exception):
    """A rule module that cannot be loaded or is not a valid rule (a bug in esmlint)."""


class UnknownRuleError(ValueError):
    """A rule ID, prefix or name in ``--select`` / ``--ignore`` / ``explain`` matches nothing."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


@dataclass(frozen=True)
class RuleInfo:
    """One rule: its metadata, its documentation and its check."""

    id: str
    name: str
    severity: Severity
    doc: str
    options: Mapping[str, Any] = field(default_factory=dict)
    check: Callable[[Model, dict], Iterable[Finding]] | None = None
    module: str = ""
    #: How often a finding is right: ``very-high``, ``high``, ``medium`` or ``low`` (SARIF).
    precision: str = "high"
    #: Categories for filtering (SARIF ``tags``); ``security`` marks a security rule.
    tags: tuple[str, ...] = ()
    #: For security rules, a score from 0.1 to 10 (SARIF ``security-severity``), else "".
    security_severity: str = ""
    #: Whether the rule fixes its findings (``esmlint check --fix``): "safe", "unsafe",
    #: "safe or unsafe" (which one the finding's fix says), or "" for no automatic fix.
    fix: str = ""

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.strip().splitlines()[0].strip() if self.doc.strip() else ""

    @classmethod
    def from_module(cls, module: ModuleType) -> RuleInfo:
        """Read a rule module's metadata, refusing one that breaks the rule contract."""
        where = module.__name__
        rid = getattr(module, "ID", None)
        name = getattr(module, "NAME", None)
        severity = getattr(module, "SEVERITY", None)
        check = getattr(module, "check", None)
        if not isinstance(rid, str) or not re.fullmatch(r"ESM\d{3}", rid):
            raise RuleError(f"rule module {where}: ID must look like 'ESM101', got {rid!r}")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
            raise RuleError(f"rule module {where}: NAME must be kebab-case, got {name!r}")
        if isinstance(severity, str):
            try:
                severity = Severity.parse(severity)
            except KeyError:
                severity = None
        if not isinstance(severity, Severity):
            raise RuleError(f"rule module {where}: SEVERITY must be a Severity")
        if check is not None and not callable(check):
            raise RuleError(f"rule module {where}: check must be callable")
        doc = inspect.cleandoc(module.__doc__ or "")
        if not doc:
            raise RuleError(f"rule module {where}: the module docstring (the rule's page) is empty")
        options = dict(getattr(module, "OPTIONS", None) or {})
        precision, tags, security = _classification(module, where)
        fix = getattr(module, "FIX", "")
        if fix not in FIX_KINDS:
            raise RuleError(f"rule module {where}: FIX must be one of "
                            f"{', '.join(repr(k) for k in FIX_KINDS)}")
        return cls(rid, name, severity, doc, options, check, where, precision, tags, security,
                   fix)


PRECISIONS = ("very-high", "high", "medium", "low")
#: What a rule's ``FIX`` may say: no fix, or which applicability its fixes have.
FIX_KINDS = ("", "safe", "unsafe", "safe or unsafe")


def _classification(module: ModuleType, where: str) -> tuple[str, tuple[str, ...], str]:
    """A rule's ``PRECISION``, ``TAGS`` and ``SECURITY_SEVERITY``, checked: code scanning
    ranks and filters alerts by them, and drops a malformed value without a word."""
    precision = getattr(module, "PRECISION", "high")
    if precision not in PRECISIONS:
        raise RuleError(f"rule module {where}: PRECISION must be one of {', '.join(PRECISIONS)}")
    tags = getattr(module, "TAGS", ())
    if isinstance(tags, str) or not all(
            isinstance(tag, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tag) for tag in tags):
        raise RuleError(f"rule module {where}: TAGS must be a tuple of kebab-case strings")
    security = getattr(module, "SECURITY_SEVERITY", "")
    if security:
        try:
            score = float(security)
        except (TypeError, ValueError):
            score = -1.0
        if not isinstance(security, str) or not 0 < score <= 10:
            raise RuleError(f"rule module {where}: SECURITY_SEVERITY must be a string "
                            "holding a number from 0.1 to 10")
        if "security" not in tags:
            raise RuleError(f"rule module {where}: a SECURITY_SEVERITY needs the 'security' tag")
    return precision, tuple(tags), security


#: ESM001 is reported by the engine itself; its page is ``rules/esm001_parse_error.py``.
#: This stand-in only keeps parse errors reportable if that module were missing.
_BUILTIN_PARSE_ERROR = RuleInfo(
    PARSE_ERROR_ID, PARSE_ERROR_NAME, Severity.ERROR, "A template cannot be read or parsed."
)


@functools.lru_cache(maxsize=1)
def load_rules() -> tuple[RuleInfo, ...]:
    """Every rule in ``esmlint.rules``, sorted by ID; ESM001 is built in if no module has it.

    Raises :class:`RuleError` when a rule module cannot be imported or is malformed: a
    silently missing rule would pass templates it should fail.
    """
    try:
        package = importlib.import_module("esmlint.rules")
    except ImportError as exc:
        raise RuleError(f"the rules package cannot be imported: {exc}") from exc
    found: dict[str, RuleInfo] = {}
    names: dict[str, str] = {}
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.ispkg or info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception as exc:  # noqa: BLE001 - any import failure is reported the same way
            raise RuleError(
                f"rule module {info.name} cannot be imported: {type(exc).__name__}: {exc}"
            ) from exc
        if not hasattr(module, "ID"):
            continue  # a helper module shared by rules
        rule = RuleInfo.from_module(module)
        if rule.id in found:
            raise RuleError(
                f"rule {rule.id} is defined twice: {found[rule.id].module}, {info.name}"
            )
        if rule.name in names:
            raise RuleError(f"rule name {rule.name} is used by {names[rule.name]} and {rule.id}")
        found[rule.id] = rule
        names[rule.name] = rule.id
    found.setdefault(PARSE_ERROR_ID, _BUILTIN_PARSE_ERROR)
    return tuple(sorted(found.values(), key=lambda r: r.id))


def find_rule(token: str, rules: Sequence[RuleInfo] | None = None) -> RuleInfo:
    """The rule with this ID or name (case-insensitive); :class:`UnknownRuleError` if none."""
    wanted = token.strip().lower()
    for rule in rules if rules is not None else load_rules():
        if wanted in (rule.id.lower(), rule.name):
            return rule
    raise UnknownRuleError(token)


def parse_selectors(values: Iterable[str], rules: Sequence[RuleInfo] | None = None
                    ) -> tuple[str, ...]:
    """Split comma-separated selectors and check each against the known rules.

    A selector is a rule ID, an ID prefix (``ESM1``, ``ESM10``) or a rule name; it comes
    back upper-cased (names as their ID). A selector that matches no rule raises
    :class:`UnknownRuleError`: a typo in ``--ignore`` must not silently ignore nothing.
    """
    known = rules if rules is not None else load_rules()
    result: list[str] = []
    for value in values:
        for token in value.split(","):
            token = token.strip()
            if not token:
                continue
            upper = token.upper()
            if any(rule.id.startswith(upper) for rule in known):
                result.append(upper)
                continue
            result.append(find_rule(token, known).id)
    return tuple(result)


def is_enabled(rule_id: str, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> bool:
    """Whether a rule runs: selected (all when nothing is) and not ignored; by prefix."""
    if select and not any(rule_id.startswith(prefix) for prefix in select):
        return False
    return not any(rule_id.startswith(prefix) for prefix in ignore)


def parse_error_rule(rules: Sequence[RuleInfo] | None = None) -> RuleInfo:
    """ESM001's rule: the module's when it is among ``rules``, else the built-in stand-in."""
    for rule in rules if rules is not None else load_rules():
        if rule.id == PARSE_ERROR_ID:
            return rule
    return _BUILTIN_PARSE_ERROR
