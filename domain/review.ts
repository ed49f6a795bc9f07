import type { PaymentDecision } from './payment';

/**
 * What an operator may propose to end a payment's review:
 * - `complete`: M-Pesa took the money, under the receipt the operator names (checked on M-Pesa's
 *   org portal or statement); the fee is captured (or charged again if it had been released).
 * - `fail`: M-Pesa did not take the money; the fee is released to the merchant's wallet.
 */
export type ReviewAction = 'complete' | 'fail';

/** Where a proposal stands: waiting for a second admin, approved (handed to the payment), or rejected. */
export type ReviewProposalStatus = 'pending' | 'approved' | 'rejected';

/**
 * An operator's verdict on a payment in review: a proposal approved by a second admin (maker-checker),
 * handed to the payment's workflow as evidence (`operatorVerdictSignal`). The review rule
 * (domain/evidence.ts `decidePayment`) honours it only while the rest of the evidence leaves the
 * payment in `needs_review`: M-Pesa's own evidence that settles the payment is never overruled.
 */
export interface OperatorVerdict {
  /** The approved proposal's id (review_proposals.id): the dedupe key, and the tie-break between verdicts. */
  proposalId: number;
  action: ReviewAction;
  /** The M-Pesa receipt a `complete` names (Daraja's receipt rule, `isMpesaReceipt`); null for `fail`. */
  receipt: string | null;
  /** The proposer's reason, for the record (never sent to the merchant). */
  reason: string;
}

/**
 * The decision an operator's verdict carries. The merchant's webhook and status read `resultDesc`,
 * so it says what ImaraPay decided in plain words and leaves the operators' own reason out.
 */
export function decisionFromOperator(verdict: OperatorVerdict): PaymentDecision {
  if (verdict.action === 'complete')
    return {
      status: 'completed',
      resultCode: '0',
      resultDesc: `ImaraPay verified this payment with M-Pesa: receipt ${verdict.receipt}.`,
      receipt: verdict.receipt,
      source: 'operator',
    };
  return {
    status: 'failed',
    resultCode: null,
    resultDesc: 'ImaraPay verified with M-Pesa that this payment was not made; the fee is released.',
    receipt: null,
    source: 'operator',
  };
}

/**
 * Maker-checker: whether `approverId` may approve a proposal made by `proposerId`. A resolution moves
 * money (the fee captured or released), so a second, different admin approves it. Only a deployment
 * that asks for it (REVIEW_SELF_APPROVAL, refused by the configuration in production) lets one admin
 * approve their own, so that one person can try the flow locally: the rule fails closed.
 */
export function mayApprove(input: { proposerId: number; approverId: number; selfApprovalAllowed: boolean }): boolean {
  return input.proposerId !== input.approverId || input.selfApprovalAllowed;
}
