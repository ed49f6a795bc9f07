import { createOrm, migrate } from '../../db/orm';
import { createTestDatabase, dropTestDatabase } from '../support/database';

describe('Migrations', () => {
  it('When every migration is applied, then the schema matches the entities exactly, and a second run applies nothing', async () => {
    const databaseUrl = await createTestDatabase();
    const orm = await createOrm({ databaseUrl, poolSize: 2 });
    try {
      expect((await migrate(orm)).length).toBeGreaterThanOrEqual(3);
      expect(await migrate(orm)).toEqual([]);
      expect((await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false })).trim()).toBe('');
    } finally {
      await orm.close();
      await dropTestDatabase(databaseUrl);
    }
  });
});
