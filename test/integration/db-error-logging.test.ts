import { Writable } from 'node:stream';
import type { RequiredEntityData } from '@mikro-orm/core';
import { CustomerSchema, type Customer } from '../../db/entities';
import { createMerchant } from '../../db/merchants';
import { createOrm, migrate, type Orm } from '../../db/orm';
import { createSqlPool } from '../../db/sqlPool';
import { createLogger } from '../../config/logger';
import { createTestDatabase, dropTestDatabase } from '../support/database';

/**
 * Database errors carry the SQL and its parameters (phone numbers, key hashes) in their message,
 * stack and `detail`. Real errors from real bad statements against Postgres are logged through the
 * project's logger, and what is written keeps the error's class, code and constraint only.
 */
const PHONE = '254712345678';

let databaseUrl: string;
let orm: Orm;
beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  orm = await createOrm({ databaseUrl });
  await migrate(orm);
});
afterAll(async () => {
  await orm?.close();
  if (databaseUrl) await dropTestDatabase(databaseUrl);
});

/** Logs `err` as the API's error middleware does and returns the JSON line written. */
function logged(err: unknown): { text: string; entry: { err: Record<string, unknown> } } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  createLogger('info', sink)
    .child({ component: 'api' })
    .error({ err, method: 'POST', route: '/api/v1/customers' }, 'unexpected error');
  return { text, entry: JSON.parse(text) as { err: Record<string, unknown> } };
}

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('the statement was expected to fail');
}

async function duplicateCustomerError(): Promise<unknown> {
  const em = orm.em.fork();
  const merchant = await createMerchant(em, { name: 'Shop', email: `shop-${Date.now()}@example.test` });
  const now = new Date();
  const customer: RequiredEntityData<Customer> = {
    publicId: `cus_${merchant}_a`,
    merchant,
    environment: 'sandbox',
    phoneNumber: PHONE,
    metadata: {},
    createdAt: now,
    updatedAt: now,
  };
  await em.insert<Customer>(CustomerSchema, customer);
  return caught(() => em.insert<Customer>(CustomerSchema, { ...customer, publicId: `cus_${merchant}_b` }));
}

describe('Logging database errors', () => {
  it('When an ORM insert breaks a unique constraint, then the log keeps the class, code and constraint but no SQL or values', async () => {
    const err = await duplicateCustomerError();
    // The error itself does carry them: this is what must not reach the log.
    expect(String((err as Error).message)).toContain(PHONE);

    const { text, entry } = logged(err);
    expect(entry.err).toMatchObject({
      type: 'UniqueConstraintViolationException',
      code: '23505',
      constraint: 'customers_merchant_environment_phone_unique',
      table: 'customers',
    });
    expect(text).not.toContain(PHONE);
    expect(text).not.toMatch(/insert into/i);
    expect(text).not.toContain('Key (');
  });

  it('When a raw statement fails on a bound value, then neither the statement nor the value the server quotes is logged', async () => {
    const err = await caught(() => orm.em.fork().getConnection().execute('select ?::int as phone', [PHONE]));
    const { text, entry } = logged(err);
    expect(entry.err).toMatchObject({ code: '22003' });
    expect(text).not.toContain(PHONE);
    expect(text).not.toMatch(/select/i);
  });

  it('When a prepared statement of the hot-path runner fails, then its value is not logged', async () => {
    const sqlPool = createSqlPool({ databaseUrl, max: 1 });
    const err = await caught(() => sqlPool.run('select ?::date as day', ['0000-01-01'])).finally(() => sqlPool.close());
    const { text, entry } = logged(err);
    expect(entry.err).toMatchObject({ type: 'DatabaseError', code: '22008' });
    expect(text).not.toContain('0000-01-01');
  });

  it('When a database error is the cause of another error, then the wrapper is logged and the cause without its SQL', async () => {
    const cause = await duplicateCustomerError();
    const { text, entry } = logged(new Error('Could not record the customer', { cause }));
    expect(entry.err).toMatchObject({
      type: 'Error',
      message: 'Could not record the customer',
      cause: { code: '23505', constraint: 'customers_merchant_environment_phone_unique' },
    });
    expect(text).not.toContain(PHONE);
  });

  it('When an error has nothing to do with the database, then it is logged as before, message and all', () => {
    const { entry } = logged(new TypeError('cannot read properties of undefined'));
    expect(entry.err).toMatchObject({ type: 'TypeError', message: 'cannot read properties of undefined' });
  });

  it('When MIKRO_ORM_DEBUG asks for the query log, then MikroORM prints no statement or parameter', async () => {
    const printed: string[] = [];
    process.env.MIKRO_ORM_DEBUG = 'true';
    const debugOrm = await createOrm({ databaseUrl, log: (message) => printed.push(message) }).finally(
      () => delete process.env.MIKRO_ORM_DEBUG,
    );
    try {
      await debugOrm.em.fork().getConnection().execute('select ?::text as phone', [PHONE]);
    } finally {
      await debugOrm.close();
    }
    expect(printed.join('\n')).toContain('MikroORM'); // the debug log is on and written here
    expect(printed.join('\n')).not.toContain(PHONE);
  });
});
