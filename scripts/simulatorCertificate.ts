import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where a stack started from this checkout keeps the simulator's certificate: in its data folder. */
export function simulatorCertificatePath(dataDir: string): string {
  return path.join(dataDir, 'simulator-certificate.pem');
}

/**
 * The settings that let Transaction Status reach the simulator, the way `npm start`,
 * `npm run production:local`, the chaos suite and the bench all derive them:
 *
 *   DARAJA_CERTIFICATE_PATH   the simulator's certificate (`GET /__control/certificate`, a new key pair at
 *                             every simulator start), written to `<dataDir>/simulator-certificate.pem`
 *
 * The simulator must be listening at `simulatorUrl` (it is retried for `timeoutMs` while it starts).
 * Answers nothing when `env` sets DARAJA_CERTIFICATE_PATH itself, or when `useSimulator` is false
 * (DARAJA_BASE_URL names another Daraja, such as Safaricom's sandbox, whose certificate comes from
 * Safaricom's portal). Throws when the simulator never serves its certificate.
 * Pull Transactions needs nothing more: its NominatedNumber has a default and its CallBackURL
 * follows PUBLIC_BASE_URL.
 */
export async function simulatorRecordSettings(
  env: NodeJS.ProcessEnv,
  {
    simulatorUrl,
    dataDir,
    useSimulator = true,
    timeoutMs = 60_000,
  }: { simulatorUrl: string; dataDir: string; useSimulator?: boolean; timeoutMs?: number },
): Promise<Record<string, string>> {
  if (env.DARAJA_CERTIFICATE_PATH || !useSimulator) return {};
  const file = simulatorCertificatePath(dataDir);
  const pem = await fetchCertificate(`${simulatorUrl.replace(/\/$/, '')}/__control/certificate`, timeoutMs);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, pem, { mode: 0o644 });
  return { DARAJA_CERTIFICATE_PATH: file };
}

async function fetchCertificate(url: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      const text = await answer.text();
      if (answer.ok && text.includes('-----BEGIN CERTIFICATE-----')) return text;
      last = `HTTP ${answer.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`the Daraja simulator served no certificate at ${url}: ${last}`);
    await sleep(250);
  }
}
