import path from 'node:path';
import type { MessageParam, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages/messages';
import { EDITOR_TOOL, executeEditorCall } from '../edits/editorTool';
import { encodingOfFile } from '../edits/encoding';
import type { EditorSecrets, PathGuard } from '../edits/editorTool';
import { Overlay } from '../edits/overlay';
import { toModelText } from '../edits/text';
import type { LlmClient } from '../llm/client';
import { LlmError } from '../llm/errors';
import type { ModelInfo } from '../models';
import type { Effort, Subtask } from '../plan/schema';
import { effortOf } from '../plan/schema';
import type { Ledger } from '../usage/ledger';
import type { LiveUsage, Usage } from '../usage/usage';
import { ZERO_USAGE, addLive, addUsage, estimateTokens } from '../usage/usage';
import { resolveInWorkspace } from '../workspace/confine';
import type { WorkspaceRules } from '../workspace/rules';
import { CallBudget } from './callBudget';
import type { CallOutcome } from './record';
import { WorkRecorder } from './record';
import type { RunWork } from '../usage/work';
import { markLast, withMovingBreakpoint } from '../llm/cache';
import type { ScopedFile } from './context';
import { FINISH_TOOL, buildWorkerRequest, viewsOf } from './context';
import type { FileView } from './slices';
import { contextWindowRefusal } from './contextFit';

/** A worker run that ended without a usable result (turn limit, a scope that cannot be resolved). */
export class WorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerError';
  }
}

export interface WorkerInput {
  llm: LlmClient;
  model: ModelInfo;
  goal: string;
  subtask: Subtask;
  /** The workspace as it is now (null = no such file). */
  read: (rel: string) => Promise<string | null>;
  root: string;
  rules: WorkspaceRules;
  maxTokens: number;
  /** Model calls allowed before the run is stopped; default 30. */
  maxTurns?: number;
  signal?: AbortSignal;
  ledger?: Ledger;
  owner: string;
  attempt: number;
  /** Summed over the run's calls, live while streaming, with what the model is doing now. */
  onUsage?: (cumulative: LiveUsage) => void;
  /** Notes on a previous attempt (review findings, the user's words), given to the model with the subtask. */
  feedback?: string;
  /** The API effort of every call; the subtask's own (see effortOf) when left out. */
  effort?: Effort;
  /**
   * What the first request marks for the cache (later requests mark the conversation, see withMovingBreakpoint):
   * the system prompt and tools, which every run on the model sends alike, when a later run will read them (default
   * true), and the whole first message, unless the planner expects the run to end in one reply or second turns have
   * been rare enough for the mark not to pay (default true; see markFirstRequest). A mark nothing reads back costs a
   * quarter of the input price of what it covers.
   */
  firstMarks?: { sharedPrefix: boolean; conversation: boolean };
}

export interface WorkerResult {
  files: Array<{ path: string; base: string | null; target: string }>;
  turns: number;
  summary: string;
  usage: Usage;
  /** What the worker was shown and wrote, for the "Opus alone" figure after the run. */
  work: RunWork;
}

const DEFAULT_MAX_TURNS = 30;

/** The subtask's files as workspace-relative paths, resolved the same way the guard resolves the model's paths. */
async function resolveScope(input: WorkerInput): Promise<Array<Omit<ScopedFile, 'text'>>> {
  const out: Array<Omit<ScopedFile, 'text'>> = [];
  for (const f of input.subtask.files) {
    try {
      const { rel } = await resolveInWorkspace(input.root, f.path, { rules: input.rules });
      if (!out.some((o) => o.path === rel)) {
        out.push({ path: rel, create: f.create, ...(f.focus ? { focus: f.focus } : {}) });
      }
    } catch (err) {
      throw new WorkerError(`Subtask "${input.subtask.id}" cannot use ${f.path}: ${(err as Error).message}`);
    }
  }
  return out;
}

/** Whether `dir` ('' for the root) holds at least one in-scope file, at any depth. */
function holdsScope(dir: string, scope: ReadonlySet<string>): boolean {
  const prefix = dir === '' ? '' : `${dir}/`;
  return [...scope].some((p) => p.startsWith(prefix));
}

/**
 * The model's only way to the workspace. Every path is confined to the workspace first (which refuses `.git/`,
 * secrets and ignored files), then to the subtask's files, so a worker cannot read or change what its reviewer
 * was not told about. Folders holding in-scope files may be viewed; their listing shows only those files.
 */
function scopeGuard(input: WorkerInput, scope: ReadonlySet<string>): PathGuard {
  const listed = [...scope].join(', ');
  return async (p, access) => {
    const { rel } = await resolveInWorkspace(input.root, p, { rules: input.rules, forWrite: access === 'write' });
    if (scope.has(rel) || (access === 'read' && holdsScope(rel, scope))) {
      return rel;
    }
    throw new Error(`${p} is outside this subtask's scope (files: ${listed}); only those files can be used.`);
  };
}

/** A folder listing made of in-scope files that exist, so that `view` of a folder reveals nothing else. */
function scopeLister(scope: ReadonlySet<string>, exists: (rel: string) => Promise<boolean>) {
  return async (dir: string): Promise<string[] | null> => {
    if (!holdsScope(dir, scope)) {
      return null;
    }
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = new Set<string>();
    for (const p of scope) {
      if (p.startsWith(prefix) && (await exists(p))) {
        const rest = p.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
      }
    }
    return names.size > 0 ? [...names].sort() : null;
  };
}

function cancelled(): LlmError {
  return new LlmError('cancelled', 'The model call was cancelled.');
}

async function runTools(
  blocks: ToolUseBlock[],
  overlay: Overlay,
  guard: PathGuard,
  secrets: EditorSecrets,
  budget: CallBudget,
): Promise<CallOutcome[]> {
  const results: CallOutcome[] = [];
  for (const block of blocks) {
    const admission = budget.admit(block);
    if (admission.kind === 'stop') {
      throw new WorkerError(admission.message);
    }
    const { content, isError } =
      block.name === FINISH_TOOL.name
        ? { content: NOT_FINISHED, isError: true }
        : admission.kind === 'note'
          ? { content: admission.message, isError: true }
          : block.name === EDITOR_TOOL.name
            ? await executeEditorCall(overlay, block.input, guard, secrets)
            : { content: `Unknown tool "${block.name}"; use ${EDITOR_TOOL.name}.`, isError: true };
    if (!isError && (block.input as { command?: unknown } | null)?.command !== 'view') {
      budget.changed();
    }
    results.push({ block, content, isError });
  }
  return results;
}

/** What a finish call gets back when a call of its turn failed: only then is it answered at all. */
const NOT_FINISHED =
  'Not finished: a call of this response failed (see its result). Correct it, then call finish again with your summary.';

function summaryOf(finish: ToolUseBlock): string {
  const summary = (finish.input as { summary?: unknown } | null)?.summary;
  return typeof summary === 'string' ? summary.trim() : '';
}

function toolResult(o: CallOutcome): ToolResultBlockParam {
  return { type: 'tool_result', tool_use_id: o.block.id, content: o.content, ...(o.isError ? { is_error: true } : {}) };
}

/**
 * Runs one subtask: the model gets the scoped context and edits an in-memory overlay of the workspace through the
 * editor tool until it stops calling tools. Nothing touches disk; the result is the changed files (base as the
 * model saw it, target as it left it), which become a proposal for the user to review. Cancelling through `signal`
 * rejects with the LlmError of the aborted call and returns nothing.
 */
export async function runWorker(input: WorkerInput): Promise<WorkerResult> {
  const maxTurns = input.maxTurns ?? DEFAULT_MAX_TURNS;
  const scoped = await resolveScope(input);
  const scope = new Set(scoped.map((f) => f.path));
  const overlay: Overlay = new Overlay(
    input.read,
    scopeLister(scope, async (rel) => (await overlay.baseOf(rel)) !== null),
    { encodingOf: (rel) => encodingOfFile(path.join(input.root, rel)) },
  );
  const guard = scopeGuard(input, scope);
  // The model sees secrets as markers; the overlay keeps the real text, so its edits around them apply exactly.
  const redactor = input.llm.redactor;
  const secrets: EditorSecrets = {
    redact: (text, file) => redactor.redact(text, { owner: input.owner, file }),
    findings: (text) => redactor.findings(text),
  };

  const files: ScopedFile[] = [];
  for (const f of scoped) {
    const text = await overlay.read(f.path);
    files.push({ path: f.path, text: text === null ? null : toModelText(text), create: f.create, focus: f.focus });
  }
  // Slices are cut from the real text, so their line numbers are the ones `view` gives; the blocks are redacted after.
  const views: FileView[] = [];
  for (const view of await viewsOf(files)) {
    views.push({ ...view, block: await secrets.redact(view.block, view.path) });
  }
  const request = buildWorkerRequest({
    goal: input.goal,
    subtask: input.subtask,
    views,
    ...(input.feedback !== undefined ? { feedback: input.feedback } : {}),
  });
  const refusal = contextWindowRefusal({
    subtaskId: input.subtask.id,
    inputTokens: estimateTokens(JSON.stringify(request)),
    maxOutputTokens: input.maxTokens,
    model: input.model,
  });
  if (refusal) {
    throw new WorkerError(refusal);
  }
  const messages: MessageParam[] = [...request.messages];
  const budget = new CallBudget(input.subtask.id);
  const recorder = new WorkRecorder(views);
  let spent: Usage = { ...ZERO_USAGE };

  const markedSystem = markLast(request.system);
  const sharedPrefix = input.firstMarks?.sharedPrefix ?? true;
  for (let turn = 1; turn <= maxTurns; turn += 1) {
    if (input.signal?.aborted) {
      throw cancelled();
    }
    const before = spent;
    const result = await input.llm.call(
      {
        model: input.model,
        system: turn > 1 || sharedPrefix ? markedSystem : request.system,
        tools: request.tools,
        messages: withMovingBreakpoint(messages, input.firstMarks?.conversation ?? true),
        maxTokens: input.maxTokens,
        effort: input.effort ?? effortOf(input.subtask),
      },
      {
        signal: input.signal,
        ledger: input.ledger,
        owner: input.owner,
        attempt: input.attempt,
        onUsage: input.onUsage ? (live) => input.onUsage?.(addLive(before, live)) : undefined,
      },
    );
    spent = addUsage(before, result.usage);
    // Sent back exactly as received: thinking blocks must keep their signatures and their place for the API.
    messages.push({ role: 'assistant', content: result.message.content });
    const calls = result.message.content.filter((b): b is ToolUseBlock => b.type === 'tool_use');
    if (calls.length === 0) {
      // Only a turn the model ended itself is the end of the run; the client already turned cut-off, refused and
      // overflowing turns into errors, and any other stop must not pass half-done edits off as finished.
      if (result.stopReason !== 'end_turn' && result.stopReason !== 'stop_sequence') {
        throw new WorkerError(
          `The worker's turn on subtask "${input.subtask.id}" stopped (${result.stopReason ?? 'no stop reason'}) ` +
            'before it finished. Dispatch the subtask again.',
        );
      }
      recorder.turn(result.message.content, result.usage, []);
      const files = await overlay.changes();
      return { files, turns: turn, summary: result.text.trim(), usage: spent, work: recorder.work() };
    }
    const outcomes = await runTools(calls, overlay, guard, secrets, budget);
    if (input.signal?.aborted) {
      throw cancelled();
    }
    const finish = calls.find((c) => c.name === FINISH_TOOL.name);
    const failed = outcomes.some((o) => o.isError && o.block !== finish);
    if (finish && !failed) {
      // Its edits applied: the run ends with this turn, and its summary stands for a closing answer.
      const summary = summaryOf(finish);
      recorder.turn(result.message.content, result.usage, outcomes, summary);
      const files = await overlay.changes();
      return { files, turns: turn, summary, usage: spent, work: recorder.work() };
    }
    recorder.turn(result.message.content, result.usage, outcomes);
    messages.push({ role: 'user', content: outcomes.map(toolResult) });
  }
  throw new WorkerError(
    `The worker stopped after ${maxTurns} turns without finishing subtask "${input.subtask.id}". ` +
      'Split the subtask or make its instructions more specific, then dispatch it again.',
  );
}
