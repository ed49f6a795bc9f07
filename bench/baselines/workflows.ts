/**
 * The bare workflows the benchmark compares ImaraPay with. They run on the same Temporal server as
 * the payments, on a worker of their own (bench/baselines/worker.ts) whose activities do nothing,
 * so that the difference between the two is what ImaraPay adds: its API, Postgres, Daraja calls.
 *
 * Bundled with bundleWorkflowCode like the payment workflow; deterministic like it.
 */
import { condition, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** The baseline worker's only activity. */
export interface BareActivities {
  /** Returns at once. */
  nothing(): Promise<void>;
}

/** How many activities a payment runs on either side of its callback, read from a real payment's history. */
export interface PaymentShape {
  /** Activities before the STK push request is answered (reserve fee, push, ...). */
  activitiesBeforeAnswer: number;
  /** Activities between the answer and the callback signal (normally none). */
  activitiesBeforeSignal: number;
  /** Activities after the callback (settle, webhook, ...). */
  activitiesAfterSignal: number;
}

/** Input of bareShapeWorkflow. */
export interface BareShapeInput {
  shape: PaymentShape;
  /** The one timer: how long to wait for the signal (long, as PAYMENT_CALLBACK_TIMEOUT_MS is in the bench). */
  timerMs: number;
}

/** Answered once the "push" activities are done; the baseline of the STK push request. */
export const bareAnswerUpdate = defineUpdate<string>('bareAnswer');
/** The baseline of Daraja's callback. */
export const bareCallbackSignal = defineSignal<[string]>('bareCallback');

const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '15s' } as const;
const activities = proxyActivities<BareActivities>({ startToCloseTimeout: '15s', retry });

async function runActivities(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await activities.nothing();
}

/**
 * A payment's shape with nothing inside: the same number of activities, one update answered after
 * the "push", one signal waited for under one timer. No search attributes, no I/O.
 */
export async function bareShapeWorkflow({ shape, timerMs }: BareShapeInput): Promise<string> {
  let answer: string | null = null;
  let callback: string | null = null;
  setHandler(bareCallbackSignal, (value) => {
    callback ??= value;
  });
  setHandler(bareAnswerUpdate, async () => {
    await condition(() => answer !== null);
    return answer!;
  });

  await runActivities(shape.activitiesBeforeAnswer);
  answer = 'accepted';
  await runActivities(shape.activitiesBeforeSignal);
  const signalled = await condition(() => callback !== null, timerMs);
  await runActivities(shape.activitiesAfterSignal);
  return signalled ? callback! : 'timed_out';
}

/** The smallest update-with-start: the update is answered in the first workflow task, which also completes the workflow. */
export async function trivialUpdateWorkflow(): Promise<void> {
  let answered = false;
  setHandler(bareAnswerUpdate, () => {
    answered = true;
    return 'ok';
  });
  await condition(() => answered);
}
