import { reversalTimings } from '../../config/config';
import { AppError } from '../../domain/errors';
import { REVERSAL_FEE_RULE } from '../../domain/reversal';
import { idempotencyKeyOf } from '../idempotencyKey';
import { z } from 'zod';
import type { ReversalDecidedBy, ReversalState } from '../../domain/reversal';
import type { ReversalResultDisposition, ReversalResultKind } from '../../db/entities/reversal';
import { errorResponse } from '../openapi/registry';
import { darajaAcceptSchema, enumOf, environment, id, kes, reversalStatus, timestamp } from '../openapi/responses';
import { rateLimitKeys } from '../rateLimits';
import { adminReversalsQuerySchema, listAllReversals } from '../useCases/adminReversals';
import { receiveReversalResult } from '../useCases/receiveReversalResult';
import { requestReversal, reversalRequestSchema, showReversal } from '../useCases/reversals';
import { parseInput } from '../validate';
import { readBody } from './darajaHooks';
import type { RouteModule } from './module';

const MAX_RESULT_BYTES = 64 * 1024;
const ACCEPT = { ResultCode: 0 as const, ResultDesc: 'Accept' as const };

export const reversalExample = {
  reversal_id: 12,
  transaction_id: 42,
  status: 'requested',
  state: 'accepted',
  amount: 500,
  mpesa_receipt: 'SLK4H7QX2P',
  reversal_receipt: null,
  result_code: null,
  result_desc: null,
  decided_by: null,
  fee_charged: 6,
  fee_refunded: 0,
  fee_rule: REVERSAL_FEE_RULE,
  requested_by: 'ak_test_3f9c1e2a',
  requested_at: '2026-12-08T09:00:00.000Z',
  completed_at: null,
  workflow_id: 'payment-42-reversal',
};

/** A payment's reversal (api/useCases/reversals.ts reversalView). */
export const reversalSchema = z.object({
  reversal_id: id,
  transaction_id: id,
  status: reversalStatus,
  state: enumOf<ReversalState>()(['requested', 'sending', 'accepted', 'reversed', 'failed', 'in_doubt']).describe(
    "The workflow's finer stage",
  ),
  amount: kes,
  mpesa_receipt: z.string().describe("The payment's M-Pesa receipt"),
  reversal_receipt: z.string().nullable().describe("M-Pesa's receipt of the reversal itself"),
  result_code: z.string().nullable(),
  result_desc: z.string().nullable(),
  decided_by: enumOf<ReversalDecidedBy>()(['result', 'mpesa_record', 'request_refused']).nullable(),
  fee_charged: kes,
  fee_refunded: z.literal(0),
  fee_rule: z.string(),
  requested_by: z.string().nullable(),
  requested_at: timestamp,
  completed_at: timestamp.nullable(),
  workflow_id: z.string(),
});

/** One body M-Pesa posted about a reversal, raw (api/useCases/reversals.ts evidenceOf). */
export const reversalEvidenceSchema = z.object({
  received_at: timestamp,
  kind: enumOf<ReversalResultKind>()(['result', 'timeout', 'status', 'status_timeout']),
  disposition: enumOf<ReversalResultDisposition>()(['outcome', 'repeat', 'unknown', 'malformed']),
  result_code: z.string().nullable(),
  description: z.string(),
  raw: z.string(),
});

const reversalAnswerSchema = z.object({ created: z.boolean(), reversal: reversalSchema });
const reversalWithEvidenceSchema = reversalSchema.extend({ evidence: z.array(reversalEvidenceSchema) });
const adminReversalSchema = reversalWithEvidenceSchema.extend({
  merchant_id: id,
  merchant_name: z.string(),
  environment,
});

/** POST and GET /api/transactions/:id/reversal, the admin list, and where M-Pesa posts reversal results. */
export const reversalRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/transactions/:id/reversal',
    rateLimits: [{ policy: 'reversalsPerMerchant', key: rateLimitKeys.merchant }],
    summary: 'Reverse a completed payment',
    description:
      'Returns the payment\'s full amount to the customer through M-Pesa\'s Reversal API, once. The payment must be completed, have its M-Pesa receipt, and its channel must have initiator credentials with the "Org Reversals Initiator" role (PUT /api/accounts/{id}/initiator). ' +
      'A payment has at most one reversal: asking again, with the same Idempotency-Key or another, answers that same reversal (200, `created: false`). ' +
      `The reversal is asynchronous: poll GET /api/transactions/{id}/reversal or wait for the \`reversal.succeeded\` / \`reversal.failed\` webhook. ${REVERSAL_FEE_RULE}`,
    tags: ['Payments'],
    params: { id: 'The transaction id' },
    body: reversalRequestSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Your key for this reversal (at most 255 characters); any retry answers the one reversal of the payment.',
      },
    ],
    responses: [
      {
        status: 202,
        description: 'Recorded and started',
        schema: reversalAnswerSchema,
        example: { created: true, reversal: reversalExample },
      },
      {
        status: 200,
        description: 'The payment already has this reversal (a retry or a second request)',
        schema: reversalAnswerSchema,
        example: { created: false, reversal: { ...reversalExample, status: 'reversed', state: 'reversed' } },
      },
      errorResponse(404, 'not_found', 'Transaction 42 does not exist'),
      errorResponse(409, 'not_reversible', 'Only completed payments can be reversed; this one is failed', {
        transaction_id: 42,
      }),
      errorResponse(
        409,
        'initiator_required',
        'Reversals need this channel\'s M-Pesa initiator: … the "Org Reversals Initiator" role …',
        { transaction_id: 42, channel_id: 3 },
      ),
      errorResponse(503, 'temporarily_unavailable', 'The reversal is recorded but could not be started just now; …', {
        transaction_id: 42,
        reversal_id: 12,
        retry_after: 5,
      }),
    ],
    handler: async (ctx, caller) => {
      const result = await requestReversal(
        {
          em: deps.em(),
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          timings: reversalTimings(deps.config),
          startDeadlineMs: deps.config.TEMPORAL_START_DEADLINE_MS,
        },
        caller,
        ctx.params.id ?? '',
        parseInput(reversalRequestSchema, ctx.request.body ?? {}),
        { idempotencyKey: idempotencyKeyOf(ctx), ip: ctx.ip || null },
      );
      ctx.status = result.created ? 202 : 200;
      ctx.body = result;
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/transactions/:id/reversal',
    summary: "A payment's reversal and its evidence",
    description:
      'The reversal with every body M-Pesa posted about it (its result, queue timeouts, Transaction Status answers), raw. ' +
      '`status` is `requested`, `reversed`, `failed` or `in_doubt` (no result and no record within the window: check the M-Pesa portal; a late result still settles it).',
    tags: ['Payments'],
    params: { id: 'The transaction id' },
    responses: [
      {
        status: 200,
        description: 'The reversal',
        schema: reversalWithEvidenceSchema,
        example: { ...reversalExample, evidence: [] },
      },
      errorResponse(404, 'not_found', 'Transaction 42 has no reversal'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await showReversal(deps.em(), caller, ctx.params.id ?? '');
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/reversals',
    summary: "Every merchant's reversals",
    description:
      'The latest 200 reversals of every merchant, newest first, each with its merchant and every body M-Pesa posted about it. `status` (`requested`, `reversed`, `failed` or `in_doubt`) filters.',
    tags: ['Admin: transactions'],
    query: adminReversalsQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Reversals',
        schema: z.array(adminReversalSchema),
        example: [
          { ...reversalExample, merchant_id: 7, merchant_name: 'Duka La Mama', environment: 'sandbox', evidence: [] },
        ],
      },
      errorResponse(400, 'validation_failed', 'status must be requested, reversed, failed or in_doubt', {
        field: 'status',
      }),
    ],
    handler: async (ctx) => {
      ctx.body = await listAllReversals(deps.em(), parseInput(adminReversalsQuerySchema, ctx.query));
    },
  });

  api.add({
    method: 'post',
    path: '/hooks/daraja-reversals/:token/:reversalId/:kind',
    access: 'darajaReversal',
    rawBody: true,
    summary: 'Daraja reversal results (for Safaricom, not for merchants)',
    description:
      "The ResultURL and QueueTimeOutURL ImaraPay gives each reversal, and the ResultURL of Transaction Status questions about it. The URL carries a secret per-reversal token (shown here as {token}; never published) and the reversal's id; `kind` is `result`, `timeout`, `status` or `status_timeout`. " +
      'Every body is stored raw; a readable result decides the reversal through its workflow, anything else is kept and decides nothing. A wrong token answers 404 and is not stored.',
    tags: ['Platform'],
    params: {
      token: 'Secret per-reversal token (redacted)',
      reversalId: 'The reversal',
      kind: '`result`, `timeout`, `status` or `status_timeout`',
    },
    responses: [
      {
        status: 200,
        description: 'Stored and accepted (malformed and repeated results too)',
        schema: darajaAcceptSchema,
        example: ACCEPT,
      },
      errorResponse(503, 'temporarily_unavailable', 'The result could not be stored'),
    ],
    handler: async (ctx, target) => {
      const body = await readBody(ctx, MAX_RESULT_BYTES);
      try {
        await receiveReversalResult(
          {
            em: deps.em(),
            temporal: deps.temporal,
            logger: deps.logger,
            taskQueue: deps.taskQueue,
            timings: reversalTimings(deps.config),
          },
          { reversalId: target.reversalId, kind: target.kind, raw: body.raw.toString('utf8') },
        );
      } catch (err) {
        deps.logger.error({ err, reversalId: target.reversalId }, 'could not take a reversal result');
        throw new AppError('temporarily_unavailable', 'The result could not be stored', { retry_after: 5 });
      }
      ctx.body = ACCEPT;
    },
  });
};
