import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths';

const WEB_DIR = path.join(REPO_ROOT, 'web');
const BUILT_INDEX = path.join(WEB_DIR, 'dist', 'index.html');
/** The API Documentation's code samples, which the dashboard imports from the tests' fixtures. */
const DOC_SNIPPETS_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'snippets');

/** Newest modification time among the dashboard's sources (web/ less its build). */
function newestSourceMtime(dir = WEB_DIR): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** True when web/dist is missing or older than a file of web/ or a documentation sample. */
export function dashboardBuildIsStale(): boolean {
  const built = fs.statSync(BUILT_INDEX, { throwIfNoEntry: false });
  return !built || built.mtimeMs < Math.max(newestSourceMtime(), newestSourceMtime(DOC_SNIPPETS_DIR));
}

/** Builds the dashboard into web/dist with Vite when it is missing or stale; answers whether it built. */
export function buildDashboardIfStale(log: (line: string) => void): boolean {
  if (!dashboardBuildIsStale()) return false;
  log('building the dashboard (web/dist)…');
  // Jest sets NODE_ENV=test, which would make Vite bundle React's development build into web/dist,
  // the very files `npm start` then serves: a build is always a production build.
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return true;
}
