import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../scripts/paths';
import { spawnManaged, type ManagedProcess } from '../scripts/processes';

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

export interface BenchChild {
  name: string;
  pid: number;
  process: ManagedProcess;
  /** Everything the child wrote so far (also written to its log file). */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnBenchChildOptions {
  name: string;
  /** Script path relative to the repository root, run with `node --import tsx`. */
  script: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Write a V8 CPU profile of the child here when it exits (node --cpu-prof). */
  cpuProfileDir?: string;
}

/** Starts `node --import tsx <script>`: one process per part, so its CPU and memory can be read on its own. */
export function spawnBenchChild({ name, script, env, logFile, cpuProfileDir }: SpawnBenchChildOptions): BenchChild {
  const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
  if (cpuProfileDir) mkdirSync(join(cpuProfileDir, name), { recursive: true });
  let output = '';
  const child = spawnManaged({
    name,
    command: process.execPath,
    args: [
      ...(cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', join(cpuProfileDir, name)] : []),
      '--import',
      'tsx',
      join(REPO_ROOT, script),
    ],
    cwd: REPO_ROOT,
    env,
    stopTimeoutMs: 20_000,
    onLine: (line) => {
      // Keep the start of the output (readiness lines) and its end (errors) in memory; all of it on disk.
      output = output.length < 200_000 ? `${output}${line}\n` : output;
      log.write(`${line}\n`);
    },
  });
  return {
    name,
    pid: child.pid,
    process: child,
    output: () => output,
    async stop() {
      await child.stop();
      await new Promise<void>((resolve) => log.end(() => resolve()));
    },
  };
}

/** Resolves with the first output line containing `marker`; rejects if the child exits or time runs out. */
export async function waitForLine(child: BenchChild, marker: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.process.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    const line = child
      .output()
      .split('\n')
      .find((l) => l.includes(marker));
    if (line) return line;
    if (exited) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${child.name} did not print "${marker}" within ${timeoutMs} ms${exited ? ' (it exited)' : ''}:\n${child.output().slice(-3000)}`,
  );
}

/** User + system CPU time of a process (all its threads), in milliseconds; null once it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

export interface MemoryReading {
  /** Resident set now, bytes. */
  rss: number;
  /** Peak resident set since start or the last resetPeakRss, bytes. */
  peakRss: number;
}

/** VmRSS and VmHWM of a process; null once it is gone. */
export function memory(pid: number): MemoryReading | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS (Linux `clear_refs` 5); false where that is not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The pid of the one process whose command line contains every one of `parts` (e.g. the Temporal dev server on our port). */
export function findPid(parts: string[]): number | null {
  const matches: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((part) => cmdline.includes(part))) matches.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return matches.length === 1 ? matches[0]! : null;
}
