"""The command line: ``esmlint check``, ``esmlint rules``, ``esmlint explain``.

This is a public interface (documented in the README): option names, output shapes and
exit codes are kept stable.

Exit codes:

* 0: no finding shown at or above ``--fail-on``;
* 1: at least one such finding (an unreadable template is an ESM001 error finding);
* 2: a usage or configuration error, or an internal error (never a traceback).

``--fail-on`` counts only the findings that are shown: what ``--severity`` hides neither
prints nor fails the run, so a CI log always shows why the build failed.

Start-up time matters (pre-commit, editors): only click and the engine are imported here;
a reporter is imported when chosen and nothing heavy (cfn-lint, samtranslator,
jsonschema) is imported on the ``check`` path.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence

import click

from . import engine, reporters
from .findings import Finding, Severity

SEVERITIES = ("info", "warning", "error")
FAIL_ON = ("error", "warning", "info", "never")


class InternalError(click.ClickException):
    """An unexpected exception, reported as one clear line with exit code 2."""

    exit_code = 2

    def __init__(self, exc: BaseException) -> None:
        detail = str(exc).strip()
        super().__init__(
            f"internal error: {type(exc).__name__}{': ' + detail if detail else ''}"
            " — please report this bug"
        )


class ConfigurationError(click.ClickException):
    """A broken installation or configuration (for example a rule module that fails)."""

    exit_code = 2


class _Group(click.Group):
    """A group that turns any unexpected exception into a message and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit,
                click.exceptions.Abort, SystemExit, KeyboardInterrupt, BrokenPipeError):
            raise  # click reports these itself (a closed pipe, as in `| head`, quietly)
        except engine.RuleError as exc:
            raise ConfigurationError(str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            raise InternalError(exc) from exc


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: read lazily, so the package metadata is not parsed on every run."""
    if not value or ctx.resilient_parsing:
        return
    from . import __version__

    click.echo(f"esmlint {__version__}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and exit.")
def cli() -> None:
    """Lint how AWS Lambda functions get invoked in SAM and CloudFormation templates."""


def _selectors(option: str, values: Sequence[str]) -> tuple[str, ...]:
    try:
        return engine.parse_selectors(values)
    except engine.UnknownRuleError as exc:
        raise click.BadParameter(
            f"unknown rule {exc.token!r}; 'esmlint rules' lists the rule IDs and names",
            param_hint=option,
        ) from None


def _use_color(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option("--format", "output_format", type=click.Choice(reporters.names()),
              default="text", show_default=True, help="Output format.")
@click.option("--severity", type=click.Choice(SEVERITIES, case_sensitive=False),
              default="warning", show_default=True,
              help="Lowest severity shown; lower findings are hidden and do not fail the run.")
@click.option("--fail-on", type=click.Choice(FAIL_ON, case_sensitive=False),
              default="error", show_default=True,
              help="Exit 1 when a shown finding is at or above this severity.")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rule IDs, ID prefixes or names (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, metavar="RULES",
              help="Skip these rule IDs, ID prefixes or names (comma-separated, repeatable).")
def check(paths: tuple[str, ...], output_format: str, severity: str, fail_on: str,
          select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    """Lint templates in PATHS (files or directories; default: the current directory).

    In directories, *.yaml, *.yml, *.json and *.template files are read and those that
    are CloudFormation or SAM templates are checked; hidden folders, node_modules,
    .aws-sam, cdk.out, .terraform and virtual environments are skipped.
    """
    selected = _selectors("--select", select)
    ignored = _selectors("--ignore", ignore)
    result = engine.lint_paths(list(paths) or ["."], selected, ignored)
    for note in result.notes:
        click.echo(note, err=True)

    lowest = Severity.parse(severity)
    shown = [finding for finding in result.findings if finding.severity >= lowest]
    summary = reporters.Summary.of(shown, result.files)
    reporter = reporters.get(output_format)
    click.echo(reporter.render(shown, summary, color=_use_color(sys.stdout)), nl=False,
               color=True)
    click.get_current_context().exit(exit_code(shown, fail_on))


def exit_code(shown: Sequence[Finding], fail_on: str) -> int:
    """1 when a shown finding is at or above ``fail_on`` ("never" never fails), else 0."""
    if fail_on.lower() == "never":
        return 0
    threshold = Severity.parse(fail_on)
    return 1 if any(finding.severity >= threshold for finding in shown) else 0


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["table", "markdown", "json"]),
              default="table", show_default=True, help="Output format.")
def rules_command(output_format: str) -> None:
    """List every rule: ID, name, default severity and summary."""
    click.echo(render_rules(engine.load_rules(), output_format), nl=False)


def render_rules(rules: Sequence[engine.RuleInfo], output_format: str) -> str:
    """The rule list as a table, Markdown (the README's reference) or JSON."""
    lines: list[str] = []
    if output_format == "json":
        items = [
            {"id": r.id, "name": r.name, "severity": r.severity.label, "summary": r.summary,
             "options": dict(r.options)}
            for r in rules
        ]
        lines.append(json.dumps(items, indent=2, ensure_ascii=False, default=str))
    elif output_format == "markdown":
        lines.append("| ID | name | severity | summary |")
        lines.append("|---|---|---|---|")
        for r in rules:
            summary = r.summary.replace("|", "\\|")
            lines.append(f"| {r.id} | {r.name} | {r.severity.label} | {summary} |")
    else:
        width = max((len(r.name) for r in rules), default=4)
        lines.append(f"{'ID':<7} {'NAME':<{width}} {'SEVERITY':<8} SUMMARY")
        for r in rules:
            lines.append(f"{r.id:<7} {r.name:<{width}} {r.severity.label:<8} {r.summary}")
    return "\n".join(lines) + "\n"


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of RULE (an ID such as ESM101, or a rule name)."""
    try:
        info = engine.find_rule(rule)
    except engine.UnknownRuleError:
        raise click.BadParameter(
            f"unknown rule {rule!r}; 'esmlint rules' lists the rule IDs and names",
            param_hint="RULE",
        ) from None
    click.echo(f"{info.id} {info.name} (default severity: {info.severity.label})")
    click.echo()
    click.echo(info.doc)
    if info.options:
        click.echo()
        click.echo("## Options")
        for name, value in info.options.items():
            click.echo(f"- `{name}`: default {json.dumps(value, default=str)}")


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``esmlint``)."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="esmlint")
