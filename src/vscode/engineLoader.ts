import type { Engine, EngineHost } from './engine';

/**
 * Loads dist/engine.js once, on first use, and starts it. The build leaves `import('./engine')` as a require of that
 * file (esbuild.js), so nothing of the core, the SDK or the schema library is evaluated before something needs it.
 */
export class EngineLoader {
  private engine: Promise<Engine> | undefined;
  private started = false;

  constructor(private readonly host: () => EngineHost) {}

  /** Whether the engine has been loaded and started. */
  get loaded(): boolean {
    return this.started;
  }

  get(): Promise<Engine> {
    this.engine ??= import('./engine').then(
      (m) => {
        const engine = m.startEngine(this.host());
        this.started = true;
        return engine;
      },
      (err: Error) => {
        // A failed load (a damaged install) is reported to the caller; the next use tries again.
        this.engine = undefined;
        throw new Error(`Opus Orchestrator could not load its engine (dist/engine.js): ${err.message}`);
      },
    );
    return this.engine;
  }
}
