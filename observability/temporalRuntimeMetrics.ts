import net from 'node:net';
import type { RuntimeOptions } from '@temporalio/worker';
import type { Logger } from '../config/logger';

/**
 * The Temporal SDK's runtime metrics (its Rust core: polls, task latencies, slots, sticky cache,
 * activity and workflow outcomes), exported in Prometheus' format on a loopback port of their own
 * and folded into the worker's one GET /metrics by `scrape`. Counter and duration names follow
 * Prometheus' conventions (`_total`, `_seconds`).
 */
export interface TemporalRuntimeMetrics {
  /** For `Runtime.install({ telemetryOptions })`. */
  telemetryOptions: NonNullable<RuntimeOptions['telemetryOptions']>;
  /** The core's exposition text; empty (and a warning logged) when it cannot be read. */
  scrape(): Promise<string>;
}

/** Picks a free loopback port for the core's exporter and describes how to install and read it. */
export async function temporalRuntimeMetrics(logger: Logger): Promise<TemporalRuntimeMetrics> {
  const bindAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  return {
    telemetryOptions: {
      metrics: {
        metricPrefix: 'temporal_',
        globalTags: { service: 'worker' },
        prometheus: { bindAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
      },
    },
    async scrape() {
      try {
        const res = await fetch(`http://${bindAddress}/metrics`, { signal: AbortSignal.timeout(5_000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return await res.text();
      } catch (err) {
        logger.warn({ err }, 'Temporal runtime metrics could not be read');
        return '';
      }
    },
  };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
