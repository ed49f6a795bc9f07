import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(root, path)).isDirectory()) return sourcesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

// SQL run by hand, ORM reads and writes, or an entity schema (what the ORM needs to query).
const DATABASE_ACCESS =
  /\.execute\s*[<(]|getConnection\(|\bem(\(\))?\.(find\w*|create|native\w+|flush|count|assign|persist|remove|transactional|upsert\w*)\b|\w+Schema\b[^;]*from '[./]+\/db\/entities'/;

describe('The API flows one way: route → use case → db/', () => {
  it('When a route or use case needs the database, then it calls a function of db/ instead of SQL or the ORM', () => {
    const offenders = [...sourcesUnder('api/routes'), ...sourcesUnder('api/useCases')]
      .map((path) => relative(root, join(root, path)))
      .filter((path) => DATABASE_ACCESS.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('When a route needs data, then it asks a use case: routes import nothing from db/ but types', () => {
    const offenders = sourcesUnder('api/routes').filter((path) =>
      /^import (?!type )[^;]*from '[./]+\/db\//m.test(readFileSync(join(root, path), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
