import type { Locator, Page } from 'playwright-core';

/** Actions on VS Code's web workbench as a person performs them, for the e2e tests. */

interface SmokeTestDriver {
  whenWorkbenchRestored(): Promise<void>;
}

/**
 * Waits until the workbench is restored and the remote extension host runs. The palette only learns an
 * extension's commands once that host has registered the extensions, and it does not refresh an open list, so
 * typing earlier finds nothing. The built-in git extension's branch item in the status bar is the visible sign:
 * the host registers every extension (the one under test included) before it activates any, and the fixture is
 * always a git repository.
 */
export async function waitForWorkbench(page: Page, timeout = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  // `window.driver` exists because code-server runs with the smoke-test driver enabled.
  await page.waitForFunction(() => 'driver' in globalThis, undefined, { timeout });
  await page.evaluate(() => (globalThis as unknown as { driver: SmokeTestDriver }).driver.whenWorkbenchRestored());
  await page
    .locator('[id="status.scm.0"]')
    .waitFor({ timeout })
    .catch(() => {
      throw new Error(
        "The git branch never appeared in the status bar, so VS Code's remote extension host did not start " +
          'or the built-in git extension failed (is git on PATH?). The code-server log tells more.',
      );
    });
}

export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget input[type="text"], .quick-input-widget input.input').first();
}

export function quickInputRows(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
}

/** F1, then the command palette's `>` prefix is already in the box. */
export async function openCommandPalette(page: Page): Promise<Locator> {
  await page.keyboard.press('F1');
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  return input;
}

/** Types into the open palette as a person would, key by key. */
export async function typeInPalette(page: Page, text: string): Promise<void> {
  const input = quickInput(page);
  await input.pressSequentially(text);
}

/** F1, type the full title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await openCommandPalette(page);
  await typeInPalette(page, title);
  await quickInputRows(page).filter({ hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

export async function closeQuickInput(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 });
}

/** A row of the Explorer tree, by its file or folder name. */
export function explorerRow(page: Page, name: string): Locator {
  return page.locator('.explorer-folders-view .monaco-list-row').filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }),
  });
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Waits a few seconds for the extension's getting-started walkthrough, which it opens the first time it runs for a
 * user (the first e2e file of a run sees it), and closes it so that the test starts from the workbench as it was.
 * Returns whether it was shown.
 */
export async function closeFirstRunWalkthrough(page: Page, onShown?: () => Promise<unknown>): Promise<boolean> {
  const walkthrough = page
    .locator('.gettingStartedContainer')
    .filter({ hasText: 'Get started with Opus Orchestrator' });
  const shown = await walkthrough
    .first()
    .waitFor({ timeout: 8_000 })
    .then(
      () => true,
      () => false,
    );
  if (shown) {
    await onShown?.();
    await page.locator('.tab.active .tab-actions .action-label').first().click();
    await walkthrough.first().waitFor({ state: 'hidden' });
  }
  return shown;
}
