import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server tests create their databases on (the machine's PostgreSQL). */
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database of its own for one test file and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const name = `imarapay_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  if (!/^imarapay_test_\w+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
}
