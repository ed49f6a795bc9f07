import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Log } from '../log';
import { REPO_ROOT } from '../paths';
import { findGo, goInstall, isExecutable } from './cli';

/**
 * The production Temporal server, built from the Go module proxy: the same server version that the
 * CLI's dev server embeds (CLI 1.5.1 = server 1.29.1), so a payment behaves the same on both.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';

/** What `npm run temporal:install-server` leaves in `<repo>/.tools` (git-ignored). */
export interface TemporalServerTools {
  /** The server binary (`server start`). */
  server: string;
  /** The schema tool, under the name the temporalio/admin-tools image gives it. */
  sqlTool: string;
  /** The module's `schema/postgresql/v12`, which deploy/temporal/setup-schema.sh migrates from. */
  schemaRoot: string;
}

export function temporalServerTools(repoRoot = REPO_ROOT): TemporalServerTools {
  const tools = path.join(repoRoot, '.tools');
  return {
    server: path.join(tools, 'bin', 'temporal-server'),
    sqlTool: path.join(tools, 'bin', 'temporal-sql-tool'),
    schemaRoot: path.join(tools, `temporal-server-${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12'),
  };
}

/** The tools when all of them are in place, else null. */
export function findTemporalServerTools(repoRoot = REPO_ROOT): TemporalServerTools | null {
  const tools = temporalServerTools(repoRoot);
  const ready =
    isExecutable(tools.server) &&
    isExecutable(tools.sqlTool) &&
    fs.existsSync(path.join(tools.schemaRoot, 'temporal', 'versioned'));
  return ready ? tools : null;
}

/**
 * Builds the server and the schema tool with `go install …@v1.29.1` and copies the module's Postgres
 * schemas next to them. Needs Go and the Go module proxy; a warm build cache (from building the CLI)
 * makes it a couple of minutes.
 */
export async function installTemporalServer({
  repoRoot = REPO_ROOT,
  env = process.env,
  log,
}: {
  repoRoot?: string;
  env?: NodeJS.ProcessEnv;
  log: Log;
}): Promise<TemporalServerTools> {
  const existing = findTemporalServerTools(repoRoot);
  if (existing) return existing;
  const go = findGo(env);
  if (!go) throw new Error('Go is needed to build the Temporal server (looked on PATH and at /usr/local/go/bin/go)');
  const tools = temporalServerTools(repoRoot);

  // go install names binaries after their package folders (`server`, `sql`): build into a scratch
  // folder and give them the names the admin-tools image uses, which deploy/ scripts call.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-'));
  try {
    log(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} and its schema tool with ${go} install`);
    await goInstall({
      go,
      packages: [
        `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
        `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
      ],
      binDir: scratch,
      env,
      log,
    });
    fs.mkdirSync(path.dirname(tools.server), { recursive: true });
    fs.copyFileSync(path.join(scratch, 'server'), tools.server);
    fs.copyFileSync(path.join(scratch, 'sql'), tools.sqlTool);
    fs.chmodSync(tools.server, 0o755);
    fs.chmodSync(tools.sqlTool, 0o755);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  const moduleDir = await goModuleDir(go, env);
  fs.mkdirSync(path.dirname(tools.schemaRoot), { recursive: true });
  // A copy survives `go clean -modcache`; the module cache is read-only, the copy is made writable
  // so that deleting .tools works without root.
  fs.rmSync(tools.schemaRoot, { recursive: true, force: true });
  fs.cpSync(path.join(moduleDir, 'schema', 'postgresql', 'v12'), tools.schemaRoot, { recursive: true });
  makeWritable(tools.schemaRoot);
  log(`Installed ${tools.server}, ${tools.sqlTool} and the schemas in ${tools.schemaRoot}`);
  return tools;
}

/** Where the Go module cache holds go.temporal.io/server@v1.29.1 (downloaded if missing). */
async function goModuleDir(go: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(
    go,
    ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`],
    { env, maxBuffer: 1 << 20 },
  );
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download did not say where ${MODULE}@${TEMPORAL_SERVER_VERSION} is`);
  return dir;
}

function makeWritable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(full);
    else fs.chmodSync(full, 0o644);
  }
}
