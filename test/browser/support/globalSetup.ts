/**
 * Jest globalSetup of the browser project: what the integration tests share (one Temporal server,
 * one workflow bundle), and a dashboard build that is up to date with web/ (built here only when
 * web/dist is missing or older than a source file, so `npm test`, which builds first, pays once).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../scripts/paths';
import { buildDashboardIfStale } from '../../../scripts/web/build';
import integrationGlobalSetup from '../../support/globalSetup';

export default async function globalSetup(): Promise<void> {
  buildDashboardIfStale((line) => process.stderr.write(`[browser] ${line}\n`));
  if (!fs.existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html')))
    throw new Error('The dashboard build did not produce web/dist/index.html');
  await integrationGlobalSetup();
}
