// The esmlint extension: a thin client that starts `esmlint server` (esmlint's language
// server, which does all the linting) for YAML, JSON and Terraform files and shows its
// diagnostics. Settings: esmlint.path (the executable), esmlint.config (one configuration
// file), esmlint.severity; changing one restarts the server.
import * as path from "path";
import * as vscode from "vscode";
import {
  Executable,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

/** The documents esmlint lints: it tells templates from other YAML and JSON itself. */
export const DOCUMENTS = [
  { scheme: "file", language: "yaml" },
  { scheme: "file", language: "json" },
  { scheme: "file", language: "jsonc" },
  { scheme: "file", language: "terraform" },
  { scheme: "file", pattern: "**/*.tf" },
  { scheme: "file", pattern: "**/*.template" },
  { scheme: "untitled", language: "yaml" },
  { scheme: "untitled", language: "json" },
];

/** `esmlint server` with the options the settings ask for. */
export function serverCommand(settings: vscode.WorkspaceConfiguration,
                              workspace: string | undefined): Executable {
  const command = expand(settings.get<string>("path") || "esmlint", workspace);
  const args = ["server"];
  const config = settings.get<string>("config");
  if (config) {
    const file = expand(config, workspace);
    args.push("--config", path.isAbsolute(file) || !workspace ? file : path.join(workspace, file));
  }
  const severity = settings.get<string>("severity");
  if (severity) {
    args.push("--severity", severity);
  }
  return { command, args, options: workspace ? { cwd: workspace } : undefined };
}

function expand(value: string, workspace: string | undefined): string {
  return workspace ? value.replace(/\$\{workspaceFolder\}/g, workspace) : value;
}

async function start(): Promise<void> {
  const settings = vscode.workspace.getConfiguration("esmlint");
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const executable = serverCommand(settings, workspace);
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENTS,
    outputChannel: output,
    synchronize: {
      // The configuration files: the server reads them again on every lint.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{.esmlint.yaml,.esmlint.yml,pyproject.toml}"),
    },
  };
  client = new LanguageClient("esmlint", "esmlint", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `esmlint: cannot start "${executable.command} server" (${message}). Install it with ` +
      `pip install 'esmlint[lsp]', or set esmlint.path to the esmlint executable.`);
  }
}

async function stop(): Promise<void> {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop().catch(() => undefined);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("esmlint");
  context.subscriptions.push(output);
  context.subscriptions.push(vscode.commands.registerCommand("esmlint.restart", async () => {
    await stop();
    await start();
  }));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (event.affectsConfiguration("esmlint")) {
      await stop();
      await start();
    }
  }));
  await start();
}

export function deactivate(): Thenable<void> | undefined {
  return stop();
}
