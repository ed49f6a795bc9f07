import { decidePayment, type QueryAnswer, type Verdict } from '../domain/evidence';
import type { MpesaRecordEvidence } from '../domain/mpesaRecord';
import type { CallbackOutcome, PaymentDecision, PaymentStage } from '../domain/payment';
import type { OperatorVerdict } from '../domain/review';
import type { PaymentProgress, PaymentWorkflowResult, PushOutcome } from './definitions';

/**
 * What one payment workflow knows so far, and the questions its story asks of it. Handlers and the
 * main flow change it; the rule it applies lives in domain/evidence.ts (`decidePayment`).
 */
export class PaymentState {
  stage: PaymentStage = 'reserving_fee';
  /** How the push went; the pushOutcome update waits for it. */
  push: PushOutcome | null = null;
  /** The push's CheckoutRequestID: Daraja's answer, or the first callback's when that answer timed out. */
  checkoutRequestId: string | null = null;
  /** The decision last settled, and the status settling it gave. */
  decision: PaymentDecision | null = null;
  settled: PaymentWorkflowResult['status'] | null = null;

  /** Every distinct callback received, in order of arrival (mismatched ones too, for the record). */
  private readonly callbacks: CallbackOutcome[] = [];
  private readonly seen = new Set<number>();
  /** Final STK query answers. */
  private readonly queries: QueryAnswer[] = [];
  /** M-Pesa's own records of the payment, by recordId. */
  private readonly records = new Map<string, MpesaRecordEvidence>();
  /** Operators' approved verdicts, by proposal id. */
  private readonly operator = new Map<number, OperatorVerdict>();
  /** Why the payment's settlement was refused on its data and it waits in review; null otherwise. */
  private refusedSettlement: string | null = null;
  /** The verdict last settled (its key), so that each verdict is settled once. */
  private appliedKey: string | null = null;

  /** @param amount the pushed amount (whole KES), which a callback naming no CheckoutRequestID must carry. */
  constructor(private readonly amount: number) {}

  /**
   * Takes in a callback signal. Returns false for a callback id seen before (Temporal may redeliver a
   * signal, and the API may send a stored callback again), which changes nothing.
   */
  receive(callback: CallbackOutcome): boolean {
    if (this.seen.has(callback.callbackId)) return false;
    this.seen.add(callback.callbackId);
    this.callbacks.push(callback);
    return true;
  }

  /** Takes in M-Pesa's own record; false for a record id seen before. */
  receiveRecord(record: MpesaRecordEvidence): boolean {
    if (this.records.has(record.recordId)) return false;
    this.records.set(record.recordId, record);
    return true;
  }

  /** Takes in an operator's approved verdict; false for a proposal id seen before. */
  receiveOperatorVerdict(verdict: OperatorVerdict): boolean {
    if (this.operator.has(verdict.proposalId)) return false;
    this.operator.set(verdict.proposalId, verdict);
    return true;
  }

  /**
   * Notes that settling the payment was refused on its data and it now waits in review for `reason`:
   * the review rule holds it there (an operator's verdict ends it), and that hold counts as settled.
   */
  holdForReview(reason: string): void {
    this.refusedSettlement = reason;
    const verdict = this.verdict();
    if (verdict.status !== 'pending') this.appliedKey = keyOf(verdict);
  }

  /** Keeps a final STK query answer as evidence. */
  receiveQueryAnswer(answer: QueryAnswer): void {
    this.queries.push({ resultCode: answer.resultCode, resultDesc: answer.resultDesc });
  }

  /** The review rule's verdict on everything held now. */
  verdict(): Verdict {
    return decidePayment(
      {
        callbacks: this.callbacks,
        queries: this.queries,
        records: [...this.records.values()],
        operator: [...this.operator.values()],
        ...(this.refusedSettlement !== null && { refusedSettlement: this.refusedSettlement }),
      },
      { checkoutRequestId: this.checkoutRequestId, amount: this.amount },
    );
  }

  /** True once the evidence held decides the payment (completed, failed or in review). */
  decided(): boolean {
    return this.verdict().status !== 'pending';
  }

  /**
   * The verdict to settle when it differs from the one settled last (a late success after a failure,
   * a receipt for a query-decided success, evidence that puts the payment in review or changes why);
   * undefined otherwise.
   */
  verdictDue(): (Verdict & { status: 'completed' | 'failed' | 'needs_review' }) | undefined {
    const verdict = this.verdict();
    if (verdict.status === 'pending' || this.appliedKey === null) return undefined;
    return keyOf(verdict) === this.appliedKey ? undefined : verdict;
  }

  /** Notes the verdict just settled. */
  applied(decision: PaymentDecision): void {
    this.appliedKey = keyOfDecision(decision);
  }

  /** The live state the progress query answers. */
  progress(): PaymentProgress {
    return { stage: this.stage, push: this.push, callbacksReceived: this.callbacks.length, decision: this.decision };
  }
}

/** What makes two verdicts the same settlement: the status, the receipt and the reason for review. */
function keyOf(verdict: Verdict & { status: 'completed' | 'failed' | 'needs_review' }): string {
  return keyOfDecision(verdict.decision);
}

function keyOfDecision(decision: PaymentDecision): string {
  // A failure is settled once, whatever failure evidence follows; a success by what it proves.
  if (decision.status === 'failed' && !decision.reviewReason) return 'failed';
  return JSON.stringify([decision.status, decision.receipt, decision.reviewReason ?? null]);
}

/**
 * Work the workflow starts and must see finished before it returns (webhook deliveries, late fee
 * charges), while it goes on listening for callbacks. The first failure is kept and rethrown at the end.
 */
export class PendingWork {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  /** Tracks `work` until it settles. */
  track(work: Promise<unknown>): void {
    const tracked: Promise<void> = work
      .then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** True when nothing tracked is still running. */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Throws the first failure of any tracked work. */
  rethrowFailure(): void {
    if (this.failure) throw this.failure.error;
  }
}
