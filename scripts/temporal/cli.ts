import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths';
import type { Log } from '../log';
import { downloadTemporalCli, type DownloadCliOptions } from './download';

/**
 * The Temporal CLI (which embeds the dev server and the Web UI) that the project builds for itself.
 * Later tags carry a `replace` directive in go.mod, which `go install pkg@version` refuses.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;
/** Where Go lives when it was installed from the official tarball but is not on PATH. */
const WELL_KNOWN_GO = '/usr/local/go/bin/go';

const exeName = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

export interface FindTemporalCliOptions {
  /** Environment to read TEMPORAL_CLI_PATH and PATH from. */
  env?: NodeJS.ProcessEnv;
  /** Repository whose `.tools/bin` is searched last. */
  repoRoot?: string;
}

export interface TemporalCliLocation {
  path: string;
  /** Which rule found it, for log lines. */
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project';
}

/** The project-local install location, `<repo>/.tools/bin/temporal` (git-ignored). */
export function projectCliPath(repoRoot = REPO_ROOT): string {
  return path.join(repoRoot, '.tools', 'bin', exeName('temporal'));
}

/**
 * Finds the `temporal` binary: TEMPORAL_CLI_PATH, then PATH, then `<repo>/.tools/bin/temporal`.
 * Returns null when there is none. A TEMPORAL_CLI_PATH that points nowhere is an error rather than
 * a reason to silently pick another binary.
 */
export function findTemporalCli({
  env = process.env,
  repoRoot = REPO_ROOT,
}: FindTemporalCliOptions = {}): TemporalCliLocation | null {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { path: path.resolve(explicit), source: 'TEMPORAL_CLI_PATH' };
  }
  const onPath = searchPath(exeName('temporal'), env);
  if (onPath) return { path: onPath, source: 'PATH' };
  const local = projectCliPath(repoRoot);
  if (isExecutable(local)) return { path: local, source: 'project' };
  return null;
}

export interface EnsureTemporalCliOptions extends FindTemporalCliOptions {
  log?: Log;
  /** The `go` binary to build with, or null for none; looked up on PATH and at /usr/local/go when omitted. */
  go?: string | null;
  /** Where the download fallback fetches from (tests serve their own). */
  download?: Pick<DownloadCliOptions, 'serviceUrl' | 'releasesUrl'>;
}

/**
 * Returns the path of a usable `temporal` binary. In order: TEMPORAL_CLI_PATH, PATH and
 * `<repo>/.tools/bin/temporal` (findTemporalCli); else it installs one into `<repo>/.tools/bin`,
 * with `go install` when Go is available (a few minutes cold, seconds with a warm build cache),
 * otherwise by downloading the release archive and checking it against the release's SHA-256
 * checksums. Throws, saying what to install, when neither works.
 */
export async function ensureTemporalCli(opts: EnsureTemporalCliOptions = {}): Promise<string> {
  const { env = process.env, repoRoot = REPO_ROOT, log = (m: string) => process.stderr.write(`${m}\n`) } = opts;
  const found = findTemporalCli({ env, repoRoot });
  if (found) return found.path;

  const target = projectCliPath(repoRoot);
  const failures: string[] = [];
  const go = opts.go === undefined ? findGo(env) : opts.go;
  if (go) {
    try {
      log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} install into ${path.dirname(target)}`);
      // Stamp the version as the release builds do; a plain go install reports "0.0.0-DEV".
      const ldflags = `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION.slice(1)}`;
      await goInstall({ go, packages: [GO_PACKAGE], ldflags, binDir: path.dirname(target), env, log });
      if (isExecutable(target)) return target;
      failures.push(`go install finished but ${target} is missing`);
    } catch (err) {
      failures.push(`go install failed: ${(err as Error).message}`);
      log(`go install failed; downloading the release instead`);
    }
  } else {
    failures.push('Go is not installed (looked on PATH and at /usr/local/go/bin/go)');
  }

  try {
    log(`Downloading the Temporal CLI ${TEMPORAL_CLI_VERSION} release into ${path.dirname(target)}`);
    return await downloadTemporalCli({ version: TEMPORAL_CLI_VERSION, target, log, ...opts.download });
  } catch (err) {
    failures.push(`download failed: ${(err as Error).message}`);
  }
  throw new Error(
    `Could not find or install the Temporal CLI.\n  - ${failures.join('\n  - ')}\n` +
      `Install Go (https://go.dev/dl/) and run again, or install the Temporal CLI yourself ` +
      `(https://docs.temporal.io/cli) and put it on PATH or set TEMPORAL_CLI_PATH.`,
  );
}

/** The `go` binary from PATH or the standard tarball location, or null. */
export function findGo(env: NodeJS.ProcessEnv = process.env): string | null {
  return searchPath(exeName('go'), env) ?? (isExecutable(WELL_KNOWN_GO) ? WELL_KNOWN_GO : null);
}

export interface GoInstallOptions {
  go: string;
  /** `module/path/cmd/x@version` arguments of one `go install`. */
  packages: readonly string[];
  /** Passed as `-ldflags=…` when set. */
  ldflags?: string;
  binDir: string;
  env: NodeJS.ProcessEnv;
  log: Log;
}

/** `GOBIN=<binDir> go install …`, with Go's own output passed through to stderr. */
export async function goInstall({ go, packages, ldflags, binDir, env, log }: GoInstallOptions): Promise<void> {
  fs.mkdirSync(binDir, { recursive: true });
  log('(the first build takes a few minutes and a few GB of memory; later builds reuse the Go build cache)');
  const started = Date.now();
  const heartbeat = setInterval(() => log(`  still building… ${Math.round((Date.now() - started) / 1000)} s`), 20_000);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(go, ['install', ...(ldflags ? [`-ldflags=${ldflags}`] : []), ...packages], {
        env: { ...env, GOBIN: binDir },
        // stdout too: nothing here is machine-readable, and callers may use stdout for results.
        stdio: ['ignore', process.stderr, process.stderr],
      });
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`go install exited with ${signal ?? `code ${code}`}`)),
      );
    });
  } finally {
    clearInterval(heartbeat);
  }
  log(`Built ${packages.join(', ')} in ${Math.round((Date.now() - started) / 1000)} s`);
}

function searchPath(name: string, env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

export function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
