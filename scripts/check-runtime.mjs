// @ts-check
/**
 * Runs before `npm start` and `npm test` (their pre-scripts): ImaraPay runs on the Node that
 * `npm install` brings as the `node` dev dependency (node_modules/.bin/node, first on the PATH of
 * every npm script), not on whatever Node the machine has. When that binary is missing (an install
 * with --omit=dev, or a platform the `node` package has no build for), the scripts would silently
 * run on the machine's Node; this stops them with one line that says what to do instead.
 *
 * Plain JavaScript on purpose: it must run on any Node, before tsx or anything else is loaded.
 */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = String(pkg.devDependencies.node);
const running = process.versions.node;
if (running !== wanted) {
  process.stderr.write(
    `ImaraPay runs on Node ${wanted} (the "node" dev dependency), but this is Node ${running} at ${process.execPath}. ` +
      `Run \`npm install\` (with dev dependencies) in this folder and start it through npm (\`npm start\`, \`npm test\`).\n`,
  );
  process.exit(1);
}
