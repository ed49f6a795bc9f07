import {
  contradictsDecision,
  decisiveCallback,
  isSuccessCode,
  successChangesRecord,
  callbackMatchesPush,
  type CallbackOutcome,
  type PaymentDecision,
  type PaymentStage,
} from '../domain/payment';
import type { PaymentProgress, PaymentWorkflowResult, PushOutcome } from './definitions';

/**
 * What one payment workflow knows so far, and the questions its story asks of it. Handlers and the
 * main flow change it; the rules it applies live in domain/payment.ts.
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
  /** Further success callbacks already compared with the recorded evidence. */
  private readonly examined = new Set<number>();

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

  /** The callback that decides the payment, once one that matches the push has arrived. */
  decisiveCallback(): CallbackOutcome | undefined {
    return decisiveCallback(this.callbacks, this.checkoutRequestId);
  }

  /** The first success callback that matches the push, if any. */
  successCallback(): CallbackOutcome | undefined {
    const decisive = this.decisiveCallback();
    return decisive && isSuccessCode(decisive.resultCode) ? decisive : undefined;
  }

  /**
   * True when a success callback would change the record: it completes a failed payment, or brings a
   * query-decided success its receipt.
   */
  lateSettlementDue(): boolean {
    const success = this.successCallback();
    return !!success && !!this.decision && !!this.settled && successChangesRecord(this.settled, this.decision, success);
  }

  /** A further success callback, not yet examined, that disagrees with the callback that completed the payment. */
  conflictingCallback(): CallbackOutcome | undefined {
    const { decision } = this;
    if (this.settled !== 'completed' || !decision) return undefined;
    return this.callbacks.find(
      (c) =>
        !this.examined.has(c.callbackId) &&
        callbackMatchesPush(c, this.checkoutRequestId) &&
        contradictsDecision(decision, c),
    );
  }

  /** Marks a conflicting callback as recorded, so that it is compared only once. */
  examine(callback: CallbackOutcome): void {
    this.examined.add(callback.callbackId);
  }

  /** The live state the progress query answers. */
  progress(): PaymentProgress {
    return { stage: this.stage, push: this.push, callbacksReceived: this.callbacks.length, decision: this.decision };
  }
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
