import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Log } from '../log';

export interface SdkDownloadOptions {
  /** Where the binary should end up, e.g. `<repo>/.tools/bin/temporal`. */
  target: string;
  log: Log;
}

/**
 * Gets the Temporal CLI through the download built into the TypeScript SDK (a laptop without Go).
 *
 * The SDK exposes no "download only" call: `TestWorkflowEnvironment.createLocal` with a
 * `cached-download` executable fetches the CLI version the SDK release recommends (from
 * temporal.download) into `downloadDir`, names it `temporal-sdk-typescript-<sdk version>`, then
 * starts a throwaway dev server from it. We point `downloadDir` at a folder of our own (next to
 * `target`'s folder), tear the server down at once and move the binary to `target`, so every later
 * run starts it like any other CLI. A failed start (the SDK waits only ~5 s for the server) does not
 * matter as long as the download completed, so the binary's presence is what decides success.
 */
export async function downloadCliWithSdk({ target, log }: SdkDownloadOptions): Promise<string> {
  const downloadDir = path.join(path.dirname(path.dirname(target)), 'sdk-download');
  fs.mkdirSync(downloadDir, { recursive: true });
  log(`Downloading the Temporal CLI through @temporalio/testing into ${downloadDir}`);

  let startError: unknown;
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir }, ui: false },
    });
    await env.teardown();
  } catch (err) {
    startError = err;
  }

  const downloaded = findDownloadedBinary(downloadDir);
  if (!downloaded) {
    const reason = startError instanceof Error ? startError.message : String(startError);
    throw new Error(`the SDK did not leave a CLI binary in ${downloadDir}: ${reason}`, { cause: startError });
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // A move, not a copy: the binary is ~250 MB, and the SDK's cache is not consulted again.
  fs.chmodSync(downloaded, 0o755);
  fs.renameSync(downloaded, target);
  log(`Installed ${target} (from ${path.basename(downloaded)})`);
  return target;
}

/**
 * The SDK names its cached CLI `temporal-sdk-typescript-<version>` (`temporal-<version>` for a pinned
 * version); the newest file wins when SDK upgrades have left several behind.
 */
function findDownloadedBinary(dir: string): string | null {
  const candidates = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('temporal-') && !f.endsWith('.downloading'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
  return candidates.pop() ?? null;
}
