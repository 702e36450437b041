import type * as vscode from 'vscode';
import { redactKey } from '../core/llm/errors';

/** Part of the engine bundle: the core's log, whose key scrubber comes with the model client's errors. */

/** The level names the core reports with; the editor maps them onto its own log levels. */
export type CoreLogLevel = 'info' | 'warn' | 'error';

/**
 * The core's log callback, writing to `channel`. Every line passes through the key scrubber: the core never sends
 * the key, but an error echoed from a proxy could, and a log is often pasted into a bug report.
 */
export function coreLogger(
  channel: vscode.LogOutputChannel,
  apiKey: () => string | undefined,
): (level: CoreLogLevel, message: string) => void {
  return (level, message) => {
    const text = redactKey(message, apiKey());
    if (level === 'error') {
      channel.error(text);
    } else if (level === 'warn') {
      channel.warn(text);
    } else {
      channel.info(text);
    }
  };
}
