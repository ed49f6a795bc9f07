import { decideWebhookSend, type AttemptRecord } from '../../domain/webhookRetry';

const now = Date.parse('2026-12-01T10:00:00Z');
const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
const attempt = (
  attemptNo: number,
  status: AttemptRecord['status'],
  secondsAgo: number,
  latencyMs = 0,
): AttemptRecord => ({
  attemptNo,
  status,
  startedAt: at(secondsAgo),
  latencyMs,
});
const decide = (over: Partial<Parameters<typeof decideWebhookSend>[0]>) =>
  decideWebhookSend({
    deliveryStatus: 'pending',
    deliveredAt: null,
    attempts: [],
    acceptedAfter: null,
    attemptLimitMs: 15_000,
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
    const attempts = [attempt(1, 'rejected', 60, 80), attempt(2, 'accepted', 30, 90)];
    expect(decide({ attempts })).toEqual({ kind: 'delivered', attemptNo: 2 });
  });

  it('When earlier attempts were rejected or failed, then it sends again', () => {
    const attempts = [attempt(1, 'rejected', 60, 80), attempt(2, 'failed', 30, 10_000), attempt(3, 'unknown', 20)];
    expect(decide({ attempts })).toEqual({ kind: 'send', abandoned: [] });
  });

  it('When an attempt is still sending and its call could still be running, then it waits for it', () => {
    const attempts = [attempt(1, 'rejected', 60, 80), attempt(2, 'sending', 4)];
    expect(decide({ attempts })).toEqual({ kind: 'wait', attemptNo: 2, until: now - 4_000 + 15_000 });
  });

  it('When an attempt is still sending after its call must have ended, then it is abandoned and sent again', () => {
    const attempts = [attempt(1, 'sending', 40), attempt(2, 'sending', 16)];
    expect(decide({ attempts })).toEqual({ kind: 'send', abandoned: [1, 2] });
  });

  it('When a stale sending attempt and a live one both exist, then it waits for the live one', () => {
    const attempts = [attempt(1, 'sending', 40), attempt(2, 'sending', 2)];
    expect(decide({ attempts })).toMatchObject({ kind: 'wait', attemptNo: 2 });
  });

  describe('A redelivery the merchant asked for', () => {
    const requestedAt = now - 10_000;

    it('When the delivery was delivered before the ask, then it sends again', () => {
      const attempts = [attempt(1, 'accepted', 50, 100)];
      expect(
        decide({ deliveryStatus: 'delivered', deliveredAt: at(50), attempts, acceptedAfter: requestedAt }),
      ).toEqual({ kind: 'send', abandoned: [] });
    });

    it('When the delivery was accepted after the ask, then nothing is sent', () => {
      const attempts = [attempt(1, 'accepted', 50, 100), attempt(2, 'accepted', 5, 100)];
      expect(decide({ deliveryStatus: 'delivered', deliveredAt: at(5), attempts, acceptedAfter: requestedAt })).toEqual(
        { kind: 'delivered', attemptNo: null },
      );
      expect(decide({ deliveryStatus: 'failed', deliveredAt: null, attempts, acceptedAfter: requestedAt })).toEqual({
        kind: 'delivered',
        attemptNo: 2,
      });
    });

    it('When an attempt started before the ask was answered after it, then it answers the ask', () => {
      const attempts = [attempt(1, 'accepted', 12, 3_000)];
      expect(decide({ attempts, acceptedAfter: requestedAt })).toEqual({ kind: 'delivered', attemptNo: 1 });
    });
  });
});
