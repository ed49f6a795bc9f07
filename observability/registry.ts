import { Registry, collectDefaultMetrics } from 'prom-client';

/** Which process a registry describes; every metric carries it as the `service` label. */
export type ServiceName = 'api' | 'worker';

/**
 * A fresh prom-client registry for one process, with Node's default process metrics (CPU, memory,
 * event-loop lag, GC, handles) under the `imarapay_` prefix. One registry per process rather than
 * prom-client's global one: tests run several apps in one process, and nothing is registered at import.
 */
export function createMetricsRegistry(service: ServiceName): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'imarapay_' });
  return registry;
}
