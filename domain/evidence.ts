import type { Kes } from './money';
import type { PaymentDecision } from './payment';

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
