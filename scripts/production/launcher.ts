import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, type ManagedProcess } from '../processes';
import type { ChildSpec } from '../supervisor';
import type { Launcher } from './shape';

/**
 * Runs the production shape's parts for the chaos suite and the bench: like the Supervisor, but a
 * part that dies is not a reason to stop everything (the chaos suite kills parts on purpose), each
 * part's output goes to its own log file, and a part can be killed and started again from the spec
 * it was started with.
 */
export class LoggingLauncher implements Launcher {
  private readonly current = new Map<string, ManagedProcess>();
  private readonly specs = new Map<string, ChildSpec>();
  /** Names in the order they first started: stopAll stops them in reverse, restarts or not. */
  private readonly order: string[] = [];
  private readonly logs = new Map<string, WriteStream>();

  constructor(private readonly logDir: string) {}

  spawn(spec: ChildSpec): ManagedProcess {
    if (!this.specs.has(spec.name)) this.order.push(spec.name);
    this.specs.set(spec.name, spec);
    const log = this.logOf(spec.name);
    const child = spawnManaged({
      ...spec,
      ownProcessGroup: true,
      stopTimeoutMs: spec.stopTimeoutMs ?? 15_000,
      onLine: (line) => {
        log.write(`${line}\n`);
        spec.onLine?.(line);
      },
    });
    this.current.set(spec.name, child);
    void child.exited.then((exit) => log.write(`--- exited ${JSON.stringify(exit)} at ${new Date().toISOString()}\n`));
    return child;
  }

  async runToCompletion(spec: ChildSpec): Promise<void> {
    const child = spawnManaged({ ...spec, onLine: (line) => this.logOf(spec.name).write(`${line}\n`) });
    const exit = await child.exited;
    if (exit.code !== 0)
      throw new Error(`${spec.name} failed (${JSON.stringify(exit)}); see ${join(this.logDir, `${spec.name}.log`)}`);
  }

  /** Sends `signal` to the part's whole process group (SIGKILL: it gets no chance to clean up). */
  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<unknown> {
    const child = this.current.get(name);
    if (!child) throw new Error(`no part called ${name}`);
    try {
      process.kill(-child.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    return child.exited;
  }

  /** Starts the part again from its spec (after kill, or after it died). */
  restart(name: string): ManagedProcess {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`no part called ${name}`);
    return this.spawn(spec);
  }

  process(name: string): ManagedProcess | undefined {
    return this.current.get(name);
  }

  async stopAll(): Promise<void> {
    for (const name of [...this.order].reverse()) await this.current.get(name)?.stop();
    await Promise.all([...this.logs.values()].map((log) => new Promise<void>((resolve) => log.end(() => resolve()))));
  }

  private logOf(name: string): WriteStream {
    let log = this.logs.get(name);
    if (!log) {
      log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, log);
    }
    return log;
  }
}
