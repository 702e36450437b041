/** A mistake on the command line: the message says what the flag takes; the exit code is 2. */
export class UsageError extends Error {}

/** The editor's default caps (opusOrchestrator.maxCostPerSubtask / maxCostPerPlan): a run never goes unbounded. */
export const CLI_CAPS = { maxCostPerSubtask: 1, maxCostPerPlan: 5 };

/** A whole number ≥ 1, or undefined when the flag is absent. */
export function wholeNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1) {
    throw new UsageError(`${flag} takes a whole number ≥ 1, not ${JSON.stringify(value)}.`);
  }
  return n;
}

/** A dollar amount ≥ 0 (0: no cap), or the default when the flag is absent. */
export function dollars(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value.replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag} takes US dollars ≥ 0 (0 = no cap), not ${JSON.stringify(value)}.`);
  }
  return n;
}
