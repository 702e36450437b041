import * as vscode from 'vscode';
import type { FileInScope } from '../core/plan/schema';
import { WorkspaceRules, listFiles } from '../core/workspace/rules';

/**
 * The quick pick behind "Edit Files in Scope": the workspace's files a model may read, plus any path typed into the
 * box, which is offered as a new file for the worker to create. Part of the engine bundle (it reads the ignore
 * rules); the core checks every chosen path against the same confinement and ignore rules as a plan from Opus.
 */

interface ScopeItem extends vscode.QuickPickItem {
  /** Workspace-relative path. */
  path: string;
}

const NEW_FILE = 'new file \u2014 the worker creates it';

/** A typed path as the plan stores paths: forward slashes, no leading `./`, no surrounding spaces. */
export function normalizeTypedPath(value: string): string {
  return value
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '');
}

/** The files in scope, chosen among the files a model may read or typed as new ones; the current ones preselected. */
export async function pickFiles(
  root: string,
  extraIgnores: string[],
  current: FileInScope[],
): Promise<string[] | undefined> {
  const rules = await WorkspaceRules.load(root, extraIgnores);
  return askScope(await listFiles(root, rules, { limit: 5000 }), current);
}

function askScope(listed: string[], current: FileInScope[]): Promise<string[] | undefined> {
  const known = new Set(listed);
  const chosen = new Set(current.map((f) => f.path));
  // Paths in scope that are not on disk (yet): kept at the top, marked new, so they can be unticked too.
  const added = current.map((f) => f.path).filter((p) => !known.has(p));
  const newItem = (p: string, offered = false): ScopeItem => ({
    label: p,
    path: p,
    description: offered ? `${NEW_FILE} (tick to add)` : NEW_FILE,
    iconPath: new vscode.ThemeIcon('new-file'),
    alwaysShow: offered,
  });
  const pick = vscode.window.createQuickPick<ScopeItem>();
  pick.title = 'Files in scope';
  pick.placeholder = 'The files the worker may read and change; type a path to add a file that does not exist yet.';
  pick.canSelectMany = true;
  pick.matchOnDescription = true;
  pick.ignoreFocusOut = true;
  let offered: ScopeItem | undefined;
  const render = (): void => {
    const typed = normalizeTypedPath(pick.value);
    offered = typed && !known.has(typed) && !added.includes(typed) ? newItem(typed, true) : undefined;
    pick.items = [
      ...(offered ? [offered] : []),
      ...added.map((p) => newItem(p)),
      ...listed.map((p) => ({ label: p, path: p })),
    ];
    pick.selectedItems = pick.items.filter((i) => chosen.has(i.path));
  };
  render();
  return new Promise((resolve) => {
    let result: string[] | undefined;
    pick.onDidChangeValue(render);
    pick.onDidChangeSelection((items) => {
      chosen.clear();
      for (const item of items) {
        chosen.add(item.path);
        if (item === offered && !added.includes(item.path)) {
          added.push(item.path);
        }
      }
    });
    pick.onDidAccept(() => {
      // Enter after typing a path that names no file of the list adds it, as a person who typed a path and pressed
      // Enter expects; while the text still filters the list, Enter keeps to what is ticked.
      const typed = normalizeTypedPath(pick.value);
      const filtersList = typed !== '' && listed.some((p) => p.includes(typed));
      if (offered && (pick.activeItems[0] === offered || !filtersList)) {
        chosen.add(offered.path);
        added.push(offered.path);
      }
      // The plan's own order first, then what was added, in the order the list shows it.
      const order = [...current.map((f) => f.path), ...added, ...listed];
      result = [...new Set(order.filter((p) => chosen.has(p)))];
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(result);
    });
    pick.show();
  });
}
