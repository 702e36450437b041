import type { SecretLintRuleCreator, SecretLintSourceCode } from '@secretlint/types';

/**
 * A value assigned to a name that says it is a secret (`AWS_SECRET = "…"`, `password: '…'`, `API_TOKEN=…`) and that
 * looks random. secretlint's recommended preset finds tokens by their vendor's format; this finds the rest the way
 * detect-secrets pairs its keyword detector with an entropy check, so that `password = "changeme"` or
 * `token: process.env.TOKEN` are left alone.
 */
const KEYWORD = String.raw`(?:secret|token|passw(?:or)?d|passwd|pwd|api[_\-]?key|private[_\-]?key|access[_\-]?key|credential|auth[_\-]?key|client[_\-]?secret)`;
const NAME = String.raw`[A-Za-z0-9_.\-]*${KEYWORD}[A-Za-z0-9_.\-]*`;
/** Sticky: tried only where a name holding a keyword begins (see candidates). */
const QUOTED = new RegExp(String.raw`${NAME}["']?\s*(?::=|=>|:|=)\s*(["'\x60])([^"'\x60\s\\]{12,})\1`, 'iy');
const BARE = new RegExp(String.raw`[ \t]*(?:export[ \t]+)?${NAME}[ \t]*[=:][ \t]*([^"'\x60\s#;,]{12,})[ \t]*$`, 'imy');
const KEYWORDS = new RegExp(KEYWORD, 'gi');
const NAME_CHAR = /[A-Za-z0-9_.-]/;

/** Bits per character below which a value reads like words, paths or placeholders rather than a key. */
const MIN_ENTROPY = 3.2;

function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) {
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function looksRandom(value: string): boolean {
  if (/^(?:process\.env|import\.meta|os\.environ|env\.|\$\{|\{\{|<)/i.test(value)) {
    return false;
  }
  // Two of lower case, upper case and digits: `aws-secret-key-id` is a name, `3f78…01b` or `wJal…KEY` a key.
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(value)).length;
  return classes >= 2 && entropy(value) >= MIN_ENTROPY;
}

/**
 * Where each pattern can match: the start of every run of name characters that holds a keyword (QUOTED), and the
 * start of every line that holds one (BARE). Trying the patterns only there finds what a scan from every position
 * finds — a match's name is a run of name characters around a keyword, and one that fails at the start of its run
 * fails further in too — without walking every position of a long text through the name's leading repetition.
 */
function candidates(text: string): { names: number[]; lines: number[] } {
  const names = new Set<number>();
  const lines = new Set<number>();
  for (const m of text.matchAll(KEYWORDS)) {
    let start = m.index ?? 0;
    while (start > 0 && NAME_CHAR.test(text[start - 1] as string)) {
      start -= 1;
    }
    names.add(start);
    lines.add(text.lastIndexOf('\n', start - 1) + 1);
  }
  return { names: [...names].sort((a, b) => a - b), lines: [...lines].sort((a, b) => a - b) };
}

/** Each match of the sticky `pattern` at these starts, left to right, none starting inside an earlier one. */
function* matchesAt(pattern: RegExp, text: string, starts: readonly number[]): Generator<RegExpExecArray> {
  let end = 0;
  for (const start of starts) {
    if (start < end) {
      continue;
    }
    pattern.lastIndex = start;
    const m = pattern.exec(text);
    if (m) {
      end = start + m[0].length;
      yield m;
    }
  }
}

function* found(source: SecretLintSourceCode): Generator<[number, number]> {
  const text = source.content;
  const { names, lines } = candidates(text);
  for (const m of matchesAt(QUOTED, text, names)) {
    const value = m[2] ?? '';
    if (looksRandom(value)) {
      const start = m.index + m[0].lastIndexOf(value);
      yield [start, start + value.length];
    }
  }
  for (const m of matchesAt(BARE, text, lines)) {
    const value = m[1] ?? '';
    if (looksRandom(value)) {
      const start = m.index + m[0].lastIndexOf(value);
      yield [start, start + value.length];
    }
  }
}

export const KEYWORD_RULE_ID = 'opus-orchestrator/secret-assignment';

export const keywordRule: SecretLintRuleCreator = {
  messages: {
    SecretAssignment: { en: () => 'a random-looking value assigned to a name that says it is a secret' },
  },
  meta: {
    id: KEYWORD_RULE_ID,
    recommended: true,
    type: 'scanner',
    supportedContentTypes: ['text'],
  },
  create(context) {
    const t = context.createTranslator(keywordRule.messages);
    return {
      file(source) {
        for (const range of found(source)) {
          context.report({ message: t('SecretAssignment'), range });
        }
      },
    };
  },
};
