import { auditActorOf } from '../../auditActor';
import { errorResponse } from '../../openapi/registry';
import { AppError } from '../../../domain/errors';
import { parseTransactionId } from '../../../domain/ids';
import { paymentReviewDetail, paymentsForReview } from '../../useCases/paymentReview';
import {
  approveProposal,
  approveProposalSchema,
  proposeResolution,
  proposeResolutionSchema,
  rejectProposal,
  rejectProposalSchema,
  type ReviewProposalBody,
} from '../../useCases/reviewResolution';
import { parseInput } from '../../validate';
import type { RouteModule } from '../module';
import { z } from 'zod';
import {
  callbackDisposition,
  enumOf,
  environment as environmentSchema,
  id,
  kes,
  paymentStatus,
  timestamp,
} from '../../openapi/responses';
import { timelineSchema } from '../dashboardViews';
import type { EvidenceConflict } from '../../../domain/evidence';
import type { MpesaRecordSource } from '../../../domain/mpesaRecord';
import type { ReviewAction, ReviewProposalStatus } from '../../../domain/review';
import type { PushState } from '../../../db/entities/transaction';
import type { StkQueryState } from '../../../db/entities/stkQuery';
import type { MpesaRecordDisposition } from '../../../db/entities/mpesaRecord';

/** An admin as a proposal names them: their id, and their email while the account exists. */
const adminRef = z.object({ id, email: z.string().nullable() });

/** An operator's proposal to end a payment's review (maker-checker: a second admin approves it). */
export const reviewProposalSchema = z.object({
  id,
  transaction_id: id,
  action: enumOf<ReviewAction>()(['complete', 'fail']),
  receipt: z.string().nullable().describe('The M-Pesa receipt that proves a `complete`; null for `fail`'),
  reason: z.string(),
  status: enumOf<ReviewProposalStatus>()(['pending', 'approved', 'rejected']),
  proposed_by: adminRef,
  proposed_at: timestamp,
  decided_by: adminRef.nullable(),
  decided_at: timestamp.nullable(),
  decision_reason: z.string().nullable(),
  handed_over_at: timestamp
    .nullable()
    .describe("When the approved verdict reached the payment's workflow; null while it has not (approve again)"),
});

/** One payment whose M-Pesa evidence is in doubt, with all that evidence side by side and its proposals. */
export const paymentReviewSchema = z.object({
  transaction_id: id,
  merchant_id: id,
  environment: environmentSchema,
  status: paymentStatus,
  review_reason: z.string().nullable(),
  amount: kes,
  fee: kes,
  mpesa_amount: kes.nullable(),
  mpesa_receipt: z.string().nullable(),
  checkout_request_id: z.string().nullable(),
  evidence_conflicts: z.array(
    z.object({
      kind: enumOf<EvidenceConflict['kind']>()(['receipt', 'amount', 'invalid']),
      callbackId: id.nullable(),
      recorded: z.union([z.string(), z.number()]).nullable(),
      received: z.union([z.string(), z.number()]).nullable(),
      at: timestamp,
    }),
  ),
  push: z.object({
    phone_number: z.string(),
    account_reference: z.string(),
    push_state: enumOf<PushState>()(['none', 'sending', 'accepted', 'rejected', 'unconfirmed']),
    created_at: timestamp,
  }),
  callbacks: z.array(
    z.object({
      id,
      received_at: timestamp,
      disposition: callbackDisposition,
      result_code: z.string().nullable(),
      problems: z.string().nullable(),
      raw_body: z.string(),
      parsed: z
        .object({
          checkoutRequestId: z.string().nullable(),
          resultCode: z.string(),
          resultDesc: z.string(),
          receipt: z.string().nullable(),
          amount: kes.nullable(),
          phoneNumber: z.string().nullable(),
          transactionDate: z.string().nullable().describe('YYYYMMDDHHmmss, Nairobi time, as M-Pesa sent it'),
          problems: z.array(z.string()),
          unusable: z.string().nullable(),
        })
        .nullable()
        .describe('What the review rule read from the body; null when it is not a Daraja callback'),
    }),
  ),
  queries: z.array(
    z.object({
      asked_at: timestamp,
      state: enumOf<StkQueryState>()(['pending', 'final', 'error']),
      result_code: z.string().nullable(),
      result_desc: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  mpesa_records: z.array(
    z.object({
      id,
      source: enumOf<MpesaRecordSource>()(['transaction_status', 'pull_transactions', 'statement']),
      disposition: enumOf<MpesaRecordDisposition>()(['evidence', 'malformed', 'refused', 'queue_timeout', 'unmatched']),
      outcome: z.enum(['completed', 'failed', 'not_found']).nullable(),
      receipt: z.string().nullable(),
      amount: kes.nullable(),
      completed_at: timestamp.nullable(),
      description: z.string(),
      received_at: timestamp,
    }),
  ),
  proposals: z.array(reviewProposalSchema),
});

/** One payment of the review queue with its timeline (GET /api/admin/payments/review/:id). */
export const paymentReviewDetailSchema = paymentReviewSchema.extend({ timeline: timelineSchema.shape.events });

const callbackExample = {
  id: 88,
  received_at: '2026-11-30T12:00:03.000Z',
  disposition: 'signalled',
  result_code: '0',
  problems: null,
  raw_body: '{"Body":{"stkCallback":{…}}}',
  parsed: {
    checkoutRequestId: 'ws_CO_301120261200001234',
    resultCode: '0',
    resultDesc: 'The service request is processed successfully.',
    receipt: 'R33MVBMXSF',
    amount: 1,
    phoneNumber: '254708374149',
    transactionDate: '20261130120003',
    problems: [],
    unusable: null,
  },
};
const proposalExample: ReviewProposalBody = {
  id: 3,
  transaction_id: 42,
  action: 'complete',
  receipt: 'R33MVBMXSF',
  reason: 'The org portal statement shows R33MVBMXSF for KES 9,908 at 12:00:03',
  status: 'pending',
  proposed_by: { id: 1, email: 'ops@imarapay.co.ke' },
  proposed_at: '2026-11-30T12:30:00.000Z',
  decided_by: null,
  decided_at: null,
  decision_reason: null,
  handed_over_at: null,
};
const reviewExample = {
  transaction_id: 42,
  merchant_id: 7,
  environment: 'sandbox',
  status: 'needs_review',
  review_reason: "M-Pesa's success callback 88 reports KES 1 for a push of KES 9908",
  amount: 9908,
  fee: 50,
  mpesa_amount: 1,
  mpesa_receipt: 'R33MVBMXSF',
  checkout_request_id: 'ws_CO_301120261200001234',
  evidence_conflicts: [],
  push: {
    phone_number: '254712345678',
    account_reference: 'INV-001',
    push_state: 'accepted',
    created_at: '2026-11-30T12:00:00.000Z',
  },
  callbacks: [callbackExample],
  queries: [],
  mpesa_records: [],
  proposals: [proposalExample],
};
const ID = { id: 'The transaction id' };
const PROPOSAL_ID = { id: 'The proposal id' };
const TAGS = ['Admin: review'];

/** Path ids: anything but a positive integer that fits the id column names nothing, so it answers 404 like a missing id. */
function pathId(value: string | undefined, what: string): number {
  const id = parseTransactionId(value);
  if (id !== null) return id;
  throw new AppError('not_found', `${what} ${value} does not exist`);
}

/**
 * The review queue: what M-Pesa's evidence leaves in doubt, and the maker-checker actions that end a
 * review (one admin proposes, a second approves; the payment's workflow settles it).
 */
export const adminReviewRoutes: RouteModule = (api, deps) => {
  const selfApprovalAllowed = deps.config.REVIEW_SELF_APPROVAL;

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/payments/review',
    summary: 'Payments whose M-Pesa evidence is in doubt',
    description:
      "Payments in `needs_review` (the review rule found M-Pesa's evidence in doubt: an Amount other than the push, two receipts, items that break Daraja's rules, or M-Pesa's record disagreeing; the fee is held and the merchant was sent `payment.review_started`) " +
      'and payments with recorded disagreements (`evidence_conflicts`), newest first, at most 100, each with all its evidence side by side ' +
      "(the push, every stored raw callback and what ImaraPay read from it, STK query answers, M-Pesa's own record, conflicts) and its resolution proposals.",
    tags: TAGS,
    responses: [
      {
        status: 200,
        description: 'The payments to review',
        schema: z.array(paymentReviewSchema),
        example: [reviewExample],
      },
    ],
    handler: async (ctx) => {
      ctx.body = await paymentsForReview(deps.em());
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/payments/review/:id',
    summary: "One payment's evidence, proposals and timeline",
    description: 'The same view as the queue, for one payment whatever its status now, with its timeline.',
    tags: TAGS,
    params: ID,
    responses: [
      {
        status: 200,
        description: 'The payment',
        schema: paymentReviewDetailSchema,
        example: {
          ...reviewExample,
          timeline: [
            {
              at: '2026-11-30T12:00:03.100Z',
              kind: 'settled',
              title: 'M-Pesa reported a payment; ImaraPay is verifying it',
              detail: reviewExample.review_reason,
            },
          ],
        },
      },
      errorResponse(404, 'not_found', 'Transaction 42 does not exist'),
    ],
    handler: async (ctx) => {
      ctx.body = await paymentReviewDetail(deps.em(), pathId(ctx.params.id, 'Transaction'));
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/payments/:id/review/proposals',
    summary: 'Propose how a review ends',
    description:
      '`complete` with the M-Pesa receipt that proves the payment (the fee is captured), or `fail` (the fee is released), with a reason. ' +
      'Nothing moves until a second admin approves it. One proposal waits at a time per payment. Audited as `review.proposed`.',
    tags: TAGS,
    params: ID,
    body: proposeResolutionSchema,
    responses: [
      { status: 201, description: 'The pending proposal', schema: reviewProposalSchema, example: proposalExample },
      errorResponse(400, 'validation_failed', 'receipt is required to complete a payment', { field: 'receipt' }),
      errorResponse(404, 'not_found', 'Transaction 42 does not exist'),
      errorResponse(
        409,
        'conflict',
        'Payment 42 already has a proposal waiting for approval; approve or reject it first',
      ),
    ],
    handler: async (ctx, admin) => {
      const body = parseInput(proposeResolutionSchema, ctx.request.body);
      ctx.status = 201;
      ctx.body = await proposeResolution(
        deps.em(),
        { admin: admin.user, actor: auditActorOf(ctx, admin) },
        pathId(ctx.params.id, 'Transaction'),
        body,
      );
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/review-proposals/:id/approve',
    summary: 'Approve a proposal (a second admin)',
    description:
      'The verdict goes through the payment’s workflow, which settles it once: the fee captured or released, and the merchant’s ' +
      '`payment.completed` or `payment.failed` webhook. The admin who proposed it cannot approve it (only a development deployment allows it). ' +
      'Approving an approved proposal again answers it as it stands; nothing settles twice. Audited as `review.approved`.',
    tags: TAGS,
    params: PROPOSAL_ID,
    body: approveProposalSchema,
    responses: [
      {
        status: 200,
        description: 'The approved proposal',
        schema: reviewProposalSchema,
        example: {
          ...proposalExample,
          status: 'approved',
          decided_by: { id: 2, email: 'lead@imarapay.co.ke' },
          decided_at: '2026-11-30T12:40:00.000Z',
          handed_over_at: '2026-11-30T12:40:00.050Z',
        },
      },
      errorResponse(
        403,
        'forbidden',
        'A resolution moves money: a second admin must approve it, not the one who proposed it',
      ),
      errorResponse(404, 'not_found', 'Review proposal 3 does not exist'),
      errorResponse(409, 'conflict', 'Review proposal 3 was rejected; propose again'),
      errorResponse(
        503,
        'temporarily_unavailable',
        'The approval of proposal 3 is recorded, but the payment could not be reached: approve it again shortly',
      ),
    ],
    handler: async (ctx, admin) => {
      const body = parseInput(approveProposalSchema, ctx.request.body);
      ctx.body = await approveProposal(
        {
          em: deps.em(),
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          timings: deps.timings,
          selfApprovalAllowed,
        },
        { admin: admin.user, actor: auditActorOf(ctx, admin) },
        pathId(ctx.params.id, 'Review proposal'),
        body,
      );
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/review-proposals/:id/reject',
    summary: 'Reject a proposal',
    description:
      'Nothing moves; the payment stays in review and a new proposal may be made. The proposer may reject (withdraw) their own. Audited as `review.rejected`.',
    tags: TAGS,
    params: PROPOSAL_ID,
    body: rejectProposalSchema,
    responses: [
      {
        status: 200,
        description: 'The rejected proposal',
        schema: reviewProposalSchema,
        example: {
          ...proposalExample,
          status: 'rejected',
          decided_by: { id: 2, email: 'lead@imarapay.co.ke' },
          decided_at: '2026-11-30T12:40:00.000Z',
          decision_reason: 'The statement line is another customer’s payment',
        },
      },
      errorResponse(400, 'validation_failed', 'reason is required', { field: 'reason' }),
      errorResponse(404, 'not_found', 'Review proposal 3 does not exist'),
      errorResponse(409, 'conflict', 'Review proposal 3 was already approved'),
    ],
    handler: async (ctx, admin) => {
      const body = parseInput(rejectProposalSchema, ctx.request.body);
      ctx.body = await rejectProposal(
        deps.em(),
        { admin: admin.user, actor: auditActorOf(ctx, admin) },
        pathId(ctx.params.id, 'Review proposal'),
        body,
      );
    },
  });
};
