import * as path from 'node:path';
import { requireCached } from './codeCache';
import type * as EngineBundle from './engine';
import type { Engine, EngineHost } from './engine';

/**
 * Loads dist/engine.js once, on first use, and starts it: nothing of the core, the SDK or the schema library is
 * evaluated before something needs it. V8's code cache of the bundle (src/vscode/codeCache.ts) spares later windows
 * most of its compiling.
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
    this.engine ??= Promise.resolve()
      .then(() => requireCached<typeof EngineBundle>(path.join(__dirname, 'engine.js')))
      .then(
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
