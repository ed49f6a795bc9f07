import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** How a process ended: an exit code, or the signal that killed it. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process that can be watched and stopped. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited, however that happened. */
  readonly exited: Promise<ExitInfo>;
  /** True once stop() was called, so an exit after it is expected rather than a crash. */
  readonly stopping: boolean;
  /** Asks the process to stop (stopSignal), kills it after the grace period, resolves on exit. */
  stop(): Promise<ExitInfo>;
}

export interface SpawnManagedOptions {
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called for every line the process writes to stdout or stderr. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Run in a process group of its own, so that Ctrl-C in a terminal (which signals the whole
   * foreground group) reaches only the parent, which then stops its children in order. The price:
   * if the parent is SIGKILLed, the child outlives it.
   */
  ownProcessGroup?: boolean;
  /** Signal that asks for a graceful stop. */
  stopSignal?: NodeJS.Signals;
  /** How long a graceful stop may take before the process (group) gets SIGKILL. */
  stopTimeoutMs?: number;
}

/** Process groups still running; killed outright if the parent exits without stopping them. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence (e.g. an uncaught exception): never leave detached children behind.
  process.once('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
}

/** Spawns a child whose output is handed over line by line and that can be stopped gracefully. */
export function spawnManaged(opts: SpawnManagedOptions): ManagedProcess {
  const { name, onLine, ownProcessGroup = false, stopSignal = 'SIGTERM', stopTimeoutMs = 10_000 } = opts;
  const child = spawn(opts.command, [...opts.args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  // A failed spawn (ENOENT, EACCES) leaves pid undefined and emits 'error' on the next tick; the
  // throw below reports it, and the listener keeps that event from crashing the parent.
  child.once('error', () => undefined);
  if (child.pid === undefined) {
    throw new Error(`Could not start ${name}: ${opts.command} is missing or not executable`);
  }
  const pid = child.pid;
  if (ownProcessGroup) {
    installExitHook();
    liveGroups.add(pid);
  }

  for (const stream of ['stdout', 'stderr'] as const) {
    const lines = readline.createInterface({ input: child[stream], crlfDelay: Infinity });
    lines.on('line', (line) => onLine?.(line, stream));
  }

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      liveGroups.delete(pid);
      resolve({ code, signal });
    });
  });

  let stopping = false;
  let stopped: Promise<ExitInfo> | undefined;
  const stop = (): Promise<ExitInfo> => {
    stopping = true;
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(stopSignal);
        const timedOut = Symbol('timeout');
        const first = await Promise.race([exited, sleep(stopTimeoutMs, timedOut, { ref: false })]);
        if (first === timedOut) {
          if (ownProcessGroup) killGroup(pid, 'SIGKILL');
          else child.kill('SIGKILL');
        }
      }
      const info = await exited;
      // Grandchildren that ignored the stop signal must not outlive their parent.
      if (ownProcessGroup) killGroup(pid, 'SIGKILL');
      return info;
    })();
    return stopped;
  };

  return {
    name,
    pid,
    exited,
    get stopping() {
      return stopping;
    },
    stop,
  };
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    // ESRCH: the whole group is already gone, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** "exit code 1" / "signal SIGKILL", for log lines. */
export function describeExit({ code, signal }: ExitInfo): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}
