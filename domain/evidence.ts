import type { Kes } from './money';
import type { MpesaRecordEvidence } from './mpesaRecord';
import { decisionFromOperator, type OperatorVerdict } from './review';
import {
  callbackMatchesPush,
  decisionFromCallback,
  decisionFromQuery,
  evidenceOf,
  isSuccessCode,
  type CallbackOutcome,
  type PaymentDecision,
  type PushIdentity,
} from './payment';

/** A later piece of M-Pesa evidence that disagrees with what a payment recorded (stored on the payment). */
export interface EvidenceConflict {
  /** What disagrees: `receipt` (another MpesaReceiptNumber), `amount`, or `invalid` (items that broke their rule). */
  kind: 'receipt' | 'amount' | 'invalid';
  /** The stored raw callback that carried it (daraja_callbacks.id). */
  callbackId: number | null;
  recorded: string | number | null;
  received: string | number | null;
  /** ISO 8601, when ImaraPay recorded the conflict. */
  at: string;
}

/**
 * Why a success cannot be settled as completed on its evidence, or null when it can. Money is in
 * doubt when M-Pesa's callback reports another Amount than the push asked for (the customer may have
 * paid KES 1 for a KES 9,908 order), or when its items broke Daraja's rules (a receipt that is not a
 * receipt, an Amount that is not whole KES): such a payment goes to review, never completed on guesses.
 * Query-decided successes carry no evidence (Daraja's STK query has no amount or receipt) and pass.
 */
export function reviewReasonFor(decision: PaymentDecision, pushedAmount: Kes): string | null {
  const evidence = decision.evidence;
  if (decision.status !== 'completed' || !evidence) return null;
  if (evidence.problems.length > 0)
    return `M-Pesa's success callback ${evidence.callbackId} broke Daraja's rules: ${evidence.problems.join('; ')}`;
  if (evidence.amount !== null && evidence.amount !== pushedAmount) {
    return `M-Pesa's success callback ${evidence.callbackId} reports KES ${evidence.amount} for a push of KES ${pushedAmount}`;
  }
  return null;
}

/**
 * The ways a further success disagrees with what the payment already recorded. The first confirmed
 * receipt and amount are kept; each disagreement is recorded beside them with the callback that carried it.
 */
export function conflictsWith(
  recorded: { receipt: string | null; amount: Kes | null },
  decision: PaymentDecision,
  at: Date,
): EvidenceConflict[] {
  const evidence = decision.evidence;
  const callbackId = evidence?.callbackId ?? null;
  const conflicts: EvidenceConflict[] = [];
  const conflict = (kind: EvidenceConflict['kind'], was: string | number | null, now: string | number | null) =>
    conflicts.push({ kind, callbackId, recorded: was, received: now, at: at.toISOString() });
  if (decision.receipt !== null && recorded.receipt !== null && decision.receipt !== recorded.receipt)
    conflict('receipt', recorded.receipt, decision.receipt);
  if (evidence?.amount != null && recorded.amount !== null && evidence.amount !== recorded.amount)
    conflict('amount', recorded.amount, evidence.amount);
  if (evidence && evidence.problems.length > 0) conflict('invalid', null, evidence.problems.join('; '));
  return conflicts;
}

/** A final STK Push Query answer (ResultCode given): what Daraja's query said about the push. */
export interface QueryAnswer {
  resultCode: string;
  resultDesc: string;
}

/** Every piece of evidence a payment holds, in any order; duplicates are harmless. */
export interface EvidenceHeld {
  /** Callbacks received (matching the push or not: the rule keeps only those that match). */
  callbacks: readonly CallbackOutcome[];
  /** Final STK query answers. */
  queries: readonly QueryAnswer[];
  /** M-Pesa's own record of the payment (Transaction Status, Pull Transactions, statements). */
  records: readonly MpesaRecordEvidence[];
  /** Operators' approved verdicts (domain/review.ts); absent in histories from before they existed. */
  operator?: readonly OperatorVerdict[];
  /**
   * Set when the payment's own settlement was refused on its data (Postgres would not store what the
   * evidence says) and the payment waits in review: why. Absent otherwise and in older histories.
   */
  refusedSettlement?: string;
}

/**
 * The review rule's verdict: `pending` while no final evidence is held; otherwise the decision to
 * settle, whose `reviewReason` is set when the payment must go to `needs_review`.
 */
export type Verdict =
  { status: 'pending' } | { status: 'completed' | 'failed' | 'needs_review'; decision: PaymentDecision };

/**
 * The review rule: one pure function of ALL evidence a payment holds, whatever order it arrived in,
 * used by every path that settles a payment (the running workflow after each callback, query answer
 * or M-Pesa record; the late paths after the workflow closed).
 *
 * 1. Only callbacks that match the push count (`callbackMatchesPush`); the others are kept for the
 *    record and decide nothing.
 * 2. Success claims are success callbacks (ResultCode 0), successful final query answers and
 *    `completed` M-Pesa records. With none, a failure decides: a failure callback, else a failed query
 *    answer, else M-Pesa's record (`failed`, or `not_found` after its whole window); with no final
 *    evidence at all the verdict is `pending`.
 * 3. With a success claim, the payment is `completed` unless the evidence disagrees, which puts it
 *    in `needs_review`: a success callback whose items broke Daraja's rules; an Amount (callback or
 *    record) other than the pushed amount; two different receipts; or M-Pesa's record saying
 *    `failed` / `not_found` beside a success claim. A failure callback or query answer beside a
 *    success is not a disagreement: M-Pesa reports a success only when it took the money (a customer
 *    may pay after a query said 1032), so the success wins.
 * 4. M-Pesa's own record settles a doubt the callbacks raised (`recordSettlesDoubt`): records that
 *    all say `completed`, for the pushed amount, under one receipt no callback contradicts, complete
 *    the payment even beside a callback with a wrong Amount or broken items.
 * 5. The completed decision names the receipt all success evidence agrees on, and what proved it:
 *    M-Pesa's record over a callback over a query. Ties are broken by ids, never by arrival order.
 * 6. An operator's verdict (a proposal a second admin approved) ends a review: when rules 1 to 5 leave
 *    the payment in `needs_review`, the verdict with the lowest proposal id decides it, `completed`
 *    with the operator's receipt or `failed`. It never overrules evidence that decides on its own.
 *    A payment whose settlement was refused on its data (`refusedSettlement`) is in review whatever
 *    rules 1 to 5 say, with that reason, so an operator's verdict ends it too.
 */
export function decidePayment(held: EvidenceHeld, push: PushIdentity): Verdict {
  const onEvidence = decideOnEvidence(held, push);
  const verdict: Verdict =
    held.refusedSettlement !== undefined && onEvidence.status !== 'pending'
      ? { status: 'needs_review', decision: { ...onEvidence.decision, reviewReason: held.refusedSettlement } }
      : onEvidence;
  if (verdict.status !== 'needs_review') return verdict;
  const [operator] = [...(held.operator ?? [])].sort((a, b) => a.proposalId - b.proposalId);
  if (!operator) return verdict;
  const decision = decisionFromOperator(operator);
  return { status: decision.status, decision };
}

/** Rules 1 to 5 of `decidePayment`: the verdict of M-Pesa's evidence alone. */
function decideOnEvidence(held: EvidenceHeld, push: PushIdentity): Verdict {
  const callbacks = [...held.callbacks]
    .filter((c) => callbackMatchesPush(c, push))
    .sort((a, b) => a.callbackId - b.callbackId);
  const successes = callbacks.filter((c) => isSuccessCode(c.resultCode));
  const queries = [...held.queries].sort((a, b) => compareText(a.resultCode, b.resultCode));
  const querySuccess = queries.find((q) => isSuccessCode(q.resultCode));
  const records = [...held.records].sort((a, b) => compareText(a.recordId, b.recordId));
  const found = records.filter((r) => r.outcome === 'completed');

  if (successes.length === 0 && !querySuccess && found.length === 0) {
    const failure = callbacks[0];
    if (failure) return { status: 'failed', decision: decisionFromCallback(failure) };
    const failedQuery = queries[0];
    if (failedQuery) return { status: 'failed', decision: decisionFromQuery(failedQuery) };
    const record = records.find((r) => r.outcome === 'failed') ?? records[0];
    if (record) return { status: 'failed', decision: decisionFromRecord(record) };
    return { status: 'pending' };
  }

  const settledByRecord = recordSettlesDoubt(successes, found, records, push.amount);
  if (settledByRecord) return settledByRecord;
  const reasons = disagreements(successes, found, records, push.amount);
  const receipts = [...new Set([...found, ...successes].map((e) => e.receipt).filter((r) => r !== null))].sort();
  const decision: PaymentDecision = found[0]
    ? { ...decisionFromRecord(found[0]), ...(successes[0] && { evidence: evidenceOf(successes[0]) }) }
    : successes[0]
      ? decisionFromCallback(successes[0])
      : decisionFromQuery(querySuccess!);
  decision.receipt = receipts.length === 1 ? receipts[0]! : (decision.receipt ?? null);
  if (reasons.length === 0) return { status: 'completed', decision };
  const disagreeing = successes
    .filter((c) => c.callbackId !== decision.evidence?.callbackId)
    .filter(
      (c) =>
        c.receipt !== decision.receipt ||
        c.amount !== (decision.evidence?.amount ?? null) ||
        (c.problems ?? []).length > 0,
    )
    .map((c) => ({ ...evidenceOf(c), receipt: c.receipt }));
  return {
    status: 'needs_review',
    decision: { ...decision, reviewReason: reasons.join('; '), ...(disagreeing.length > 0 && { disagreeing }) },
  };
}

/**
 * M-Pesa's own record ends a doubt the callbacks raised: when every record held says `completed`,
 * for the pushed amount, under one receipt, and no callback names another valid receipt, the payment
 * is completed on the record (a callback's wrong Amount or broken items are then M-Pesa's callback
 * being wrong, not the money). Undefined when the records do not settle it.
 */
function recordSettlesDoubt(
  successes: readonly CallbackOutcome[],
  found: readonly MpesaRecordEvidence[],
  records: readonly MpesaRecordEvidence[],
  pushedAmount: Kes,
): Verdict | undefined {
  if (found.length === 0 || found.length !== records.length) return undefined;
  if (found.some((r) => r.amount !== pushedAmount)) return undefined;
  const receipts = new Set(found.map((r) => r.receipt));
  const [receipt] = [...receipts];
  if (receipts.size !== 1 || !receipt) return undefined;
  if (successes.some((c) => c.receipt !== null && c.receipt !== receipt)) return undefined;
  return { status: 'completed', decision: decisionFromRecord(found[0]!) };
}

/** Why success evidence cannot be trusted as it stands (empty when it can), in a stable order. */
function disagreements(
  successes: readonly CallbackOutcome[],
  found: readonly MpesaRecordEvidence[],
  records: readonly MpesaRecordEvidence[],
  pushedAmount: Kes,
): string[] {
  const reasons: string[] = [];
  for (const c of successes) {
    const problems = c.problems ?? [];
    if (problems.length > 0)
      reasons.push(`M-Pesa's success callback ${c.callbackId} broke Daraja's rules: ${problems.join('; ')}`);
    if (c.amount !== null && c.amount !== pushedAmount)
      reasons.push(
        `M-Pesa's success callback ${c.callbackId} reports KES ${c.amount} for a push of KES ${pushedAmount}`,
      );
  }
  for (const r of found) {
    if (r.amount !== null && r.amount !== pushedAmount)
      reasons.push(`M-Pesa's record ${r.recordId} holds KES ${r.amount} for a push of KES ${pushedAmount}`);
  }
  const receipts = new Set([...successes, ...found].map((e) => e.receipt).filter((r) => r !== null));
  if (receipts.size > 1)
    reasons.push(`M-Pesa's evidence names ${receipts.size} receipts: ${[...receipts].sort().join(', ')}`);
  for (const r of records) {
    if (r.outcome !== 'completed')
      reasons.push(
        `M-Pesa's record ${r.recordId} says ${r.outcome === 'failed' ? 'failed' : 'not found'} beside a success`,
      );
  }
  return reasons;
}

/** The decision M-Pesa's own record carries: completed with its receipt, else failed. */
export function decisionFromRecord(record: MpesaRecordEvidence): PaymentDecision {
  return {
    status: record.outcome === 'completed' ? 'completed' : 'failed',
    resultCode: record.outcome === 'completed' ? '0' : null,
    resultDesc: record.description,
    receipt: record.receipt,
    source: 'mpesa_record',
  };
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
