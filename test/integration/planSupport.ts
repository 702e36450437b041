import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { Orchestrator } from '../../src/core/orchestrator';
import type { CommandResult } from '../../src/vscode/notify';
import type { TreeNode } from '../../src/vscode/treeNodes';
import type { FakeUsage, Reply } from '../fake-anthropic/replies';
import { jsonReply, textReply, toolUseReply } from '../fake-anthropic/replies';
import type { FakeAnthropic } from '../fake-anthropic/server';
import { startFakeAnthropic } from '../fake-anthropic/server';

/** Shared by the extension's integration suites: the running extension, a local model, plans and tree probes. */

export const EXTENSION_ID = 'opus-orchestrator.opus-orchestrator';
export const EDIT_TOOL = 'str_replace_based_edit_tool';
/** Planner usage in every scripted plan: 12k tokens, $0.08 on Opus. */
export const PLAN_USAGE: FakeUsage = { input: 10_000, output: 2_000 };
/** Usage of each worker call: 3.5k tokens, $0.011 on Sonnet. */
export const CALL_USAGE: FakeUsage = { input: 3_000, output: 500 };

/** The running extension, with its key read and an orchestrator built for the fixture folder (engine loaded). */
export async function extensionApi(): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed`);
  const api = await extension.activate();
  await api.ready;
  await api.controller.start();
  return api;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri.fsPath;
}

export function orchestratorOf(api: ExtensionApi): Orchestrator {
  const o = api.controller.orchestrator;
  assert.ok(o, 'the extension has no orchestrator for the open folder');
  return o;
}

/** A local Messages API the extension is pointed at through the baseUrl setting (user level). */
export async function startModel(api: ExtensionApi): Promise<FakeAnthropic> {
  const fake = await startFakeAnthropic();
  await vscode.workspace
    .getConfiguration('opusOrchestrator')
    .update('baseUrl', fake.url, vscode.ConfigurationTarget.Global);
  api.controller.applySettings();
  return fake;
}

/** Forgets the plan and puts every setting a suite touched back to its default. */
export async function resetExtension(api: ExtensionApi): Promise<void> {
  api.controller.orchestrator?.cancelAll();
  if (!api.controller.trusted) {
    api.controller.setTrusted(true);
  }
  await vscode.commands.executeCommand('opusOrchestrator.clearPlan', { confirmed: true });
  const config = vscode.workspace.getConfiguration('opusOrchestrator');
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  for (const key of ['maxCostPerSubtask', 'maxCostPerPlan', 'models.sonnet', 'concurrency', 'onProposalReady']) {
    if (config.inspect(key)?.globalValue !== undefined) {
      await config.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  }
  api.controller.applySettings();
}

export async function stopModel(api: ExtensionApi, fake: FakeAnthropic | undefined): Promise<void> {
  await resetExtension(api);
  await vscode.workspace
    .getConfiguration('opusOrchestrator')
    .update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
  await fake?.close();
}

/** What a suite's tests share: the extension's API, this test's local model and its scratch files. */
export interface SuiteFixture {
  readonly api: ExtensionApi;
  readonly fake: FakeAnthropic;
  readonly files: ScratchFiles;
}

/**
 * Registers the hooks every suite needs: the extension's API once; per test a fresh local model and the given
 * scratch files; afterwards `cleanup` (for what the suite changes besides), then the model stopped, the extension
 * reset and the files removed.
 */
export function useSuiteFixture(scratch: Record<string, string>, cleanup?: () => Promise<void>): SuiteFixture {
  let api: ExtensionApi | undefined;
  let fake: FakeAnthropic | undefined;
  const files = new ScratchFiles();
  before(async () => {
    api = await extensionApi();
  });
  beforeEach(async () => {
    fake = await startModel(api as ExtensionApi);
    for (const [rel, text] of Object.entries(scratch)) {
      await files.write(rel, text);
    }
  });
  afterEach(async () => {
    await cleanup?.();
    await stopModel(api as ExtensionApi, fake);
    await files.removeAll();
  });
  return {
    get api() {
      assert.ok(api, 'the extension API is read in the suite’s before hook');
      return api;
    },
    get fake() {
      assert.ok(fake, 'the local model starts in each test’s beforeEach hook');
      return fake;
    },
    files,
  };
}

/**
 * Files a suite creates in the fixture workspace, removed afterwards. They go through the editor's file service, as
 * a user's would, so that its view of each file (and of its modification time) is current when a change is saved.
 */
export class ScratchFiles {
  private readonly made = new Set<string>();

  async write(rel: string, text: string): Promise<void> {
    await vscode.workspace.fs.writeFile(vscode.Uri.file(path.join(workspaceRoot(), rel)), Buffer.from(text, 'utf8'));
    this.made.add(rel);
  }

  read(rel: string): string {
    return fs.readFileSync(path.join(workspaceRoot(), rel), 'utf8');
  }

  async removeAll(): Promise<void> {
    for (const rel of this.made) {
      await vscode.workspace.fs.delete(vscode.Uri.file(path.join(workspaceRoot(), rel)), { useTrash: false }).then(
        () => undefined,
        () => undefined,
      );
    }
    this.made.clear();
  }
}

export interface SubtaskSpec {
  id: string;
  title?: string;
  model?: 'sonnet' | 'haiku' | 'opus';
  files: string[];
  newFiles?: string[];
  dependsOn?: string[];
  /** What the worker sees of each existing file (the same for all of them). */
  focus?: { symbols: string[]; lines: Array<{ start: number; end: number }> };
  effort?: 'low' | 'medium' | 'high';
  oneReply?: boolean;
}

/** What Opus answers for a plan of these subtasks. */
export function planReply(goal: string, subtasks: SubtaskSpec[]): Reply {
  return jsonReply(
    {
      goal,
      subtasks: subtasks.map((s) => ({
        id: s.id,
        title: s.title ?? `Do ${s.id}`,
        instructions: `Carry out ${s.id} in the files in scope.`,
        model: s.model ?? 'sonnet',
        files: [
          ...s.files.map((p) => ({ path: p, create: false, ...(s.focus ? { focus: s.focus } : {}) })),
          ...(s.newFiles ?? []).map((p) => ({ path: p, create: true })),
        ],
        acceptanceCriteria: [`${s.id} is done.`],
        dependsOn: s.dependsOn ?? [],
        ...(s.effort ? { effort: s.effort } : {}),
        ...(s.oneReply !== undefined ? { oneReply: s.oneReply } : {}),
      })),
    },
    PLAN_USAGE,
  );
}

/** A worker that replaces `from` with `to` in `file`, then says it is done: two calls of CALL_USAGE each. */
export function workerEdits(file: string, from: string, to: string, first: Partial<Reply> = {}): Reply[] {
  return [
    {
      ...toolUseReply(
        [{ name: EDIT_TOOL, input: { command: 'str_replace', path: file, old_str: from, new_str: to } }],
        CALL_USAGE,
      ),
      ...first,
    } as Reply,
    textReply('Done.', CALL_USAGE),
  ];
}

/** Plans through the command, as a user would, with the task passed in instead of typed. */
export async function planWith(fake: FakeAnthropic, goal: string, subtasks: SubtaskSpec[]): Promise<CommandResult> {
  fake.enqueue(planReply(goal, subtasks));
  const result = await vscode.commands.executeCommand<CommandResult>('opusOrchestrator.plan', {
    task: goal,
    replace: true,
  });
  assert.deepEqual(result, { ok: true }, 'planning through the command failed');
  return result;
}

/** A row's item with its tooltip, which the view resolves when the user hovers the row. */
export function hovered(api: ExtensionApi, node: TreeNode): vscode.TreeItem {
  return api.tree.resolveTreeItem(api.tree.getTreeItem(node), node);
}

export async function rootItem(api: ExtensionApi): Promise<{ node: TreeNode; item: vscode.TreeItem }> {
  const roots = await api.tree.getChildren();
  assert.equal(roots.length, 1, 'the Plan view shows one plan');
  const node = roots[0] as TreeNode;
  return { node, item: hovered(api, node) };
}

export async function subtaskItem(api: ExtensionApi, id: string): Promise<vscode.TreeItem> {
  const node = api.tree.subtaskNode(id);
  assert.ok(node, `the Plan view has no row for ${id}`);
  return hovered(api, node);
}

/** The children rows of a node, with their items. */
export async function childItems(
  api: ExtensionApi,
  node: TreeNode,
): Promise<Array<{ node: TreeNode; item: vscode.TreeItem }>> {
  const children = await api.tree.getChildren(node);
  return children.map((n) => ({ node: n, item: hovered(api, n) }));
}

export function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/**
 * A row's icon: the codicon's id, or for a subtask's gauge the icon file's name, `<status>-<fill step>` (e.g.
 * `ready-1`: the ready glyph in a ring filled one tenth).
 */
export function iconOf(item: vscode.TreeItem): string | undefined {
  if (item.iconPath instanceof vscode.ThemeIcon) {
    return item.iconPath.id;
  }
  return item.iconPath instanceof vscode.Uri ? path.basename(item.iconPath.path, '.svg') : undefined;
}

/** The status glyph of a subtask's gauge icon (`ready-1` → `ready`). */
export function glyphOf(item: vscode.TreeItem): string | undefined {
  return iconOf(item)?.replace(/-\d+$/, '');
}

export function tooltipOf(item: vscode.TreeItem): string {
  return item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(25);
  }
}

/** The user text of the last request the model received. */
export function lastUserText(fake: FakeAnthropic): string {
  const body = fake.requests.at(-1)?.body;
  return JSON.stringify(body?.messages ?? []);
}

/** The key the last request was sent with (the SDK sends it as a bearer token or as x-api-key). */
export function lastKey(fake: FakeAnthropic): string | undefined {
  const headers = fake.requests.at(-1)?.headers ?? {};
  return headers['x-api-key'] || /^Bearer (.+)$/i.exec(headers.authorization ?? '')?.[1];
}
