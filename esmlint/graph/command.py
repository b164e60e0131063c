"""``esmlint graph``: draw how the functions under PATHS are invoked.

Loaded by the command line only when ``graph`` is the command (see ``LAZY_COMMANDS`` in
:mod:`esmlint.cli`), so none of this costs ``esmlint check`` anything.

Exit codes: 0 when the graph is written (findings do not fail it: ``check`` is the gate);
2 for a usage or configuration error, including a ``--function`` that names no function.
"""

from __future__ import annotations

import sys

import click

GROUPS = ("file", "stack", "none")
SEVERITIES = ("info", "warning", "error")
#: Groups with more nodes than this have their finding-free part collapsed by default.
COLLAPSE_DEFAULT = 40


@click.command("graph")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option("--format", "output_format", type=click.Choice(["mermaid", "dot", "json", "html"]),
              default="mermaid", show_default=True, help="Output format.")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=str),
              help="Write the graph to FILE instead of standard output.")
@click.option("--function", "functions", multiple=True, metavar="NAME",
              help="Only this function and its neighbours (logical ID, Terraform address or "
                   "its last part; repeatable).")
@click.option("--only-findings", is_flag=True,
              help="Only what has findings, with its neighbours.")
@click.option("--group", "group_by", type=click.Choice(GROUPS), default="file",
              show_default=True, help="Draw nodes in a box per file, per stack (template or "
                                      "Terraform module), or not grouped.")
@click.option("--collapse", "threshold", type=click.IntRange(min=0), default=COLLAPSE_DEFAULT,
              show_default=True, metavar="N",
              help="In a group of more than N nodes, fold the nodes without findings into "
                   "one (0: never).")
@click.option("--severity", type=click.Choice(SEVERITIES, case_sensitive=False),
              help="Lowest severity of the findings marked (default: the configuration's, "
                   "else warning).")
@click.option("--select", multiple=True, metavar="RULES",
              help="Only these rules' findings (IDs, prefixes or names; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES",
              help="Not these rules' findings (same syntax).")
@click.option("--config", "config_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Use this configuration file for every path.")
@click.option("--no-config", is_flag=True, help="Read no configuration file.")
def graph_command(paths: tuple[str, ...], output_format: str, output: str | None,
                  functions: tuple[str, ...], only_findings: bool, group_by: str,
                  threshold: int, severity: str | None, select: tuple[str, ...],
                  ignore: tuple[str, ...], config_file: str | None, no_config: bool) -> None:
    """Draw the functions in PATHS, what invokes them and where failed events go.

    Findings are marked on the node or edge they are about, coloured by severity.
    PATHS are read as 'esmlint check' reads them (default: the current directory).
    """
    from .. import cli as _cli
    from .. import config as _config
    from .. import outcome as _outcome
    from .. import runner
    from . import build, collapse, focus, load, render
    from .build import only_findings as findings_only

    selected = _cli._selectors("--select", select)
    ignored = _cli._selectors("--ignore", ignore)
    if config_file and no_config:
        raise click.UsageError("--config and --no-config exclude each other")
    paths = paths or (".",)
    configs = _config.Finder(config_file, isolated=no_config)
    result = runner.lint_paths(list(paths), selected, ignored, config=configs)
    for note in result.notes:
        click.echo(note, err=True)
    outcome = _outcome.judge(result.findings, configs, severity=severity, fail_on="never")
    graph = build(list(load.parts(paths, configs)), outcome.shown, group_by=group_by)
    if functions:
        try:
            graph = focus(graph, functions)
        except LookupError as exc:
            raise click.BadParameter(f"no function named {exc.args[0]!r} in PATHS",
                                     param_hint="--function") from None
    if only_findings:
        graph = findings_only(graph)
    graph = collapse(graph, threshold)
    text = render(graph, output_format)
    if output:
        _cli._write_report(output, text)
    else:
        click.echo(text, nl=False)
    sys.stdout.flush()
