import { rmSync } from 'node:fs';

type Task = () => Promise<void> | void;

const tasks: Task[] = [];
const processGroups = new Set<number>();
const tempDirs = new Set<string>();
let installed = false;
let interrupted = false;

/** True once Ctrl-C (or SIGTERM/SIGHUP) arrived: the run is stopping, so start nothing new. */
export function isInterrupted(): boolean {
  return interrupted;
}

function killGroupNow(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid addresses the whole process group: code-server's extension hosts and pty helpers too.
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

// Last resort for an exit that skipped the async path (an uncaught error, process.exit elsewhere).
function onExitSync(): void {
  for (const pid of processGroups) {
    killGroupNow(pid, 'SIGKILL');
  }
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
}

function install(): void {
  if (installed) {
    return;
  }
  installed = true;
  process.on('exit', onExitSync);
  const exitCodes: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [signal, code] of Object.entries(exitCodes)) {
    process.once(signal as NodeJS.Signals, () => {
      interrupted = true;
      console.error(`\n[runner] ${signal}: stopping VS Code and Chromium, removing temporary folders`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

/** Runs on success, failure, timeout and Ctrl-C, latest first. */
export function onCleanup(task: Task): void {
  install();
  tasks.push(task);
}

export function trackProcessGroup(pid: number): void {
  install();
  processGroups.add(pid);
}

/** SIGTERM, then SIGKILL after a grace period, for a process started with `detached: true`. */
export async function stopProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  if (!processGroups.has(pid)) {
    return;
  }
  killGroupNow(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupAlive(pid)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  killGroupNow(pid, 'SIGKILL');
  processGroups.delete(pid);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function trackTempDir(dir: string): void {
  install();
  tempDirs.add(dir);
}

export async function cleanupAll(): Promise<void> {
  while (tasks.length > 0) {
    const task = tasks.pop();
    try {
      await task?.();
    } catch (e) {
      console.error(`[runner] cleanup step failed: ${(e as Error).message}`);
    }
  }
  for (const pid of [...processGroups]) {
    await stopProcessGroup(pid);
  }
  for (const dir of tempDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
  tempDirs.clear();
}
