import { probe, readinessAnswer } from '../../observability/readiness';
import { pushOutcome } from '../../observability/httpMetrics';

describe('Readiness answers', () => {
  it('When both checks are ok, then it is 200 ready', () => {
    expect(readinessAnswer({ draining: false, checks: { postgres: 'ok', temporal: 'ok' } })).toEqual({
      status: 200,
      body: { status: 'ready' },
    });
  });

  it.each([
    [{ postgres: 'failing', temporal: 'ok' }, 'Not ready: postgres failing'],
    [{ postgres: 'ok', temporal: 'failing' }, 'Not ready: temporal failing'],
    [{ postgres: 'failing', temporal: 'failing' }, 'Not ready: postgres and temporal failing'],
  ] as const)('When the checks are %j, then it is 503 not_ready naming them', (checks, error) => {
    expect(readinessAnswer({ draining: false, checks })).toEqual({
      status: 503,
      body: { error, code: 'not_ready', checks },
    });
  });

  it('When the process is draining, then it is 503 whatever the checks', () => {
    expect(readinessAnswer({ draining: true })).toEqual({
      status: 503,
      body: { error: 'Shutting down', code: 'not_ready', draining: true },
    });
  });
});

describe('One readiness check', () => {
  it('When the check resolves in time, then it is ok', async () => {
    await expect(probe(async () => 1, 1_000)).resolves.toBe('ok');
  });

  it('When the check rejects, then it is failing and its error goes nowhere', async () => {
    await expect(probe(() => Promise.reject(new Error('connect ECONNREFUSED db.internal:5432')), 1_000)).resolves.toBe(
      'failing',
    );
  });

  it('When the check never answers, then it is failing at the deadline', async () => {
    await expect(probe(() => new Promise(() => undefined), 50)).resolves.toBe('failing');
  });
});

describe('Push outcomes', () => {
  it.each([
    [200, { success: true }, 'accepted'],
    [201, {}, 'accepted'],
    [202, { success: true }, 'unconfirmed'],
    [402, { code: 'insufficient_balance' }, 'insufficient_balance'],
    [400, { code: 'daraja_rejected' }, 'daraja_rejected'],
    [500, { code: 'internal' }, 'internal'],
    [500, null, 'error'],
    [400, { code: 'Not A Code!' }, 'error'],
  ] as const)('When the answer is %d %j, then the outcome is %s', (status, body, outcome) => {
    expect(pushOutcome(status, body)).toBe(outcome);
  });
});
