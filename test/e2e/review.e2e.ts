import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';
import type { RecordedRequest } from '../fake-anthropic/server';
import type { MessageReply } from '../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import type { E2eContext } from '../runner/e2e';
import { SCREENSHOT_DIR } from '../runner/e2e';
import {
  closeFirstRunWalkthrough,
  explorerRow,
  openCommandPalette,
  quickInput,
  quickInputRows,
  runCommand,
  typeInPalette,
} from '../runner/workbench';

/**
 * A person's walk through review: a plan of four subtasks read at a 300 px side bar, a click that dispatches one
 * and brings its diff without a second click, three more dispatched together announced by a notification and
 * counted on the badge, the Explorer marking files with pending proposals, a two-file proposal reviewed hunk by hunk
 * in the multi-diff editor, and the marks gone once decided. The functions run in the order of their names and share
 * the page.
 */

const EDIT_TOOL = 'str_replace_based_edit_tool';

/** The page's getComputedStyle, typed for what is read here: the tests compile without the DOM library. */
interface PageStyles {
  getComputedStyle(el: unknown, pseudo?: string): { content: string; backgroundImage: string };
}
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const GOAL = 'Polish the greeting tool';
const SIDE_BAR_PX = 300;

const SUBTASKS = [
  { id: 'trim-name', title: 'Trim the name in greet', model: 'sonnet', files: [['src/greet.ts', false]] },
  { id: 'default-name', title: 'Default the name in main', model: 'haiku', files: [['src/main.ts', false]] },
  {
    id: 'describe',
    title: 'Describe the project',
    model: 'sonnet',
    files: [
      ['README.md', false],
      ['package.json', false],
    ],
  },
  { id: 'farewell', title: 'Add a farewell', model: 'haiku', files: [['src/farewell.ts', true]] },
] as const;

type Edit = { path: string; old: string; new: string } | { path: string; create: string };

const EDITS: Record<string, Edit[]> = {
  'trim-name': [{ path: 'src/greet.ts', old: 'return `Hello, ${name}!`;', new: 'return `Hello, ${name.trim()}!`;' }],
  'default-name': [{ path: 'src/main.ts', old: "argv[0] ?? 'world'", new: "argv[0] ?? 'there'" }],
  describe: [
    { path: 'README.md', old: '# Fixture\n', new: '# Fixture\n\nGreets people by name.\n' },
    {
      path: 'package.json',
      old: '"version": "1.0.0",',
      new: '"version": "1.0.0",\n  "description": "Greets people.",',
    },
  ],
  farewell: [{ path: 'src/farewell.ts', create: 'export const farewell = (name: string) => `Bye, ${name}!`;\n' }],
};

function planJson(): unknown {
  return {
    goal: GOAL,
    subtasks: SUBTASKS.map((s) => ({
      id: s.id,
      title: s.title,
      instructions: `Carry out "${s.title}" (${s.id}) in the files in scope.`,
      model: s.model,
      files: s.files.map(([p, create]) => ({ path: p, create })),
      acceptanceCriteria: [`${s.title} is done.`],
      dependsOn: [],
    })),
  };
}

/** The local model: the plan for the planner; for each worker its edits, then "done"; workers take a second. */
function responder(req: RecordedRequest): MessageReply {
  if (req.body.output_config?.format !== undefined) {
    return jsonReply(planJson(), { input: 10_000, output: 2_000 });
  }
  const text = JSON.stringify(req.body.messages?.[0] ?? '');
  const id = SUBTASKS.find((s) => text.includes(`(${s.id})`))?.id ?? 'unknown';
  if ((req.body.messages ?? []).length > 1) {
    return textReply(`${id} is done.`, { input: 3_000, output: 200 });
  }
  const calls = (EDITS[id] ?? []).map((e) =>
    'create' in e
      ? { name: EDIT_TOOL, input: { command: 'create', path: e.path, file_text: e.create } }
      : { name: EDIT_TOOL, input: { command: 'str_replace', path: e.path, old_str: e.old, new_str: e.new } },
  );
  return { ...toolUseReply(calls, { input: 3_000, output: 400 }), latencyMs: 1000, chunkDelayMs: 20 };
}

function planRow(page: Page, text: string): Locator {
  return page.locator('.part.sidebar .monaco-list-row').filter({ hasText: text }).first();
}

function codeLens(scope: Locator, title: string): Locator {
  return scope.locator('.codelens-decoration a').filter({ hasText: title }).first();
}

/** The file name of a Plan row's icon (a gauge: `<status>-<fill step>`), read from its background image. */
async function gaugeOf(row: Locator): Promise<string> {
  const bg = await row
    .locator('.custom-view-tree-node-item-icon')
    .evaluate((el) => (globalThis as unknown as PageStyles).getComputedStyle(el).backgroundImage);
  return /media\/gauge\/([\w-]+)\.svg/.exec(decodeURIComponent(bg))?.[1] ?? `no gauge (${bg})`;
}

/** The decoration badge a row's label carries (drawn by CSS after the label: the model, or P for a proposal). */
async function badgeOf(row: Locator): Promise<string> {
  const content = await row
    .locator('.monaco-icon-label')
    .first()
    .evaluate((el) => (globalThis as unknown as PageStyles).getComputedStyle(el, '::after').content);
  return content === 'none' || content === 'normal' ? '' : content.replace(/^"|"$/g, '');
}

async function setSideBarWidth(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  assert.ok(box, 'the side bar is not shown');
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - box.width) / 2, y);
  await page.mouse.move(x + (width - box.width), y);
  await page.mouse.up();
}

async function hideToasts(page: Page): Promise<void> {
  for (const close of await page.locator('.notification-toast .codicon-notifications-clear').all()) {
    await close.click().catch(() => undefined);
  }
}

/**
 * Saves a screenshot of the top `height` pixels of `region` beside the full-page ones and, with
 * OPUS_UPDATE_SCREENSHOTS=1, under media/screenshots for the README.
 */
async function regionShot(ctx: E2eContext, name: string, region: Locator, height: number): Promise<void> {
  const box = await region.boundingBox();
  assert.ok(box, `${name}: the region is not on screen`);
  const file = path.join(SCREENSHOT_DIR, `review-${name}.png`);
  await ctx.page.screenshot({ path: file, clip: { ...box, height: Math.min(height, box.height) } });
  if (process.env.OPUS_UPDATE_SCREENSHOTS === '1') {
    fs.copyFileSync(file, path.join(REPO_ROOT, 'media', 'screenshots', `${name}.png`));
  }
}

async function waitForText(file: string, includes: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  let text = fs.readFileSync(file, 'utf8');
  while (!text.includes(includes) && Date.now() < end) {
    await sleep(100);
    text = fs.readFileSync(file, 'utf8');
  }
  return text;
}

export async function step1PlanReadsAtANarrowSideBar(ctx: E2eContext): Promise<void> {
  const { page, anthropic } = ctx;
  await closeFirstRunWalkthrough(page);
  anthropic.setResponder(responder);
  await openCommandPalette(page);
  await typeInPalette(page, 'Plan with Opus');
  await quickInputRows(page).filter({ hasText: 'Opus Orchestrator: Plan with Opus' }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'Plan with Opus' }).waitFor();
  await quickInput(page).pressSequentially('Polish the greeting tool');
  await page.keyboard.press('Enter');
  await planRow(page, GOAL).waitFor({ timeout: 30_000 });
  await hideToasts(page);
  await setSideBarWidth(page, SIDE_BAR_PX);
  const sideBar = page.locator('.part.sidebar');
  const bar = await sideBar.boundingBox();
  assert.ok(bar && Math.abs(bar.width - SIDE_BAR_PX) <= 2, `the side bar is ${bar?.width} px wide`);
  for (const s of SUBTASKS) {
    const row = planRow(page, s.title);
    await row.waitFor();
    assert.match(await gaugeOf(row), /^(ready|pending)-\d+$/, `${s.title}: the icon is its gauge`);
    const icon = await row.locator('.custom-view-tree-node-item-icon').boundingBox();
    assert.ok(icon && icon.width >= 14 && icon.x + icon.width <= bar.x + bar.width, `${s.title}: the gauge is visible`);
    const model = s.model === 'sonnet' ? 'S' : 'H';
    assert.equal(await badgeOf(row), model, `${s.title}: the model badge`);
  }
  await ctx.screenshot('01-plan-300px');

  // Edit Files in Scope takes a path that does not exist yet.
  await planRow(page, 'Default the name in main').click({ button: 'right' });
  const item = page.locator('.context-view .action-label').filter({ hasText: 'Edit Files in Scope' });
  await item.hover();
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title').filter({ hasText: 'Files in scope' }).waitFor();
  await quickInput(page).pressSequentially('src/main.test.ts');
  await quickInputRows(page).filter({ hasText: 'new file' }).first().waitFor();
  await ctx.screenshot('02-scope-new-file');
  await page.keyboard.press('Enter');
  await planRow(page, 'Default the name in main').locator('.monaco-tl-twistie').click();
  await planRow(page, 'src/main.test.ts').waitFor();
  assert.match((await planRow(page, 'src/main.test.ts').textContent()) ?? '', /new/);
  await planRow(page, 'Default the name in main').locator('.monaco-tl-twistie').click();
}

export async function step2ClickDispatchBringsTheDiff(ctx: E2eContext): Promise<void> {
  const { page, workspace } = ctx;
  const greet = path.join(workspace, 'src', 'greet.ts');
  const before = fs.readFileSync(greet, 'utf8');
  await planRow(page, 'Trim the name in greet').locator('.label-name').click();
  // No second click: the diff of a subtask dispatched alone opens by itself.
  await page.locator('.tab.active').filter({ hasText: '↔ proposed by Sonnet' }).first().waitFor({ timeout: 30_000 });
  const diff = page.locator('.monaco-diff-editor').first();
  await codeLens(diff.locator('.editor.modified'), '✓ Accept').waitFor({ timeout: 30_000 });
  assert.equal(fs.readFileSync(greet, 'utf8'), before, 'nothing reaches the disk before the user accepts');
  assert.match(await gaugeOf(planRow(page, 'Trim the name in greet')), /^review-\d+$/);
  await hideToasts(page);
  await regionShot(ctx, 'diff-lenses', page.locator('.part.editor'), 200);
  await ctx.screenshot('03-auto-diff');
}

export async function step3DispatchAllIsAnnouncedAndCounted(ctx: E2eContext): Promise<void> {
  const { page } = ctx;
  await page.locator('.part.sidebar .action-label[aria-label="Dispatch All Ready"]').first().click();
  // While they run: one proposal in review, three spinning, each ring filled by its share of the budget.
  await page.waitForFunction(() => {
    const d = (
      globalThis as unknown as {
        document: { querySelectorAll(s: string): ArrayLike<{ getAttribute(a: string): string | null }> };
      }
    ).document;
    return (
      Array.from(d.querySelectorAll('.custom-view-tree-node-item-icon')).filter((el) =>
        (el.getAttribute('style') ?? '').includes('running-'),
      ).length >= 3
    );
  });
  await regionShot(ctx, 'plan-gauges', page.locator('.part.sidebar'), 190);
  // With the smoke-test driver on (which these tests need), VS Code shows no toasts: every notification goes to
  // the notifications center, which the bell in the status bar opens, as a person whose toast faded would.
  const center = page.locator('.notifications-center');
  const notice = center
    .locator('.notification-list-item')
    .filter({ hasText: /proposals? ready to review|Proposal ready/ })
    .first();
  await page.locator('.statusbar-item').filter({ hasText: '4 to review' }).waitFor({ timeout: 30_000 });
  await sleep(3_500); // the notification gathers proposals that arrive close together
  await page.locator('[id="status.notifications"] a').first().click();
  await notice.waitFor();
  const text = (await notice.textContent()) ?? '';
  assert.match(text, /Review Next|Open Diff/, `the notification offers to open what arrived: ${text}`);
  await ctx.screenshot('04-notification');
  await page.locator('[id="status.notifications"] a').first().click();
  await center.waitFor({ state: 'hidden' });
  // Three proposals in, plus the one opened before: four await review.
  const badge = page
    .locator('.activitybar .action-item')
    .filter({ has: page.locator('[aria-label*="Opus Orchestrator"]') });
  await badge.locator('.badge-content').filter({ hasText: /^4$/ }).waitFor({ timeout: 30_000 });
  await page.locator('.statusbar-item').filter({ hasText: '4 to review' }).waitFor();
  await ctx.screenshot('05-badge');
}

export async function step4ExplorerMarksFilesWithProposals(ctx: E2eContext): Promise<void> {
  const { page } = ctx;
  await page.keyboard.press('Control+Shift+E');
  const src = explorerRow(page, 'src');
  await src.waitFor();
  if ((await src.getAttribute('aria-expanded')) !== 'true') {
    await src.click();
  }
  const greet = explorerRow(page, 'greet.ts');
  await greet.waitFor();
  await page.waitForFunction(
    (el) => (globalThis as unknown as PageStyles).getComputedStyle(el, '::after').content.includes('P'),
    await greet.locator('.monaco-icon-label').first().elementHandle(),
  );
  assert.equal(await badgeOf(greet), 'P');
  assert.equal(await badgeOf(explorerRow(page, 'README.md')), 'P');
  await greet.hover();
  await ctx.screenshot('06-explorer-marks');
}

export async function step5MultiFileProposalInTheMultiDiffEditor(ctx: E2eContext): Promise<void> {
  const { page, workspace } = ctx;
  await runCommand(page, 'Focus on Plan View');
  await hideToasts(page);
  await planRow(page, 'Describe the project').locator('.label-name').click();
  await page
    .locator('.tab.active')
    .filter({ hasText: 'Describe the project ↔ proposed by Sonnet (2 files)' })
    .waitFor();
  const multi = page.locator('.part.editor .multiDiffEditor, .part.editor .multi-diff-editor').first();
  await multi.waitFor();
  await codeLens(multi, '✓ Accept').waitFor({ timeout: 30_000 });
  // Each file of the multi-diff editor gets its lenses when its own diff has been computed, one after the other.
  const acceptFile = multi.locator('.codelens-decoration a').filter({ hasText: 'Accept File' });
  await acceptFile.nth(1).waitFor({ timeout: 10_000 });
  assert.ok((await acceptFile.count()) >= 2);
  await regionShot(ctx, 'multi-diff', page.locator('.part.editor'), 420);
  await ctx.screenshot('07-multi-diff');
  const readme = path.join(workspace, 'README.md');
  const pkg = path.join(workspace, 'package.json');
  await codeLens(multi, '✓ Accept').click();
  const readmeNow = await waitForText(readme, 'Greets people by name.', 5_000);
  const pkgNow = fs.readFileSync(pkg, 'utf8');
  assert.ok(
    readmeNow.includes('Greets people by name.') !== pkgNow.includes('"description"'),
    'exactly one hunk (of one file) was applied',
  );
  // What is left is one file, which opens in the plain diff editor; the shot waits until its lenses are painted.
  await page.locator('.tab.active').filter({ hasText: '↔ proposed by Sonnet (Describe the project)' }).waitFor();
  await codeLens(page.locator('.part.editor .monaco-diff-editor .editor.modified').first(), '✓ Accept').waitFor();
  await ctx.screenshot('08-multi-diff-hunk-accepted');
}

export async function step6AcceptingClearsTheMark(ctx: E2eContext): Promise<void> {
  const { page, workspace, anthropic } = ctx;
  try {
    await planRow(page, 'Trim the name in greet').locator('.label-name').click();
    const diff = page.locator('.monaco-diff-editor').first();
    await page.locator('.tab.active').filter({ hasText: 'greet.ts ↔ proposed by Sonnet' }).waitFor();
    await codeLens(diff.locator('.editor.modified'), '✓ Accept').click();
    const greet = await waitForText(path.join(workspace, 'src', 'greet.ts'), 'name.trim()');
    assert.match(greet, /name\.trim\(\)/);
    await page.keyboard.press('Control+Shift+E');
    const row = explorerRow(page, 'greet.ts');
    await row.waitFor();
    await page.waitForFunction(
      (el) => !(globalThis as unknown as PageStyles).getComputedStyle(el, '::after').content.includes('P'),
      await row.locator('.monaco-icon-label').first().elementHandle(),
    );
    assert.notEqual(await badgeOf(row), 'P');
    assert.equal(await badgeOf(explorerRow(page, 'main.ts')), 'P', 'other pending files keep their mark');
    await ctx.screenshot('09-explorer-after-accept');
  } finally {
    anthropic.setResponder(undefined);
  }
}
