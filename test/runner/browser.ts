import { format } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { onCleanup } from './cleanup';

// Without the background-networking flags Chromium keeps dialling Google hosts that this network refuses.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(executablePath: string): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath,
    headless: process.env.OPUS_HEADED !== '1',
    args: CHROMIUM_ARGS,
    // The runner's own handlers close the browser after stopping the tests; Playwright still kills it on exit.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup(() => browser.close().catch(() => undefined));
  return browser;
}

export interface Workbench {
  context: BrowserContext;
  page: Page;
  /** The code the workbench reported through `codeAutomationExit` (extension tests only). */
  exitCode: Promise<number>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  /** Receives each extension-host console line the smoke-test driver forwards. */
  onLog: (line: string) => void;
  verbose?: boolean;
}

/** Opens a fresh browser context on the workbench URL, with the smoke-test driver's hooks installed first. */
export async function openWorkbench(browser: Browser, url: string, opts: WorkbenchOptions): Promise<Workbench> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  let reportExit: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (reportExit = resolve));
  // Both must exist before the workbench script runs, or the exit code and the host's output are lost.
  // Set once the tests reported or the page is closing: the workbench then tears down and logs each cancelled
  // request, which is not news.
  let exited = false;
  await page.exposeFunction('codeAutomationExit', (code: unknown) => {
    exited = true;
    reportExit(Number(code));
  });
  await page.exposeFunction('codeAutomationLog', (type: unknown, args: unknown) => {
    const text = formatLog(type, args);
    if (opts.verbose || (!exited && !NOISE.some((re) => re.test(text)))) {
      for (const line of text.split('\n')) {
        opts.onLog(line);
      }
    }
  });
  if (opts.verbose) {
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') {
        console.log(`[browser:${m.type()}] ${m.text()}`);
      }
    });
  }
  page.on('pageerror', (e) => console.log(`[browser:pageerror] ${e.message}`));
  await page.goto(url);
  const close = async (): Promise<void> => {
    exited = true;
    await context.close().catch(() => undefined);
  };
  return { context, page, exitCode, close };
}

// The driver forwards the workbench's own log as well as the extension host's console. These entries are the
// workbench talking to itself or failing to reach the internet, never about the extension under test.
const NOISE = [
  /^\[AgentHost/,
  /^\[AccountPolicyGate\]/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[reconnection-grace-time\]/,
  /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/,
  /^\[error\] getaddrinfo ENOTFOUND/,
  /^\[error\] \[lifecycle\] Long running operations during shutdown/,
];

function formatLog(type: unknown, args: unknown): string {
  // Console arguments arrive unformatted (mocha's reporter sends '%s (%dms)' plus values).
  const text = Array.isArray(args) ? format(...(args as unknown[])) : String(args);
  return type === 'error' || type === 'warn' ? `[${String(type)}] ${text}` : text;
}
