import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/paths';

describe("The dashboard's typed API client", () => {
  it('When the API changes, then web/src/api/schema.d.ts has been regenerated from its OpenAPI document (npm run web:api-types)', () => {
    // A child process: openapi-typescript's dependencies are ES modules, which Jest's CommonJS runtime cannot load.
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'web', 'apiTypes.ts'), '--check'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect({ status: run.status, output: run.stdout.trim() }).toEqual({
      status: 0,
      output: 'web/src/api/schema.d.ts is up to date',
    });
  });
});
