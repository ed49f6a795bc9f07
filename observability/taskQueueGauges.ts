import { Gauge, type Registry } from 'prom-client';
import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { sharedRead } from './paymentGauges';

type DescribeTaskQueueResponse = temporal.api.workflowservice.v1.IDescribeTaskQueueResponse;

/** Which of a task queue's two queues: workflow tasks or activity tasks. */
export type TaskQueueKind = 'workflow' | 'activity';

export const TASK_QUEUE_KINDS: readonly TaskQueueKind[] = ['workflow', 'activity'];

/**
 * Asks Temporal's DescribeTaskQueue about one kind of the queue, with `reportStats` (backlog count
 * and age; Temporal server 1.28+) and the pollers it saw. Must reject rather than hang: give the
 * call a deadline.
 */
export type DescribeTaskQueue = (kind: TaskQueueKind) => Promise<DescribeTaskQueueResponse>;

/** What one kind of the task queue looks like to Temporal at one moment. */
export interface TaskQueueSnapshot {
  kind: TaskQueueKind;
  /** Tasks waiting for a worker (approximate; Temporal's approximateBacklogCount). */
  backlog: number;
  /** Age of the oldest waiting task, in seconds (0 when none waits). */
  backlogAgeSeconds: number;
  /** Pollers Temporal saw in the last 5 minutes (its poller history keeps them that long). */
  pollers: number;
  /** Seconds since the poller that polled longest ago last polled (a frozen or gone worker's grows); null with no pollers. */
  stalestPollerSeconds: number | null;
  /** Seconds since the most recent poll of any poller (all workers frozen: it grows); null with no pollers. */
  freshestPollerSeconds: number | null;
}

const seconds = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  d ? Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9 : 0;

/** The snapshot of one DescribeTaskQueue answer, its poller ages measured at `nowMs` (ms since the epoch). */
export function taskQueueSnapshot(
  kind: TaskQueueKind,
  answer: DescribeTaskQueueResponse,
  nowMs: number,
): TaskQueueSnapshot {
  const ages = (answer.pollers ?? [])
    .filter((p) => p.lastAccessTime)
    .map((p) => Math.max(0, nowMs / 1000 - seconds(p.lastAccessTime)));
  return {
    kind,
    backlog: Number(answer.stats?.approximateBacklogCount ?? 0),
    backlogAgeSeconds: seconds(answer.stats?.approximateBacklogAge),
    pollers: ages.length,
    stalestPollerSeconds: ages.length ? Math.max(...ages) : null,
    freshestPollerSeconds: ages.length ? Math.min(...ages) : null,
  };
}

/**
 * Registers the task-queue gauges, read from Temporal at scrape time (one DescribeTaskQueue per
 * kind, shared by parallel scrapes and reused for `cacheTtlMs`):
 * - `imarapay_task_queue_backlog{task_queue, kind}`: tasks waiting for a worker;
 * - `imarapay_task_queue_backlog_age_seconds{task_queue, kind}`: age of the oldest of them;
 * - `imarapay_task_queue_pollers{task_queue, kind}`: pollers seen in the last 5 minutes;
 * - `imarapay_task_queue_poller_age_seconds{task_queue, kind, poller="stalest"|"freshest"}`: time
 *   since a poller last polled. A healthy idle poller re-polls at least every minute (Temporal's
 *   long poll); a frozen worker's age keeps growing until Temporal forgets it after 5 minutes;
 * - `imarapay_task_queue_up{task_queue}`: 1 when Temporal answered the latest read, else 0 (the
 *   other gauges are then empty).
 * Every process that registers them reports the same values: aggregate with `max`.
 */
export function registerTaskQueueGauges(
  registry: Registry,
  { taskQueue, describe, cacheTtlMs = 5_000 }: { taskQueue: string; describe: DescribeTaskQueue; cacheTtlMs?: number },
): void {
  const read = sharedRead(async () => {
    const answers = await Promise.all(TASK_QUEUE_KINDS.map((kind) => describe(kind)));
    const now = Date.now();
    return answers.map((answer, i) => taskQueueSnapshot(TASK_QUEUE_KINDS[i]!, answer, now));
  }, cacheTtlMs);
  const fromSnapshots = (
    name: string,
    help: string,
    labelNames: string[],
    set: (gauge: Gauge, snapshots: TaskQueueSnapshot[] | null) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        // One shared read for all of them: a scrape asks Temporal once per kind, not once per gauge.
        set(this, await read().catch(() => null));
      },
    });

  fromSnapshots(
    'imarapay_task_queue_up',
    'Whether Temporal answered DescribeTaskQueue for the payment task queue at the latest read (1) or not (0)',
    ['task_queue'],
    (gauge, snapshots) => gauge.set({ task_queue: taskQueue }, snapshots ? 1 : 0),
  );
  fromSnapshots(
    'imarapay_task_queue_backlog',
    'Tasks waiting for a worker on the payment task queue, by kind (workflow, activity)',
    ['task_queue', 'kind'],
    (gauge, snapshots) => snapshots?.forEach((s) => gauge.set({ task_queue: taskQueue, kind: s.kind }, s.backlog)),
  );
  fromSnapshots(
    'imarapay_task_queue_backlog_age_seconds',
    'Age of the oldest task waiting for a worker on the payment task queue, in seconds',
    ['task_queue', 'kind'],
    (gauge, snapshots) =>
      snapshots?.forEach((s) => gauge.set({ task_queue: taskQueue, kind: s.kind }, s.backlogAgeSeconds)),
  );
  fromSnapshots(
    'imarapay_task_queue_pollers',
    'Pollers Temporal saw on the payment task queue in the last 5 minutes',
    ['task_queue', 'kind'],
    (gauge, snapshots) => snapshots?.forEach((s) => gauge.set({ task_queue: taskQueue, kind: s.kind }, s.pollers)),
  );
  fromSnapshots(
    'imarapay_task_queue_poller_age_seconds',
    'Seconds since a poller of the payment task queue last polled: the stalest and the freshest poller',
    ['task_queue', 'kind', 'poller'],
    (gauge, snapshots) => {
      for (const s of snapshots ?? []) {
        if (s.stalestPollerSeconds !== null)
          gauge.set({ task_queue: taskQueue, kind: s.kind, poller: 'stalest' }, s.stalestPollerSeconds);
        if (s.freshestPollerSeconds !== null)
          gauge.set({ task_queue: taskQueue, kind: s.kind, poller: 'freshest' }, s.freshestPollerSeconds);
      }
    },
  );
}

/**
 * DescribeTaskQueue over `connection` for `taskQueue` in `namespace`, each call bounded by
 * `timeoutMs` (a scrape must not hang on an unreachable Temporal).
 */
export function describeTaskQueueVia(
  connection: ConnectionLike,
  { namespace, taskQueue, timeoutMs }: { namespace: string; taskQueue: string; timeoutMs: number },
): DescribeTaskQueue {
  const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;
  return (kind) =>
    connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType:
          kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        reportStats: true,
      }),
    );
}
