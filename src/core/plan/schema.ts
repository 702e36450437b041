import { z } from 'zod';

/**
 * The plan as Opus returns it (structured output) and as it is stored. Kept free of refinements that JSON Schema
 * cannot express: uniqueness, acyclicity and path confinement are checked by `validatePlan`.
 */
export const FileInScopeSchema = z.object({
  path: z.string().describe('Workspace-relative path with forward slashes, e.g. "src/app.ts".'),
  create: z.boolean().describe('true when the subtask creates this file; false when it already exists.'),
});

export const SubtaskSchema = z.object({
  id: z.string().describe('Short unique id, lowercase letters, digits and dashes, e.g. "add-parser".'),
  title: z.string().describe('One line, imperative.'),
  instructions: z.string().describe('What to change and how, for the worker model. Self-contained.'),
  model: z
    .enum(['sonnet', 'haiku', 'opus'])
    .describe('sonnet for implementation, haiku for small mechanical edits, opus only when neither will do.'),
  files: z.array(FileInScopeSchema).describe('Every file the subtask may read or change, and no others.'),
  acceptanceCriteria: z.array(z.string()).describe('Checkable statements that are true once the subtask is done.'),
  dependsOn: z.array(z.string()).describe('Ids of subtasks whose changes must be accepted first.'),
});

export const PlanSchema = z.object({
  goal: z.string().describe('The task restated in one sentence.'),
  subtasks: z.array(SubtaskSchema).describe('Small, independently reviewable units of work.'),
});

export type FileInScope = z.infer<typeof FileInScopeSchema>;
export type Subtask = z.infer<typeof SubtaskSchema>;
export type Plan = z.infer<typeof PlanSchema>;
