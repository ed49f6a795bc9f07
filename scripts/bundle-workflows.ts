import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { REPO_ROOT } from './paths';

/**
 * `npm run build` step: bundles the workflow code once, so production workers start without
 * webpack (set TEMPORAL_WORKFLOW_BUNDLE to the file written here).
 */
async function main() {
  const out = join(REPO_ROOT, 'dist', 'workflow-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve(join(REPO_ROOT, 'workflows', 'index.ts')),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`Workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
