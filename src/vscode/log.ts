import * as vscode from 'vscode';

const CHANNEL_NAME = 'Opus Orchestrator';

/**
 * One channel for everything the extension has to say, in the Output view, with VS Code's log levels and times. The
 * editor's channel is made on first use: making it (its log file and folder, its registration with the workbench)
 * is work that activation can leave out, and a window where nothing is logged never needs it.
 */
export class LazyLog implements vscode.LogOutputChannel {
  readonly name = CHANNEL_NAME;
  private made: vscode.LogOutputChannel | undefined;
  private disposed = false;

  /** Undefined once disposed: a line written while the extension shuts down is dropped, as a closed channel would. */
  private get channel(): vscode.LogOutputChannel | undefined {
    if (!this.disposed) {
      this.made ??= vscode.window.createOutputChannel(CHANNEL_NAME, { log: true });
    }
    return this.made;
  }

  get logLevel(): vscode.LogLevel {
    return this.channel?.logLevel ?? vscode.LogLevel.Off;
  }

  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.channel?.onDidChangeLogLevel ?? (() => ({ dispose: () => undefined }));
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel?.trace(message, ...args);
  }

  debug(message: string, ...args: unknown[]): void {
    this.channel?.debug(message, ...args);
  }

  info(message: string, ...args: unknown[]): void {
    this.channel?.info(message, ...args);
  }

  warn(message: string, ...args: unknown[]): void {
    this.channel?.warn(message, ...args);
  }

  error(error: string | Error, ...args: unknown[]): void {
    this.channel?.error(error, ...args);
  }

  append(value: string): void {
    this.channel?.append(value);
  }

  appendLine(value: string): void {
    this.channel?.appendLine(value);
  }

  replace(value: string): void {
    this.channel?.replace(value);
  }

  clear(): void {
    this.channel?.clear();
  }

  show(preserveFocus?: boolean): void;
  show(column?: vscode.ViewColumn, preserveFocus?: boolean): void;
  show(first?: boolean | vscode.ViewColumn, preserveFocus?: boolean): void {
    this.channel?.show(typeof first === 'boolean' ? first : preserveFocus);
  }

  hide(): void {
    this.made?.hide();
  }

  dispose(): void {
    this.disposed = true;
    this.made?.dispose();
    this.made = undefined;
  }
}

export function createLog(): LazyLog {
  return new LazyLog();
}
