import { attemptStatusOf, decideWebhookSend, type AttemptRecord } from '../../domain/webhookRetry';

const now = Date.parse('2026-12-01T10:00:00Z');
const LEASE_MS = 15_000;
const STALLED_WAIT_MS = 300_000;
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
/** An attempt started `secondsAgo`, leased for LEASE_MS; its sender connected unless told otherwise. */
const attempt = (
  attemptNo: number,
  status: AttemptRecord['status'],
  secondsAgo: number,
  { latencyMs = 0, senderConnected = false }: { latencyMs?: number; senderConnected?: boolean } = {},
): AttemptRecord => ({
  attemptNo,
  status,
  startedAt: at(secondsAgo),
  latencyMs,
  leaseExpiresAt: new Date(now - secondsAgo * 1000 + LEASE_MS),
  senderConnected,
});
const decide = (over: Partial<Parameters<typeof decideWebhookSend>[0]>) =>
  decideWebhookSend({
    deliveryStatus: 'pending',
    deliveredAt: null,
    attempts: [],
    acceptedAfter: null,
    stalledWaitMs: STALLED_WAIT_MS,
    now,
    ...over,
  });

describe('What a webhook attempt does before sending', () => {
  it('When nothing was attempted yet, then it sends', () => {
    expect(decide({})).toEqual({ kind: 'send', abandoned: [] });
  });

  it('When the delivery is already delivered, then nothing is sent', () => {
    expect(decide({ deliveryStatus: 'delivered', deliveredAt: at(3) })).toEqual({ kind: 'delivered', attemptNo: null });
  });

  it('When an earlier attempt recorded a 2xx but the delivery is not marked, then it counts as delivered', () => {
    const attempts = [attempt(1, 'rejected', 60, { latencyMs: 80 }), attempt(2, 'accepted', 30, { latencyMs: 90 })];
    expect(decide({ attempts })).toEqual({ kind: 'delivered', attemptNo: 2 });
  });

  it('When a worker that resumed recorded a late 2xx on an attempt declared unknown, then it counts as delivered', () => {
    const attempts = [attempt(1, 'accepted', 70, { latencyMs: 60_000 }), attempt(2, 'rejected', 40, { latencyMs: 5 })];
    expect(decide({ attempts })).toEqual({ kind: 'delivered', attemptNo: 1 });
  });

  it('When earlier attempts were rejected, failed or are unknown, then it sends again', () => {
    const attempts = [
      attempt(1, 'rejected', 60, { latencyMs: 80 }),
      attempt(2, 'failed', 30, { latencyMs: 10_000 }),
      attempt(3, 'unknown', 20, { senderConnected: true }),
    ];
    expect(decide({ attempts })).toEqual({ kind: 'send', abandoned: [] });
  });

  it('When an attempt is still sending within its lease, then it waits until the lease ends', () => {
    const attempts = [attempt(1, 'rejected', 60, { latencyMs: 80 }), attempt(2, 'sending', 4)];
    expect(decide({ attempts })).toEqual({
      kind: 'wait',
      attemptNo: 2,
      until: now - 4_000 + LEASE_MS,
      reason: 'leased',
    });
  });

  it('When an attempt is sending one millisecond before its lease ends, then it still waits', () => {
    const attempts = [attempt(1, 'sending', LEASE_MS / 1000 - 0.001)];
    expect(decide({ attempts })).toMatchObject({ kind: 'wait', reason: 'leased', until: now + 1 });
  });

  it('When an attempt is still sending past its lease and its worker is gone, then it is declared unknown and sent again', () => {
    const attempts = [attempt(1, 'sending', 40), attempt(2, 'sending', 16)];
    expect(decide({ attempts })).toEqual({ kind: 'send', abandoned: [1, 2] });
  });

  it('When an attempt is sending exactly at its lease end and its worker is gone, then it is abandoned', () => {
    const attempts = [attempt(1, 'sending', LEASE_MS / 1000)];
    expect(decide({ attempts })).toEqual({ kind: 'send', abandoned: [1] });
  });

  it('When an attempt is past its lease but its worker is still connected (paused), then it waits for it', () => {
    const attempts = [attempt(1, 'sending', 60, { senderConnected: true })];
    expect(decide({ attempts })).toEqual({
      kind: 'wait',
      attemptNo: 1,
      until: now - 60_000 + LEASE_MS + STALLED_WAIT_MS,
      reason: 'stalled',
    });
  });

  it('When a paused worker’s attempt is past its lease and the longest wait, then it is declared unknown and sent again', () => {
    const attempts = [attempt(1, 'sending', (LEASE_MS + STALLED_WAIT_MS) / 1000 + 1, { senderConnected: true })];
    expect(decide({ attempts })).toEqual({ kind: 'send', abandoned: [1] });
  });

  it('When no wait is allowed for paused workers, then a sending attempt past its lease is abandoned', () => {
    const attempts = [attempt(1, 'sending', 16, { senderConnected: true })];
    expect(decide({ attempts, stalledWaitMs: 0 })).toEqual({ kind: 'send', abandoned: [1] });
  });

  it('When a stale sending attempt and one within its lease both exist, then it waits for the one that may answer', () => {
    const attempts = [attempt(1, 'sending', 40), attempt(2, 'sending', 2)];
    expect(decide({ attempts })).toMatchObject({ kind: 'wait', attemptNo: 2, reason: 'leased' });
  });

  it('When a paused worker’s attempt and one within its lease both exist, then it waits for the longer of the two', () => {
    const attempts = [attempt(1, 'sending', 40, { senderConnected: true }), attempt(2, 'sending', 2)];
    expect(decide({ attempts })).toMatchObject({ kind: 'wait', attemptNo: 1, reason: 'stalled' });
  });

  it('When the delivery was accepted, then a sending attempt is not waited for', () => {
    const attempts = [attempt(1, 'sending', 2), attempt(2, 'accepted', 1, { latencyMs: 5 })];
    expect(decide({ attempts })).toEqual({ kind: 'delivered', attemptNo: 2 });
  });

  describe('A redelivery the merchant asked for', () => {
    const requestedAt = now - 10_000;

    it('When the delivery was delivered before the ask, then it sends again', () => {
      const attempts = [attempt(1, 'accepted', 50, { latencyMs: 100 })];
      expect(
        decide({ deliveryStatus: 'delivered', deliveredAt: at(50), attempts, acceptedAfter: requestedAt }),
      ).toEqual({ kind: 'send', abandoned: [] });
    });

    it('When the delivery was accepted after the ask, then nothing is sent', () => {
      const attempts = [attempt(1, 'accepted', 50, { latencyMs: 100 }), attempt(2, 'accepted', 5, { latencyMs: 100 })];
      expect(decide({ deliveryStatus: 'delivered', deliveredAt: at(5), attempts, acceptedAfter: requestedAt })).toEqual(
        { kind: 'delivered', attemptNo: null },
      );
      expect(decide({ deliveryStatus: 'failed', deliveredAt: null, attempts, acceptedAfter: requestedAt })).toEqual({
        kind: 'delivered',
        attemptNo: 2,
      });
    });

    it('When an attempt started before the ask was answered after it, then it answers the ask', () => {
      const attempts = [attempt(1, 'accepted', 12, { latencyMs: 3_000 })];
      expect(decide({ attempts, acceptedAfter: requestedAt })).toEqual({ kind: 'delivered', attemptNo: 1 });
    });

    it('When the payment’s own attempt is sending within its lease, then the redelivery waits for it', () => {
      const attempts = [attempt(1, 'accepted', 50, { latencyMs: 100 }), attempt(2, 'sending', 1)];
      expect(
        decide({ deliveryStatus: 'delivered', deliveredAt: at(50), attempts, acceptedAfter: requestedAt }),
      ).toMatchObject({ kind: 'wait', attemptNo: 2, reason: 'leased' });
    });
  });
});

describe('What an attempt records once its POST is over', () => {
  it('When the receiver answered 2xx, then accepted, whether or not anything else went wrong', () => {
    expect(attemptStatusOf({ statusCode: 200, sent: true })).toBe('accepted');
    expect(attemptStatusOf({ statusCode: 204, sent: true })).toBe('accepted');
  });

  it('When the receiver answered another status, then rejected', () => {
    expect(attemptStatusOf({ statusCode: 500, sent: true })).toBe('rejected');
    expect(attemptStatusOf({ statusCode: 302, sent: true })).toBe('rejected');
    expect(attemptStatusOf({ statusCode: 199, sent: true })).toBe('rejected');
  });

  it('When the request was written but no answer came, then unknown (the receiver may have accepted it)', () => {
    expect(attemptStatusOf({ statusCode: null, sent: true })).toBe('unknown');
  });

  it('When nothing was written (refused, not connected, deadline passed first), then failed', () => {
    expect(attemptStatusOf({ statusCode: null, sent: false })).toBe('failed');
  });
});
