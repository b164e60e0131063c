"""SAM's own facts, read as data from aws-sam-translator without importing it.

The SAM front end expands policy templates and managed policy names with these, and rule
ESM205 checks the identifiers a policy template is given against the same definitions; so
they sit below both, and no rule imports a front end. The translator's modules are never
imported: only its JSON data files are read (importing it costs about a second).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os


@functools.lru_cache(maxsize=1)
def policy_templates() -> dict:
    """SAM's policy templates, read from aws-sam-translator's data file without importing it."""
    spec = importlib.util.find_spec("samtranslator")
    if spec is None or not spec.submodule_search_locations:
        return {}
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "policy_templates_data", "policy_templates.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                return json.load(handle).get("Templates", {})
    return {}


@functools.lru_cache(maxsize=1)
def managed_policy_arns() -> dict:
    """SAM's map of AWS managed policy names to ARNs (aws partition), read as data."""
    spec = importlib.util.find_spec("samtranslator")
    if spec is None or not spec.submodule_search_locations:
        return {}
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, "internal", "data", "aws_managed_policies.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            return data.get("aws", {}) if isinstance(data, dict) else {}
    return {}
