"""SARIF 2.1.0, the format GitHub code scanning (and most security dashboards) ingest.

One run; ``tool.driver.rules`` describes every rule esmlint has (not only those that
fired), so a dashboard can show the documentation of any rule, with the properties code
scanning ranks and filters by (``tags``, ``precision``, ``security-severity``). Each
result points at the template resource with a relative URI under ``%SRCROOT%`` (the
directory esmlint ran in, normally the repository root) and carries
``partialFingerprints`` computed from the rule, path, resource, function and the rule's
stable key, never the line: a finding keeps its identity, and its alert, when lines above
it move.

Columns are counted in Unicode code points (``columnKind``), as esmlint counts them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote

from ..findings import Finding, Severity
from ..links import DOCS_BASE
from . import Summary, display_path, fingerprints, rule_url

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
INFORMATION_URI = DOCS_BASE
#: The key of esmlint's partial fingerprint; its suffix changes if the recipe ever does.
FINGERPRINT_KEY = "esmlint/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(findings: Sequence[Finding], summary: Summary, *, color: bool = False) -> str:
    """A SARIF log with one run; ``color`` is ignored."""
    return json.dumps(document(findings, summary), indent=2, ensure_ascii=False) + "\n"


def document(findings: Sequence[Finding], summary: Summary | None = None) -> dict:
    """The SARIF log as a dict (the test suite validates it against the schema)."""
    from .. import __version__
    from ..registry import load_rules

    rules = list(load_rules())
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = [_descriptor(rule) for rule in rules]
    results = []
    for finding, print_ in zip(findings, fingerprints(findings), strict=True):
        if finding.rule not in index:  # a rule outside the package (tests, plugins)
            index[finding.rule] = len(descriptors)
            descriptors.append(_unknown_descriptor(finding))
        results.append(_result(finding, index[finding.rule], print_))
    driver = {
        "name": "esmlint",
        "fullName": "esmlint: a linter for how AWS Lambda functions get invoked",
        "version": __version__,
        "semanticVersion": __version__ if _is_semver(__version__) else None,
        "informationUri": INFORMATION_URI,
        "rules": descriptors,
    }
    run = {
        "tool": {"driver": {k: v for k, v in driver.items() if v is not None}},
        "invocations": [{"executionSuccessful": True}],
        "originalUriBaseIds": {
            "%SRCROOT%": {
                "description": {"text": "The directory esmlint ran in (the repository root)."}
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if summary is not None:
        run["properties"] = {"summary": summary.to_dict()}
    return {"$schema": SCHEMA_URI, "version": VERSION, "runs": [run]}


def _descriptor(rule) -> dict:
    url = rule_url(rule.id)
    doc = rule.doc.strip()
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary or rule.name},
        "fullDescription": {"text": doc, "markdown": doc},
        "help": {
            "text": f"{doc}\n\nDocumentation: {url}",
            "markdown": f"{doc}\n\n[Documentation]({url})",
        },
        "helpUri": url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties(rule),
    }


def properties(rule) -> dict:
    """What code scanning ranks and filters alerts by: ``tags`` (a rule with the
    ``security`` tag is listed as a security alert), ``precision`` and, for security rules,
    ``security-severity`` (GitHub: 9.0 and above critical, 7.0 high, 4.0 medium, below
    low). The values are the rule module's ``TAGS``, ``PRECISION`` and
    ``SECURITY_SEVERITY``."""
    result: dict = {"tags": ["aws-lambda", *rule.tags], "precision": rule.precision}
    if rule.security_severity:
        result["security-severity"] = rule.security_severity
    return result


def _unknown_descriptor(finding: Finding) -> dict:
    return {
        "id": finding.rule,
        "name": finding.name or finding.rule,
        "shortDescription": {"text": finding.name or finding.rule},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def _result(finding: Finding, rule_index: int, print_: str) -> dict:
    location: dict = {
        "physicalLocation": {
            "artifactLocation": _artifact(finding.path),
            "region": {"startLine": max(finding.line, 1),
                       "startColumn": max(finding.column, 1)},
        }
    }
    if finding.resource:
        location["logicalLocations"] = [
            {"name": finding.resource, "fullyQualifiedName": f"Resources.{finding.resource}",
             "kind": "resource"}
        ]
        if finding.construct:  # CDK output: the construct the user wrote comes first
            location["logicalLocations"].insert(0, {
                "name": finding.construct.rsplit("/", 1)[-1],
                "fullyQualifiedName": finding.construct, "kind": "module"})
    properties = {"name": finding.name} if finding.name else {}
    if finding.resource:
        properties["resource"] = finding.resource
    if finding.function:
        properties["function"] = finding.function
    result = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: print_},
    }
    if finding.construct:
        properties["construct"] = finding.construct
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, "message": {"text": place["message"]},
             "physicalLocation": {"artifactLocation": _artifact(place["path"]),
                                  "region": {"startLine": max(place["line"], 1),
                                             "startColumn": max(place["column"], 1)}}}
            for number, place in enumerate(finding.related, start=1)]
    if properties:
        result["properties"] = properties
    return result


def _artifact(path: str) -> dict:
    """A relative path becomes a URI under %SRCROOT%; an absolute one a file: URI."""
    shown = display_path(path)
    if shown.startswith("/") or (len(shown) > 2 and shown[1] == ":"):
        absolute = shown if shown.startswith("/") else "/" + shown
        return {"uri": "file://" + quote(absolute, safe="/:")}
    return {"uri": quote(shown, safe="/"), "uriBaseId": "%SRCROOT%"}


def _is_semver(version: str) -> bool:
    parts = version.split("+", 1)[0].split("-", 1)[0].split(".")
    return len(parts) == 3 and all(part.isdigit() for part in parts)
