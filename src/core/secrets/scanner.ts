import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import { configuredSecrets } from './known';
import { KEYWORD_RULE_ID, keywordRule } from './keywordRule';

/** One secret found in a text: where it is, and the rule that recognised it (never the value). */
export interface Finding {
  rule: string;
  start: number;
  end: number;
}

/**
 * secretlint's recommended preset (AWS, GCP, GitHub, GitLab, Slack, npm, OpenAI, Anthropic, private keys, basic-auth
 * URLs, database connection strings…), with AWS key ids on, plus the keyword rule for secrets of no known vendor.
 * The preset's comment filter is off: a `secretlint-disable` comment in a repository must not decide what is sent.
 */
const CONFIG: SecretLintCoreConfig = {
  rules: [
    {
      id: '@secretlint/secretlint-rule-preset-recommend',
      rule: recommended,
      rules: [
        { id: '@secretlint/secretlint-rule-aws', options: { enableIDScanRule: true } },
        { id: '@secretlint/secretlint-rule-filter-comments', disabled: true },
      ],
    },
    { id: KEYWORD_RULE_ID, rule: keywordRule },
  ],
};

/**
 * secretlint times every rule of every scan into the process's performance timeline unless told not to; in an editor
 * session that scans each request, the marks pile up and every later scan walks them. Nothing here reads the timings.
 */
secretLintProfiler.setEnabled(false);

/** Names shown in markers for secretlint's message ids that read poorly when merely re-cased. */
const LABELS: Record<string, string> = {
  AWSAccessKeyID: 'aws-access-key',
  AWSSecretAccessKey: 'aws-secret-key',
  AWSAccountID: 'aws-account-id',
  SecretAssignment: 'secret-assignment',
};

function label(messageId: string): string {
  return (
    LABELS[messageId] ??
    messageId
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .replace(/_/g, '-')
      .toLowerCase()
  );
}

/** Every secret in `text`: secretlint's findings and each configured credential, overlapping spans merged. */
export async function scanText(text: string): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const value of configuredSecrets()) {
    for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
      found.push({ rule: 'configured-key', start: at, end: at + value.length });
    }
  }
  const result = await lintSource({
    source: { content: text, filePath: 'prompt.txt', ext: '.txt', contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true },
  });
  for (const m of result.messages) {
    if (m.range[1] > m.range[0]) {
      found.push({ rule: label(m.messageId), start: m.range[0], end: m.range[1] });
    }
  }
  return merge(found);
}

function merge(found: Finding[]): Finding[] {
  const sorted = [...found].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out.at(-1);
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
    } else {
      out.push({ ...f });
    }
  }
  return out;
}
