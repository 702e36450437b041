import { buildRepoMap } from '../../../src/core/plan/repoMap';
import type { RepoMap } from '../../../src/core/plan/repoMap';
import { plannerSystemPrompt, plannerUserMessage } from '../../../src/core/plan/prompts';
import { PLANNER_TOOLS, PlannerTools } from '../../../src/core/plan/tools';
import { identifiersIn, wordsOf } from '../../../src/core/plan/words';
import { estimateTokens } from '../../../src/core/usage/usage';
import { WorkspaceRules } from '../../../src/core/workspace/rules';
import type { BenchPackage, MapTask } from './packages';
import { packageRepo } from './packages';

/** One task's outcome: what the planner could see of the files and definitions it needs. */
export interface TaskRecall {
  pkg: string;
  task: string;
  files: number;
  filesInMap: number;
  filesSeen: number;
  symbols: number;
  symbolsInMap: number;
  symbolsSeen: number;
  mapTokens: number;
  toolCalls: number;
  toolTokens: number;
  /** System prompt + tool definitions + the map message + every tool result: the planner's last request. */
  plannerInput: number;
  missed: string[];
}

const MAX_CALLS = 5;

/**
 * The scripted look a planner takes after reading the map, decided from the task and the map alone (never from
 * the expected answer): search for each identifier the task names (camelCase, snake_case or a known definition),
 * then open the collapsed folders whose names share the task's words, up to five calls in all.
 */
function scriptedCalls(task: string, map: RepoMap): Array<{ name: string; input: unknown }> {
  const calls: Array<{ name: string; input: unknown }> = [];
  const idents = [...identifiersIn(task)].filter((w) => /[a-z][A-Z]|_|^[A-Z][a-z]+[A-Z]/.test(w));
  for (const ident of idents.slice(0, 3)) {
    calls.push({ name: 'search', input: { pattern: `\\b${ident}\\b`, path: '', ignore_case: false } });
  }
  const words = new Set(wordsOf(task));
  const collapsed = [...map.text.matchAll(/^(\S.*)\/ \(\d+ files?\)$/gm)].map((m) => m[1] as string);
  const partial = [...map.text.matchAll(/^(\S+)\/\n(?: {2}.*\n)* {2}… \+\d+ more files?$/gm)].map(
    (m) => m[1] as string,
  );
  for (const dir of [...collapsed, ...partial]) {
    if (calls.length >= MAX_CALLS) {
      break;
    }
    if (wordsOf(dir).some((w) => words.has(w))) {
      calls.push({ name: 'list_folder', input: { path: dir } });
    }
  }
  return calls.slice(0, MAX_CALLS);
}

function seenIn(text: string, rel: string, symbol: string): boolean {
  const name = symbol.slice(symbol.lastIndexOf('.') + 1);
  return text.split('\n').some((line) => line.includes(rel) && line.includes(name));
}

async function recallOf(root: string, pkg: BenchPackage, t: MapTask): Promise<TaskRecall> {
  const rules = await WorkspaceRules.load(root);
  const map = await buildRepoMap({ root, task: t.task, rules });
  const tools = new PlannerTools({ root, rules, listing: map.listing, describe: map.describe });
  const results: string[] = [];
  let id = 0;
  for (const call of scriptedCalls(t.task, map)) {
    const r = await tools.run({ id: `call${id++}`, name: call.name, input: call.input });
    const content = typeof r.content === 'string' ? r.content : '';
    // list_folder names files without their folder: put it back so a line names the file it is about.
    const dir = call.name === 'list_folder' ? (call.input as { path: string }).path : '';
    results.push(dir ? content.replace(/^(?!\S+\/ \()(\S[^:\n]*)/gm, `${dir}/$1`) : content);
  }
  const toolText = results.join('\n');
  let filesInMap = 0;
  let filesSeen = 0;
  let symbols = 0;
  let symbolsInMap = 0;
  let symbolsSeen = 0;
  const missed: string[] = [];
  for (const [rel, syms] of Object.entries(t.expect)) {
    const inMap = map.shownFiles.includes(rel);
    const seen = inMap || toolText.split('\n').some((l) => l.includes(rel));
    filesInMap += inMap ? 1 : 0;
    filesSeen += seen ? 1 : 0;
    if (!seen) {
      missed.push(rel);
    }
    const shown = map.shownSymbols.get(rel) ?? [];
    for (const s of syms) {
      symbols++;
      const sInMap = shown.includes(s) || shown.some((k) => k.endsWith(`.${s}`));
      const sSeen = sInMap || seenIn(toolText, rel, s);
      symbolsInMap += sInMap ? 1 : 0;
      symbolsSeen += sSeen ? 1 : 0;
      if (!sSeen) {
        missed.push(`${rel}#${s}`);
      }
    }
  }
  const usage = tools.usage();
  const fixed = estimateTokens(JSON.stringify({ system: plannerSystemPrompt(), tools: PLANNER_TOOLS }));
  const message = estimateTokens(plannerUserMessage({ task: t.task, repoMap: map.text }));
  return {
    pkg: `${pkg.name}@${pkg.version}`,
    task: t.task,
    files: Object.keys(t.expect).length,
    filesInMap,
    filesSeen,
    symbols,
    symbolsInMap,
    symbolsSeen,
    mapTokens: map.tokens,
    toolCalls: usage.calls,
    toolTokens: usage.tokens,
    plannerInput: fixed + message + usage.tokens,
    missed,
  };
}

/** Every task of every package, one fresh git repository per package. */
export async function measureRecall(packages: BenchPackage[], log: (m: string) => void): Promise<TaskRecall[]> {
  const out: TaskRecall[] = [];
  for (const pkg of packages) {
    const repo = await packageRepo(pkg);
    try {
      for (const t of pkg.tasks) {
        const r = await recallOf(repo.root, pkg, t);
        log(
          `  ${pkg.name}: files ${r.filesSeen}/${r.files} (map ${r.filesInMap}), symbols ${r.symbolsSeen}/${r.symbols}` +
            ` (map ${r.symbolsInMap}), map ${r.mapTokens} tok, ${r.toolCalls} calls${r.missed.length ? `; missed ${r.missed.join(', ')}` : ''}`,
        );
        out.push(r);
      }
    } finally {
      await repo.cleanup();
    }
  }
  return out;
}
