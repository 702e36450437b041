import type { Middleware } from '@anthropic-ai/sdk';

/**
 * Time limits on one streamed request. The SDK's own timeout (10 minutes) covers only the wait for response headers
 * and is retried up to maxRetries times; once the stream has started nothing ends a silent one, and the API keeps
 * such a connection alive with `ping` events, which the SDK swallows. So a stalled answer would hang a plan for good.
 */
export interface StreamTimeouts {
  /** From sending a request (each SDK attempt) to its response headers. */
  responseMs: number;
  /** Longest gap between two content events once the answer streams; pings do not count. */
  idleMs: number;
}

/**
 * Defaults. Response headers: a streamed answer begins with its headers, so 120 s leaves ample room for a slow proxy
 * or network (our choice: Anthropic documents no figure; the SDK's 10-minute limit stays behind it). Idle: with the default thinking display the
 * 5.5 models send a thinking block's opening, then nothing but pings until the thought is done, then its signature;
 * a long thought is a long silence. Anthropic's own agent (Claude Code) gives a stream 300 s without an event before
 * it gives up (its network configuration page, "event-level watchdog"); the same 300 s here.
 */
export const DEFAULT_STREAM_TIMEOUTS: Readonly<StreamTimeouts> = Object.freeze({
  responseMs: 120_000,
  idleMs: 300_000,
});

/** Where a user changes each limit: the editor setting and the CLI's environment variable (both in seconds). */
export const TIMEOUT_KNOBS = {
  responseMs: { setting: 'opusOrchestrator.timeouts.responseSeconds', env: 'OPUS_ORCHESTRATOR_RESPONSE_TIMEOUT' },
  idleMs: { setting: 'opusOrchestrator.timeouts.streamIdleSeconds', env: 'OPUS_ORCHESTRATOR_STREAM_IDLE_TIMEOUT' },
} as const;

/** Reads the CLI's timeout variables (seconds); an unusable value is an error that names the variable. */
export function streamTimeoutsFromEnv(env: NodeJS.ProcessEnv): { timeouts: Partial<StreamTimeouts>; errors: string[] } {
  const timeouts: Partial<StreamTimeouts> = {};
  const errors: string[] = [];
  for (const key of ['responseMs', 'idleMs'] as const) {
    const name = TIMEOUT_KNOBS[key].env;
    const raw = env[name]?.trim();
    if (!raw) {
      continue;
    }
    const seconds = Number(raw);
    if (Number.isFinite(seconds) && seconds >= 1) {
      timeouts[key] = Math.round(seconds * 1000);
    } else {
      errors.push(`${name} takes a number of seconds ≥ 1, not ${JSON.stringify(raw)}.`);
    }
  }
  return { timeouts, errors };
}

export type StallPhase = 'response' | 'idle';

export interface Stall {
  phase: StallPhase;
  ms: number;
}

/**
 * Watches one streamed request. Its middleware runs for every SDK attempt (so a 429 retry restarts the response
 * clock); `progress()` is called on every content event. When a limit passes it records the stall and calls `onStall`,
 * which aborts the request; the caller tells that abort from the user's by `stalled`.
 */
export class StreamWatchdog {
  stalled: Stall | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private phase: StallPhase | undefined;

  constructor(
    private readonly timeouts: StreamTimeouts,
    private readonly onStall: () => void,
  ) {}

  readonly middleware: Middleware = async (request, next) => {
    this.arm('response');
    let response: Response;
    try {
      response = await next(request);
    } catch (err) {
      this.stop();
      throw err;
    }
    // An error status ends this attempt (the SDK may retry it); only a stream that started is watched for silence.
    if (response.ok) {
      this.arm('idle');
    } else {
      this.stop();
    }
    return response;
  };

  progress(): void {
    if (this.phase === 'idle') {
      this.arm('idle');
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = undefined;
  }

  private arm(phase: StallPhase): void {
    clearTimeout(this.timer);
    this.phase = phase;
    const ms = phase === 'response' ? this.timeouts.responseMs : this.timeouts.idleMs;
    this.timer = setTimeout(() => {
      this.stalled = { phase, ms };
      this.stop();
      this.onStall();
    }, ms);
  }
}

/** Seconds as a person reads them: whole seconds, or one decimal under ten. */
function seconds(ms: number): string {
  const s = ms / 1000;
  return s >= 10 ? `${Math.round(s)} s` : `${Number(s.toFixed(1))} s`;
}

/** What a user is told after the retry stalled too: which limit, how long, and where to change it. */
export function stallMessage(stall: Stall): string {
  if (stall.phase === 'response') {
    const knob = TIMEOUT_KNOBS.responseMs;
    return (
      `The Anthropic API did not start answering within ${seconds(stall.ms)}, on two tries. Check the network, ` +
      `proxy or base URL and try again; if it is only slow, raise ${knob.setting} (${knob.env} for the CLI).`
    );
  }
  const knob = TIMEOUT_KNOBS.idleMs;
  return (
    `The Anthropic API sent nothing for ${seconds(stall.ms)} in the middle of an answer (a stream with only ` +
    `keep-alive pings counts as stalled), on two tries. Try again later; if the model needs longer silences ` +
    `(long thinking) or your proxy delays events, raise ${knob.setting} (${knob.env} for the CLI).`
  );
}
