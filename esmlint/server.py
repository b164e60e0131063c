"""esmlint as a Language Server (``esmlint server``), for editors: diagnostics as you type.

The server speaks LSP over standard input and output (pygls, the ``lsp`` extra). It lints
every YAML and JSON document the editor opens, when it is opened, changed (after a pause
in typing: ``--debounce``, 0.3 s by default) and saved, and publishes one diagnostic per
finding: the rule ID as ``code``, a link to the rule's documentation as
``codeDescription.href``, the severity, and the range of the resource key (or value) the
finding points at. Documents that are not CloudFormation, SAM, Terraform or serverless.yml templates
get no diagnostics; a document that looks like a template but does not parse gets ESM001.

Each document is linted with the configuration that applies to its file (the nearest
``.esmlint.yaml`` / ``pyproject.toml`` upward, read again on every lint, so edits to it
apply at once), inline suppressions and the baseline, as ``esmlint check`` would lint it.
The command line (``--severity``, ``--select``, ``--ignore``) and the client's
``initializationOptions`` (``{"severity": "info", "select": ["ESM1"], "ignore":
["ESM112"], "config": "ci/.esmlint.yaml"}``) override it as the same options of
``esmlint check`` do; ``--config FILE`` (or ``config``) uses one configuration file for
every document. A configuration that cannot be read is shown as a message, and the
document is linted without it.

The linted text is the editor's buffer, saved or not; the file name only tells JSON from
YAML and names the document.

Code actions (``textDocument/codeAction``): on a finding with an automatic fix, a quick fix
that applies it (preferred when it is safe; an unsafe one says so in its title), or, where
the rule fixes findings but not this one and the client shows disabled actions, the fix
greyed out with the reason; on every finding "Ignore ESMxxx here", which writes the inline
suppression comment (in a CloudFormation JSON template, the resource's ``Metadata``); and
``source.fixAll.esmlint``, every safe fix of the document at once. Rules listed in the
configuration's ``unfixable`` offer no fix.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from . import config as _config
from . import outcome as _outcome
from . import registry, runner
from .findings import Finding, Severity
from .reporters import rule_url

SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}

# The end of the token a finding points at: a key ends at ':', a flow value at ',', ']', '}'.
_TOKEN = re.compile(r"[^\s:,\]\}]*")


class EsmlintLanguageServer(LanguageServer):
    """A pygls server that lints templates and publishes esmlint's findings."""

    def __init__(self, severity: str | None = None, select: Sequence[str] = (),
                 ignore: Sequence[str] = (), debounce: float = 0.3,
                 config_file: str | None = None) -> None:
        from . import __version__

        super().__init__("esmlint", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.severity = Severity.parse(severity).label if severity else None
        self.select = tuple(select)
        self.ignore = tuple(ignore)
        self.debounce = debounce
        #: One configuration file for every document (``--config``), else the nearest one.
        self.config_file = config_file or None
        self._pending: dict[str, asyncio.Task] = {}
        #: uri -> (document version, findings shown with their diagnostics), for code
        #: actions on the document as it was last linted.
        #: Fixes are resolved when a code action is first asked for (not on every lint).
        self._shown: dict[str, tuple[int | None, list[tuple[Finding, types.Diagnostic]]]] = {}
        self.disabled_support = False

    # --- settings -------------------------------------------------------------------------

    def configure(self, options: Any) -> None:
        """Apply ``initializationOptions`` (unknown keys are ignored, bad values reported)."""
        if not isinstance(options, dict):
            return
        try:
            if "severity" in options:
                self.severity = Severity.parse(str(options["severity"])).label
            if "select" in options:
                self.select = registry.parse_selectors(_strings(options["select"]))
            if "ignore" in options:
                self.ignore = registry.parse_selectors(_strings(options["ignore"]))
            if "config" in options:
                self.config_file = str(options["config"] or "") or None
        except (KeyError, registry.UnknownRuleError) as exc:
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"esmlint: ignoring a bad setting in initializationOptions: {exc}",
            ))

    # --- linting --------------------------------------------------------------------------

    def lint(self, uri: str) -> None:
        """Lint the document now and publish its diagnostics."""
        self._cancel(uri)
        document = self.workspace.get_text_document(uri)
        shown = self.findings(document, document.source, fixes=False)
        diagnostics = [_to_client(document, diagnostic(f, document.lines)) for f in shown]
        self._shown.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=diagnostics,
        ))

    def findings(self, document: Any, text: str, fixes: bool = True) -> list[Finding]:
        """The findings shown for ``text`` as the document ``document`` (with ``fixes``,
        their fixes resolved against ``text``)."""
        path = path_of(document.uri)
        try:
            configs: Any = _config.Finder(self.config_file)
            findings = lint_source(path, text, self.select, self.ignore, configs, fixes=fixes)
        except _config.ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error,
                message=f"esmlint: {exc}; linting {path} without that configuration"))
            configs = _config.Finder(isolated=True)
            findings = lint_source(path, text, self.select, self.ignore, configs, fixes=fixes)
        return _outcome.judge(findings, configs, severity=self.severity).shown

    # --- code actions ---------------------------------------------------------------------

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        """Quick fixes and "ignore here" for the findings in the range, and fix-all."""
        uri = params.text_document.uri
        document = self.workspace.get_text_document(uri)
        cached = self._shown.get(uri)
        if cached is None or cached[0] != document.version:
            shown = self.findings(document, document.source)
            pairs = [(f, _to_client(document, diagnostic(f, document.lines))) for f in shown]
            self._shown[uri] = (document.version, pairs)
        else:
            pairs = cached[1]
        wanted = params.context.only
        actions: list[types.CodeAction] = []
        if wanted is None or any(str(kind).startswith("quickfix") for kind in wanted):
            for finding, diag in pairs:
                if _overlaps(diag.range, params.range):
                    actions.extend(self._quick_fixes(document, finding, diag))
        if wanted is None or any(FIX_ALL.startswith(str(kind)) for kind in wanted):
            fix_all = self._fix_all(document, [f for f, _ in pairs])
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def _quick_fixes(self, document: Any, finding: Finding, diag: types.Diagnostic
                     ) -> list[types.CodeAction]:
        actions = []
        fix = finding.fix
        if fix is not None and fix.edits:
            unsafe = "" if fix.safe else " (unsafe)"
            actions.append(types.CodeAction(
                title=f"{finding.rule}: {_capital(fix.message)}{unsafe}",
                kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                is_preferred=fix.safe or None,
                edit=_workspace_edit(document, fix.edits)))
        elif finding.fix_note and self.disabled_support:
            actions.append(types.CodeAction(
                title=f"{finding.rule}: no automatic fix",
                kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                disabled=types.CodeActionDisabled(reason=finding.fix_note)))
        from .fixes.ignore import NoFix, ignore_edit

        try:
            edit = ignore_edit(path_of(document.uri), document.source, finding.line,
                               finding.rule, finding.resource)
        except NoFix:
            return actions
        actions.append(types.CodeAction(
            title=f"Ignore {finding.rule} here", kind=types.CodeActionKind.QuickFix,
            diagnostics=[diag], edit=_workspace_edit(document, (edit,))))
        return actions

    def _fix_all(self, document: Any, shown: list[Finding]) -> types.CodeAction | None:
        """Every safe fix of the document, applied pass after pass as --fix does."""
        from .fixes.apply import choose, splice

        text, current = document.source, shown
        for _ in range(10):
            chosen, edits = choose([f for f in current if f.fix is not None and f.fix.safe])
            if not chosen:
                break
            text = splice(text, [e for e in edits if e.path == path_of(document.uri)])
            current = self.findings(document, text)
        if text == document.source:
            return None
        lines = document.lines
        end = types.Position(line=len(lines), character=0)
        whole = types.Range(start=types.Position(line=0, character=0), end=end)
        return types.CodeAction(
            title="esmlint: fix all safe problems", kind=FIX_ALL,
            edit=types.WorkspaceEdit(changes={document.uri: [types.TextEdit(
                range=whole, new_text=text)]}))

    def lint_later(self, uri: str) -> None:
        """Lint after ``debounce`` seconds without another change."""
        self._cancel(uri)
        self._pending[uri] = asyncio.ensure_future(self._lint_after_pause(uri))

    async def _lint_after_pause(self, uri: str) -> None:
        try:
            await asyncio.sleep(self.debounce)
        except asyncio.CancelledError:
            return
        self._pending.pop(uri, None)
        self.lint(uri)

    def forget(self, uri: str) -> None:
        """The document was closed: drop its pending lint and clear its diagnostics."""
        self._cancel(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def _cancel(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None and task is not _current_task():
            task.cancel()


def _current_task() -> asyncio.Task | None:
    try:
        return asyncio.current_task()
    except RuntimeError:
        return None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value]
    raise KeyError(f"expected a string or a list of strings, got {value!r}")


def create_server(severity: str | None = None, select: Sequence[str] = (),
                  ignore: Sequence[str] = (), debounce: float = 0.3,
                  config_file: str | None = None) -> EsmlintLanguageServer:
    """The language server with its handlers registered (``start_io()`` runs it)."""
    server = EsmlintLanguageServer(severity, select, ignore, debounce, config_file)

    @server.feature(types.INITIALIZE)
    def initialize(ls: EsmlintLanguageServer, params: types.InitializeParams) -> None:
        ls.configure(params.initialization_options)
        text_document = params.capabilities.text_document
        code_action = text_document.code_action if text_document is not None else None
        ls.disabled_support = bool(code_action is not None and code_action.disabled_support)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: EsmlintLanguageServer,
                    params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: EsmlintLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: EsmlintLanguageServer,
                   params: types.DidChangeTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: EsmlintLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: EsmlintLanguageServer,
                  params: types.DidCloseTextDocumentParams) -> None:
        ls._shown.pop(params.text_document.uri, None)
        ls.forget(params.text_document.uri)

    return server


def path_of(uri: str) -> str:
    """The file a document URI names (``untitled:`` and other schemes: their path)."""
    parsed = urlparse(uri)
    return unquote(parsed.path) or uri


def lint_source(path: str, text: str, select: Sequence[str] = (),
                ignore: Sequence[str] = (), config: Any = None, fixes: bool = False
                ) -> list[Finding]:
    """esmlint's findings on a buffer; a document that is not a template has none. With
    ``fixes``, their fixes are resolved against ``text``."""
    findings, _counted, _notes = runner.lint_buffer(path, text, select, ignore, explicit=False,
                                                 config=config, fixes=fixes)
    return findings


#: The code action kind of "fix everything that can be fixed safely".
FIX_ALL = "source.fixAll.esmlint"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _overlaps(a: types.Range, b: types.Range) -> bool:
    """Whether two ranges share a line or touch (a cursor on the diagnostic's line)."""
    return not (a.end.line < b.start.line or b.end.line < a.start.line)


def _workspace_edit(document: Any, edits: Sequence[Any]) -> types.WorkspaceEdit:
    """Text edits in the client's position encoding, grouped by document."""
    changes: dict[str, list[types.TextEdit]] = {}
    for edit in edits:
        uri = document.uri if edit.path == path_of(document.uri) else _file_uri(edit.path)
        (line, column), (end_line, end_column) = edit.start_position, edit.end_position
        span = types.Range(start=types.Position(line=line - 1, character=column - 1),
                           end=types.Position(line=end_line - 1, character=end_column - 1))
        if uri == document.uri:
            span = document.position_codec.range_to_client_units(document.lines, span)
        changes.setdefault(uri, []).append(types.TextEdit(range=span, new_text=edit.content))
    return types.WorkspaceEdit(changes=changes)


def diagnostic(finding: Finding, lines: Sequence[str]) -> types.Diagnostic:
    """The LSP diagnostic of a finding, with positions in code points (server units)."""
    line = max(finding.line, 1) - 1
    start = max(finding.column, 1) - 1
    end = start + 1
    if line < len(lines):
        text = lines[line].rstrip("\r\n")
        start = min(start, len(text))
        token = _TOKEN.match(text, start)
        end = token.end() if token and token.end() > start else min(start + 1, len(text))
        if text[start:end].startswith(("'", '"')):  # a quoted JSON or YAML key
            closing = text.find(text[start], start + 1)
            end = closing + 1 if closing > start else end
    shown = finding.construct or finding.resource  # CDK output: the construct path
    message = finding.message + (f" [{shown}]" if shown else "")
    data = {key: value for key, value in (("name", finding.name),
                                          ("resource", finding.resource),
                                          ("construct", finding.construct),
                                          ("function", finding.function)) if value}
    related = [types.DiagnosticRelatedInformation(
        location=types.Location(
            uri=_file_uri(place["path"]),
            range=types.Range(
                start=types.Position(line=max(place["line"], 1) - 1,
                                     character=max(place["column"], 1) - 1),
                end=types.Position(line=max(place["line"], 1) - 1,
                                   character=max(place["column"], 1) - 1))),
        message=place["message"]) for place in finding.related]
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=line, character=start),
                          end=types.Position(line=line, character=max(end, start))),
        message=message,
        severity=SEVERITIES[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=rule_url(finding.rule)),
        source="esmlint",
        data=data or None,
        related_information=related or None,
    )


def _file_uri(path: str) -> str:
    import pathlib

    return pathlib.Path(path).resolve().as_uri()


def _to_client(document: Any, item: types.Diagnostic) -> types.Diagnostic:
    """Positions in the encoding the client negotiated (UTF-16 unless it chose another)."""
    item.range = document.position_codec.range_to_client_units(document.lines, item.range)
    return item


def main(severity: str | None = None, select: Sequence[str] = (),
         ignore: Sequence[str] = (), debounce: float = 0.3,
         config_file: str | None = None) -> None:
    """Serve on standard input and output until the client says exit."""
    create_server(severity, select, ignore, debounce, config_file).start_io()
