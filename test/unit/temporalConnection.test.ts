import net from 'node:net';
import type { Client } from '@temporalio/client';
import type { Transaction } from '../../db/entities';
import { AppError } from '../../domain/errors';
import { awaitPushOutcome } from '../../payments/paymentStart';
import {
  createTemporalConnection,
  DEFAULT_CALL_DEADLINE_MS,
  defaultDeadlineInterceptor,
  temporalReachable,
} from '../../payments/temporalConnection';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("The API's Temporal connection", () => {
  it('When nothing answers at its address, then temporalReachable says no by its deadline', async () => {
    const connection = createTemporalConnection(`127.0.0.1:${await closedPort()}`);
    try {
      const started = Date.now();
      expect(await temporalReachable(connection, Date.now() + 1_000)).toBe(false);
      expect(Date.now() - started).toBeLessThan(2_500);
    } finally {
      await connection.close();
    }
  });

  it('When a call sets no deadline, then the interceptor gives it the default; an explicit one is kept', () => {
    const seen: Array<{ deadline?: unknown }> = [];
    const nextCall = ((options: { deadline?: unknown }) => (seen.push(options), {})) as never;
    const before = Date.now();
    defaultDeadlineInterceptor({ method_definition: {} } as never, nextCall);
    defaultDeadlineInterceptor({ method_definition: {}, deadline: 42 } as never, nextCall);
    expect(seen[0]!.deadline).toBeGreaterThanOrEqual(before + DEFAULT_CALL_DEADLINE_MS);
    expect(seen[0]!.deadline).toBeLessThanOrEqual(Date.now() + DEFAULT_CALL_DEADLINE_MS);
    expect(seen[1]!.deadline).toBe(42);
  });
});

describe('A payment start while Temporal is unreachable', () => {
  const unreachable = {
    connection: {
      withDeadline: () => Promise.reject(new Error('14 UNAVAILABLE: No connection established')),
    },
  } as unknown as Client;
  const deps = {
    em: {} as never,
    temporal: unreachable,
    taskQueue: 'q',
    timings: { pushDeadlineMs: 60_000 } as never,
    startDeadlineMs: 500,
  };

  it('When its push has not gone out, then it is 503 temporarily_unavailable with a retry time', async () => {
    const tx = { id: 7, pushState: 'none', workflowId: 'payment-7' } as Transaction;
    const err = await awaitPushOutcome(deps, tx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'temporarily_unavailable', details: { transaction_id: 7, retry_after: 5 } });
  });

  it('When an earlier attempt under the same key already sent the push, then the answer is what its row records', async () => {
    const tx = {
      id: 8,
      pushState: 'accepted',
      checkoutRequestId: 'ws_CO_8',
      merchantRequestId: 'mr-8',
      workflowId: 'payment-8',
    } as Transaction;
    expect(await awaitPushOutcome(deps, tx)).toEqual({
      outcome: 'accepted',
      checkoutRequestId: 'ws_CO_8',
      merchantRequestId: 'mr-8',
    });
  });
});
