import {
  AUDIT_GENESIS_HASH,
  auditEventHash,
  verifyAuditChain,
  verifyAuditTail,
  type AuditEvent,
} from '../../domain/audit';

function chain(count: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let id = 1; id <= count; id++) {
    const content = {
      occurredAt: new Date(Date.UTC(2026, 11, 7, 10, 0, id)).toISOString(),
      actorType: 'admin' as const,
      actorId: 1,
      actorLabel: 'admin@imarapay.test',
      merchantId: 7,
      action: 'wallet.adjusted',
      subjectType: 'wallet',
      subjectId: '7',
      ip: '127.0.0.1',
      details: { amount: id * 100, reason: 'top-up by bank transfer' },
      prevHash,
    };
    const hash = auditEventHash(content);
    events.push({ id, ...content, hash });
    prevHash = hash;
  }
  return events;
}

describe('The audit chain', () => {
  it('When no event was touched, then the chain holds', () => {
    expect(verifyAuditChain(chain(5))).toBeNull();
  });

  it('When the key order of details differs, then the hash is the same (canonical JSON)', () => {
    const [event] = chain(1);
    const { id, hash, ...rest } = event!;
    expect(id).toBe(1);
    const reordered = { ...rest, details: { reason: 'top-up by bank transfer', amount: 100 } };
    expect(auditEventHash(reordered)).toBe(hash);
  });

  it('When an event is edited, then the check names it (hash_mismatch)', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, details: { amount: 1_000_000, reason: 'top-up by bank transfer' } };
    expect(verifyAuditChain(events)).toEqual({ id: 3, reason: 'hash_mismatch' });
  });

  it('When an event is deleted, then the check names the one after it (prev_hash_mismatch)', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verifyAuditChain(events)).toEqual({ id: 3, reason: 'prev_hash_mismatch' });
  });

  it('When a page is checked with the hash before it, then it holds on its own', () => {
    const events = chain(6);
    expect(verifyAuditChain(events.slice(3), events[2]!.hash)).toBeNull();
    expect(verifyAuditChain(events.slice(3))).toEqual({ id: 4, reason: 'prev_hash_mismatch' });
  });
});

describe('The audit chain tail', () => {
  const events = chain(4);
  const last = events[3]!;
  const head = { lastId: last.id, lastHash: last.hash, eventCount: 4 };

  it('When the log ends where the head says, then the tail holds', () => {
    expect(verifyAuditTail({ id: last.id, hash: last.hash }, 4, head)).toBeNull();
    expect(verifyAuditTail(null, 0, null)).toBeNull();
  });

  it('When the newest event is deleted, then the check names it (tail_mismatch), though every link left holds', () => {
    const third = events[2]!;
    expect(verifyAuditChain(events.slice(0, 3))).toBeNull();
    expect(verifyAuditTail({ id: third.id, hash: third.hash }, 3, head)).toEqual({ id: 4, reason: 'tail_mismatch' });
  });

  it('When every event is deleted, or the head row is, then the check fails', () => {
    expect(verifyAuditTail(null, 0, head)).toEqual({ id: 4, reason: 'tail_mismatch' });
    expect(verifyAuditTail({ id: last.id, hash: last.hash }, 4, null)).toEqual({ id: 4, reason: 'tail_mismatch' });
  });
});
