/**
 * What the bench harness (Node, outside VS Code) and the bench suite (inside VS Code's extension host) tell each
 * other: a control file written before each window, and one result line the suite logs when it is done.
 */

/** Starts the line the suite logs with its WindowResult as JSON. */
export const BENCH_RESULT_MARKER = 'OPUS-BENCH-RESULT';
/** A copy of dist/extension.js beside it, required afresh to time the bundle's evaluation. */
export const LOAD_PROBE = 'load-probe.js';
/** The same for dist/views.js, the views and the commands' handlers loaded right after activation. */
export const VIEWS_PROBE = 'views-probe.js';
/** The same for dist/engine.js, the bundle loaded on first use. */
export const ENGINE_PROBE = 'engine-probe.js';
/** Environment variable naming the control file; code-server passes it to every extension host it starts. */
export const CONTROL_ENV = 'OPUS_BENCH_CONTROL';

export interface WindowControl {
  /** `publisher.name` of the extension under test and of the warm-up extension. */
  extensionId: string;
  warmupId: string;
  /**
   * Empty extensions (each does nothing when activated), the yardstick: one is activated per slot around the extension
   * under test, so that every window gives several samples of the host's own cost beside the one of ours.
   */
  emptyIds: string[];
  /** An extension whose activate() only loads the `vscode` API object: what the host charges any extension using it. */
  apiOnlyId: string;
  /** Whether to measure activation at all (the gauge and tree-at-scale window only activates the extension). */
  measureActivation: boolean;
  /** Slot of the extension under test among the empty ones (it moves from window to window). */
  oursAt: number;
  /** A stored plan folder (.opus-orchestrator) put into the workspace just before activation, as a user's has it. */
  storedPlan?: string;
  /** Gauge-latency samples to take after activation; 0 skips the measurement. */
  gaugeSamples: number;
  /** Tree-at-scale run: this many subtasks, planned and answered by the harness's local Messages API. */
  scaleSubtasks: number;
}

/** One activate(): wall time until its promise settled, and the host process's CPU time meanwhile. */
export interface ActivationTime {
  ms: number;
  cpuMs: number;
}

export interface ActivationResult {
  ours: ActivationTime;
  /** Each empty extension of the window, in the order activated. */
  empty: ActivationTime[];
  apiOnly: ActivationTime;
  /** How long the host was left to settle (its event loop quiet) before each activation, median. */
  settleMs: number;
  warmupMs: number;
  /** Slot of ours among the empty extensions' (0: first). */
  oursAt: number;
  /** Subtasks of the stored plan the extension had restored once ready. */
  planSubtasks: number;
  /**
   * From the start of activate() until the extension's `ready` settled: the key read and the stored plan restored
   * (engine loaded), work done after activate() returned. Not part of `ours`; nothing else is activated until it
   * settled and the host was quiet again.
   */
  oursReadyMs: number;
  /**
   * Parts of activation and of what follows it, timed again once it was over (so warm, a lower bound of the first
   * time): evaluating the entry activation loads, loading the views bundle and the engine bundle as the extension
   * does (copies, with the code cache the extension has written for them by then), reading the API key from secret
   * storage, and building the orchestrator and restoring the stored plan.
   */
  parts: { entryMs: number; viewsMs: number; engineMs: number; secretMs: number; restoreMs: number };
}

export interface GaugeSample {
  id: string;
  /** The subtask's row label. */
  title: string;
  /** Date.now() when the usage event was written to the wire (message_start of the worker's reply). */
  wireEpoch: number;
  /** From that write to the tree provider's refreshed item carrying the new description. */
  hostMs: number;
  before: string;
  after: string;
}

export interface ScaleResult {
  subtasks: number;
  /** Subtasks allowed to run at once, and whether the bench set that past the editor setting's range. */
  concurrency: number;
  concurrencyForced: boolean;
  /** From dispatch to the last subtask leaving 'running'. */
  durationMs: number;
  /** Event-loop lag (delay beyond the sampling interval) while the subtasks streamed, in ms. */
  lagP50: number;
  lagP99: number;
  lagMax: number;
  /** The same with nothing running, sampled just before dispatch. */
  idleP99: number;
  /** Most subtasks streaming a model reply at the same moment. */
  peakStreaming: number;
  usageEvents: number;
  /** `onDidChangeTreeData` events the Plan view sent, and the rows they named (a whole-tree refresh counts one). */
  treeRefreshes: number;
  treeRows: number;
  inReview: number;
  failed: string[];
  /** The synchronous part of one save of the final plan (structured clone, schema check, JSON), in the host. */
  saveBlockMs: number;
  /** Size of that plan's JSON. */
  planChars: number;
}

export interface WindowResult {
  activation?: ActivationResult;
  gauge?: GaugeSample[];
  scale?: ScaleResult;
  /** Why a measurement stopped; the others still report. */
  errors: string[];
}
