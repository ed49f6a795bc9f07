import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Log } from '../log';

/**
 * Where the Temporal SDKs look up a CLI release (`GET /cli/<version>?platform=…&arch=…&format=…`
 * answers `{ archiveUrl, fileToExtract }`) before they download it for a test server.
 */
export const TEMPORAL_DOWNLOAD_SERVICE = 'https://temporal.download';
/** The CLI's GitHub releases, which publish `checksums.txt` (SHA-256 of every archive) beside the archives. */
export const TEMPORAL_CLI_RELEASES = 'https://github.com/temporalio/cli/releases/download';

export interface DownloadCliOptions {
  /** A release tag, e.g. `v1.5.1`. */
  version: string;
  /** Where the binary ends up, e.g. `<repo>/.tools/bin/temporal`. */
  target: string;
  log: Log;
  /** The download service (tests serve their own). */
  serviceUrl?: string;
  /** The releases' base URL, under which `<version>/checksums.txt` lies (tests serve their own). */
  releasesUrl?: string;
  platform?: NodeJS.Platform;
  arch?: string;
}

interface DownloadInfo {
  archiveUrl: string;
  fileToExtract: string;
}

/**
 * Downloads the CLI release archive for this machine, checks its SHA-256 against the release's
 * `checksums.txt`, and extracts the binary to `target` (for machines without Go). Throws, leaving
 * nothing at `target`, when the platform is unsupported, a download fails or the checksum differs.
 * Needs `tar` on PATH (Linux, macOS and Windows 10+ have it).
 */
export async function downloadTemporalCli(opts: DownloadCliOptions): Promise<string> {
  const { version, target, log } = opts;
  const serviceUrl = opts.serviceUrl ?? TEMPORAL_DOWNLOAD_SERVICE;
  const releasesUrl = opts.releasesUrl ?? TEMPORAL_CLI_RELEASES;
  const query = new URLSearchParams({
    platform: platformName(opts.platform ?? process.platform),
    arch: archName(opts.arch ?? process.arch),
    format: 'tar.gz',
  });
  const info = (await (await fetchOk(`${serviceUrl}/cli/${version}?${query}`)).json()) as DownloadInfo;
  const archiveName = path.posix.basename(new URL(info.archiveUrl).pathname);
  log(`Downloading ${info.archiveUrl}`);
  const archive = Buffer.from(await (await fetchOk(info.archiveUrl)).arrayBuffer());

  const checksums = await (await fetchOk(`${releasesUrl}/${version}/checksums.txt`)).text();
  const expected = checksumOf(checksums, archiveName);
  const actual = createHash('sha256').update(archive).digest('hex');
  if (!expected) throw new Error(`${archiveName} is not listed in the ${version} release's checksums.txt`);
  if (actual !== expected) throw new Error(`${archiveName} has SHA-256 ${actual}, the release lists ${expected}`);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-'));
  try {
    const archivePath = path.join(work, archiveName);
    fs.writeFileSync(archivePath, archive);
    await run('tar', ['-xzf', archivePath, '-C', work, info.fileToExtract]);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(work, info.fileToExtract), target);
    fs.chmodSync(target, 0o755);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`Installed ${target} (${archiveName}, SHA-256 verified)`);
  return target;
}

/** The SHA-256 `checksums.txt` gives for `file` (`<hex>  <name>` lines), or null. */
export function checksumOf(checksums: string, file: string): string | null {
  for (const line of checksums.split('\n')) {
    const [hash, name] = line.trim().split(/\s+/);
    if (name === file && hash && /^[0-9a-f]{64}$/.test(hash)) return hash;
  }
  return null;
}

function platformName(platform: NodeJS.Platform): string {
  const names: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'darwin', win32: 'windows' };
  const name = names[platform];
  if (!name) throw new Error(`no Temporal CLI release is built for ${platform}`);
  return name;
}

function archName(arch: string): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  const name = names[arch];
  if (!name) throw new Error(`no Temporal CLI release is built for ${arch}`);
  return name;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}
