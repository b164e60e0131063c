"""Where esmlint's documentation is published, and the page of each rule.

The site (``mkdocs.yml``, built from ``docs/`` and the rule docstrings by
``scripts/build_docs.py``) has one page per rule at ``rules/<ID>/``. SARIF's ``helpUri``,
the language server's ``codeDescription.href``, cfn-lint's ``source_url`` and
``esmlint explain`` all link there, and the site's own ``site_url`` is set from
:data:`DOCS_BASE` by the build: moving the site is a change of this one line.

A rule's ID never changes (spec/RULES.md), so its page's address is stable.
"""

from __future__ import annotations

#: The root of the documentation site, with its trailing slash.
DOCS_BASE = "https://esmlint.github.io/esmlint/"
#: The folder of the rule pages on the site, relative to :data:`DOCS_BASE`.
RULES_FOLDER = "rules"
#: The repository, for links to the source, the changelog and issues.
REPOSITORY = "https://github.com/esmlint/esmlint"


def rule_page(rule_id: str) -> str:
    """The path of a rule's page inside the site's ``docs`` folder (``rules/ESM101.md``)."""
    return f"{RULES_FOLDER}/{rule_id}.md"


def rules_index_url() -> str:
    """The rule reference: the table of every rule."""
    return f"{DOCS_BASE}{RULES_FOLDER}/"


def rule_url(rule_id: str) -> str:
    """The documentation page of a rule; the rule reference for a rule esmlint does not
    ship (a plugin's or a test's), which has no page."""
    from .registry import load_rules

    if any(rule.id == rule_id for rule in load_rules()):
        return f"{DOCS_BASE}{RULES_FOLDER}/{rule_id}/"
    return rules_index_url()
