import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';
import { assertLocalUse, SimulatorInProductionError } from '../../simulator/localOnly';

const REPO = join(__dirname, '..', '..');
const PRODUCTION_ENV = {
  APP_ENV: 'production',
  PUBLIC_BASE_URL: 'https://pay.example.com',
  DARAJA_CALLBACK_TOKEN: 'a-long-production-callback-token',
  API_KEY_PEPPER: 'a-long-production-api-key-pepper',
  WEBHOOK_SECRET_KEY: 'a-long-production-webhook-secret-key',
};

/** Runs simulator/main.ts; resolves with its exit code and output, or with `started` once it listens (then stops it). */
function runSimulatorEntrypoint(
  env: Record<string, string>,
): Promise<{ exitCode: number | null; started: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'simulator', 'main.ts')], {
      cwd: REPO,
      env: { PATH: process.env.PATH, SIMULATOR_PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let started = false;
    const collect = (d: Buffer) => {
      output += d.toString();
      if (!started && output.includes('Point DARAJA_BASE_URL here')) {
        started = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (exitCode) => resolve({ exitCode, started, output }));
  });
}

describe('The Daraja simulator is for local use only', () => {
  it('When APP_ENV is development, then it may run', () => {
    expect(() => assertLocalUse(loadConfig({}))).not.toThrow();
  });

  it('When APP_ENV is production, then it refuses with a clear error', () => {
    expect(() => assertLocalUse(loadConfig(PRODUCTION_ENV))).toThrow(SimulatorInProductionError);
    expect(() => assertLocalUse(loadConfig(PRODUCTION_ENV))).toThrow(/local use only.*APP_ENV=production/);
  });

  it('When the simulator process starts with APP_ENV=production, then it exits with that error and never listens', async () => {
    const run = await runSimulatorEntrypoint(PRODUCTION_ENV);
    expect(run.started).toBe(false);
    expect(run.exitCode).toBe(1);
    expect(run.output).toMatch(/SimulatorInProductionError.*local use only/);
  });
});
