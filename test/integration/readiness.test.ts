import net from 'node:net';
import type { Server } from 'node:http';
import axios from 'axios';
import pino from 'pino';
import { Client, Connection } from '@temporalio/client';
import { createApp, type AppDeps } from '../../api/app';
import { createHttpServer } from '../../api/httpServer';
import { createOrm, type Orm } from '../../db/orm';
import { createSqlPool, type SqlPool } from '../../db/sqlPool';
import { freePort } from '../../scripts/net';
import { quietTemporalRuntime, startStack, type Stack } from '../support/harness';

/**
 * GET /api/ready on real dependencies: the stack's, and second API instances whose Postgres or
 * Temporal is unreachable (a closed port, or a proxy to Postgres that is cut).
 */

quietTemporalRuntime();

const http = axios.create({ validateStatus: () => true, timeout: 30_000 });

/** A TCP proxy to `target` that can be cut: open connections are destroyed and new ones refused. */
async function cuttableProxy(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** A second API instance on the stack's config, with some of its dependencies replaced. */
async function secondApi(stack: Stack, deps: Partial<AppDeps>): Promise<{ url: string; close(): Promise<void> }> {
  const app = createApp({
    config: stack.config,
    orm: stack.orm,
    runSql: stack.runSql,
    temporal: stack.temporal,
    logger: pino({ level: 'silent' }),
    ...deps,
  });
  const port = await freePort();
  const server: Server = createHttpServer(app, { requestTimeoutMs: 20_000 }).listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/api`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true, env: { READINESS_TIMEOUT_MS: '1500' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('Readiness', () => {
  it('When Postgres and Temporal both answer, then GET /api/ready is 200 ready, and liveness stays ok', async () => {
    const ready = await stack.http.get('/ready');
    expect([ready.status, ready.data]).toEqual([200, { status: 'ready' }]);
    expect(ready.headers['cache-control']).toBe('no-store');
    const health = await stack.http.get('/health');
    expect([health.status, health.data]).toEqual([200, { status: 'ok' }]);
  });

  it('When Temporal is unreachable, then it is 503 not_ready naming temporal, with no error text or address', async () => {
    const closedPort = await freePort();
    const connection = Connection.lazy({ address: `127.0.0.1:${closedPort}` });
    const api = await secondApi(stack, { temporal: new Client({ connection, namespace: 'default' }) });
    try {
      const res = await http.get(`${api.url}/ready`);
      expect([res.status, res.data]).toEqual([
        503,
        { error: 'Not ready: temporal failing', code: 'not_ready', checks: { postgres: 'ok', temporal: 'failing' } },
      ]);
      expect(JSON.stringify(res.data)).not.toContain(String(closedPort));
    } finally {
      await api.close();
      // The SDK retries an unavailable server with backoff until the call's deadline; a retry timer
      // still pending when the connection closes would throw. Its delays stay under 5 s.
      await new Promise((r) => setTimeout(r, 6_000));
      await connection.close();
    }
  });

  it('When Postgres goes away after start-up, then it is 503 not_ready naming postgres on every ask while it is gone', async () => {
    const target = new URL(stack.config.DATABASE_URL);
    const proxy = await cuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    target.port = String(proxy.port);
    let orm: Orm | undefined;
    let sqlPool: SqlPool | undefined;
    let api: Awaited<ReturnType<typeof secondApi>> | undefined;
    try {
      // Both of the instance's ways to Postgres, the ORM and the hot reads' pool, go through the proxy.
      orm = await createOrm({ databaseUrl: target.toString(), poolSize: 2 });
      sqlPool = createSqlPool({ databaseUrl: target.toString(), max: 2 });
      api = await secondApi(stack, { orm, runSql: sqlPool.run });
      const before = await http.get(`${api.url}/ready`);
      expect([before.status, before.data]).toEqual([200, { status: 'ready' }]);

      await proxy.cut();
      for (let i = 0; i < 2; i++) {
        const res = await http.get(`${api.url}/ready`);
        expect([res.status, res.data]).toEqual([
          503,
          { error: 'Not ready: postgres failing', code: 'not_ready', checks: { postgres: 'failing', temporal: 'ok' } },
        ]);
        expect(JSON.stringify(res.data)).not.toMatch(/127\.0\.0\.1|ECONN|postgres:\/\//);
      }
    } finally {
      await api?.close();
      await sqlPool?.close().catch(() => undefined);
      await orm?.close().catch(() => undefined);
    }
  });

  it('When Postgres freezes (accepts, never answers), then a status read is a 503 temporarily_unavailable, not a hang', async () => {
    const sockets = new Set<net.Socket>();
    const frozen = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => frozen.listen(0, '127.0.0.1', resolve));
    const target = new URL(stack.config.DATABASE_URL);
    target.port = String((frozen.address() as net.AddressInfo).port);
    const sqlPool = createSqlPool({ databaseUrl: target.toString(), max: 2, connectTimeoutMs: 500 });
    const api = await secondApi(stack, { runSql: sqlPool.run });
    try {
      const basic = `Basic ${Buffer.from('ak_frozen:secret').toString('base64')}`;
      // The client's own timeout (10 s) stands for "hangs": the pool must answer well before it.
      const res = await http.get(`${api.url}/transaction/status/ws_CO_1`, {
        headers: { Authorization: basic },
        timeout: 10_000,
      });
      expect(res.status).toBe(503);
      expect(res.data).toEqual({ error: expect.any(String), code: 'temporarily_unavailable' });
    } finally {
      await api.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => frozen.close(() => resolve()));
      await sqlPool.close().catch(() => undefined);
    }
  });

  it('When the instance is draining for shutdown, then it is 503 at once', async () => {
    const api = await secondApi(stack, { lifecycle: { draining: true } });
    try {
      const res = await http.get(`${api.url}/ready`);
      expect([res.status, res.data]).toEqual([503, { error: 'Shutting down', code: 'not_ready', draining: true }]);
      const health = await http.get(`${api.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
