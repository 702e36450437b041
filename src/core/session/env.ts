import type { Logger, OrchestratorSettings, WorkspaceIO } from '../contract';
import { DEFAULT_SETTINGS, OrchestratorError } from '../contract';
import type { LlmClient } from '../llm/client';
import { WorkspaceRules } from '../workspace/rules';

/** How long ignore rules read for one run are reused by runs that start right after it. */
const RULES_FRESH_MS = 2_000;

/**
 * What every part of the engine works with: the workspace (its root, its files, its ignore rules), the model client,
 * the settings of the moment, the log and whether the workspace is trusted. One instance is shared by the plan
 * session, the runner and the review desk, so a settings change or a trust change reaches all of them at once.
 */
export class EngineEnv {
  /** False in an untrusted workspace: nothing is dispatched or applied. */
  trusted = true;
  private current: OrchestratorSettings = { ...DEFAULT_SETTINGS };
  private rulesCache: { at: number; rules: Promise<WorkspaceRules> } | undefined;
  private readonly onSettings = new Set<(s: OrchestratorSettings) => void>();

  constructor(
    readonly root: string,
    readonly llm: LlmClient,
    readonly io: WorkspaceIO,
    readonly log: Logger,
  ) {}

  get settings(): Readonly<OrchestratorSettings> {
    return this.current;
  }

  /** Applies the settings given (others keep their value) and tells whoever follows them. */
  updateSettings(s: Partial<OrchestratorSettings>): void {
    const next = { ...this.current };
    for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof OrchestratorSettings>) {
      if (s[key] !== undefined) {
        (next as Record<string, unknown>)[key] = s[key];
      }
    }
    this.current = next;
    this.rulesCache = undefined;
    for (const follow of this.onSettings) {
      follow(next);
    }
  }

  followSettings(follow: (s: OrchestratorSettings) => void): void {
    this.onSettings.add(follow);
  }

  /**
   * The workspace's ignore rules, read afresh unless they were read in the last moments: a batch of subtasks
   * starting together shares one read instead of walking the tree for nested .gitignore files once each.
   */
  rules(): Promise<WorkspaceRules> {
    const now = Date.now();
    if (!this.rulesCache || now - this.rulesCache.at > RULES_FRESH_MS) {
      const rules = WorkspaceRules.load(this.root, this.settings.extraIgnores);
      this.rulesCache = { at: now, rules };
      rules.catch(() => {
        this.rulesCache = undefined;
      });
    }
    return this.rulesCache.rules;
  }

  requireTrust(what: string): void {
    if (!this.trusted) {
      throw new OrchestratorError(
        'untrusted',
        `This workspace is not trusted, so Opus Orchestrator does not ${what}. Trust the workspace to go on.`,
      );
    }
  }
}
