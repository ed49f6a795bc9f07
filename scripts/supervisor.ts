import { linePrefix, type Log } from './log';
import { describeExit, spawnManaged, type ExitInfo, type ManagedProcess } from './processes';

/** Something the supervisor keeps alive: a child it spawned, or a server started elsewhere. */
export interface Service {
  readonly name: string;
  /** Settles when the service has exited. */
  readonly exited: Promise<ExitInfo>;
  stop(): Promise<unknown>;
}

export interface ChildSpec {
  /** Short name, also the output prefix: `[api] …`. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Sees every output line (after it was printed), e.g. to spot a readiness message. */
  onLine?: (line: string) => void;
  /**
   * How long the child may take to stop after SIGTERM before its group is SIGKILLed (default 10 s);
   * the API and the worker get their SHUTDOWN_GRACE_SECONDS and a margin (shutdownWaitMs).
   */
  stopTimeoutMs?: number;
}

/** How long to wait for an API or worker to stop on its own: its shutdown grace plus a margin to close up. */
export function shutdownWaitMs(env: NodeJS.ProcessEnv): number {
  const grace = Number(env.SHUTDOWN_GRACE_SECONDS ?? 30);
  return ((Number.isFinite(grace) && grace >= 0 ? grace : 30) + 10) * 1000;
}

/**
 * One process tree for `npm start`. Services are stopped in the reverse of the order they were
 * added, each waited for, so the API and worker go before Temporal and Postgres. The tree ends
 * when a signal asks for it (exit 0), when start-up fails, or when a service dies on its own
 * (both exit 1). A second Ctrl-C during the graceful stop kills everything at once.
 */
export class Supervisor {
  private readonly services: Service[] = [];
  private readonly abort = new AbortController();
  private shutdown: Promise<never> | undefined;

  constructor(private readonly log: Log) {}

  /** Aborted as soon as shutdown begins: pass it to start-up waits so they give up early. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Ctrl-C and SIGTERM stop the tree gracefully; a second one forces it. */
  handleSignals(): void {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        if (this.shutdown) {
          this.log(`${sig} again: killing everything now`);
          // The exit hook in processes.ts SIGKILLs every process group still alive.
          process.exit(1);
        }
        void this.stopAllAndExit(0, `${sig} received`);
      });
    }
  }

  /** Runs the start-up sequence; a failure shuts the tree down with exit code 1. */
  async run(startup: () => Promise<void>): Promise<void> {
    try {
      await startup();
    } catch (err) {
      if (this.shutdown) return; // start-up was cut short by the shutdown itself
      this.log(`start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await this.stopAllAndExit(1, 'start-up failed');
    }
  }

  /** Spawns a long-running child whose output is prefixed with its name, and supervises it. */
  spawn(spec: ChildSpec): ManagedProcess {
    const child = this.spawnPrefixed(spec);
    this.watch(child);
    return child;
  }

  /** Supervises a service started elsewhere. */
  watch(service: Service): void {
    this.services.push(service);
    if (this.shutdown) {
      // Started while we were already stopping (a slow start-up step): stop it right away.
      void service.stop();
      return;
    }
    void service.exited.then((exit) => {
      if (this.shutdown) return;
      this.log(`${service.name} exited unexpectedly (${describeExit(exit)})`);
      void this.stopAllAndExit(1, `${service.name} died`);
    });
  }

  /** Runs a one-shot child (e.g. migrations) to completion; rejects if it fails. */
  async runToCompletion(spec: ChildSpec): Promise<void> {
    const child = this.spawnPrefixed(spec);
    // Tracked while it runs so that a Ctrl-C stops it too, but its exit is not a crash.
    this.services.push(child);
    const exit = await child.exited;
    this.services.splice(this.services.indexOf(child), 1);
    if (exit.code !== 0) throw new Error(`${spec.name} failed (${describeExit(exit)})`);
  }

  private spawnPrefixed(spec: ChildSpec): ManagedProcess {
    if (this.shutdown) throw new Error(`not starting ${spec.name}: shutting down`);
    const prefix = linePrefix(spec.name);
    return spawnManaged({
      ...spec,
      ownProcessGroup: true,
      onLine: (line, stream) => {
        (stream === 'stdout' ? process.stdout : process.stderr).write(`${prefix}${line}\n`);
        spec.onLine?.(line);
      },
    });
  }

  private stopAllAndExit(code: number, reason: string): Promise<never> {
    this.shutdown ??= (async () => {
      this.log(
        `${reason}; stopping ${
          this.services
            .map((s) => s.name)
            .reverse()
            .join(', ') || 'nothing'
        }`,
      );
      this.abort.abort(new Error(`shutting down: ${reason}`));
      for (const service of [...this.services].reverse()) {
        try {
          await service.stop();
        } catch (err) {
          this.log(`stopping ${service.name} failed: ${String(err)}`);
          code = 1;
        }
      }
      this.log('all stopped');
      process.exit(code);
    })();
    return this.shutdown;
  }
}
