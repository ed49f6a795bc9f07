import type { Kes } from './money';
import type { MpesaRecordEvidence } from './mpesaRecord';

/** One credit as Daraja's Pull Transactions lists it, normalised (daraja/recordResults.ts reads it). */
export interface PulledTransaction {
  /** The M-Pesa receipt (`transactionId`). */
  receipt: string;
  /** When M-Pesa recorded it, ISO 8601 UTC; null when `trxDate` was unreadable. */
  occurredAt: string | null;
  /** The payer's number as given: may be masked or hashed; never used alone to match. */
  msisdn: string | null;
  sender: string | null;
  transactionType: string | null;
  /** The account reference the customer paid against (`billreference`). */
  billReference: string | null;
  /** Whole KES; null when the amount was not a whole number of shillings. */
  amount: Kes | null;
  organizationName: string | null;
}

/** What the matcher knows of a payment ImaraPay pushed. */
export interface PushedPayment {
  amount: Kes;
  /** The AccountReference sent with the push (the channel's). */
  accountReference: string;
  /** 2547XXXXXXXX as pushed. */
  phoneNumber: string;
  /** When the payment was created (the push left within seconds of it). */
  createdAt: Date;
}

export interface PullMatch {
  credit: PulledTransaction;
  amountDiffers: boolean;
}

/** A credit more than this before the payment was created cannot be its answer (clock skew allowance). */
const BEFORE_MS = 60_000;
/** M-Pesa prompts live at most a few minutes; a credit this long after the push is someone else's. */
export const PULL_MATCH_WINDOW_MS = 15 * 60_000;

const sameReference = (a: string | null, b: string) => (a ?? '').trim().toUpperCase() === b.trim().toUpperCase();
/** A phone is comparable only when M-Pesa gave it in full (not masked like 2547XX…123, not hashed). */
const unmasked = (msisdn: string | null) => (msisdn !== null && /^254[17]\d{8}$/.test(msisdn) ? msisdn : null);

/**
 * Finds the credit in a Pull Transactions listing that answers one payment ImaraPay pushed but never
 * heard back about (no receipt known). Candidates have the push's account reference, happened
 * between a minute before the payment and PULL_MATCH_WINDOW_MS after, and are not `claimed` (their
 * receipt belongs to another payment). The payer's number rules candidates out only when M-Pesa gave
 * it unmasked; a masked or hashed number is never used (DARAJA.md "Masking").
 *
 * - exactly one candidate of the pushed amount: a match;
 * - none of that amount, but exactly one candidate: a match whose amount differs (for review);
 * - otherwise (none, or several and no way to tell): null, nothing is guessed.
 */
export function matchPulledCredit(
  payment: PushedPayment,
  credits: readonly PulledTransaction[],
  claimed: ReadonlySet<string>,
): PullMatch | null {
  const from = payment.createdAt.getTime() - BEFORE_MS;
  const to = payment.createdAt.getTime() + PULL_MATCH_WINDOW_MS;
  const candidates = credits.filter((c) => {
    if (claimed.has(c.receipt) || !sameReference(c.billReference, payment.accountReference)) return false;
    const at = c.occurredAt === null ? NaN : Date.parse(c.occurredAt);
    if (!(at >= from && at <= to)) return false;
    const phone = unmasked(c.msisdn);
    return phone === null || phone === payment.phoneNumber;
  });
  const exact = candidates.filter((c) => c.amount === payment.amount);
  if (exact.length === 1) return { credit: exact[0]!, amountDiffers: false };
  if (exact.length === 0 && candidates.length === 1) return { credit: candidates[0]!, amountDiffers: true };
  return null;
}

/** A matched Pull Transactions credit as evidence for its payment. */
export function evidenceFromPull(recordId: number, credit: PulledTransaction): MpesaRecordEvidence {
  return {
    recordId: String(recordId),
    source: 'pull_transactions',
    outcome: 'completed',
    receipt: credit.receipt,
    amount: credit.amount,
    payer: credit.msisdn,
    completedAt: credit.occurredAt,
    description:
      `M-Pesa's Pull Transactions lists ${credit.receipt}: KES ${credit.amount} ${credit.transactionType ?? ''}`.trim(),
  };
}
