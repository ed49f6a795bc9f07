import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { Registry } from 'prom-client';
import { registerTaskQueueGauges } from '../../observability/taskQueueGauges';

/** deploy/prometheus/alerts-imarapay.yml: it parses as Prometheus rule groups and names metrics that exist. */

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const file = path.join(__dirname, '..', '..', 'deploy', 'prometheus', 'alerts-imarapay.yml');
const rules = (): Rule[] =>
  (parse(fs.readFileSync(file, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap(
    (g) => g.rules,
  );

/** The metric names the API registers for the task queue. */
function taskQueueMetricNames(): string[] {
  const registry = new Registry();
  registerTaskQueueGauges(registry, { taskQueue: 'q', describe: () => Promise.reject(new Error('unused')) });
  return registry.getMetricsAsArray().map((m) => m.name);
}

describe('Prometheus alert rules', () => {
  it('When the rule file is read, then every rule has a name, an expression, a duration, a severity and a summary', () => {
    const all = rules();
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) {
      expect(rule.alert).toMatch(/^ImaraPay[A-Za-z]+$/);
      expect(rule.expr.length).toBeGreaterThan(0);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
    }
  });

  it('When the rules name imarapay_ metrics, then each is one the API registers, and a frozen worker is covered by backlog and poller age', () => {
    const known = taskQueueMetricNames();
    const named = rules().flatMap((r) => r.expr.match(/imarapay_[a-z_]+/g) ?? []);
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(known).toContain(name);
    expect(named).toEqual(
      expect.arrayContaining(['imarapay_task_queue_backlog_age_seconds', 'imarapay_task_queue_poller_age_seconds']),
    );
  });
});
