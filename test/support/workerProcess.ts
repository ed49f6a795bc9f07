import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../config/config';

const REPO = join(__dirname, '..', '..');

/** The real worker entrypoint (worker/main.ts) as a child process, configured like the stack. */
export function spawnWorkerProcess(config: Config): { child: ChildProcess; output: () => string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(config)) env[key] = String(value);
  env.LOG_LEVEL = 'info'; // the start-up line is what tells the test the worker polls
  // `node --import tsx` keeps the worker in this one process, so SIGKILL reaches the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'worker', 'main.ts')], {
    env,
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** Resolves once the worker logged that it is polling. */
export async function waitForWorkerStarted(worker: { output: () => string }, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.output().includes('payment worker started')) {
    if (Date.now() > deadline) throw new Error(`worker did not start:\n${worker.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
