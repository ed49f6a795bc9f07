/**
 * Jest globalSetup of the integration project: one Temporal server and one workflow bundle shared
 * by every integration test file. Test files receive them through environment variables, which
 * Jest's workers inherit from this process:
 *
 *   TEMPORAL_TEST_ADDRESS          host:port of the server (namespace "default")
 *   TEMPORAL_TEST_WORKFLOW_BUNDLE  path of the bundled workflows/index.ts, for
 *                                  `Worker.create({ workflowBundle: { codePath } })`
 *
 * With TEMPORAL_ADDRESS set, that server is used instead of a dev server; it must have the
 * search attributes from workflows/searchAttributes.ts registered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { REPO_ROOT } from '../../scripts/paths';
import { resolveTemporal } from '../../scripts/temporal/devServer';
import { hasIntegrationState, setIntegrationState } from './integrationState';

export default async function globalSetup(): Promise<void> {
  // The integration and browser projects share one server and bundle: the second setup reuses the first's.
  if (hasIntegrationState()) return;
  const log = (message: string) => process.stderr.write(`[temporal] ${message}\n`);
  const [temporal, bundle] = await Promise.allSettled([
    resolveTemporal({ headless: true, log }),
    writeWorkflowBundle(),
  ]);
  if (temporal.status === 'rejected' || bundle.status === 'rejected') {
    if (temporal.status === 'fulfilled') await temporal.value.stop();
    if (bundle.status === 'fulfilled') fs.rmSync(bundle.value.dir, { recursive: true, force: true });
    throw temporal.status === 'rejected' ? temporal.reason : (bundle as PromiseRejectedResult).reason;
  }

  setIntegrationState({ stopTemporal: temporal.value.stop, bundleDir: bundle.value.dir });
  process.env.TEMPORAL_TEST_ADDRESS = temporal.value.address;
  process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE = bundle.value.file;
}

/** Bundles the workflow code once (webpack takes seconds) into a temporary file. */
async function writeWorkflowBundle(): Promise<{ dir: string; file: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(path.join(REPO_ROOT, 'workflows', 'index.ts')),
    // Webpack's module report is noise here; warnings and errors still show.
    logger: new DefaultLogger('WARN'),
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imarapay-workflows-'));
  const file = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(file, code);
  return { dir, file };
}
