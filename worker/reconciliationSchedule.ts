import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import { paymentTimings, type Config } from '../config/config';
import type { ReconciliationWindows } from '../activities/types';
import { reconciliationWorkflow } from '../workflows/reconciliation';

/** The schedule's stable id, as the Temporal UI shows it under Schedules. */
export const RECONCILIATION_SCHEDULE_ID = 'imarapay-reconciliation';

/** The task queue of a deployment that keeps the default TEMPORAL_TASK_QUEUE. */
const DEFAULT_TASK_QUEUE = 'imarapay-payments';

/**
 * The schedule id of the deployment whose workers poll `taskQueue`: `imarapay-reconciliation`, suffixed
 * with the queue when it is not the default, so deployments sharing a namespace each keep their own.
 */
export function reconciliationScheduleId(taskQueue: string): string {
  return taskQueue === DEFAULT_TASK_QUEUE ? RECONCILIATION_SCHEDULE_ID : `${RECONCILIATION_SCHEDULE_ID}-${taskQueue}`;
}

/** Beyond the longest a payment can stay pending (push, callback wait, queries, unconfirmed wait): overdue. */
const OVERDUE_MARGIN_MS = 5 * 60_000;

/** The windows every reconciliation run applies, from the configuration (milliseconds). */
export function reconciliationInput(config: Config): ReconciliationWindows {
  const timings = paymentTimings(config);
  return {
    orphanGraceMs: config.RECONCILIATION_ORPHAN_GRACE_SECONDS * 1000,
    orphanStartWindowMs: config.RECONCILIATION_ORPHAN_START_WINDOW_SECONDS * 1000,
    overdueAfterMs:
      timings.pushDeadlineMs +
      Math.max(timings.callbackTimeoutMs + timings.queryWindowMs, timings.unconfirmedWaitMs) +
      OVERDUE_MARGIN_MS,
    timings,
  };
}

/**
 * Creates the reconciliation schedule (every RECONCILIATION_INTERVAL_SECONDS, overlapping runs
 * skipped) or, when it exists, brings its interval and input up to date. Safe to call from every
 * worker at every start; concurrent calls end with one schedule.
 */
export async function ensureReconciliationSchedule(
  client: Client,
  config: Config,
  { taskQueue = config.TEMPORAL_TASK_QUEUE, scheduleId = reconciliationScheduleId(taskQueue) } = {},
): Promise<void> {
  const every = config.RECONCILIATION_INTERVAL_SECONDS * 1000;
  const input = reconciliationInput(config);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: reconciliationWorkflow,
    workflowId: scheduleId,
    taskQueue,
    args: [input] as [ReconciliationWindows],
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      state: { note: 'Redrives stored callbacks, starts or ends payments without a workflow, surfaces the rest' },
    });
    return;
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const current = await handle.describe();
  const currentEvery = current.spec.intervals?.[0]?.every;
  const currentArgs = current.action.type === 'startWorkflow' ? current.action.args : undefined;
  if (currentEvery === every && JSON.stringify(currentArgs) === JSON.stringify([input])) return;
  await handle.update((previous) => ({
    ...previous,
    spec: { intervals: [{ every }] },
    action,
    policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP },
  }));
}

/** ensureReconciliationSchedule over a connection of its own, for a worker process at start. */
export async function ensureReconciliationScheduleAt(config: Config): Promise<void> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    await ensureReconciliationSchedule(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config);
  } finally {
    await connection.close();
  }
}
