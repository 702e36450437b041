import { z } from 'zod';

/**
 * The plan as Opus returns it (structured output) and as it is stored. Kept free of refinements that JSON Schema
 * cannot express: uniqueness, acyclicity, path confinement and what a file holds are checked by `validatePlan`.
 *
 * Two shapes: the wire schema sent as the structured-output format keeps every field required (an empty array says
 * "none"), so the model always decides; the stored schema lets the fields added later be absent, so that plans saved
 * before them still load — `focusOf`, `effortOf` and `oneReplyOf` give their defaults.
 */
export const LineRangeSchema = z.object({
  start: z.number().int().describe('First line, 1-based.'),
  end: z.number().int().describe('Last line, inclusive.'),
});

export const FocusSchema = z
  .object({
    symbols: z
      .array(z.string())
      .describe('Definitions the worker needs: "parseArgs", a member as "Parser.parseDocument"; empty for none.'),
    lines: z.array(LineRangeSchema).describe('Line ranges the worker needs; empty for none.'),
  })
  .describe('What of the file the worker sees. Both empty: the whole file.');

export const EffortSchema = z.enum(['low', 'medium', 'high']);

const path = z.string().describe('Workspace-relative path with forward slashes, e.g. "src/app.ts".');
const create = z.boolean().describe('true when the subtask creates this file; false when it already exists.');
const effort = EffortSchema.describe(
  'How hard the worker should think: low for mechanical edits, medium for ordinary code, high for subtle work.',
);

const oneReply = z
  .boolean()
  .describe(
    'true when the focus you give holds every line the worker changes and the instructions say exactly what to ' +
      'write, so it can make all its edits and finish in its first reply; false when it must view more of a file ' +
      'first or the change needs trial.',
  );

const subtaskFields = {
  id: z.string().describe('Short unique id, lowercase letters, digits and dashes, e.g. "add-parser".'),
  title: z.string().describe('One line, imperative.'),
  instructions: z.string().describe('What to change and how, for the worker model. Self-contained.'),
  model: z
    .enum(['sonnet', 'haiku', 'opus'])
    .describe('sonnet for implementation, haiku for small mechanical edits, opus only when neither will do.'),
  acceptanceCriteria: z.array(z.string()).describe('Checkable statements that are true once the subtask is done.'),
  dependsOn: z.array(z.string()).describe('Ids of subtasks whose changes must be accepted first.'),
};

/** A file in a subtask's scope as stored; `focus` absent (a plan from before it existed) means the whole file. */
export const FileInScopeSchema = z.object({ path, create, focus: FocusSchema.optional() });

export const SubtaskSchema = z.object({
  ...subtaskFields,
  files: z.array(FileInScopeSchema).describe('Every file the subtask may read or change, and no others.'),
  effort: effort.optional(),
  /** Absent in a plan from before the planner said so: not expected to end in one reply. */
  oneReply: oneReply.optional(),
});

const goal = z.string().describe("The task in a short sentence (about ten words): the plan's title.");

export const PlanSchema = z.object({
  goal,
  subtasks: z.array(SubtaskSchema).describe('Small, independently reviewable units of work.'),
});

/** What the model must answer: the same plan with `focus`, `effort` and `oneReply` required. */
export const PlanWireSchema = z.object({
  goal,
  subtasks: z
    .array(
      z.object({
        ...subtaskFields,
        files: z
          .array(z.object({ path, create, focus: FocusSchema }))
          .describe('Every file the subtask may read or change, and no others.'),
        effort,
        oneReply,
      }),
    )
    .describe('Small, independently reviewable units of work.'),
});

export type LineRange = z.infer<typeof LineRangeSchema>;
export type Focus = z.infer<typeof FocusSchema>;
export type Effort = z.infer<typeof EffortSchema>;
export type FileInScope = z.infer<typeof FileInScopeSchema>;
export type Subtask = z.infer<typeof SubtaskSchema>;
export type Plan = z.infer<typeof PlanSchema>;

/** What the worker is shown of a file: the named symbols and line ranges, or (both empty) the whole file. */
export function focusOf(file: FileInScope): Focus {
  return file.focus ?? { symbols: [], lines: [] };
}

/** The API effort a subtask runs at; a plan from before efforts existed gets the one its model suggests. */
export function effortOf(subtask: Pick<Subtask, 'effort' | 'model'>): Effort {
  return subtask.effort ?? (subtask.model === 'haiku' ? 'low' : subtask.model === 'opus' ? 'high' : 'medium');
}

/**
 * Whether the planner expects the worker to make all its edits and finish in its first reply (see markFirstRequest
 * in llm/cache.ts); a plan from before it said so expects no such thing.
 */
export function oneReplyOf(subtask: Pick<Subtask, 'oneReply'> | undefined): boolean {
  return subtask?.oneReply === true;
}

/** True when the worker sees the whole file. */
export function isWholeFile(focus: Focus): boolean {
  return focus.symbols.length === 0 && focus.lines.length === 0;
}
