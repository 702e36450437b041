/**
 * Every credential the user configured (the Anthropic key from the environment or the editor's secret storage, a
 * proxy's token...), whatever its shape. Text shown to the user, written to a log or sent to a model is scrubbed of
 * these values; the values themselves live only in this process's memory.
 */
const configured = new Set<string>();

/** Values shorter than this are not scrubbed: they would blank out ordinary words and numbers. */
export const MIN_CONFIGURED_LENGTH = 8;

export function rememberConfiguredSecret(value: string | null | undefined): void {
  const v = value?.trim();
  if (v && v.length >= MIN_CONFIGURED_LENGTH) {
    configured.add(v);
  }
}

export function forgetConfiguredSecret(value: string | null | undefined): void {
  const v = value?.trim();
  if (v) {
    configured.delete(v);
  }
}

/** The configured values, longest first so that a key containing another is replaced whole. */
export function configuredSecrets(): string[] {
  return [...configured].sort((a, b) => b.length - a.length);
}

/** Replaces each configured value in `text` with `replacement`. */
export function scrubConfigured(text: string, replacement: string): string {
  let out = text;
  for (const value of configuredSecrets()) {
    if (out.includes(value)) {
      out = out.split(value).join(replacement);
    }
  }
  return out;
}
