/** `2 secrets redacted`; undefined when none was (a row says nothing about what did not happen). */
export function redactedText(count: number | undefined): string | undefined {
  return count ? `${count} ${count === 1 ? 'secret' : 'secrets'} redacted` : undefined;
}
