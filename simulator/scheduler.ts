import type { Logger } from 'pino';

/**
 * Timers and background work of the simulator, tracked so that stop() and reset() can cancel them
 * (no callback fires into a test that has finished) and tests can wait until everything has run.
 */
export interface Scheduler {
  /** Runs `task` after `ms`; a task that throws is logged, never crashes the process. */
  after(ms: number, task: () => Promise<void> | void): void;
  /** Tracks work already started (a callback delivery) so settled() waits for it. */
  track(work: Promise<unknown>): void;
  /** Resolves after `ms`, or at once when cancelAll() runs. */
  sleep(ms: number): Promise<void>;
  /** Resolves once nothing is scheduled or running. */
  settled(): Promise<void>;
  /** Cancels every scheduled task and ends every sleep. */
  cancelAll(): void;
}

export function createScheduler(logger: Logger): Scheduler {
  const timers = new Set<NodeJS.Timeout>();
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  let running = 0;
  let waiters: Array<() => void> = [];

  const notify = () => {
    if (timers.size > 0 || running > 0) return;
    const ready = waiters;
    waiters = [];
    ready.forEach((resolve) => resolve());
  };

  const track = (work: Promise<unknown>) => {
    running += 1;
    work
      .catch((error: unknown) => logger.error({ err: error }, 'simulator background task failed'))
      .finally(() => {
        running -= 1;
        notify();
      });
  };

  return {
    after(ms, task) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        track(Promise.resolve().then(task));
        notify();
      }, ms);
      timers.add(timer);
    },
    track,
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          sleepers.delete(timer);
          resolve();
        }, ms);
        sleepers.set(timer, resolve);
      });
    },
    settled() {
      return new Promise<void>((resolve) => {
        waiters.push(resolve);
        notify();
      });
    },
    cancelAll() {
      timers.forEach((timer) => clearTimeout(timer));
      timers.clear();
      sleepers.forEach((resolve, timer) => {
        clearTimeout(timer);
        resolve();
      });
      sleepers.clear();
      notify();
    },
  };
}
