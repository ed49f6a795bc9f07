import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** Who did it: an ImaraPay admin, a merchant's dashboard user or API key, the system itself, or someone not signed in. */
export type AuditActorType = 'admin' | 'merchant' | 'api_key' | 'system' | 'anonymous';

/**
 * One staff action or merchant security action, as it is appended to the audit log.
 * `action` is a dotted verb (`pricing.replaced`, `kyc.approved`, `wallet.adjusted`, `review.resolved`,
 * `api_key.created`, `login.failed`, …); `details` says what changed (before/after, amounts, reasons)
 * and never holds a secret.
 */
export interface AuditEventInput {
  actorType: AuditActorType;
  /** The user (or API key) id behind the action; null for system and anonymous actions. */
  actorId: number | null;
  /** A readable name for the actor (an e-mail, a key's username); null when there is none. */
  actorLabel: string | null;
  /** The merchant account the action concerns, so that merchants read their own; null for platform-wide actions. */
  merchantId: number | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  /** The client address the request came from; null for actions the system takes itself. */
  ip: string | null;
  details: Record<string, unknown>;
}

/** Who acts and from where: the part of an audit event the API knows from the request. */
export type AuditActor = Pick<AuditEventInput, 'actorType' | 'actorId' | 'actorLabel' | 'ip'>;

/**
 * Every action the log records, by the name stored in `action`. Staff actions: `pricing.replaced`,
 * `kyc.approved`, `kyc.rejected`, `wallet.adjusted`, `review.proposed`, `review.approved`, `review.rejected`
 * (ending a payment's review, maker-checker). Merchant security actions: `api_key.created`,
 * `api_key.revoked`, `callback_url.changed`, `webhook_secret.rotated`, `password.changed`,
 * `login.succeeded`, `login.failed`, `two_factor.enabled`, `two_factor.disabled`, `payment_link.paused`,
 * `payment_link.resumed`, `payment_link.archived`, `channel.initiator_set` (a channel's M-Pesa initiator
 * credentials), `reversal.requested` (money sent back to a customer). Other modules may append actions of their own (`review.resolved`).
 */
export const AUDIT_ACTIONS = [
  'pricing.replaced',
  'kyc.approved',
  'kyc.rejected',
  'wallet.adjusted',
  'review.proposed',
  'review.approved',
  'review.rejected',
  'api_key.created',
  'api_key.revoked',
  'callback_url.changed',
  'webhook_secret.rotated',
  'password.changed',
  'login.succeeded',
  'login.failed',
  'two_factor.enabled',
  'two_factor.disabled',
  'payment_link.paused',
  'payment_link.resumed',
  'payment_link.archived',
  'channel.initiator_set',
  'reversal.requested',
] as const;

/**
 * A URL as the audit log may show it: scheme, host, port and path, without user-info, query or
 * fragment, which may carry a token the merchant put there. Null stays null; an unparsable URL is
 * recorded as `(unparsable)`.
 */
export function auditableUrl(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparsable)';
  }
}

/** An appended audit event: its input, when, and its place in the hash chain. */
export interface AuditEvent extends AuditEventInput {
  id: number;
  /** ISO 8601 in UTC, millisecond precision, as hashed. */
  occurredAt: string;
  /** The hash of the event before it (64 hex digits), or AUDIT_GENESIS_HASH for the first. */
  prevHash: string;
  /** SHA-256 over prevHash and the event's canonical JSON, 64 hex digits. */
  hash: string;
}

/** The prevHash of the first event. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The hash that chains an event to the one before it: SHA-256 of `prevHash`, a newline, and the
 * canonical JSON (keys sorted, safe-stable-stringify) of every field but `id` and `hash`. Editing
 * any field of a stored event, or deleting one, breaks the chain from there on.
 */
export function auditEventHash(event: Omit<AuditEvent, 'id' | 'hash'>): string {
  const { prevHash, ...content } = event;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(stringify(content) ?? '')
    .digest('hex');
}

/**
 * Where a chain first breaks: the id of the first event whose prevHash or hash does not hold, and
 * why. `tail_mismatch` means the log ends before (or after) the event the head names: its `id` is
 * the head's last id, the newest event the appends wrote, which is missing or altered.
 */
export interface AuditChainBreak {
  id: number;
  reason: 'prev_hash_mismatch' | 'hash_mismatch' | 'tail_mismatch';
}

/** The chain's head, moved by every append: the newest event's id and hash, and how many events there are. */
export interface AuditChainHead {
  lastId: number;
  lastHash: string;
  eventCount: number;
}

/**
 * Checks that a chain which held link by link ends where the head says: `last` is the newest event
 * read (null for an empty log) and `count` how many were read. Deleting the newest events leaves
 * every remaining link intact; only this comparison notices. A missing head with events present is
 * a break too (the head row was deleted).
 */
export function verifyAuditTail(
  last: { id: number; hash: string } | null,
  count: number,
  head: AuditChainHead | null,
): AuditChainBreak | null {
  if (head === null || head.eventCount === 0) return last === null ? null : { id: last.id, reason: 'tail_mismatch' };
  if (last === null || last.id !== head.lastId || last.hash !== head.lastHash || count !== head.eventCount) {
    return { id: head.lastId, reason: 'tail_mismatch' };
  }
  return null;
}

/**
 * Checks events in id order against their chain; returns the first break, or null when every event
 * holds. `previousHash` is the hash of the event before the first one given (the genesis hash when
 * the list starts the log), so a long log can be checked page by page.
 */
export function verifyAuditChain(
  events: readonly AuditEvent[],
  previousHash: string = AUDIT_GENESIS_HASH,
): AuditChainBreak | null {
  let expectedPrev = previousHash;
  for (const event of events) {
    if (event.prevHash !== expectedPrev) return { id: event.id, reason: 'prev_hash_mismatch' };
    const { occurredAt, actorType, actorId, actorLabel, merchantId, action, subjectType, subjectId, ip, details } =
      event;
    const content = {
      occurredAt,
      actorType,
      actorId,
      actorLabel,
      merchantId,
      action,
      subjectType,
      subjectId,
      ip,
      details,
    };
    if (auditEventHash({ ...content, prevHash: event.prevHash }) !== event.hash) {
      return { id: event.id, reason: 'hash_mismatch' };
    }
    expectedPrev = event.hash;
  }
  return null;
}
