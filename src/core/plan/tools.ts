import { promises as fs } from 'node:fs';
import type { Tool, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import { estimateTokens } from '../usage/usage';
import { resolveInWorkspace } from '../workspace/confine';
import type { WorkspaceListing } from '../workspace/listing';
import { readDir } from '../workspace/listing';
import type { WorkspaceRules } from '../workspace/rules';
import { leftOutTreeOf } from '../workspace/thirdParty';
import { lowValueKind } from './fileKinds';
import type { LowValueKind } from './fileKinds';
import { searchFiles } from './search';

/**
 * The planner's read-only look at the workspace beyond the map: list a folder, search the text, read a line range.
 * Every path goes through `resolveInWorkspace` with the workspace's rules, so nothing ignored, secret or outside the
 * workspace is ever returned; searching covers the listed files only (never third-party trees or caches). Calls and
 * the tokens of their results are capped, and each call is reported so that the editor can show the spend.
 */
export interface PlannerToolBudget {
  /** Tool calls allowed in one planning run. */
  maxCalls: number;
  /** Tokens (estimated, 3.5 characters each) all tool results together may add to the planner's input. */
  maxTokens: number;
}

/**
 * Five looks of at most 3,000 tokens each, 8,000 in all: enough to open what the map collapsed, while the map and
 * the looks together stay near 20,000 tokens of planner input.
 */
export const DEFAULT_TOOL_BUDGET: PlannerToolBudget = { maxCalls: 5, maxTokens: 8_000 };
const MAX_RESULT_TOKENS = 3_000;
const MAX_READ_LINES = 400;
const LINE_CHARS = 240;

/** One call, as the editor shows it: what was asked, what it cost, what is left. */
export interface PlannerToolEvent {
  tool: string;
  /** A one-line description of the call, e.g. `read_file src/app.ts L10-80`. */
  summary: string;
  /** Tokens this result added. */
  tokens: number;
  /** Why the call was refused (a path the rules refuse, the budget used up), if it was. */
  refused?: string;
  calls: number;
  maxCalls: number;
  tokensUsed: number;
  maxTokens: number;
}

export const PLANNER_TOOLS: Tool[] = [
  {
    name: 'list_folder',
    description:
      'List one folder of the workspace: its subfolders with their file counts and its files with line counts and ' +
      'their definitions. Use it to open a folder the map shows collapsed as "dir/ (N files)", or one summed up in ' +
      'a "… +N more folders" line. "" is the root.',
    input_schema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Workspace-relative folder, e.g. "src/parser".' } },
      required: ['path'],
    },
  },
  {
    name: 'search',
    description:
      "Search the text of the workspace's files with a JavaScript regular expression, like grep, within a time " +
      'limit. Returns matching lines as "path:line: text". Lockfiles, binaries, very large files and third-party ' +
      'trees are not searched.',
    input_schema: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'Regular expression, e.g. "function parse\\\\w*".' },
        path: { type: 'string', description: 'Only files in this folder (or this one file); "" for everywhere.' },
        ignore_case: { type: 'boolean', description: 'Match letters in either case.' },
      },
      required: ['pattern', 'path', 'ignore_case'],
    },
  },
  {
    name: 'read_file',
    description: `Read lines of one file, with line numbers (at most ${MAX_READ_LINES} lines per call).`,
    input_schema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Workspace-relative file path.' },
        start_line: { type: 'integer', description: 'First line, 1-based.' },
        end_line: { type: 'integer', description: 'Last line, inclusive.' },
      },
      required: ['path', 'start_line', 'end_line'],
    },
  },
];

const ListInput = z.object({ path: z.string() });
const SearchInput = z.object({
  pattern: z.string().min(1),
  path: z.string().default(''),
  ignore_case: z.boolean().default(false),
});
const ReadInput = z.object({ path: z.string(), start_line: z.number().int(), end_line: z.number().int() });

export interface PlannerToolsOptions {
  root: string;
  rules: WorkspaceRules;
  listing: WorkspaceListing;
  budget?: Partial<PlannerToolBudget>;
  /** A file's definitions in one line (`Parser L7-13, parse L10-12`), when known; shown by list_folder. */
  describe?: (rel: string) => string | undefined;
  onEvent?: (event: PlannerToolEvent) => void;
}

type Outcome = { text: string; summary: string; error?: string };

/** The planner's tools for one planning run, with their budget. */
export class PlannerTools {
  readonly budget: PlannerToolBudget;
  private calls = 0;
  private tokensUsed = 0;

  private readonly listed: Set<string>;

  constructor(private readonly opts: PlannerToolsOptions) {
    this.budget = { ...DEFAULT_TOOL_BUDGET, ...opts.budget };
    this.listed = new Set(opts.listing.files);
  }

  /** True once no further call will be answered: the planner should then be asked for its plan without tools. */
  get exhausted(): boolean {
    return this.calls >= this.budget.maxCalls || this.tokensUsed >= this.budget.maxTokens;
  }

  usage(): { calls: number; tokens: number } {
    return { calls: this.calls, tokens: this.tokensUsed };
  }

  /** Answers one tool call; a refused or failed call is an error result the model can act on, never a throw. */
  async run(call: Pick<ToolUseBlock, 'id' | 'name' | 'input'>, signal?: AbortSignal): Promise<ToolResultBlockParam> {
    let outcome: Outcome;
    if (this.exhausted) {
      const error =
        `The tool budget of this plan is used up (${this.budget.maxCalls} calls, ~${this.budget.maxTokens} tokens); ` +
        'answer with the plan now, from what you have seen.';
      outcome = { text: error, summary: call.name, error: 'budget used up' };
    } else {
      this.calls++;
      outcome = await this.dispatch(call, signal).catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        return { text: message, summary: call.name, error: message };
      });
    }
    const cap = this.roomTokens();
    const text = outcome.error ? outcome.text : fitTokens(outcome.text, cap);
    const tokens = estimateTokens(text);
    this.tokensUsed += tokens;
    this.opts.onEvent?.({
      tool: call.name,
      summary: outcome.summary,
      tokens,
      ...(outcome.error ? { refused: outcome.error } : {}),
      calls: this.calls,
      maxCalls: this.budget.maxCalls,
      tokensUsed: this.tokensUsed,
      maxTokens: this.budget.maxTokens,
    });
    return { type: 'tool_result', tool_use_id: call.id, content: text, ...(outcome.error ? { is_error: true } : {}) };
  }

  /** Tokens the next result may take: the per-call cap, or what is left of the budget. */
  private roomTokens(): number {
    return Math.max(0, Math.min(MAX_RESULT_TOKENS, this.budget.maxTokens - this.tokensUsed));
  }

  private roomChars(): number {
    return Math.floor(this.roomTokens() * 3.5);
  }

  private async dispatch(call: Pick<ToolUseBlock, 'name' | 'input'>, signal?: AbortSignal): Promise<Outcome> {
    switch (call.name) {
      case 'list_folder':
        return this.listFolder(parseInput(ListInput, call.input, call.name).path);
      case 'search': {
        const input = parseInput(SearchInput, call.input, call.name);
        return this.search(input.pattern, input.path, input.ignore_case, signal);
      }
      case 'read_file': {
        const input = parseInput(ReadInput, call.input, call.name);
        return this.readFile(input.path, input.start_line, input.end_line);
      }
      default:
        throw new Error(
          `There is no tool "${call.name}"; the tools are ${PLANNER_TOOLS.map((t) => t.name).join(', ')}.`,
        );
    }
  }

  private async confined(p: string): Promise<{ abs: string; rel: string }> {
    return resolveInWorkspace(this.opts.root, p.trim() === '' ? '.' : p, { rules: this.opts.rules });
  }

  /** A file is named when the listing holds it; inside a left-out tree, when it is a plain file the rules allow. */
  private mayList(rel: string, plainFile: boolean): boolean {
    if (this.listed.has(rel)) {
      return true;
    }
    const inLeftOut = this.opts.listing.leftOut.some((t) => rel.startsWith(`${t.dir}/`));
    return inLeftOut && plainFile && this.opts.rules.mayRead(rel);
  }

  /** Third-party trees and caches may be listed (so a plan can name a file there) but not read or searched. */
  private refuseLeftOut(rel: string): void {
    const tree = this.opts.listing.leftOut.find((t) => rel === t.dir || rel.startsWith(`${t.dir}/`));
    const inside = tree ?? leftOutTreeOf(`${rel}/`, new Set());
    if (inside) {
      throw new Error(
        `"${rel}" is inside ${inside.dir}/ (${inside.reason}), which planning leaves out. If the task needs a file ` +
          "there, put it in a subtask's files; the worker will read it.",
      );
    }
  }

  private async listFolder(p: string): Promise<Outcome> {
    const { abs, rel } = await this.confined(p);
    const summary = `list_folder ${rel === '' ? '.' : `${rel}/`}`;
    const entries = (await readDir(abs)).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (entries.length === 0 && !(await fs.stat(abs)).isDirectory()) {
      throw new Error(`"${p}" is a file, not a folder; read it with read_file.`);
    }
    const counts = folderCounts(this.opts.listing, rel);
    const lines: string[] = [];
    const files: string[] = [];
    const hidden = new Map<LowValueKind, number>();
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!this.opts.rules.isIgnored(`${child}/`)) {
          const left = this.opts.listing.leftOut.find((t) => t.dir === child);
          const count = counts.get(entry.name);
          const note = left ? `${left.reason}, left out of the map` : plural(count ?? 0, 'file', 'files');
          lines.push(`${entry.name}/ (${note})`);
        }
      } else if (this.mayList(child, entry.isFile())) {
        files.push(child);
      }
    }
    for (const child of files) {
      const size = this.opts.listing.sizes.get(child);
      const kind = lowValueKind(child, size);
      if (kind) {
        hidden.set(kind, (hidden.get(kind) ?? 0) + 1);
        continue;
      }
      const described = this.opts.describe?.(child);
      const name = child.slice(child.lastIndexOf('/') + 1);
      lines.push(described ? `${name}: ${described}` : name);
    }
    for (const [kind, n] of hidden) {
      lines.push(`(${plural(n, ...KIND_NAMES[kind])})`);
    }
    return { text: lines.length > 0 ? lines.join('\n') : '(empty folder)', summary };
  }

  private async search(pattern: string, p: string, ignoreCase: boolean, signal?: AbortSignal): Promise<Outcome> {
    const { rel } = await this.confined(p);
    this.refuseLeftOut(rel);
    const summary = `search /${pattern}/${ignoreCase ? 'i' : ''}${rel === '' ? '' : ` in ${rel}`}`;
    const scope = this.opts.listing.files.filter(
      (f) =>
        (rel === '' || f === rel || f.startsWith(`${rel}/`)) &&
        lowValueKind(f, this.opts.listing.sizes.get(f)) === undefined,
    );
    const found = await searchFiles(this.opts.root, scope, pattern, { ignoreCase, signal });
    const lines = found.matches.map((m) => `${m.path}:${m.line}: ${clip(m.text)}`);
    const cut = found.stopped ? `; stopped after ${found.searched} of ${scope.length} files (${found.stopped})` : '';
    const head =
      found.matches.length === 0
        ? `No match in ${found.searched} files${cut}.`
        : `${found.total} matching lines in ${found.files} files` +
          (found.total > found.matches.length ? ` (first ${found.matches.length} shown)` : '') +
          `${cut}:`;
    return { text: [head, ...lines].join('\n'), summary };
  }

  private async readFile(p: string, start: number, end: number): Promise<Outcome> {
    const { abs, rel } = await this.confined(p);
    this.refuseLeftOut(rel);
    const buffer = await fs.readFile(abs).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        err.code === 'EISDIR'
          ? `"${p}" is a folder; list it with list_folder.`
          : `"${p}" cannot be read (${err.code}).`,
      );
    });
    if (buffer.subarray(0, 8192).includes(0)) {
      throw new Error(`"${rel}" is a binary file; it has no lines to read.`);
    }
    const lines = buffer.toString('utf8').split(/\r?\n/);
    if (lines.at(-1) === '') {
      lines.pop();
    }
    const first = Math.max(1, start);
    if (first > lines.length) {
      throw new Error(`"${rel}" has ${lines.length} lines; start_line ${start} is past its end.`);
    }
    let last = Math.min(lines.length, Math.max(first, end), first + MAX_READ_LINES - 1);
    const width = String(last).length;
    const body: string[] = [];
    // Stop at a line boundary within what this call may return, so the note on what is left survives.
    let chars = 0;
    const room = this.roomChars() - 200;
    for (let n = first; n <= last; n++) {
      const line = `${String(n).padStart(width)}  ${clip(lines[n - 1] as string)}`;
      if (chars + line.length + 1 > room && body.length > 0) {
        last = n - 1;
        break;
      }
      body.push(line);
      chars += line.length + 1;
    }
    const summary = `read_file ${rel} L${first}-${last}`;
    const more =
      last < lines.length
        ? [`(${lines.length} lines in all; ${lines.length - last} more below, from line ${last + 1})`]
        : [];
    return { text: [`${rel} lines ${first}-${last}:`, ...body, ...more].join('\n'), summary };
  }
}

function parseInput<T extends z.ZodType>(schema: T, input: unknown, tool: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw new Error(`The ${tool} call's input is not valid (${issues}).`);
  }
  return parsed.data;
}

/** Files per direct subfolder of `dir`, from the listing. */
function folderCounts(listing: WorkspaceListing, dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  const prefix = dir === '' ? '' : `${dir}/`;
  for (const f of listing.files) {
    if (f.startsWith(prefix)) {
      const rest = f.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) {
        const name = rest.slice(0, slash);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
  }
  return counts;
}

const KIND_NAMES: Record<LowValueKind, [string, string]> = {
  lockfile: ['lockfile', 'lockfiles'],
  binary: ['binary file', 'binary files'],
  minified: ['minified file', 'minified files'],
  large: ['large file', 'large files'],
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function clip(line: string): string {
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
}

/** Cuts a result to `tokens`, at a line break, saying so. */
function fitTokens(text: string, tokens: number): string {
  if (estimateTokens(text) <= tokens) {
    return text;
  }
  const note = '\n… (result cut to fit the tool budget; narrow the request)';
  const keep = Math.max(0, Math.floor(tokens * 3.5) - note.length);
  const cut = text.slice(0, keep);
  const nl = cut.lastIndexOf('\n');
  return (nl > 0 ? cut.slice(0, nl) : cut) + note;
}
