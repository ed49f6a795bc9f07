import http from 'node:http';

/** A small keep-alive HTTP/1.1 JSON client: cheap enough that the load generator is not what is measured. */
export interface HttpClient {
  request(
    method: 'GET' | 'POST',
    url: string,
    options?: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<HttpAnswer>;
  close(): void;
}

export interface HttpAnswer {
  status: number;
  body: any;
}

export function createHttpClient(maxSockets: number): HttpClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    request(method, url, { body, headers = {}, timeoutMs = 60_000 } = {}) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      return new Promise<HttpAnswer>((resolve, reject) => {
        const req = http.request(
          url,
          {
            method,
            agent,
            headers: {
              ...headers,
              ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = text;
              try {
                parsed = text ? JSON.parse(text) : null;
              } catch {
                // not JSON: keep the text
              }
              resolve({ status: res.statusCode ?? 0, body: parsed });
            });
            res.on('error', reject);
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

export interface ClientsOptions {
  /** How many calls in all. */
  count: number;
  /** How many run at once. */
  concurrency: number;
  /** Epoch ms after which no new call starts. */
  deadline: number;
  /** One call; `index` runs from 0 to count - 1. */
  call(index: number): Promise<void>;
  /** Called after every `progressEvery` completed calls. */
  onProgress?(done: number): void;
  progressEvery?: number;
}

export interface ClientsResult {
  /** Latency of each successful call, ms, in completion order. */
  latencies: number[];
  errors: string[];
  startedAt: number;
  endedAt: number;
}

/** Runs `count` calls from `concurrency` concurrent clients, each starting its next call when its last one ends. */
export async function runClients({
  count,
  concurrency,
  deadline,
  call,
  onProgress,
  progressEvery = 1000,
}: ClientsOptions): Promise<ClientsResult> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let done = 0;
  const startedAt = performance.now();
  const client = async () => {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      const t0 = performance.now();
      try {
        await call(index);
        latencies.push(performance.now() - t0);
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
      done += 1;
      if (onProgress && done % progressEvery === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, client));
  return { latencies, errors, startedAt, endedAt: performance.now() };
}

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in ms. */
export function summarize(latencies: number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const mean = sorted.length === 0 ? NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    count: sorted.length,
    mean,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

export function median(values: number[]): number {
  return summarize(values).p50;
}

/** Resolves after ms. */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, at most until `deadline` (epoch ms); returns whether it did. */
export async function waitUntil(
  check: () => Promise<boolean>,
  { deadline, intervalMs = 500, onTick }: { deadline: number; intervalMs?: number; onTick?: () => void },
): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await check()) return true;
    onTick?.();
    await pause(intervalMs);
  }
  return check();
}
