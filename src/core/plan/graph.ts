import type { Plan, Subtask } from './schema';

/**
 * A path as written in a plan, with leading `./` removed and backslashes turned to slashes, so that two subtasks
 * naming the same file differently still count as sharing it. Letter case is kept: workspaces may be case-sensitive.
 */
function normalisePath(p: string): string {
  let out = p.trim().replace(/\\/g, '/');
  while (out.startsWith('./')) {
    out = out.slice(2);
  }
  return out;
}

/**
 * The ids forming a dependency cycle, in dependency order (each depends on the next, the last on the first), or
 * undefined when the plan is acyclic. Unknown dependency ids are ignored here; `validatePlan` reports them.
 */
export function findCycle(plan: Plan): string[] | undefined {
  const deps = new Map(plan.subtasks.map((s) => [s.id, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of deps.get(id) ?? []) {
      if (!deps.has(dep)) {
        continue;
      }
      const seen = state.get(dep);
      if (seen === 'visiting') {
        return stack.slice(stack.indexOf(dep));
      }
      if (seen === undefined) {
        const found = visit(dep);
        if (found) {
          return found;
        }
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };

  for (const s of plan.subtasks) {
    if (!state.has(s.id)) {
      const found = visit(s.id);
      if (found) {
        return found;
      }
    }
  }
  return undefined;
}

/**
 * Subtask ids ordered so that every subtask comes after the ones it depends on; among subtasks that are free at the
 * same time the plan's own order is kept, so the order is stable and matches what the planner wrote. Subtasks caught
 * in a cycle (which a validated plan never has) are appended in plan order rather than dropped.
 */
export function topoOrder(plan: Plan): string[] {
  const ids = plan.subtasks.map((s) => s.id);
  const known = new Set(ids);
  const remaining = new Map(plan.subtasks.map((s) => [s.id, new Set(s.dependsOn.filter((d) => known.has(d)))]));
  const out: string[] = [];
  let progressed = true;
  while (remaining.size > 0 && progressed) {
    progressed = false;
    for (const id of ids) {
      const deps = remaining.get(id);
      if (deps && [...deps].every((d) => !remaining.has(d))) {
        out.push(id);
        remaining.delete(id);
        progressed = true;
        break;
      }
    }
  }
  return [...out, ...ids.filter((id) => remaining.has(id))];
}

/** The subtasks that name `id` in their `dependsOn`: the ones that may become ready once `id` is accepted. */
export function dependentsOf(plan: Plan, id: string): string[] {
  return plan.subtasks.filter((s) => s.dependsOn.includes(id)).map((s) => s.id);
}

/**
 * Paths both subtasks have in scope. Two subtasks that share a file should not run at the same time, since the
 * second proposal would be computed against a base the first may change.
 */
export function scopesOverlap(a: Subtask, b: Subtask): string[] {
  const mine = new Set(a.files.map((f) => normalisePath(f.path)));
  const shared = new Set<string>();
  for (const f of b.files) {
    const p = normalisePath(f.path);
    if (mine.has(p)) {
      shared.add(p);
    }
  }
  return [...shared];
}
