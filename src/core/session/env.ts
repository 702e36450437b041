import type { Logger, OrchestratorSettings, WorkspaceIO } from '../contract';
import { DEFAULT_SETTINGS, OrchestratorError } from '../contract';
import type { LlmClient } from '../llm/client';
import { WorkspaceRules } from '../workspace/rules';
import { RulesCache } from './rulesCache';

/**
 * How old ignore rules may be when a run starts (past half of it they are read again in the background, past all of it
 * before the run; see RulesCache); edits to the ignore files they came from are seen at once, whatever their age.
 */
const RULES_FRESH_MS = 10_000;

/**
 * What every part of the engine works with: the workspace (its root, its files, its ignore rules), the model client,
 * the settings of the moment, the log and whether the workspace is trusted. One instance is shared by the plan
 * session, the runner and the review desk, so a settings change or a trust change reaches all of them at once.
 */
export class EngineEnv {
  /** False in an untrusted workspace: nothing is dispatched or applied. */
  trusted = true;
  private current: OrchestratorSettings = { ...DEFAULT_SETTINGS };
  private readonly rulesCache = new RulesCache(
    () => WorkspaceRules.load(this.root, this.settings.extraIgnores),
    RULES_FRESH_MS,
  );
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
    this.rulesCache.reset();
    for (const follow of this.onSettings) {
      follow(next);
    }
  }

  followSettings(follow: (s: OrchestratorSettings) => void): void {
    this.onSettings.add(follow);
  }

  /**
   * The workspace's ignore rules: read once, and again when one of their files changed (see RulesCache), so a run
   * starts without running git each time and still honours an ignore file edited a moment ago.
   */
  rules(): Promise<WorkspaceRules> {
    return this.rulesCache.get();
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
