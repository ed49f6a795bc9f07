/** What one dependency check found: it answered in time, or it failed or timed out. */
export type CheckState = 'ok' | 'failing';

export interface ReadinessChecks {
  postgres: CheckState;
  temporal: CheckState;
}

/** Whether the process is draining for shutdown; shared by the process's entrypoint and its readiness route. */
export interface Lifecycle {
  draining: boolean;
}

export type ReadinessAnswer =
  | { status: 200; body: { status: 'ready' } }
  | { status: 503; body: { error: string; code: 'not_ready'; checks?: ReadinessChecks; draining?: true } };

/**
 * Runs one check with a deadline of `timeoutMs` milliseconds: `ok` when it resolves in time,
 * `failing` when it rejects or takes longer. What went wrong is not returned: a readiness answer
 * is public and must not carry error text or host names. A check still running at the deadline is
 * left to settle on its own.
 */
export async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckState>((resolve) => {
    timer = setTimeout(() => resolve('failing'), timeoutMs);
  });
  const attempt = (async () => {
    await check();
    return 'ok' as const;
  })().catch(() => 'failing' as const);
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The readiness answer for the checks' results: 200 only when nothing fails and the process is not draining. */
export function readinessAnswer({
  draining,
  checks,
}: {
  draining: boolean;
  checks?: ReadinessChecks;
}): ReadinessAnswer {
  if (draining) return { status: 503, body: { error: 'Shutting down', code: 'not_ready', draining: true } };
  if (!checks) throw new Error('readinessAnswer needs the checks unless draining');
  const failing = Object.entries(checks)
    .filter(([, state]) => state !== 'ok')
    .map(([name]) => name);
  if (failing.length === 0) return { status: 200, body: { status: 'ready' } };
  return { status: 503, body: { error: `Not ready: ${failing.join(' and ')} failing`, code: 'not_ready', checks } };
}
