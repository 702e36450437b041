import { promises as fs } from 'node:fs';
import type { z } from 'zod';
import { resolveInWorkspace } from '../workspace/confine';
import type { WorkspaceRules } from '../workspace/rules';
import { findCycle } from './graph';
import { checkPlanLimits, checkScopeFiles } from './limits';
import { checkFocus } from './focus';
import type { OutlineSource } from './outline';
import type { FileInScope, Plan, Subtask } from './schema';
import { PlanSchema } from './schema';

export interface ValidateContext {
  root: string;
  rules: WorkspaceRules;
  /** Definitions of a file, to check the symbols a focus names; defaults to the map's outline. */
  outline?: OutlineSource;
}

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; errors: string[] };

const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** A zod issue path in the form a reader (and the model, in a repair round) can find: `subtasks[2].model`. */
function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') {
      out += `[${key}]`;
    } else {
      out += out === '' ? String(key) : `.${String(key)}`;
    }
  }
  return out === '' ? '(plan)' : out;
}

function zodErrors(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
}

/** The subtasks `id` depends on, directly or through others. */
function ancestorsOf(plan: Plan, id: string): Set<string> {
  const byId = new Map(plan.subtasks.map((s) => [s.id, s]));
  const out = new Set<string>();
  const queue = [...(byId.get(id)?.dependsOn ?? [])];
  for (let dep = queue.shift(); dep !== undefined; dep = queue.shift()) {
    if (!out.has(dep) && byId.has(dep)) {
      out.add(dep);
      queue.push(...(byId.get(dep)?.dependsOn ?? []));
    }
  }
  return out;
}

function checkGraph(plan: Plan): string[] {
  const errors: string[] = [];
  if (plan.subtasks.length === 0) {
    errors.push('subtasks: the plan has no subtasks; give at least one.');
    return errors;
  }
  const seen = new Set<string>();
  for (const s of plan.subtasks) {
    if (!ID_PATTERN.test(s.id)) {
      errors.push(
        `subtask ${JSON.stringify(s.id)}: the id must be lowercase letters, digits and dashes, ` +
          'starting with a letter or digit (e.g. "add-parser").',
      );
    }
    if (seen.has(s.id)) {
      errors.push(`subtask ${JSON.stringify(s.id)}: the id is used by more than one subtask; ids must be unique.`);
    }
    seen.add(s.id);
  }
  for (const s of plan.subtasks) {
    for (const dep of s.dependsOn) {
      if (dep === s.id) {
        errors.push(`subtask "${s.id}": dependsOn names the subtask itself.`);
      } else if (!seen.has(dep)) {
        errors.push(`subtask "${s.id}": dependsOn names "${dep}", which is not a subtask of this plan.`);
      }
    }
  }
  const cycle = findCycle(plan);
  if (cycle && cycle.length > 1) {
    errors.push(`dependsOn forms a cycle: ${[...cycle, cycle[0]].join(' → ')}; remove one of these dependencies.`);
  }
  return errors;
}

async function kindOf(abs: string): Promise<'file' | 'dir' | 'other' | 'missing'> {
  try {
    const st = await fs.stat(abs);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

interface ResolvedFile {
  file: FileInScope;
  abs: string;
  exists: 'file' | 'dir' | 'other' | 'missing';
}

/** Resolves one subtask's paths; files repeated with the same `create` flag are merged. */
async function resolveFiles(s: Subtask, ctx: ValidateContext, errors: string[]): Promise<ResolvedFile[]> {
  const out = new Map<string, ResolvedFile>();
  if (s.files.length === 0) {
    errors.push(`subtask "${s.id}": no files in scope; list every file it reads or changes.`);
  }
  for (const f of s.files) {
    let rel: string;
    let abs: string;
    try {
      ({ rel, abs } = await resolveInWorkspace(ctx.root, f.path, { rules: ctx.rules, forWrite: f.create }));
    } catch (err) {
      errors.push(`subtask "${s.id}": ${(err as Error).message}`);
      continue;
    }
    const prior = out.get(rel);
    if (prior) {
      if (prior.file.create !== f.create) {
        errors.push(`subtask "${s.id}": "${rel}" is listed twice, once with create true and once with create false.`);
      }
      continue;
    }
    out.set(rel, {
      file: { path: rel, create: f.create, ...(f.focus ? { focus: f.focus } : {}) },
      abs,
      exists: await kindOf(abs),
    });
  }
  return [...out.values()];
}

/**
 * Checks a plan the model returned before anything runs on it: the schema, then what JSON Schema cannot say (unique
 * ids, known and acyclic dependencies), then every file against the workspace (confined, not secret or ignored,
 * existing or not as `create` claims), then each file's focus (the symbols it names exist in the file, its line
 * ranges lie within it). A file that does not exist yet is accepted without `create` when a subtask it depends on
 * creates it. Counts and lengths past PLAN_LIMITS are refused first, without touching the disk; existing files in
 * scope must be text a model can read and edit (not binary, not over the size limit). The returned plan carries
 * workspace-relative paths, so later steps compare them as strings. A focus, effort or oneReply left out (a plan
 * stored before they existed) stays out: `focusOf`, `effortOf` and `oneReplyOf` give their defaults.
 */
export async function validatePlan(raw: unknown, ctx: ValidateContext): Promise<PlanValidation> {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: zodErrors(parsed.error) };
  }
  const plan = parsed.data;
  const limits = checkPlanLimits(plan);
  if (limits.length > 0) {
    return { ok: false, errors: limits };
  }
  const errors = checkGraph(plan);
  const resolved = new Map<string, ResolvedFile[]>();
  for (const s of plan.subtasks) {
    resolved.set(s.id, await resolveFiles(s, ctx, errors));
  }
  const creators = new Map<string, string[]>();
  for (const s of plan.subtasks) {
    for (const r of resolved.get(s.id) ?? []) {
      if (r.file.create) {
        creators.set(r.file.path, [...(creators.get(r.file.path) ?? []), s.id]);
      }
    }
  }
  for (const [p, ids] of creators) {
    if (ids.length > 1) {
      errors.push(`subtasks ${ids.map((i) => `"${i}"`).join(', ')} all create "${p}"; only one subtask may create it.`);
    }
  }
  for (const s of plan.subtasks) {
    const ancestors = ancestorsOf(plan, s.id);
    for (const { file, exists } of resolved.get(s.id) ?? []) {
      if (file.create && exists !== 'missing') {
        errors.push(`subtask "${s.id}": "${file.path}" already exists; set create to false to change it.`);
      } else if (!file.create && exists === 'missing') {
        const madeEarlier = (creators.get(file.path) ?? []).some((c) => ancestors.has(c));
        if (!madeEarlier) {
          errors.push(`subtask "${s.id}": "${file.path}" does not exist; set create to true to create it.`);
        }
      } else if (!file.create && exists !== 'file') {
        errors.push(`subtask "${s.id}": "${file.path}" is not a file; list files, not folders.`);
      }
    }
  }
  const existing = plan.subtasks.flatMap((s) =>
    (resolved.get(s.id) ?? [])
      .filter((r) => !r.file.create && r.exists === 'file')
      .map((r) => ({ subtaskId: s.id, rel: r.file.path, abs: r.abs })),
  );
  errors.push(...(await checkScopeFiles(existing)));
  for (const s of plan.subtasks) {
    for (const r of resolved.get(s.id) ?? []) {
      const problems = await checkFocus(r.file, r.exists === 'file' ? r.abs : undefined, ctx.outline);
      errors.push(...problems.map((p) => `subtask "${s.id}": ${p}`));
    }
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  const subtasks = plan.subtasks.map((s) => ({ ...s, files: (resolved.get(s.id) ?? []).map((r) => r.file) }));
  return { ok: true, plan: { ...plan, subtasks } };
}
