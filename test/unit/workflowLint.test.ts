import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/paths';

/**
 * The workflow lint is what keeps replay deterministic: it must refuse every Node built-in, sub-paths
 * included. ESLint runs in a child process (its flat config is an ES module, which Jest's CommonJS
 * runtime cannot load), linting the text as if it were a file of workflows/.
 */
function restrictedImports(source: string): string[] {
  const run = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'),
      '--stdin',
      '--stdin-filename',
      'workflows/definitions.ts',
      '--format',
      'json',
    ],
    { cwd: REPO_ROOT, input: source, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('The workflow lint', () => {
  it('When a workflow imports a Node built-in by any of its names, sub-paths included, then lint refuses each', () => {
    const specifiers = ['node:dns/promises', 'fs/promises', 'node:fs', 'http2', 'node:diagnostics_channel', 'dgram'];
    const source = specifiers.map((s, i) => `import * as m${i} from '${s}';\nexport const x${i} = m${i};\n`).join('');
    const messages = restrictedImports(source);
    expect(specifiers.filter((s) => !messages.some((m) => m.startsWith(`'${s}' import is restricted`)))).toEqual([]);
  });

  it('When a workflow imports only the workflow SDK, then lint lets it through', () => {
    expect(restrictedImports(`import { sleep } from '@temporalio/workflow';\nexport const x = sleep;\n`)).toEqual([]);
  });
});
