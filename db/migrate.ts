import { loadConfig } from '../config/config';
import { createOrm, migrate } from './orm';

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
async function main() {
  const config = loadConfig();
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 1 });
  try {
    const applied = await migrate(orm);
    console.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema is up to date');
  } finally {
    await orm.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
