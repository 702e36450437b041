import { textFileRefusal } from '../edits/encoding';
import type { Plan, Subtask } from './schema';

/**
 * Bounds on a plan, so that a model's runaway answer (thousands of subtasks, a megabyte of instructions, a path no
 * file system accepts) is refused with a message the repair round can act on, before any file is looked at.
 */
export const PLAN_LIMITS = Object.freeze({
  subtasks: 500,
  filesPerSubtask: 50,
  criteriaPerSubtask: 20,
  /** Ids name stored files (`<id>-<attempt>.json`) and tree rows; 64 is plenty for "add-parser". */
  idChars: 64,
  goalChars: 2_000,
  titleChars: 200,
  instructionsChars: 20_000,
  criterionChars: 1_000,
  /** Under Linux's PATH_MAX (4,096) once joined to any reasonable workspace folder. */
  pathBytes: 1_024,
  /** NAME_MAX of common file systems, in bytes of UTF-8. */
  nameBytes: 255,
});

const n = (x: number): string => x.toLocaleString('en-US');

/** Long model-made text shown in a message: its start, then an ellipsis. */
function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function tooLong(what: string, length: number, max: number): string | null {
  return length > max ? `${what} ${n(length)} characters; use at most ${n(max)}.` : null;
}

/** Why a path cannot name a file on any common file system, or null. */
export function pathLengthProblem(path: string): string | null {
  const shown = JSON.stringify(clip(path)).replace(/…"$/, '…"');
  const longest = path.split(/[\\/]/).reduce((max, segment) => Math.max(max, Buffer.byteLength(segment, 'utf8')), 0);
  if (longest > PLAN_LIMITS.nameBytes) {
    return `the path ${shown} has a name of ${n(longest)} bytes; names have at most ${PLAN_LIMITS.nameBytes}.`;
  }
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > PLAN_LIMITS.pathBytes) {
    return `the path ${shown} is ${n(bytes)} bytes long; paths have at most ${n(PLAN_LIMITS.pathBytes)}.`;
  }
  return null;
}

function subtaskProblems(s: Subtask): string[] {
  const problems = [
    s.id.length > PLAN_LIMITS.idChars
      ? `the id is ${n(s.id.length)} characters; use at most ${PLAN_LIMITS.idChars} (e.g. "add-parser").`
      : null,
    tooLong('the title is', s.title.length, PLAN_LIMITS.titleChars),
    tooLong('the instructions are', s.instructions.length, PLAN_LIMITS.instructionsChars),
    s.files.length > PLAN_LIMITS.filesPerSubtask
      ? `${n(s.files.length)} files in scope; use at most ${PLAN_LIMITS.filesPerSubtask} (split the subtask).`
      : null,
    ...(s.files.length > PLAN_LIMITS.filesPerSubtask ? [] : s.files.map((f) => pathLengthProblem(f.path))),
    s.acceptanceCriteria.length > PLAN_LIMITS.criteriaPerSubtask
      ? `${n(s.acceptanceCriteria.length)} acceptance criteria; use at most ${PLAN_LIMITS.criteriaPerSubtask}.`
      : null,
    ...s.acceptanceCriteria
      .slice(0, PLAN_LIMITS.criteriaPerSubtask)
      .map((c, i) => tooLong(`acceptance criterion ${i + 1} is`, c.length, PLAN_LIMITS.criterionChars)),
    s.dependsOn.length > PLAN_LIMITS.subtasks
      ? `dependsOn has ${n(s.dependsOn.length)} entries; a plan has at most ${PLAN_LIMITS.subtasks} subtasks.`
      : null,
    ...s.dependsOn
      .slice(0, PLAN_LIMITS.subtasks)
      .filter((d) => d.length > PLAN_LIMITS.idChars)
      .map((d) => `dependsOn names "${clip(d)}", longer than any id (at most ${PLAN_LIMITS.idChars} characters).`),
  ];
  return problems.filter((p): p is string => p !== null).map((p) => `subtask "${clip(s.id)}": ${p}`);
}

/** Every count and length past PLAN_LIMITS, in plan order; a plan with too many subtasks gets that one message. */
export function checkPlanLimits(plan: Plan): string[] {
  if (plan.subtasks.length > PLAN_LIMITS.subtasks) {
    return [
      `subtasks: the plan has ${n(plan.subtasks.length)} subtasks; use at most ${PLAN_LIMITS.subtasks} (merge small ones).`,
    ];
  }
  const goal = tooLong('goal: the goal is', plan.goal.length, PLAN_LIMITS.goalChars);
  return [...(goal ? [goal] : []), ...plan.subtasks.flatMap(subtaskProblems)];
}

/**
 * Existing files in scope that no model can read or edit (binary, over the size limit, not text in a keepable
 * encoding), one message each, checked once per file however many subtasks name it.
 */
export async function checkScopeFiles(
  files: ReadonlyArray<{ subtaskId: string; rel: string; abs: string }>,
): Promise<string[]> {
  const verdicts = new Map<string, Promise<string | null>>();
  const errors: string[] = [];
  for (const f of files) {
    let verdict = verdicts.get(f.abs);
    if (!verdict) {
      verdict = textFileRefusal(f.abs, f.rel);
      verdicts.set(f.abs, verdict);
    }
    const why = await verdict;
    if (why) {
      errors.push(`subtask "${f.subtaskId}": ${why}`);
    }
  }
  return errors;
}
