import type { PulledTransaction } from './mpesaRecordMatch';
import type { Kes } from './money';

/**
 * Statement reconciliation: every credit M-Pesa made to one merchant channel (till or paybill) on
 * one Nairobi calendar day, matched to the payment ImaraPay holds for it. Pure: the sources
 * (an uploaded organisation-portal statement, Pull Transactions) are normalised into
 * `StatementCredit`s first, and the payments are read by the caller.
 */

/** How one line of a report reconciles. */
export type StatementLineClass =
  /** M-Pesa credited it and ImaraPay reported it completed for the same amount. */
  | 'matched'
  /** M-Pesa credited it, but ImaraPay reported the payment failed (or still pending, or in review) or never pushed it. */
  | 'mpesa_only'
  /** ImaraPay reported it completed, and M-Pesa never credited it on that day. */
  | 'imarapay_only'
  /** The same payment on both sides (by receipt), for different amounts. */
  | 'amount_differs';

export const STATEMENT_LINE_CLASSES: readonly StatementLineClass[] = [
  'matched',
  'mpesa_only',
  'imarapay_only',
  'amount_differs',
];

/** Where the credits of a report came from. */
export type StatementSource = 'statement' | 'pull_transactions';

/** One credit to the channel as M-Pesa recorded it, whatever the source. */
export interface StatementCredit {
  /** M-Pesa's receipt (Receipt No. / transactionId), e.g. `UL7A1B2C3D`. */
  receipt: string;
  /** When M-Pesa completed it (an instant; the source's Nairobi wall time already converted). */
  completedAt: Date;
  /** Whole KES credited (Paid In), > 0. */
  amount: Kes;
  /** The account reference the payer gave (A/C No. / billreference); null when the source had none. */
  accountReference: string | null;
  /**
   * The payer as M-Pesa shows it (Other Party Info / msisdn): usually masked (`2547******123`) or
   * hashed. Kept for people to read, and deliberately never used to match (DARAJA.md "Masking").
   */
  payer: string | null;
  /** M-Pesa's description of the line (Details), for people. */
  details: string;
}

/** A payment ImaraPay holds on the channel, as far as reconciliation needs it. */
export interface StatementPayment {
  transactionId: number;
  status: 'pending' | 'completed' | 'failed' | 'needs_review';
  /** Whole KES pushed. */
  amount: Kes;
  /** The receipt ImaraPay learnt (callback or query); null when it never learnt one. */
  receipt: string | null;
  /** AccountReference sent with the push. */
  accountReference: string;
  /** When the push was created. */
  createdAt: Date;
  /** When M-Pesa completed it as ImaraPay knows it (callback's TransactionDate, else the decision time); null if undecided. */
  completedAt: Date | null;
}

/** How a credit found its payment. */
export type MatchedBy = 'receipt' | 'amount_reference_time';

/** One line of a report. */
export interface StatementLine {
  class: StatementLineClass;
  /** The credit (absent for `imarapay_only`). */
  credit: StatementCredit | null;
  /** The payment (absent for a credit ImaraPay has nothing for). */
  payment: StatementPayment | null;
  matchedBy: MatchedBy | null;
  /**
   * Whether the match is beyond doubt: by receipt, or by amount, reference and time with exactly one
   * candidate on each side. An uncertain match is still shown, but must never decide a payment.
   */
  certain: boolean;
}

/** A line of the source that is not a credit to reconcile, and why. */
export interface IgnoredCredit {
  receipt: string;
  reason: 'duplicate_receipt';
}

export interface MatchInput {
  /** The Nairobi calendar day reconciled, `YYYY-MM-DD`. */
  day: string;
  /** The source's credits to the channel (only those of `day` are reconciled; others are left for their own day). */
  credits: readonly StatementCredit[];
  /**
   * The channel's payments around the day: at least those created or completed on it, plus
   * MATCH_WINDOW_AFTER_MS either side, so that a push at 23:59 credited at 00:01 still matches.
   */
  payments: readonly StatementPayment[];
}

export interface MatchResult {
  day: string;
  lines: StatementLine[];
  ignored: IgnoredCredit[];
}

/** Nairobi is UTC+3 all year (no daylight saving). */
const NAIROBI_OFFSET_MS = 3 * 60 * 60 * 1000;

/** The Nairobi calendar day (`YYYY-MM-DD`) of an instant. */
export function nairobiDay(at: Date): string {
  return new Date(at.getTime() + NAIROBI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instants a Nairobi day starts (inclusive) and ends (exclusive). */
export function nairobiDayBounds(day: string): { start: Date; end: Date } {
  const start = new Date(`${day}T00:00:00+03:00`);
  return { start, end: new Date(start.getTime() + 24 * 60 * 60 * 1000) };
}

/**
 * How long after its push a credit may complete and still be taken for it. An STK prompt lives
 * about a minute on the phone; M-Pesa completes within seconds of the PIN, so ten minutes leaves
 * room for slow networks without reaching the next payment of a busy till.
 */
export const MATCH_WINDOW_AFTER_MS = 10 * 60 * 1000;
/** How far a credit may appear to precede its push: clock differences between M-Pesa and ImaraPay. */
export const MATCH_WINDOW_BEFORE_MS = 2 * 60 * 1000;

const normRef = (ref: string | null) => (ref ?? '').trim().toUpperCase();

/** Whether a receipt-less payment could be the payment behind a credit (never by payer: it may be masked). */
function couldBe(credit: StatementCredit, payment: StatementPayment): boolean {
  if (payment.receipt !== null) return false; // it has its own receipt, and that is not this one
  if (payment.amount !== credit.amount) return false;
  const ref = normRef(credit.accountReference);
  // Till (Buy Goods) statements often carry no A/C No.; then amount and time alone must do.
  if (ref !== '' && ref !== normRef(payment.accountReference)) return false;
  const delta = credit.completedAt.getTime() - payment.createdAt.getTime();
  return delta >= -MATCH_WINDOW_BEFORE_MS && delta <= MATCH_WINDOW_AFTER_MS;
}

/** The Nairobi day a payment belongs to: when M-Pesa completed it, else when it was pushed. */
function paymentDay(payment: StatementPayment): string {
  return nairobiDay(payment.completedAt ?? payment.createdAt);
}

/**
 * Reconciles one channel's day. Each credit of `day` is matched to at most one payment and each
 * payment to at most one credit:
 * 1. by receipt (a payment whose receipt ImaraPay learnt);
 * 2. then, for credits whose receipt ImaraPay never learnt, by equal amount, equal account reference
 *    (when the credit has one) and completion within [push − 2 min, push + 10 min]; when several pairs
 *    are possible, the closest in time are paired first (ties: earliest payment), and such a match is
 *    `certain` only when the credit and the payment had no other candidate.
 * A matched credit is `matched` when ImaraPay reported the payment completed for the same amount,
 * `amount_differs` when the amounts differ, `mpesa_only` otherwise (ImaraPay has it failed, pending
 * or in review). A credit with no payment is `mpesa_only`. A payment ImaraPay reported completed on
 * `day` (Nairobi) that no credit matched is `imarapay_only`. A second line with a receipt already
 * seen is ignored (`duplicate_receipt`): statements that overlap repeat lines.
 * Lines come in credit time order, then the `imarapay_only` ones by payment time.
 */
export function matchStatementDay({ day, credits, payments }: MatchInput): MatchResult {
  const ignored: IgnoredCredit[] = [];
  const seen = new Set<string>();
  const dayCredits: StatementCredit[] = [];
  for (const credit of [...credits].sort(byCreditTime)) {
    if (nairobiDay(credit.completedAt) !== day) continue;
    const key = credit.receipt.trim().toUpperCase();
    if (seen.has(key)) {
      ignored.push({ receipt: credit.receipt, reason: 'duplicate_receipt' });
      continue;
    }
    seen.add(key);
    dayCredits.push(credit);
  }

  const paymentOf = new Map<StatementCredit, { payment: StatementPayment; by: MatchedBy; certain: boolean }>();
  const taken = new Set<StatementPayment>();
  const byReceipt = new Map<string, StatementPayment>();
  for (const payment of payments) {
    const key = payment.receipt?.trim().toUpperCase();
    if (key && !byReceipt.has(key)) byReceipt.set(key, payment);
  }
  for (const credit of dayCredits) {
    const payment = byReceipt.get(credit.receipt.trim().toUpperCase());
    if (payment && !taken.has(payment)) {
      paymentOf.set(credit, { payment, by: 'receipt', certain: true });
      taken.add(payment);
    }
  }

  const open = dayCredits.filter((c) => !paymentOf.has(c));
  const free = payments.filter((p) => !taken.has(p));
  const pairs: { credit: StatementCredit; payment: StatementPayment; distance: number }[] = [];
  const candidatesOfCredit = new Map<StatementCredit, number>();
  const candidatesOfPayment = new Map<StatementPayment, number>();
  for (const credit of open) {
    for (const payment of free) {
      if (!couldBe(credit, payment)) continue;
      pairs.push({ credit, payment, distance: Math.abs(credit.completedAt.getTime() - payment.createdAt.getTime()) });
      candidatesOfCredit.set(credit, (candidatesOfCredit.get(credit) ?? 0) + 1);
      candidatesOfPayment.set(payment, (candidatesOfPayment.get(payment) ?? 0) + 1);
    }
  }
  pairs.sort(
    (a, b) =>
      a.distance - b.distance ||
      a.payment.createdAt.getTime() - b.payment.createdAt.getTime() ||
      a.payment.transactionId - b.payment.transactionId,
  );
  for (const { credit, payment } of pairs) {
    if (paymentOf.has(credit) || taken.has(payment)) continue;
    const certain = candidatesOfCredit.get(credit) === 1 && candidatesOfPayment.get(payment) === 1;
    paymentOf.set(credit, { payment, by: 'amount_reference_time', certain });
    taken.add(payment);
  }

  const lines: StatementLine[] = dayCredits.map((credit) => {
    const match = paymentOf.get(credit);
    if (!match) return { class: 'mpesa_only', credit, payment: null, matchedBy: null, certain: false };
    const { payment, by, certain } = match;
    const cls: StatementLineClass =
      payment.amount !== credit.amount ? 'amount_differs' : payment.status === 'completed' ? 'matched' : 'mpesa_only';
    return { class: cls, credit, payment, matchedBy: by, certain };
  });
  const missing = payments
    .filter((p) => !taken.has(p) && p.status === 'completed' && paymentDay(p) === day)
    .sort((a, b) => (a.completedAt ?? a.createdAt).getTime() - (b.completedAt ?? b.createdAt).getTime());
  for (const payment of missing) {
    lines.push({ class: 'imarapay_only', credit: null, payment, matchedBy: null, certain: false });
  }
  return { day, lines, ignored };
}

function byCreditTime(a: StatementCredit, b: StatementCredit): number {
  return a.completedAt.getTime() - b.completedAt.getTime();
}

/** How many lines of each class a set of lines holds (every class present, 0 when none). */
export function countByClass(lines: readonly { class: StatementLineClass }[]): Record<StatementLineClass, number> {
  const counts: Record<StatementLineClass, number> = { matched: 0, mpesa_only: 0, imarapay_only: 0, amount_differs: 0 };
  for (const line of lines) counts[line.class] += 1;
  return counts;
}

/**
 * Pull Transactions rows (daraja/pullPages.ts, already read strictly) as statement credits: each
 * row with a receipt, a readable time and a whole-KES amount above zero is a credit; `billreference`
 * is the account reference, `msisdn` the payer (shown, never matched on), the transaction type the
 * details. Rows without a time or amount are counted in `unreadable`, never guessed.
 */
export function creditsFromPull(rows: readonly PulledTransaction[]): {
  credits: StatementCredit[];
  unreadable: number;
} {
  const credits: StatementCredit[] = [];
  let unreadable = 0;
  for (const row of rows) {
    const at = row.occurredAt === null ? NaN : Date.parse(row.occurredAt);
    if (Number.isNaN(at) || row.amount === null || row.amount <= 0 || row.receipt.trim() === '') {
      unreadable += 1;
      continue;
    }
    credits.push({
      receipt: row.receipt,
      completedAt: new Date(at),
      amount: row.amount,
      accountReference: row.billReference?.trim() ? row.billReference.trim() : null,
      payer: row.msisdn,
      details: row.transactionType ?? 'Pull Transactions',
    });
  }
  return { credits, unreadable };
}
