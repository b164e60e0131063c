"""esmlint: a static linter for how AWS Lambda functions get invoked.

``__version__`` is written once, in ``esmlint/_version.py`` (a constant: reading the
installed distribution's metadata would cost start-up time that ``esmlint check`` does
not need, and would say ``0+unknown`` in a source checkout).

Rules live in the repository's top-level ``rules/`` folder and are installed as the
``esmlint.rules`` package (``package-dir`` in pyproject.toml). When esmlint is imported
straight from a source checkout (``python -m pytest`` or ``python -m esmlint`` in the
repository root, where ``esmlint/`` shadows any installed copy) there is no
``esmlint/rules`` folder, so a small finder maps ``esmlint.rules`` onto ``rules/``. It is
only installed when that layout is detected; an installed wheel never uses it.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

from ._version import __version__

__all__ = ["__version__"]


class _SourceRulesFinder:
    """Finds ``esmlint.rules`` in the checkout's ``rules/`` folder (source layout only)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path=None, target=None):
        if fullname != "esmlint.rules":
            return None
        init = os.path.join(self.folder, "__init__.py")
        if os.path.isfile(init):
            return importlib.util.spec_from_file_location(
                fullname, init, submodule_search_locations=[self.folder]
            )
        # No __init__.py: a namespace package over the folder.
        spec = importlib.machinery.ModuleSpec(fullname, None, is_package=True)
        spec.submodule_search_locations = [self.folder]
        return spec


def _map_source_rules() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.isdir(os.path.join(here, "rules")):
        return  # installed layout
    root = os.path.dirname(here)
    folder = os.path.join(root, "rules")
    if os.path.isdir(folder) and os.path.isfile(os.path.join(root, "pyproject.toml")):
        if not any(isinstance(f, _SourceRulesFinder) for f in sys.meta_path):
            sys.meta_path.append(_SourceRulesFinder(folder))


_map_source_rules()
