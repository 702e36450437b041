import type { ModelRole } from '../core/models';
import { MODEL_ROLES } from '../core/models';
import type { Effort } from '../core/plan/schema';

/** Reading command arguments, which come from tree rows, CodeLenses, menus, the palette (none) and automation. */

/** Modal confirmations can be answered in advance by automation. */
export interface ConfirmArgs {
  confirmed?: boolean;
}

/** The subtask a command argument names: an id, a tree row, or any `{ subtaskId }` object. */
export function subtaskIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg !== '') {
    return arg;
  }
  if (typeof arg === 'object' && arg !== null && 'subtaskId' in arg && typeof arg.subtaskId === 'string') {
    return arg.subtaskId;
  }
  return undefined;
}

/** A `{ confirmed }` argument that answers a modal confirmation in advance. */
export function isConfirmArgs(arg: unknown): arg is ConfirmArgs {
  return typeof arg === 'object' && arg !== null && 'confirmed' in arg;
}

export function isRole(value: unknown): value is ModelRole {
  return typeof value === 'string' && (MODEL_ROLES as readonly string[]).includes(value);
}

const EFFORTS: readonly string[] = ['low', 'medium', 'high'];

export function isEffort(value: unknown): value is Effort {
  return typeof value === 'string' && EFFORTS.includes(value);
}
