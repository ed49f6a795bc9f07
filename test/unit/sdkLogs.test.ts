import { Writable } from 'node:stream';
import { DatabaseError } from 'pg';
import { createLogger } from '../../config/logger';
import { sdkLogFunction } from '../../worker/sdkLogs';

/** A driver error as knex passes it on: the statement, values inlined, before the server's message. */
function knexDatabaseError(): DatabaseError {
  const err = new DatabaseError(
    `insert into "customers" ("phone_number") values ('254712345678') - duplicate key value violates unique constraint "customers_merchant_environment_phone_unique"`,
    200,
    'error',
  );
  return Object.assign(err, {
    code: '23505',
    severity: 'ERROR',
    constraint: 'customers_merchant_environment_phone_unique',
    detail: 'Key (phone_number)=(254712345678) already exists.',
  });
}

describe('The Temporal SDK logs through pino', () => {
  it('When an activity fails on a database error, then the SDK line keeps its class, code and constraint, not the SQL or values', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const log = sdkLogFunction(createLogger('info', sink));
    log({
      level: 'WARN',
      message: 'Activity failed',
      timestampNanos: 0n,
      meta: { error: knexDatabaseError(), activityType: 'settlePayment' },
    });

    const entry = JSON.parse(written);
    expect(entry).toMatchObject({
      level: 40,
      msg: 'Activity failed',
      component: 'temporal-sdk',
      activityType: 'settlePayment',
    });
    expect(entry.error).toMatchObject({
      type: 'DatabaseError',
      code: '23505',
      constraint: 'customers_merchant_environment_phone_unique',
    });
    expect(written).not.toContain('254712345678');
    expect(written).not.toMatch(/insert into/i);
  });
});
