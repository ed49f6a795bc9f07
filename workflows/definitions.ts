import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MpesaRecordEvidence } from '../domain/mpesaRecord';
import type { CallbackOutcome, PaymentDecision, PaymentStage } from '../domain/payment';
import type { OperatorVerdict } from '../domain/review';

/** Timings a payment runs with, fixed at start so that replays see the same values. */
export interface PaymentTimings {
  callbackTimeoutMs: number;
  unconfirmedWaitMs: number;
  queryWindowMs: number;
  queryIntervalMs: number;
  queryMaxIntervalMs: number;
  lateCallbackWindowMs: number;
  pushDeadlineMs: number;
  webhookInitialRetryMs: number;
  webhookMaxRetryMs: number;
  webhookRetryWindowMs: number;
}

/** Input of paymentWorkflow: the stored transaction it drives. */
export interface PaymentWorkflowInput {
  transactionId: number;
  merchantId: number;
  amount: number;
  fee: number;
  externalReference: string | null;
  environment: 'sandbox' | 'production';
  timings: PaymentTimings;
}

/** Result of paymentWorkflow: how the payment ended. */
export interface PaymentWorkflowResult {
  status: 'completed' | 'failed' | 'needs_review';
  decidedBy: PaymentDecision['source'];
  receipt: string | null;
}

/**
 * What the STK push request learns, answered through the pushOutcome update:
 * - accepted: Daraja took the push; the customer has a prompt.
 * - unconfirmed: the push call timed out; the prompt may be on the phone. Do not push again.
 * - refused: ImaraPay refused it (the wallet cannot cover the fee); nothing was sent.
 * - rejected: Daraja refused it, or stayed busy past the push deadline; no prompt was sent.
 */
export type PushOutcome =
  | { outcome: 'accepted'; checkoutRequestId: string; merchantRequestId: string }
  | { outcome: 'unconfirmed'; message: string }
  | { outcome: 'refused'; code: 'insufficient_balance'; message: string; fee: number; balance: number }
  | { outcome: 'rejected'; code: 'daraja_rejected' | 'daraja_unavailable'; message: string };

/** Live state for the UI and for debugging. */
export interface PaymentProgress {
  stage: PaymentStage;
  push: PushOutcome | null;
  callbacksReceived: number;
  decision: PaymentDecision | null;
}

/** Waits until the push has an outcome and returns it; safe to call any number of times. */
export const pushOutcomeUpdate = defineUpdate<PushOutcome>('pushOutcome');
/** A Daraja callback for this payment, already stored in Postgres. */
export const darajaCallbackSignal = defineSignal<[CallbackOutcome]>('darajaCallback');
/** M-Pesa's own record of this payment (Transaction Status, Pull Transactions or a statement), already stored in Postgres. */
export const mpesaRecordSignal = defineSignal<[MpesaRecordEvidence]>('mpesaRecord');
/**
 * An operator's verdict on this payment in review, approved by a second admin and stored in Postgres
 * (review_proposals). Repeats of a proposal id count once.
 */
export const operatorVerdictSignal = defineSignal<[OperatorVerdict]>('operatorVerdict');
export const progressQuery = defineQuery<PaymentProgress>('progress');

/** The workflow ID of a payment: a business ID that carries no personal data. */
export const paymentWorkflowId = (transactionId: number) => `payment-${transactionId}`;

/** The workflow ID that settles one callback that arrived after its payment's workflow closed. */
export const lateCallbackWorkflowId = (transactionId: number, callbackId: number) =>
  `payment-${transactionId}-late-callback-${callbackId}`;
