"""Terraform: HCL ``.tf``, ``.tf.json`` and plan JSON (``terraform show -json``).

- :mod:`.hcl` and :mod:`.tf_json`: the two syntaxes into blocks and attributes with
  positions;
- :mod:`.expressions`: HCL expressions, parsed and evaluated to three-valued values;
- :mod:`.configuration`: a module directory evaluated (variables, locals, ``count`` and
  ``for_each``, local and downloaded modules) into resources;
- :mod:`.builder`: those resources into the invocation model;
- :mod:`.plan`: a plan's planned values and configuration into the same resources.

This module itself holds only the cheap sniffing the dispatcher needs.
"""

from __future__ import annotations

#: File names read as Terraform configuration (a module is every such file of a folder).
SUFFIXES = (".tf", ".tf.json")


def is_configuration(path: str) -> bool:
    """Whether ``path`` is a Terraform configuration file by its name."""
    return path.lower().endswith(SUFFIXES)


def sniff_plan(text: str) -> bool:
    """Whether text looks like ``terraform show -json`` output (checked before decoding)."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{") or '"format_version"' not in text:
        return False
    return '"terraform_version"' in text and (
        '"planned_values"' in text or '"resource_changes"' in text)
