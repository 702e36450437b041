import type { ModelOverrides, ModelRole, ProviderId } from '../core/models';
import { MODEL_ROLES, isProviderId } from '../core/models';

const CLI_PROVIDERS = ['anthropic', 'bedrock', 'vertex'] as const;

function isRole(value: string): value is ModelRole {
  return (MODEL_ROLES as readonly string[]).includes(value);
}

/**
 * `--provider NAME` for every role and `--provider ROLE=NAME` for one (a role's own value wins, whatever the order).
 * VS Code's language models exist only inside the editor, so the CLI refuses them with a reason.
 */
export function parseProviderFlags(values: readonly string[]): {
  roles: Record<ModelRole, ProviderId>;
  errors: string[];
} {
  const errors: string[] = [];
  let all: ProviderId = 'anthropic';
  const own: Partial<Record<ModelRole, ProviderId>> = {};
  for (const raw of values) {
    const [left = '', right] = raw.split('=', 2).map((p) => p.trim());
    const name = right ?? left;
    if (right !== undefined && !isRole(left)) {
      errors.push(`${JSON.stringify(left)} is not a role (opus, sonnet, haiku)`);
      continue;
    }
    if (name === 'vscode-lm') {
      errors.push('vscode-lm runs only inside VS Code; use anthropic, bedrock or vertex here');
      continue;
    }
    if (!isProviderId(name)) {
      errors.push(`unknown provider ${JSON.stringify(name)} (use ${CLI_PROVIDERS.join(', ')})`);
      continue;
    }
    if (right === undefined) {
      all = name;
    } else {
      own[left as ModelRole] = name;
    }
  }
  const roles = {} as Record<ModelRole, ProviderId>;
  for (const role of MODEL_ROLES) {
    roles[role] = own[role] ?? all;
  }
  return { roles, errors };
}

/** `--model ROLE=ID`, repeatable. */
export function parseModelFlags(values: readonly string[]): ModelOverrides {
  const out: ModelOverrides = {};
  for (const raw of values) {
    const eq = raw.indexOf('=');
    const role = raw.slice(0, eq).trim();
    const id = raw.slice(eq + 1).trim();
    if (eq < 0 || !isRole(role) || id === '') {
      throw new Error(`--model takes ROLE=ID with a role of opus, sonnet or haiku, not ${JSON.stringify(raw)}.`);
    }
    out[role] = id;
  }
  return out;
}
