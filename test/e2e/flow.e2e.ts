import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import type { E2eContext } from '../runner/e2e';
import {
  closeFirstRunWalkthrough,
  openCommandPalette,
  quickInput,
  quickInputRows,
  typeInPalette,
} from '../runner/workbench';

const TASK = 'Trim the name before greeting';
const GOAL = 'Greet people by their trimmed name';
const TITLE = 'Trim the name in greet';
const FILE = 'src/greet.ts';
const BEFORE = 'return `Hello, ${name}!`;';
const AFTER = 'return `Hello, ${name.trim()}!`;';

const PLAN = {
  goal: GOAL,
  subtasks: [
    {
      id: 'trim-name',
      title: TITLE,
      instructions: 'In greet, trim the name before putting it into the greeting.',
      model: 'sonnet',
      files: [{ path: FILE, create: false }],
      acceptanceCriteria: ['greet(" Ada ") returns "Hello, Ada!"'],
      dependsOn: [],
    },
  ],
};

/** A row of the Plan view, by the text it shows. */
function planRow(page: Page, text: string): Locator {
  return page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text }).first();
}

/** The CodeLens titled `title` in the proposal (right) side of the diff editor. */
function codeLens(page: Page, title: string): Locator {
  return page.locator('.monaco-diff-editor .editor.modified .codelens-decoration a').filter({ hasText: title }).first();
}

/** The Accept/Reject CodeLenses of the diff (the extension turns `diffEditor.codeLens` on by default). */
async function showCodeLenses(page: Page, timeoutMs = 30_000): Promise<void> {
  await codeLens(page, 'Accept').waitFor({ timeout: timeoutMs });
}

/** Drags the sash between the side bar and the editor, as a person makes room for the plan's gauges. */
async function widenSideBar(page: Page, by: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the side bar is not shown');
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by / 2, y);
  await page.mouse.move(x + by, y);
  await page.mouse.up();
}

async function hideNotifications(page: Page): Promise<void> {
  const center = page.locator('.notifications-center.visible');
  if (await center.isVisible()) {
    await page.locator('[id="status.notifications"] a').first().click();
    await center.waitFor({ state: 'hidden' });
  }
}

async function waitForFile(file: string, expected: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = fs.readFileSync(file, 'utf8');
  while (text !== expected && Date.now() < end) {
    await sleep(100);
    text = fs.readFileSync(file, 'utf8');
  }
  return text;
}

export async function planDispatchReviewAccept({ page, workspace, anthropic, screenshot }: E2eContext) {
  const file = path.join(workspace, FILE);
  const original = fs.readFileSync(file, 'utf8');
  assert.ok(original.includes(BEFORE), `the fixture's ${FILE} changed: ${original}`);

  // 0. The first time the extension runs for a user, its walkthrough opens (key, plan, dispatch, review).
  // Each e2e file opens a fresh browser profile, so the extension runs for the first time for this user.
  const walkthrough = await closeFirstRunWalkthrough(page, () => screenshot('00-walkthrough'));
  assert.ok(walkthrough, 'the walkthrough opened by itself on the first run');

  // 1. F1, "Plan with Opus".
  await openCommandPalette(page);
  await typeInPalette(page, 'Plan with Opus');
  await quickInputRows(page).filter({ hasText: 'Opus Orchestrator: Plan with Opus' }).first().waitFor();
  await screenshot('01-palette');
  await page.keyboard.press('Enter');

  // 2. The task, typed into the input box the command opens.
  await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'Plan with Opus' }).waitFor();
  const input = quickInput(page);
  await input.pressSequentially(TASK);
  assert.equal(await input.inputValue(), TASK);
  await screenshot('02-task');
  anthropic.enqueue(jsonReply(PLAN));
  await page.keyboard.press('Enter');

  // 3. The plan in its view: the subtask with its model and gauge, opened to show its files.
  const subtask = planRow(page, TITLE);
  await planRow(page, GOAL).waitFor({ timeout: 30_000 });
  await subtask.waitFor();
  const description = (await subtask.locator('.label-description').textContent()) ?? '';
  assert.match(description, /Sonnet$/, `the subtask row names its model: "${description}"`);
  assert.match(description, /~.*tok/, `the subtask row shows its estimated tokens: "${description}"`);
  await subtask.locator('.monaco-tl-twistie').click();
  await planRow(page, FILE).waitFor();
  await widenSideBar(page, 320);
  await subtask.locator('.label-description').hover();
  await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'budget per subtask' }).first().waitFor();
  await screenshot('03-tree');
  await page.mouse.move(900, 600);
  await widenSideBar(page, -320);

  // 4. Click the subtask: it is dispatched, and once its proposal is in the diff opens by itself.
  anthropic.enqueue(
    toolUseReply([
      {
        name: 'str_replace_based_edit_tool',
        input: { command: 'str_replace', path: FILE, old_str: BEFORE, new_str: AFTER },
      },
    ]),
    textReply('greet now trims the name.'),
  );
  await subtask.locator('.label-name').click();
  await page.locator('.monaco-diff-editor').first().waitFor({ timeout: 30_000 });
  assert.equal(fs.readFileSync(file, 'utf8'), original, 'nothing reaches the disk before the user accepts');
  await planRow(page, '+1 −1').waitFor();
  await page.locator('.tab.active').filter({ hasText: '↔ proposed by Sonnet' }).first().waitFor();
  await showCodeLenses(page);
  await codeLens(page, 'Reject').waitFor();
  await hideNotifications(page);
  await screenshot('04-diff');

  // 5. Accept the hunk from its CodeLens: the file on disk has the change.
  await codeLens(page, '✓ Accept').click();
  const after = await waitForFile(file, original.replace(BEFORE, AFTER));
  assert.equal(after, original.replace(BEFORE, AFTER));
  await page.waitForFunction(
    (el) => /accepted-\d+\.svg/.test((el as { style: { backgroundImage: string } }).style.backgroundImage),
    await subtask.locator('.custom-view-tree-node-item-icon').elementHandle(),
  );
  await planRow(page, FILE).click();
  await page.locator('.monaco-editor .view-lines').filter({ hasText: 'name.trim()' }).first().waitFor();
  await screenshot('05-accepted');
}
