import net from 'node:net';

/**
 * A TCP forwarder between ImaraPay and the Daraja simulator that the suite can switch off: while
 * down it listens no more and cuts every open connection, so Daraja is unreachable (connection
 * refused or reset) exactly as an outage looks from ImaraPay, while the simulator itself, and the
 * ground truth its control API holds, stay intact.
 */
export interface DarajaGate {
  url: string;
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDarajaGate(target: { host: string; port: number }): Promise<DarajaGate> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await listen(server, 0);
  const { port } = server.address() as net.AddressInfo;
  let isUp = true;
  const cutAll = () => sockets.forEach((socket) => socket.destroy());
  return {
    url: `http://127.0.0.1:${port}`,
    async down() {
      if (!isUp) return;
      isUp = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      cutAll();
      await closed;
    },
    async up() {
      if (isUp) return;
      await listen(server, port);
      isUp = true;
    },
    async stop() {
      cutAll();
      if (isUp) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
