import { setImmediate as nextTurn } from 'node:timers/promises';
import * as vscode from 'vscode';

/** SecretStorage entry of the key: the OS keychain, never settings, logs or the plan store. */
export const API_KEY_SECRET = 'opusOrchestrator.apiKey';

/** Where the key in use came from, for messages that tell the user what to change. */
export type ApiKeySource = 'secret' | 'environment';

/**
 * The Anthropic key: the one stored in SecretStorage, else ANTHROPIC_API_KEY from the editor's environment. Kept in
 * memory once read, since a model client is built synchronously and a secret read is asynchronous. The first read
 * starts just after the store is made, not awaited: it is a round trip to the workbench that activation must not
 * wait for; whatever needs the key awaits `ready`.
 */
export class ApiKeyStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscription: vscode.Disposable;
  private stored: string | undefined;

  /** Fires after the stored key was read, set, cleared, or changed by another window. */
  readonly onDidChange = this.changed.event;
  /** Settles once the stored key has been read the first time (a failed read counts as no stored key). */
  readonly ready: Promise<void>;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange(async (e) => {
      if (e.key === API_KEY_SECRET) {
        await this.reload();
      }
    });
    // Started once activate() has returned: the request is one more message activation need not send.
    this.ready = nextTurn()
      .then(() => this.reload())
      .catch(() => this.publish());
  }

  /** Reads the stored key again. */
  async reload(): Promise<void> {
    this.stored = (await this.secrets.get(API_KEY_SECRET))?.trim() || undefined;
    this.publish();
  }

  /** The key to use now, or undefined when neither SecretStorage nor the environment has one. */
  get current(): string | undefined {
    return this.stored ?? (process.env.ANTHROPIC_API_KEY?.trim() || undefined);
  }

  get source(): ApiKeySource | undefined {
    if (this.stored) {
      return 'secret';
    }
    return this.current ? 'environment' : undefined;
  }

  /** Tells listeners the key may have changed. */
  private publish(): void {
    this.changed.fire();
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(API_KEY_SECRET, key.trim());
    await this.reload();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(API_KEY_SECRET);
    await this.reload();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/**
 * Asks for a key in a password box and stores it. A value without the usual `sk-` prefix is only warned about:
 * gateways and proxies issue keys of their own shapes. Returns whether a key was stored.
 */
export async function promptForApiKey(keys: ApiKeyStore, why?: string): Promise<boolean> {
  const where = 'Stored in the editor\u2019s secret storage (the OS keychain); never in settings or logs.';
  const key = await vscode.window.showInputBox({
    title: 'Anthropic API Key',
    prompt: why ? `${why} ${where}` : where,
    placeHolder: 'sk-ant-\u2026',
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => {
      const v = value.trim();
      if (v === '') {
        return 'Enter the key, or press Escape to cancel.';
      }
      if (!v.startsWith('sk-')) {
        return {
          message: 'Anthropic keys usually start with "sk-"; check that this is the key you meant.',
          severity: vscode.InputBoxValidationSeverity.Warning,
        };
      }
      return undefined;
    },
  });
  if (key === undefined || key.trim() === '') {
    return false;
  }
  await keys.set(key);
  return true;
}
