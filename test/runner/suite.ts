import type { Browser } from 'playwright-core';
import type { FakeAnthropic } from '../fake-anthropic/server';
import type { CodeServerInstall } from './install';

/** What one suite run shares with the others: the install, one browser, the fake Messages API, a temp root. */
export interface SuiteContext {
  install: CodeServerInstall;
  browser: Browser;
  anthropic: FakeAnthropic;
  /** The extension under test, loaded in development mode (the repository unless OPUS_EXTENSION_PATH). */
  extensionPath: string;
  /** Removed when the run ends. */
  tmp: string;
  /** Passed to code-server and so to the extension host. */
  env: Record<string, string>;
  verbose: boolean;
}

export interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  ms: number;
}

/** Starts the line `test/integration/index.ts` logs with its counts, which the runner turns into its summary. */
export const RESULT_MARKER = 'OPUS-INTEGRATION-RESULT';

export function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
