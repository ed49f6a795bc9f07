import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Asks the OS for a TCP port that is free right now on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitForPortOptions {
  host: string;
  port: number;
  /** Give up after this long. */
  timeoutMs?: number;
  /** Stops waiting early (e.g. when the process that should open the port died). */
  signal?: AbortSignal;
}

/** Resolves once host:port accepts connections; rejects after timeoutMs or when aborted. */
export async function waitForPort({ host, port, timeoutMs = 60_000, signal }: WaitForPortOptions): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortOpen(host, port))) {
    signal?.throwIfAborted();
    if (Date.now() > deadline) throw new Error(`Nothing answered on ${host}:${port} within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** The address to dial for a server bound to `host` (a wildcard bind is reached via loopback). */
export function dialHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}
