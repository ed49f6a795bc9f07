import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/paths';

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/**
 * Lints planted files with ESLint's Node API and the project's own config, as `eslint` would: each
 * file is written into its folder (so that typed rules see it in the TypeScript project), linted,
 * then removed. ESLint runs in a child process, since its flat config is an ES module that Jest's
 * CommonJS runtime cannot load.
 */
function lintPlanted(files: Record<string, string>): Record<string, LintMessage[]> {
  const planted = Object.fromEntries(
    Object.keys(files).map((at) => [at, at.replace(/\.ts$/, `.planted${randomUUID().slice(0, 8)}.ts`)]),
  );
  try {
    for (const [at, file] of Object.entries(planted)) writeFileSync(path.join(REPO_ROOT, file), files[at]!);
    const run = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { ESLint } from 'eslint';
         const eslint = new ESLint({ cwd: process.cwd() });
         const results = await eslint.lintFiles(process.argv.slice(1));
         process.stdout.write(JSON.stringify(results.map((r) => r.messages.map(({ ruleId, message }) => ({ ruleId, message })))));`,
        ...Object.values(planted),
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`ESLint failed: ${run.stderr}`);
    const results = JSON.parse(run.stdout) as LintMessage[][];
    return Object.fromEntries(Object.keys(files).map((at, i) => [at, results[i]!]));
  } finally {
    for (const file of Object.values(planted)) rmSync(path.join(REPO_ROOT, file), { force: true });
  }
}

const layeringRules = new Set(['@typescript-eslint/no-restricted-imports', 'layering/no-database-calls']);
const layering = (messages: LintMessage[]) => messages.filter((m) => m.ruleId !== null && layeringRules.has(m.ruleId));

/** The same ORM call, planted inside db/ and outside it. */
const ormCall = `import type { EntityManager } from '@mikro-orm/postgresql';
export async function planted(em: EntityManager): Promise<number> {
  return em.count('Transaction', { status: 'pending' });
}
`;

describe('The layering rule, enforced by lint (README, Layout)', () => {
  let found: Record<string, LintMessage[]>;
  beforeAll(() => {
    found = lintPlanted({
      'activities/upward.ts': `import { createApp } from '../api/app';\nexport const planted = createApp;\n`,
      'domain/upward.ts': `import { reserveFee } from '../db/ledger';\nexport const planted = reserveFee;\n`,
      'workflows/upward.ts': `import { createActivities } from '../activities';\nexport const planted = createActivities;\n`,
      'api/routes/direct.ts': `import { loadFeeTiers } from '../../db/pricing';\nexport const planted = loadFeeTiers;\n`,
      'activities/ormImport.ts': `import { MikroORM } from '@mikro-orm/postgresql';\nexport const planted = MikroORM;\n`,
      'api/useCases/ormCall.ts': ormCall,
      'observability/sql.ts': `export const planted = (run: (sql: string) => Promise<unknown>) => run('select count(*) from transactions');\n`,
      'db/ormCall.ts': ormCall,
      'activities/downward.ts': `import { settlementOf } from '../domain/settlement';\nimport type { PaymentActivities } from './types';\nexport const planted: [typeof settlementOf, PaymentActivities | null] = [settlementOf, null];\n`,
      'workflows/activityTypes.ts': `import type { PaymentActivities } from '../activities/types';\nexport type Planted = PaymentActivities;\n`,
    });
  }, 120_000);

  it('When an activity imports from api/, then lint refuses the upward import', () => {
    expect(layering(found['activities/upward.ts']!).map((m) => m.message)).toEqual([
      expect.stringContaining('nothing imports upward'),
    ]);
  });

  it('When domain/ imports from db/, then lint refuses it: domain imports nothing of ours but domain', () => {
    expect(layering(found['domain/upward.ts']!).map((m) => m.message)).toEqual([
      expect.stringContaining('domain/ imports only from domain/'),
    ]);
  });

  it('When a workflow imports activities as values, then lint refuses it; as types, it passes', () => {
    expect(layering(found['workflows/upward.ts']!).map((m) => m.message)).toEqual([
      expect.stringContaining('Import activities as types only'),
    ]);
    expect(layering(found['workflows/activityTypes.ts']!)).toEqual([]);
  });

  it('When a route imports a db/ function, then lint sends it through a use case', () => {
    expect(layering(found['api/routes/direct.ts']!).map((m) => m.message)).toEqual([
      expect.stringContaining('call a use case'),
    ]);
  });

  it('When the ORM is imported outside db/, then lint refuses the import', () => {
    expect(layering(found['activities/ormImport.ts']!).map((m) => m.message)).toEqual([
      expect.stringContaining('used only inside db/'),
    ]);
  });

  it('When code outside db/ calls the ORM on an EntityManager it was handed, then lint refuses the call', () => {
    expect(layering(found['api/useCases/ormCall.ts']!)).toEqual([
      { ruleId: 'layering/no-database-calls', message: expect.stringContaining('count() on a database client') },
    ]);
  });

  it('When SQL text is written outside db/, then lint refuses it', () => {
    expect(layering(found['observability/sql.ts']!)).toEqual([
      { ruleId: 'layering/no-database-calls', message: expect.stringContaining('SQL outside db/') },
    ]);
  });

  it('When the same ORM call is inside db/, or an activity imports from below, then lint lets it through', () => {
    expect(layering(found['db/ormCall.ts']!)).toEqual([]);
    expect(layering(found['activities/downward.ts']!)).toEqual([]);
  });
});
