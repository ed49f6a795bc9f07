import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { bareAnswerUpdate, bareShapeWorkflow, trivialUpdateWorkflow, type PaymentShape } from './baselines/workflows';

/**
 * What a payment's history holds, counted from a real one; the baseline copies the first three.
 * Local activities count as activities there: the baseline keeps the design's shape (every step
 * a regular activity), and running steps locally is one of the ways ImaraPay gets under it.
 */
export interface MeasuredShape extends PaymentShape {
  /** How many of the activities ran as local activities (recorded as markers, no task round trip). */
  localActivities: number;
  signals: number;
  timers: number;
  updates: number;
  searchAttributeUpserts: number;
  workflowTasks: number;
  historyEvents: number;
}

/** The marker the SDK records for each local activity's result. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Counts the activities around the update answer and the callback signal in one finished workflow's history. */
export async function readShape(client: Client, workflowId: string): Promise<MeasuredShape> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const shape: MeasuredShape = {
    activitiesBeforeAnswer: 0,
    activitiesBeforeSignal: 0,
    activitiesAfterSignal: 0,
    localActivities: 0,
    signals: 0,
    timers: 0,
    updates: 0,
    searchAttributeUpserts: 0,
    workflowTasks: 0,
    historyEvents: events.length,
  };
  let phase: 'beforeAnswer' | 'beforeSignal' | 'afterSignal' = 'beforeAnswer';
  for (const event of events) {
    const local = event.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER;
    if (local) shape.localActivities += 1;
    if (event.activityTaskScheduledEventAttributes || local) {
      if (phase === 'beforeAnswer') shape.activitiesBeforeAnswer += 1;
      else if (phase === 'beforeSignal') shape.activitiesBeforeSignal += 1;
      else shape.activitiesAfterSignal += 1;
    }
    if (event.workflowExecutionUpdateCompletedEventAttributes) {
      shape.updates += 1;
      if (phase === 'beforeAnswer') phase = 'beforeSignal';
    }
    if (event.workflowExecutionSignaledEventAttributes) {
      shape.signals += 1;
      phase = 'afterSignal';
    }
    if (event.timerStartedEventAttributes) shape.timers += 1;
    if (event.upsertWorkflowSearchAttributesEventAttributes) shape.searchAttributeUpserts += 1;
    if (event.workflowTaskCompletedEventAttributes) shape.workflowTasks += 1;
  }
  return shape;
}

/** Starts a bare same-shape workflow with update-with-start and resolves once its "push" activities are done. */
export async function startBareShape(
  client: Client,
  taskQueue: string,
  workflowId: string,
  shape: PaymentShape,
  timerMs: number,
): Promise<void> {
  const start = new WithStartWorkflowOperation(bareShapeWorkflow, {
    workflowId,
    taskQueue,
    args: [
      {
        shape: {
          activitiesBeforeAnswer: shape.activitiesBeforeAnswer,
          activitiesBeforeSignal: shape.activitiesBeforeSignal,
          activitiesAfterSignal: shape.activitiesAfterSignal,
        },
        timerMs,
      },
    ],
    workflowIdConflictPolicy: 'FAIL',
  });
  await client.workflow.executeUpdateWithStart(bareAnswerUpdate, { startWorkflowOperation: start });
}

/** One bare update-with-start round trip of the trivial workflow. */
export async function trivialRoundTrip(client: Client, taskQueue: string, workflowId: string): Promise<void> {
  const start = new WithStartWorkflowOperation(trivialUpdateWorkflow, {
    workflowId,
    taskQueue,
    args: [],
    workflowIdConflictPolicy: 'FAIL',
  });
  await client.workflow.executeUpdateWithStart(bareAnswerUpdate, { startWorkflowOperation: start });
}

export interface CompletionTracker {
  /** Starts waiting for this workflow to close. */
  add(workflowId: string): void;
  /** No more workflows will be added. */
  close(): void;
  /** Resolves once every added workflow closed (or the deadline passed). */
  done(): Promise<CompletionResult>;
}

export interface CompletionResult {
  /** Epoch ms at which each workflow was seen closed. */
  closedAt: Map<string, number>;
  /** workflowId → why it did not complete as expected. */
  failures: Map<string, string>;
}

/**
 * Waits for workflows to close with `concurrency` long polls (handle.result()), the same way for
 * payments and baselines, so the extra load on the server is the same on both sides.
 * `accept` tells a good result from a bad one (a payment must end `completed`). Once no more
 * workflows are added, waiting stops when none has closed for `stallMs` (a lost callback must show
 * as a failure, not hang the bench until the deadline).
 */
export function trackCompletions(
  client: Client,
  {
    concurrency,
    deadline,
    accept,
    stallMs = 120_000,
  }: { concurrency: number; deadline: number; accept: (result: unknown) => boolean; stallMs?: number },
): CompletionTracker {
  const queue: string[] = [];
  let closed = false;
  let sleepers: Array<() => void> = [];
  const result: CompletionResult = { closedAt: new Map(), failures: new Map() };
  let lastProgress = Date.now();
  let giveUp: (reason: Error) => void = () => undefined;
  const abandoned = new Promise<never>((_, reject) => (giveUp = reject));
  abandoned.catch(() => undefined);

  const waitForWork = () => new Promise<void>((resolve) => sleepers.push(resolve));
  const wakeAll = () => {
    const ready = sleepers;
    sleepers = [];
    ready.forEach((resolve) => resolve());
  };
  const poller = async () => {
    for (;;) {
      const workflowId = queue.shift();
      if (workflowId === undefined) {
        if (closed) return;
        await waitForWork();
        continue;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        result.failures.set(workflowId, 'deadline passed before it closed');
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        const value = await Promise.race([
          client.workflow.getHandle(workflowId).result(),
          new Promise(
            (_, reject) => (timer = setTimeout(() => reject(new Error('deadline passed before it closed')), remaining)),
          ),
          abandoned,
        ]);
        lastProgress = Date.now();
        if (accept(value)) result.closedAt.set(workflowId, Date.now());
        else result.failures.set(workflowId, `unexpected result ${JSON.stringify(value)}`);
      } catch (err) {
        result.failures.set(workflowId, err instanceof Error ? err.message : String(err));
      } finally {
        clearTimeout(timer);
      }
    }
  };
  const pollers = Array.from({ length: concurrency }, poller);

  return {
    add(workflowId) {
      queue.push(workflowId);
      wakeAll();
    },
    close() {
      closed = true;
      wakeAll();
    },
    async done() {
      const watchdog = setInterval(() => {
        if (closed && Date.now() - lastProgress > stallMs)
          giveUp(new Error(`no workflow closed for ${stallMs / 1000} s`));
      }, 1000);
      try {
        await Promise.all(pollers);
      } finally {
        clearInterval(watchdog);
      }
      return result;
    },
  };
}
