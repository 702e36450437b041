import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { E2eContext } from '../runner/e2e';
import {
  closeFirstRunWalkthrough,
  closeQuickInput,
  explorerRow,
  openCommandPalette,
  quickInput,
  quickInputRows,
} from '../runner/workbench';

const CATEGORY = 'Opus Orchestrator';

interface Manifest {
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    menus?: { commandPalette?: { command: string; when?: string }[] };
  };
}

/** "Category: Title" of each contributed command the palette always shows (those with a `when` depend on state). */
function paletteTitles(extensionPath: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as Manifest;
  const hidden = new Set(
    (manifest.contributes?.menus?.commandPalette ?? []).filter((m) => m.when !== undefined).map((m) => m.command),
  );
  return (manifest.contributes?.commands ?? [])
    .filter((c) => !hidden.has(c.command))
    .map((c) => (c.category ? `${c.category}: ${c.title}` : c.title))
    .filter((label) => label.includes(CATEGORY));
}

export async function explorerShowsTheFixtureRepository({ page, screenshot }: E2eContext): Promise<void> {
  for (const name of ['src', 'README.md', 'package.json', '.gitignore']) {
    await explorerRow(page, name).waitFor();
  }
  await screenshot('explorer');
}

export async function commandPaletteListsTheExtensionCommands({ page, extensionPath, screenshot }: E2eContext) {
  const expected = paletteTitles(extensionPath);
  await closeFirstRunWalkthrough(page);
  await openCommandPalette(page);
  await quickInput(page).pressSequentially(CATEGORY);
  const rows = quickInputRows(page);
  if (expected.length === 0) {
    // Nothing contributed yet: the palette must say so rather than offer someone else's commands.
    await page.locator('.quick-input-widget').getByText('No matching commands').waitFor();
    await screenshot('command-palette');
    await closeQuickInput(page);
    return;
  }
  await rows.filter({ hasText: CATEGORY }).first().waitFor();
  await screenshot('command-palette');
  // The list is virtualised, so look each command up by its full title rather than scrolling.
  for (const title of expected) {
    await quickInput(page).fill(`>${title}`);
    await rows.filter({ hasText: title }).first().waitFor({ timeout: 5_000 });
  }
  const labels = await rows.allTextContents();
  assert.ok(labels.length >= 1, `the palette lists nothing for "${expected.at(-1)}"`);
  await closeQuickInput(page);
}
