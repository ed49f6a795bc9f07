import { EntitySchema } from '@mikro-orm/core';
import type { ReviewAction, ReviewProposalStatus } from '../../domain/review';

/**
 * An operator's proposal to end a payment's review (domain/review.ts): made by one admin, approved or
 * rejected by another (maker-checker). An approved proposal is handed to the payment's workflow,
 * which settles it once.
 */
export interface ReviewProposal {
  id: number;
  transaction: number;
  action: ReviewAction;
  /** The M-Pesa receipt a `complete` names; null for `fail`. */
  receipt: string | null;
  reason: string;
  status: ReviewProposalStatus;
  proposedBy: number;
  proposedAt: Date;
  /** The admin who approved or rejected it; null while pending. */
  decidedBy: number | null;
  decidedAt: Date | null;
  /** The checker's reason: required to reject, optional to approve. */
  decisionReason: string | null;
  /** When the approved verdict reached the payment (its workflow's signal, or the resolution workflow's start). */
  handedOverAt: Date | null;
  handedOverVia: 'signal' | 'resolution_workflow' | null;
}

export const ReviewProposalSchema = new EntitySchema<ReviewProposal>({
  name: 'ReviewProposal',
  tableName: 'review_proposals',
  indexes: [{ properties: ['transaction', 'id'] }],
  uniques: [
    // One proposal waits at a time per payment, and one is ever approved: two admins racing settle once.
    {
      name: 'review_proposals_one_pending',
      expression: `create unique index "review_proposals_one_pending" on "review_proposals" ("transaction_id") where status = 'pending'`,
    },
    {
      name: 'review_proposals_one_approved',
      expression: `create unique index "review_proposals_one_approved" on "review_proposals" ("transaction_id") where status = 'approved'`,
    },
  ],
  checks: [
    {
      name: 'review_proposals_receipt',
      expression: `(action = 'complete' and receipt is not null) or (action = 'fail' and receipt is null)`,
    },
  ],
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true },
    action: { type: 'string', length: 10 },
    receipt: { type: 'string', length: 20, nullable: true },
    reason: { type: 'text' },
    status: { type: 'string', length: 10, default: 'pending' },
    proposedBy: { kind: 'm:1', entity: 'User', mapToPk: true },
    proposedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    decidedBy: { kind: 'm:1', entity: 'User', mapToPk: true, nullable: true },
    decidedAt: { type: 'datetime', nullable: true },
    decisionReason: { type: 'text', nullable: true },
    handedOverAt: { type: 'datetime', nullable: true },
    handedOverVia: { type: 'string', length: 20, nullable: true },
  },
});
