import { conflictsWith, reviewReasonFor, type EvidenceConflict } from './evidence';
import type { Kes } from './money';
import type { PaymentDecision, PaymentStage, PaymentStatus } from './payment';

/** What the settlement rule reads of a payment's row (db/entities Transaction has these fields). */
export interface SettlementRow {
  id: number;
  status: PaymentStatus;
  stage: PaymentStage;
  amount: Kes;
  purpose: 'payment' | 'wallet_top_up';
  mpesaReceipt: string | null;
  mpesaAmount: Kes | null;
  evidenceConflicts: EvidenceConflict[];
  completedAt: Date | null;
}

/** The row fields a settlement writes (a subset of the payment's columns). */
export interface SettlementChanges {
  status?: PaymentStatus;
  stage?: PaymentStage;
  reviewReason?: string;
  mpesaReceipt?: string | null;
  mpesaAmount?: Kes;
  mpesaPhoneNumber?: string;
  mpesaTransactionDate?: string;
  resultCode?: string | null;
  resultDesc?: string;
  decidedBy?: PaymentDecision['source'];
  completedAt?: Date;
  evidenceConflicts?: EvidenceConflict[];
}

/**
 * What one decision does to one payment: the fields written on its row, the fee's one move
 * (`capture` on success, `release` on failure, `none` when the decision changes nothing or puts the
 * payment in review, where the fee is held), a top-up's credit, and the answer the workflow gets.
 */
export interface Settlement {
  changes: SettlementChanges;
  fee: 'capture' | 'release' | 'none';
  /** A completed wallet top-up credits its money to the merchant's wallet, once, in the same transaction. */
  topUpCredit: { amount: Kes; reference: string } | null;
  status: 'completed' | 'failed' | 'needs_review';
  /** True when this decision changed the status (false on a repeat). */
  changed: boolean;
  /** The disagreements with the recorded evidence this decision brings (already in `changes`). */
  conflicts: EvidenceConflict[];
  /** Set when the payment (now or still) waits for an operator: why. */
  reviewReason: string | null;
}

/**
 * The settlement rule: what `decision` does to the payment as recorded in `tx` (read under its row
 * lock). A confirmed success is never overwritten by a failure; a success whose evidence is in
 * doubt (the review rule's reason, an Amount or items that break the rule, or a later success that
 * disagrees with the recorded one) puts the payment in review with its fee held; each disagreement
 * is kept beside the first evidence, which is never replaced. `now` stamps the conflicts and the
 * completion. Pure: db/settlement.ts applies the answer in one transaction.
 */
export function settlementOf(tx: SettlementRow, decision: PaymentDecision, now: Date): Settlement {
  const evidence = decision.evidence;
  // The review rule (domain/evidence.ts) applied to what the payment recorded and what this decision
  // brings: the workflow names its reason; a closed payment's late evidence is checked here.
  const recorded = {
    receipt: tx.mpesaReceipt ?? (tx.status === 'completed' ? null : decision.receipt),
    amount: tx.mpesaAmount ?? (tx.status === 'completed' ? tx.amount : (evidence?.amount ?? null)),
  };
  const conflicts = [
    ...(decision.status === 'completed' && (tx.status === 'completed' || tx.status === 'needs_review')
      ? conflictsWith(recorded, decision, now)
      : []),
    // The other successes the review rule found disagreeing, each kept beside the first evidence.
    ...(decision.disagreeing ?? []).flatMap((other) =>
      conflictsWith(recorded, { ...decision, receipt: other.receipt, evidence: other }, now),
    ),
  ].filter((c) => !tx.evidenceConflicts.some((known) => sameConflict(known, c)));
  const withConflicts: SettlementChanges =
    conflicts.length > 0 ? { evidenceConflicts: [...tx.evidenceConflicts, ...conflicts] } : {};
  const unchanged = (status: Settlement['status'], changes: SettlementChanges = {}): Settlement => ({
    changes: { ...withConflicts, ...changes },
    fee: 'none',
    topUpCredit: null,
    status,
    changed: false,
    conflicts: [],
    reviewReason: null,
  });

  const reviewReason =
    decision.reviewReason ??
    reviewReasonFor(decision, tx.amount) ??
    (conflicts.length > 0 ? conflicts.map(describeConflict).join('; ') : null);
  if (reviewReason !== null) {
    // Money is in doubt: the fee is held where it is (reserved, or captured when the payment had
    // completed before the evidence that disagrees arrived) until more evidence or an operator decides.
    return {
      changes: {
        ...withConflicts,
        status: 'needs_review',
        stage: 'needs_review',
        reviewReason,
        mpesaReceipt: tx.mpesaReceipt ?? decision.receipt,
        ...(tx.status === 'completed' ? {} : mpesaFacts(decision)),
        ...(tx.status !== 'completed' && {
          resultCode: decision.resultCode,
          resultDesc: decision.resultDesc,
          decidedBy: decision.source,
        }),
      },
      fee: 'none',
      topUpCredit: null,
      status: 'needs_review',
      changed: tx.status !== 'needs_review',
      conflicts,
      reviewReason,
    };
  }
  // Only M-Pesa's own record ends a review by evidence (domain/evidence.ts `recordSettlesDoubt`):
  // a further callback never does, since the one that raised the doubt is still held.
  const recordEndsReview = tx.status === 'needs_review' && decision.source === 'mpesa_record';
  if (
    decision.status === 'completed' &&
    (tx.status === 'completed' || (tx.status === 'needs_review' && !recordEndsReview))
  ) {
    // A query-decided success still takes the receipt and facts its callback brings later.
    const lateFacts =
      tx.status === 'completed' && !tx.mpesaReceipt && decision.receipt
        ? { mpesaReceipt: decision.receipt, ...mpesaFacts(decision) }
        : {};
    return unchanged(tx.status === 'completed' ? 'completed' : 'needs_review', lateFacts);
  }
  if (decision.status === 'completed') {
    const receipt = decision.receipt ?? tx.mpesaReceipt;
    return {
      changes: {
        ...withConflicts,
        status: 'completed',
        stage: 'completed',
        mpesaReceipt: receipt,
        ...mpesaFacts(decision),
        resultCode: decision.resultCode,
        resultDesc: decision.resultDesc,
        decidedBy: decision.source,
        completedAt: now,
      },
      fee: 'capture',
      // A top-up's money is the merchant's: credited once, in the same transaction that completes it.
      topUpCredit:
        tx.purpose === 'wallet_top_up'
          ? { amount: tx.amount, reference: receipt ? `M-Pesa ${receipt}` : `Top-up ${tx.id}` }
          : null,
      status: 'completed',
      changed: true,
      conflicts: [],
      reviewReason: null,
    };
  }
  // A confirmed success (or one under review) is never overwritten by a later failure (a query, a repeated callback).
  if (tx.status === 'completed' || tx.status === 'needs_review') return unchanged(tx.status);
  return {
    changes: {
      ...withConflicts,
      status: 'failed',
      stage: finalFailedStage(tx.stage, decision),
      resultCode: decision.resultCode,
      resultDesc: decision.resultDesc,
      decidedBy: decision.source,
      completedAt: tx.completedAt ?? now,
    },
    fee: 'release',
    topUpCredit: null,
    status: 'failed',
    changed: tx.status !== 'failed',
    conflicts: [],
    reviewReason: null,
  };
}

/** Whether two recorded disagreements are the same one (a verdict settled again records nothing new). */
function sameConflict(a: EvidenceConflict, b: EvidenceConflict): boolean {
  return a.kind === b.kind && a.callbackId === b.callbackId && a.received === b.received;
}

/** A recorded disagreement in words, as the review reason of a payment it puts in review. */
function describeConflict(c: EvidenceConflict): string {
  const by = c.callbackId === null ? 'later evidence' : `callback ${c.callbackId}`;
  if (c.kind === 'invalid') return `${by} broke Daraja's rules: ${c.received}`;
  return `${by} reports ${c.kind} ${c.received} where ${c.recorded} was recorded`;
}

/** M-Pesa's own Amount, PhoneNumber and TransactionDate from the deciding callback, when it said them. */
function mpesaFacts(
  decision: PaymentDecision,
): Pick<SettlementChanges, 'mpesaAmount' | 'mpesaPhoneNumber' | 'mpesaTransactionDate'> {
  const evidence = decision.evidence;
  if (!evidence) return {};
  return {
    ...(evidence.amount !== null && { mpesaAmount: evidence.amount }),
    ...(evidence.phoneNumber !== null && { mpesaPhoneNumber: evidence.phoneNumber }),
    ...(evidence.transactionDate !== null && { mpesaTransactionDate: evidence.transactionDate }),
  };
}

/** Keeps "refused" (wallet) and "push_rejected" (Daraja) visible; everything else ends as "failed". */
function finalFailedStage(current: PaymentStage, decision: PaymentDecision): PaymentStage {
  if (decision.source !== 'push_rejected') return 'failed';
  return current === 'created' ? 'refused' : 'push_rejected';
}
