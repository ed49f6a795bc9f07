import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../config/config';

const REPO = join(__dirname, '..', '..');

export interface ApiProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/**
 * The real API entrypoint (api/main.ts) as a child process, configured like the stack plus `env`
 * (its own API_PORT, METRICS_PORT…). Resolves once it logged that it listens.
 */
export async function startApiProcess(
  config: Config,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ApiProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(config)) childEnv[key] = String(value);
  Object.assign(childEnv, { LOG_LEVEL: 'info', ...env });
  // `node --import tsx` keeps the API in this one process, so the signals reach the API itself.
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'api', 'main.ts')], {
    env: childEnv,
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const api: ApiProcess = { child, output: () => output, exited };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('Payments API listening') || (env.METRICS_PORT && !output.includes('metrics listening'))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`API did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return api;
}

/** Ends the process if it still runs (SIGKILL: for clean-up after a failed test). */
export async function killApiProcess(api: ApiProcess | undefined): Promise<void> {
  if (!api || api.child.exitCode !== null || api.child.signalCode !== null) return;
  api.child.kill('SIGKILL');
  await api.exited;
}
