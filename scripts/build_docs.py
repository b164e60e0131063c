"""Generate the rule pages of the documentation site from the rule docstrings.

Each rule module's docstring is its documentation (what it does, why, an example, the fix,
references); this turns it into one page per rule, ``rules/<ID>.md``, with the rule's
metadata (default severity, options and their defaults, precision, tags, whether
``esmlint check --fix`` fixes it, and whether safely) in front and the ways to configure or
suppress it after, plus the rule reference ``rules/index.md`` with every rule in a table.
The hand-written guides live in ``docs/``.

Two ways to run it:

* as an MkDocs hook (``hooks:`` in ``mkdocs.yml``): ``mkdocs build`` adds the generated
  pages to the site and to its navigation, and sets ``site_url`` from
  ``esmlint.links.DOCS_BASE`` (the one place the site's address is written). Nothing
  generated is written into ``docs/``, so nothing generated is committed;
* as a script, ``python3 scripts/build_docs.py OUT``: writes the same pages into the folder
  OUT, to read or diff them without MkDocs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: The section of the navigation the rule pages are listed under (mkdocs.yml names it).
NAV_SECTION = "Rules"


def _rules():
    from esmlint.registry import load_rules

    return load_rules()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rule_page(rule) -> str:
    """The Markdown page of one rule."""
    from esmlint import links

    doc = rule.doc.strip()
    summary, _, body = doc.partition("\n")
    lines = [
        f"# {rule.id} {rule.name}",
        "",
        f"*{summary.strip()}*",
        "",
        "| | |",
        "|---|---|",
        f"| ID | `{rule.id}` |",
        f"| name | `{rule.name}` |",
        f"| default severity | {rule.severity.label} |",
        f"| precision | {rule.precision} |",
        f"| tags | {', '.join(f'`{tag}`' for tag in rule.tags) or 'none'} |",
    ]
    if rule.security_severity:
        lines.append(f"| security severity (SARIF) | {rule.security_severity} |")
    if rule.options:
        options = ", ".join(f"`{name}` (default `{json.dumps(value, default=str)}`)"
                            for name, value in rule.options.items())
        lines.append(f"| options | {_cell(options)} |")
    else:
        lines.append("| options | none |")
    lines += [
        f"| automatic fix | {_fix_cell(rule.fix)} |",
        "",
        body.strip(),
        "",
        "## Configuring this rule",
        "",
        "```yaml",
        "# .esmlint.yaml",
        f"ignore: [{rule.id}]                # never run it",
        f"severity: {{{rule.id}: error}}       # or info, warning",
    ]
    if rule.options:
        first, value = next(iter(rule.options.items()))
        lines.append(f"rules: {{{rule.id}: {{{first}: {json.dumps(value, default=str)}}}}}")
    lines += [
        "```",
        "",
        "Suppress one finding where it is reported, with a reason for the next reader:",
        "",
        "```yaml",
        f"  # esmlint: ignore[{rule.id}] why this is acceptable here",
        "```",
        "",
        "See [Configuration](../configuration.md) for every setting and "
        "[Suppressions](../configuration.md#suppressions) for the other forms. "
        f"`esmlint explain {rule.id}` prints the rule's documentation in a terminal.",
        "",
        f"Source: [`rules/{rule.module.rsplit('.', 1)[-1]}.py`]"
        f"({links.REPOSITORY}/blob/main/rules/{rule.module.rsplit('.', 1)[-1]}.py)",
        "",
    ]
    return "\n".join(lines)


def _fix_cell(fix: str) -> str:
    """What ``esmlint check --fix`` does for the rule (its ``FIX``), for the page's table."""
    if not fix:
        return "no: *Fix* below says what to change"
    if fix == "safe":
        return "yes, safe: `esmlint check --fix` (see *Fix* below)"
    if fix == "unsafe":
        return "yes, unsafe: `esmlint check --fix --unsafe-fixes` (see *Fix* below)"
    return ("yes, safe or unsafe depending on the finding: `esmlint check --fix`, and "
            "`--unsafe-fixes` for the unsafe ones (see *Fix* below)")


def rules_index(rules) -> str:
    """The rule reference: every rule with its page."""
    lines = [
        "# Rules",
        "",
        "Every rule esmlint has, with its ID, name and default severity. IDs and names never",
        "change; configuration files, suppressions and baselines use either. The series:",
        "ESM0xx input, ESM1xx event source mapping settings, ESM2xx execution role and",
        "permissions the function needs, ESM3xx asynchronous invocation, ESM4xx who may",
        "invoke the function, ESM5xx timeouts against callers, ESM6xx the function itself.",
        "",
        "The *fix* column says whether `esmlint check --fix` fixes the rule's findings, and",
        "whether that fix is safe (applied by `--fix`) or unsafe (only with",
        "`--unsafe-fixes`): see [Automatic fixes](../usage.md#automatic-fixes).",
        "",
        "| ID | name | severity | fix | summary |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.severity.label} | "
                     f"{rule.fix} | {_cell(rule.summary)} |")
    lines.append("")
    return "\n".join(lines)


def pages() -> dict[str, str]:
    """Every generated page: its path inside the site's docs folder -> its Markdown."""
    from esmlint import links

    rules = _rules()
    result = {f"{links.RULES_FOLDER}/index.md": rules_index(rules)}
    for rule in rules:
        result[links.rule_page(rule.id)] = rule_page(rule)
    return result


# --- the MkDocs hook ------------------------------------------------------------------------

def on_config(config: Any) -> Any:
    """Set ``site_url`` from esmlint's one setting and list the rule pages in the nav."""
    from esmlint import links

    config["site_url"] = links.DOCS_BASE
    rules = _rules()
    entries: list[Any] = [{"Overview": f"{links.RULES_FOLDER}/index.md"}]
    entries += [{f"{rule.id} {rule.name}": links.rule_page(rule.id)} for rule in rules]
    nav = config.get("nav") or []
    for item in nav:
        if isinstance(item, dict) and NAV_SECTION in item:
            item[NAV_SECTION] = entries
            break
    else:
        nav.append({NAV_SECTION: entries})
    config["nav"] = nav
    return config


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site (in memory: nothing is written to docs/)."""
    from mkdocs.structure.files import File

    for path, text in pages().items():
        existing = files.get_file_from_path(path)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, path, content=text))
    return files


# --- the script -----------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 scripts/build_docs.py OUT", file=sys.stderr)
        return 2
    out = Path(argv[0])
    for path, text in pages().items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    print(f"{len(pages())} pages written to {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
