import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

describe('the runtime the project brings', () => {
  it('When the tests run through npm, then they run on the Node of the `node` dev dependency', () => {
    expect(pkg.devDependencies.node).toMatch(/^\d+\.\d+\.\d+$/);
    expect(process.versions.node).toBe(pkg.devDependencies.node);
  });

  it('When a script spawns `node` by name, then the PATH gives it the same Node', () => {
    // npm scripts (and npx) put node_modules/.bin first on PATH: tools with `#!/usr/bin/env node` run there too.
    expect(execFileSync('node', ['--version'], { encoding: 'utf8' }).trim()).toBe(`v${pkg.devDependencies.node}`);
  });

  it('When engines names the lowest Node, then it is the major the project installs', () => {
    const major = pkg.devDependencies.node!.split('.')[0];
    expect(pkg.engines.node).toBe(`>=${pkg.devDependencies.node}`);
    expect(Number(major)).toBeGreaterThanOrEqual(24);
  });

  it('When npm start or npm test begins, then the runtime is checked first', () => {
    expect(pkg.scripts.prestart).toBe('node scripts/check-runtime.mjs');
    expect(pkg.scripts.pretest).toBe('node scripts/check-runtime.mjs');
  });

  it('When the check runs on another Node, then it stops with a message naming the wanted version', () => {
    // The machine's own Node, found without node_modules/.bin on PATH; skipped silently if it is the same binary.
    const path = (process.env.PATH ?? '').split(':').filter((dir) => !dir.includes('node_modules'));
    let other: string;
    try {
      other = execFileSync('sh', ['-c', 'command -v node'], { encoding: 'utf8', env: { PATH: path.join(':') } }).trim();
    } catch {
      return;
    }
    const version = execFileSync(other, ['--version'], { encoding: 'utf8' }).trim();
    if (version === `v${pkg.devDependencies.node}`) return;
    let stderr = '';
    try {
      execFileSync(other, [join(REPO, 'scripts', 'check-runtime.mjs')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      stderr = String((err as { stderr?: string }).stderr);
    }
    expect(stderr).toContain(`ImaraPay runs on Node ${pkg.devDependencies.node}`);
  });
});
