"""The command line: ``esmlint check``, ``graph``, ``rules``, ``explain``, ``server``.

This is a public interface (documented in the README): option names, output shapes and
exit codes are kept stable.

Exit codes:

* 0: no finding shown at or above ``--fail-on``;
* 1: at least one such finding (an unreadable template is an ESM001 error finding);
* 2: a usage or configuration error, or an internal error (never a traceback).

``--fail-on`` counts only the findings that are shown: what ``--severity`` hides neither
prints nor fails the run, so a CI log always shows why the build failed.

Start-up time matters (pre-commit, editors): only click and the list of output formats are
imported here. Each command imports what it needs when it runs: ``esmlint --version``
imports nothing more, ``rules`` and ``explain`` only the rule registry, ``check`` the
runner, and the runner a front end only when a file of its format is read. A reporter is
imported when chosen; nothing heavy (cfn-lint, samtranslator, jsonschema) is imported on
the ``check`` path.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from . import reporters
from .findings import Finding, Severity

if TYPE_CHECKING:
    from .registry import RuleInfo
    from .runner import LintResult

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


#: Commands whose module is imported only when they are run (or listed by --help), to keep
#: them off the ``check`` path: name -> "module:attribute".
LAZY_COMMANDS = {"graph": "esmlint.graph.command:graph_command"}


class _Group(click.Group):
    """A group that turns any unexpected exception into a message and exit code 2, and
    loads the :data:`LAZY_COMMANDS` when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            import importlib

            module, _, attribute = LAZY_COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit,
                click.exceptions.Abort, SystemExit, KeyboardInterrupt, BrokenPipeError):
            raise  # click reports these itself (a closed pipe, as in `| head`, quietly)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            # Only a run that raised pays for these imports.
            from .config import ConfigError
            from .registry import RuleError

            if isinstance(exc, (RuleError, ConfigError)):
                raise ConfigurationError(str(exc)) from exc
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
    """Lint how AWS Lambda functions get invoked: SAM, CloudFormation (CDK output included)
    and Terraform (.tf, .tf.json, plan JSON)."""


def _selectors(option: str, values: Sequence[str]) -> tuple[str, ...]:
    from .registry import UnknownRuleError, parse_selectors

    try:
        return parse_selectors(values)
    except UnknownRuleError as exc:
        raise click.BadParameter(
            f"unknown rule {exc.token!r}; 'esmlint rules' lists the rule IDs and names",
            param_hint=option,
        ) from None


COLOR = ("auto", "always", "never")


def _use_color(stream, mode: str = "auto") -> bool:
    """Whether the text report gets ANSI colours (``--color``).

    ``always`` and ``never`` decide alone. ``auto``: never when ``NO_COLOR`` is set
    (https://no-color.org), else always when ``FORCE_COLOR`` is set to anything but ``0``
    or ``false`` (https://force-color.org: CI logs that render colours), else only on a
    terminal. ``stream`` None is a report file (``-o``): ``auto`` gives no colour there.
    """
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    if stream is None:
        return False
    force = os.environ.get("FORCE_COLOR", "")
    if force and force.strip().lower() not in ("0", "false"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class LintPath(click.Path):
    """An existing path, or ``-``; a symlink that leads nowhere says so instead of
    "does not exist" (a loop, a broken link), since the name is plainly there."""

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and value != "-" and os.path.lexists(value) \
                and not os.path.exists(value):
            from .reading import not_regular

            why = not_regular(value) or (
                f"a broken symbolic link (to {os.readlink(value)!r})"
                if os.path.islink(value) else "not accessible")
            self.fail(f"{value!r} is {why}.", param, ctx)
        return super().convert(value, param, ctx)


@cli.command()
@click.argument("paths", nargs=-1, type=LintPath(exists=True, allow_dash=True, path_type=str))
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
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Write the report to FILE instead of standard output (text without colour).")
@click.option("--stdin-filename", metavar="PATH",
              help="With '-' among PATHS: the file the standard input stands for (editors).")
@click.option("--skip-non-templates", is_flag=True,
              help="Skip named files that are not templates silently, as in a directory walk "
                   "(pre-commit, editors).")
@click.option("--config", "config_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Use this configuration file for every path, instead of the nearest "
                   ".esmlint.yaml, .esmlint.yml or pyproject.toml [tool.esmlint].")
@click.option("--no-config", is_flag=True, help="Read no configuration file.")
@click.option("--baseline", "baseline_file", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=str),
              help="Hide the findings recorded in this baseline file; report only new ones.")
@click.option("--write-baseline", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Record every current finding in this baseline file, then report as "
                   "--baseline FILE would.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Lint files in N processes (default: one per CPU when there are many "
                   "files). The output is the same for any N.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has instead of the findings "
                   "(--format text or json).")
@click.option("--color", "color_mode", type=click.Choice(COLOR, case_sensitive=False),
              default="auto", show_default=True,
              help="Colour the text report: auto (on a terminal, unless NO_COLOR is set or "
                   "FORCE_COLOR forces it), always or never.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print the findings and nothing else: no summary line, no notes.")
@click.option("--fix", "fix", is_flag=True,
              help="Apply the safe fixes in place, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix or --diff: apply the unsafe fixes too (they change behaviour "
                   "the template may rely on).")
@click.option("--diff", "diff", is_flag=True,
              help="Print the fixes as a unified diff and change nothing; exit 1 when there "
                   "is a diff.")
@click.option("--show-fixes", is_flag=True,
              help="Show each finding's fix, or why it has none (text: a line under the "
                   "finding; json: a fix member).")
def check(paths: tuple[str, ...], output_format: str, severity: str, fail_on: str,
          select: tuple[str, ...], ignore: tuple[str, ...], output: str | None = None,
          stdin_filename: str | None = None, skip_non_templates: bool = False,
          config_file: str | None = None, no_config: bool = False,
          baseline_file: str | None = None, write_baseline: str | None = None,
          jobs: int | None = None, statistics: bool = False, color_mode: str = "auto",
          quiet: bool = False, fix: bool = False, unsafe_fixes: bool = False,
          diff: bool = False, show_fixes: bool = False) -> None:
    """Lint templates in PATHS (files or directories; default: the current directory).

    In directories, *.yaml, *.yml, *.json and *.template files are read and those that
    are CloudFormation or SAM templates (CDK output included) or Terraform plan JSON are
    checked, and every folder's *.tf and *.tf.json files are checked as one Terraform
    module; hidden folders, node_modules, .aws-sam, cdk.out, .terraform and virtual
    environments are skipped. A folder with cdk.json is a CDK app: its cloud assembly is
    read through its manifest and findings name construct paths.

    '-' reads one template from standard input, reported under --stdin-filename.

    --fix applies the findings' safe fixes (with --unsafe-fixes the unsafe ones too) to
    the files, keeping their formatting, and reports what remains; --diff shows the same
    changes as a diff and writes nothing.
    """
    from . import config as _config
    from . import outcome as _outcome
    from . import runner
    selected = _selectors("--select", select)
    ignored = _selectors("--ignore", ignore)
    stdin = "-" in paths
    if stdin_filename and not stdin:
        raise click.UsageError("--stdin-filename needs '-' among PATHS")
    paths = tuple(path for path in paths if path != "-") or (() if stdin else (".",))
    if config_file and no_config:
        raise click.UsageError("--config and --no-config exclude each other")
    if statistics and output_format not in ("text", "json"):
        raise click.UsageError(f"--statistics works with --format text or json, not "
                               f"{output_format}")
    fixing = fix or diff
    if fixing and stdin:
        raise click.UsageError("--fix and --diff change files, not standard input; editors "
                               "get the fixes from the language server (esmlint server)")
    if fixing and write_baseline:
        raise click.UsageError("--write-baseline records the findings as they are: run it "
                               "without --fix and --diff")
    if diff and statistics:
        raise click.UsageError("--diff prints a diff, not statistics")
    configs = _config.Finder(config_file, isolated=no_config)
    ctx = click.get_current_context()

    def judge(findings: list[Finding], record: str | None = None) -> Any:
        return _outcome.judge(findings, configs, severity=_given(ctx, "severity", severity),
                              fail_on=_given(ctx, "fail_on", fail_on),
                              baseline=baseline_file, write_baseline=record)

    repaired = None
    if fixing:
        from .fixes.run import fix_paths

        def lint(overlay: dict[str, bytes]) -> LintResult:
            linted = runner.lint_paths(list(paths), selected, ignored, config=configs,
                                       jobs=jobs, fixes=True, overlay=overlay)
            if skip_non_templates:
                _skip_non_templates(linted, selected, ignored)
            return linted

        repaired = fix_paths(lint, judge, unsafe=unsafe_fixes, write=not diff)
        result, outcome = repaired.result, repaired.outcome
        result.notes.extend(repaired.notes)
    else:
        result = runner.lint_paths(list(paths), selected, ignored, config=configs, jobs=jobs,
                                   fixes=show_fixes)
        if stdin:
            _lint_stdin(result, stdin_filename or STDIN_NAME, selected, ignored,
                        explicit=not skip_non_templates, config=configs, fixes=show_fixes)
        if skip_non_templates:
            _skip_non_templates(result, selected, ignored)
        outcome = judge(result.findings, write_baseline)
    for note in () if quiet else result.notes:
        click.echo(reporters.printable(note), err=True)  # notes carry file names
    for note in () if quiet else outcome.notes:
        click.echo(note, err=True)
    shown = outcome.shown
    summary = reporters.Summary.of(shown, result.files, baselined=outcome.baselined)
    if fixing or show_fixes:
        summary = _fix_counts(summary, shown, repaired, unsafe_fixes)
    if diff:
        assert repaired is not None
        _report_diff(repaired, summary, output, quiet)
        ctx.exit(1 if repaired.changes else 0)
    color = _use_color(None if output else sys.stdout, color_mode.lower())
    # The summary line of a batch in which nothing was a template says nothing: under
    # --skip-non-templates (pre-commit hands esmlint its files in batches) such a batch
    # prints nothing, instead of "No ... templates found." under another batch's findings.
    nothing = skip_non_templates and summary.files == 0 and summary.total == 0
    with_summary = not quiet and not nothing
    if statistics:
        from .reporters import statistics as _statistics

        report = _statistics.render(shown, summary, color=color, output_format=output_format,
                                    with_summary=with_summary)
    elif output_format == "text":
        report = reporters.get("text").render(shown, summary, color=color,
                                              with_summary=with_summary,
                                              show_fixes=show_fixes or fixing)
    elif output_format == "json" and show_fixes:
        report = reporters.get("json").render(shown, summary, color=color, show_fixes=True)
    else:
        report = reporters.get(output_format).render(shown, summary, color=color)
    if fixing and not quiet and (statistics or output_format != "text"):
        from .reporters.text import fixes_line  # the text report has it after its summary

        click.echo(fixes_line(summary), err=True)
    if output:
        _write_report(output, report)
    elif report:
        click.echo(report, nl=False, color=True)
    if repaired is not None and repaired.unwritten:
        raise ConfigurationError(
            f"the fixes of {len(repaired.unwritten)} file"
            f"{'' if len(repaired.unwritten) == 1 else 's'} could not be written: "
            + "; ".join(f"{path}: {why}" for path, why in sorted(repaired.unwritten.items())))
    ctx.exit(outcome.exit_code)


def _fix_counts(summary: reporters.Summary, shown: Sequence[Finding], repaired: Any,
                unsafe: bool) -> reporters.Summary:
    """The summary with what was fixed (``--fix``, ``--diff``) and what could be."""
    import dataclasses

    safe = sum(1 for f in shown if f.fix is not None and f.fix.edits and f.fix.safe)
    risky = sum(1 for f in shown if f.fix is not None and f.fix.edits and not f.fix.safe)
    if repaired is None:
        return dataclasses.replace(summary, fixable=safe, unsafe_fixable=risky)
    return dataclasses.replace(summary, fixed=len(repaired.fixed),
                               fixed_files=len(repaired.changes),
                               fixable=0, unsafe_fixable=0 if unsafe else risky)


def _report_diff(repaired: Any, summary: reporters.Summary, output: str | None,
                 quiet: bool) -> None:
    """``--diff``: the diff on standard output (or ``-o``), what it would do on stderr."""
    text = repaired.diff()
    if output:
        _write_report(output, text)
    elif text:
        click.echo(text, nl=False)
    if quiet:
        return
    fixed = summary.fixed or 0
    line = (f"Would fix {fixed} problem{'' if fixed == 1 else 's'} in {summary.fixed_files} "
            f"file{'' if summary.fixed_files == 1 else 's'}; {summary.total} would remain")
    if summary.unsafe_fixable:
        line += f" ({summary.unsafe_fixable} fixable with --unsafe-fixes)"
    click.echo(line + ".", err=True)


def _given(ctx: click.Context, name: str, value: str) -> str | None:
    """An option's value when the user gave it (it then overrides the configuration)."""
    source = ctx.get_parameter_source(name)
    return None if source in (None, click.core.ParameterSource.DEFAULT) else value


#: The path findings from standard input carry when no --stdin-filename is given.
STDIN_NAME = "stdin"


def _lint_stdin(result: LintResult, path: str, select: Sequence[str],
                ignore: Sequence[str], *, explicit: bool, config: Any = None,
                fixes: bool = False) -> None:
    """Add the template on standard input to ``result``, as the file ``path``."""
    from .runner import lint_buffer

    stream = getattr(sys.stdin, "buffer", sys.stdin)
    data = stream.read()
    findings, counted, notes = lint_buffer(path, data, select, ignore, explicit=explicit,
                                           config=config, fixes=fixes)
    result.findings = sorted([*result.findings, *findings], key=Finding.sort_key)
    result.files += counted
    result.notes.extend(notes)


def _skip_non_templates(result: LintResult, select: Sequence[str],
                        ignore: Sequence[str]) -> None:
    """Treat named files as a directory walk does: a file that is not a template, or that
    cannot be parsed and does not look like one, is skipped without a word."""
    from .discover import MAX_FILE_BYTES
    from .formats import NOT_A_TEMPLATE
    from .registry import PARSE_ERROR_ID
    from .runner import lint_file

    result.notes = [note for note in result.notes if not note.endswith(NOT_A_TEMPLATE)]
    broken = sorted({f.path for f in result.findings
                     if f.rule == PARSE_ERROR_ID and os.path.isfile(f.path)})
    for path in broken:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            continue  # too large to read: its ESM001 stays (a walk would skip it with a note)
        _findings, counted, _notes = lint_file(path, False, select, ignore)
        if counted:
            continue  # it reads as a template: its ESM001 stands
        result.findings = [f for f in result.findings if f.path != path]
        result.files -= 1


def _write_report(path: str, report: str) -> None:
    """Write the report to ``path`` (its folder is created), or exit 2 saying why not."""
    try:
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(report)
    except OSError as exc:
        raise ConfigurationError(
            f"cannot write the report to {path}: {exc.strerror or exc}") from exc


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
    from .registry import load_rules

    click.echo(render_rules(load_rules(), output_format), nl=False)


def render_rules(rules: Sequence[RuleInfo], output_format: str) -> str:
    """The rule list as a table, Markdown (the README's reference) or JSON."""
    lines: list[str] = []
    if output_format == "json":
        items = [
            {"id": r.id, "name": r.name, "severity": r.severity.label, "summary": r.summary,
             "options": dict(r.options), "fix": r.fix or None}
            for r in rules
        ]
        lines.append(json.dumps(items, indent=2, ensure_ascii=False, default=str))
    elif output_format == "markdown":
        lines.append("| ID | name | severity | fix | summary |")
        lines.append("|---|---|---|---|---|")
        for r in rules:
            summary = r.summary.replace("|", "\\|")
            lines.append(f"| {r.id} | {r.name} | {r.severity.label} | {r.fix} | {summary} |")
    else:
        width = max((len(r.name) for r in rules), default=4)
        fix_width = max((len(r.fix) for r in rules), default=0)
        fix_width = max(fix_width, 3)
        lines.append(f"{'ID':<7} {'NAME':<{width}} {'SEVERITY':<8} {'FIX':<{fix_width}} "
                     "SUMMARY")
        for r in rules:
            lines.append(f"{r.id:<7} {r.name:<{width}} {r.severity.label:<8} "
                         f"{r.fix:<{fix_width}} {r.summary}")
    return "\n".join(lines) + "\n"


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show the documentation of RULE (an ID such as ESM101, or a rule name)."""
    from .registry import UnknownRuleError, find_rule

    try:
        info = find_rule(rule)
    except UnknownRuleError:
        raise click.BadParameter(
            f"unknown rule {rule!r}; 'esmlint rules' lists the rule IDs and names",
            param_hint="RULE",
        ) from None
    click.echo(f"{info.id} {info.name} (default severity: {info.severity.label})")
    click.echo(f"Automatic fix: {fix_text(info.fix)}")
    click.echo()
    click.echo(info.doc)
    if info.options:
        click.echo()
        click.echo("## Options")
        for name, value in info.options.items():
            click.echo(f"- `{name}`: default {json.dumps(value, default=str)}")
    from .links import rule_url

    click.echo()
    click.echo(f"Documentation: {rule_url(info.id)}")


def fix_text(fix: str) -> str:
    """What a rule's ``FIX`` means, for ``esmlint explain`` and the rule pages."""
    if not fix:
        return "none (the Fix section says what to change)"
    if fix == "safe":
        return "safe (applied by esmlint check --fix)"
    if fix == "unsafe":
        return "unsafe (applied by esmlint check --fix --unsafe-fixes)"
    return ("safe or unsafe, depending on the finding (the safe ones are applied by "
            "esmlint check --fix, the others with --unsafe-fixes too)")


@cli.command("server")
@click.option("--severity", type=click.Choice(SEVERITIES, case_sensitive=False),
              help="Lowest severity published (default: the configuration's, else warning).")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rule IDs, ID prefixes or names (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, metavar="RULES",
              help="Skip these rule IDs, ID prefixes or names (comma-separated, repeatable).")
@click.option("--debounce", type=click.FloatRange(0, 10), default=0.3, show_default=True,
              metavar="SECONDS", help="Pause in typing before a changed document is linted.")
@click.option("--config", "config_file", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=str),
              help="Use this configuration file for every document, instead of the nearest "
                   "one (a file that cannot be read is reported to the editor).")
def server_command(severity: str | None, select: tuple[str, ...], ignore: tuple[str, ...],
                   debounce: float, config_file: str | None = None) -> None:
    """Run the language server on standard input and output (for editors).

    Needs pygls: pip install 'esmlint[lsp]'.
    """
    selected = _selectors("--select", select)
    ignored = _selectors("--ignore", ignore)
    try:
        from . import server as lsp
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs"):
            raise
        raise ConfigurationError(
            f"esmlint server needs the pygls package ({exc.name} is not installed): "
            "pip install 'esmlint[lsp]'") from None
    lsp.main(severity, selected, ignored, debounce, config_file)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (``esmlint``)."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="esmlint")
