import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureTemporalCli, findTemporalCli, projectCliPath, TEMPORAL_CLI_VERSION } from '../../scripts/temporal/cli';

/**
 * Where `npm start` and the tests get the Temporal CLI: a configured path, PATH, the project's
 * own install, then an install (go install, or the verified release download). The download is
 * served here by a local server shaped like Temporal's download service and the release page.
 */
let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-lookup-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** An executable file at `dir/name` that prints `label`. */
function fakeCli(dir: string, label: string, name = 'temporal'): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho ${label}\n`, { mode: 0o755 });
  return file;
}

describe('Finding the Temporal CLI', () => {
  it('When the configured path, PATH and the project all have one, then that is the order', () => {
    const configured = fakeCli(path.join(root, 'configured'), 'configured');
    const onPath = fakeCli(path.join(root, 'on-path'), 'path');
    const repoRoot = path.join(root, 'repo');
    const project = fakeCli(path.dirname(projectCliPath(repoRoot)), 'project');
    const PATH = [path.join(root, 'empty'), path.dirname(onPath)].join(path.delimiter);

    expect(findTemporalCli({ env: { TEMPORAL_CLI_PATH: configured, PATH }, repoRoot })).toEqual({
      path: configured,
      source: 'TEMPORAL_CLI_PATH',
    });
    expect(findTemporalCli({ env: { PATH }, repoRoot })).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli({ env: { PATH: '' }, repoRoot })).toEqual({ path: project, source: 'project' });
    expect(findTemporalCli({ env: { PATH: '' }, repoRoot: path.join(root, 'elsewhere') })).toBeNull();
  });

  it('When TEMPORAL_CLI_PATH points at nothing, then that is an error, not a reason to take another binary', () => {
    const onPath = fakeCli(path.join(root, 'on-path'), 'path');
    const env = { TEMPORAL_CLI_PATH: path.join(root, 'missing'), PATH: path.dirname(onPath) };
    expect(() => findTemporalCli({ env, repoRoot: root })).toThrow(/TEMPORAL_CLI_PATH=.*missing is not an executable/);
  });

  it('When a file on PATH is named temporal but is not executable, then it is passed over', () => {
    const dir = path.join(root, 'on-path');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'temporal'), 'not a program', { mode: 0o644 });
    expect(findTemporalCli({ env: { PATH: dir }, repoRoot: root })).toBeNull();
  });
});

const ARCHIVE_NAME = `temporal_cli_${TEMPORAL_CLI_VERSION.slice(1)}_linux_amd64.tar.gz`;

/** A local stand-in for temporal.download and the release's checksums.txt. */
async function releaseServer(archive: Buffer, checksums: string) {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === `/cli/${TEMPORAL_CLI_VERSION}`) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ archiveUrl: `${base}/assets/${ARCHIVE_NAME}`, fileToExtract: 'temporal' }));
    } else if (url.pathname === `/assets/${ARCHIVE_NAME}`) {
      res.end(archive);
    } else if (url.pathname === `/releases/${TEMPORAL_CLI_VERSION}/checksums.txt`) {
      res.end(checksums);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    requests,
    download: { serviceUrl: base, releasesUrl: `${base}/releases` },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A release archive holding a `temporal` that prints `label`. */
function releaseArchive(label: string): Buffer {
  const dir = path.join(root, 'release');
  fakeCli(dir, label);
  const archive = path.join(root, 'release.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', dir, 'temporal']);
  return fs.readFileSync(archive);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const quiet = () => {};

describe('Installing the Temporal CLI without Go', () => {
  it('When nothing is found, then the release is downloaded, verified and installed in the project', async () => {
    const archive = releaseArchive('downloaded');
    const server = await releaseServer(archive, `${'0'.repeat(64)}  other.zip\n${sha256(archive)}  ${ARCHIVE_NAME}\n`);
    try {
      const repoRoot = path.join(root, 'repo');
      const options = { env: { PATH: '' }, repoRoot, go: null, log: quiet, download: server.download };
      const installed = await ensureTemporalCli(options);
      expect(installed).toBe(projectCliPath(repoRoot));
      expect(execFileSync(installed).toString().trim()).toBe('downloaded');
      expect(server.requests[0]).toMatch(/[?&]format=tar\.gz/);
      // The next lookup finds the installed binary without downloading again.
      expect(findTemporalCli({ env: { PATH: '' }, repoRoot })).toEqual({ path: installed, source: 'project' });
    } finally {
      await server.close();
    }
  });

  it('When the archive fails its checksum, then nothing is installed and the error says what to do', async () => {
    const archive = releaseArchive('tampered');
    const wrong = await releaseServer(archive, `${sha256(Buffer.from('another archive'))}  ${ARCHIVE_NAME}\n`);
    try {
      const repoRoot = path.join(root, 'repo');
      const options = { env: { PATH: '' }, repoRoot, go: null, log: quiet, download: wrong.download };
      const install = ensureTemporalCli(options);
      await expect(install).rejects.toThrow(/has SHA-256 [0-9a-f]{64}, the release lists/);
      await expect(install).rejects.toThrow(/Install Go .* or install the Temporal CLI yourself/);
      expect(fs.existsSync(projectCliPath(repoRoot))).toBe(false);
    } finally {
      await wrong.close();
    }
  });

  it('When a CLI is already found, then nothing is built or downloaded', async () => {
    const onPath = fakeCli(path.join(root, 'on-path'), 'path');
    const unreachable = { serviceUrl: 'http://127.0.0.1:9', releasesUrl: 'http://127.0.0.1:9' };
    const env = { PATH: path.dirname(onPath) };
    expect(await ensureTemporalCli({ env, repoRoot: root, go: '/nonexistent/go', download: unreachable })).toBe(onPath);
  });
});
