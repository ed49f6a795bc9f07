import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { appendAuditEvent, withAudit } from '../../db/auditLog';
import type { Reversal } from '../../db/entities';
import { channelInitiator } from '../../db/mpesaRecords';
import { paymentForReversal, recordReversal, reversalOfPayment, reversalResults } from '../../db/reversals';
import { AppError } from '../../domain/errors';
import { REVERSAL_FEE_RULE, reversalRefusal, reversalStatusOf } from '../../domain/reversal';
import { reversalWorkflow, reversalWorkflowId, type ReversalTimings } from '../../workflows/reversal';
import { temporalReachable } from '../../payments/temporalConnection';
import type { ApiCaller } from '../auth';

export const reversalRequestSchema = z
  .object({
    remarks: z
      .string({ error: 'remarks must be a string' })
      .trim()
      .min(2, 'remarks must be 2 to 100 characters')
      .max(100, 'remarks must be 2 to 100 characters')
      .regex(/^[\x20-\x7e]*$/, 'remarks must be printable ASCII (M-Pesa shows it as is)')
      .optional(),
  })
  .strict();

export type ReversalRequestInput = z.infer<typeof reversalRequestSchema>;

/** How a reversal is shown to the merchant (API, dashboard, admin). */
export interface ReversalView {
  reversal_id: number;
  transaction_id: number;
  /** requested, reversed, failed or in_doubt (domain/reversal.ts). */
  status: string;
  /** The workflow's finer stage: requested, sending, accepted, reversed, failed, in_doubt. */
  state: string;
  amount: number;
  mpesa_receipt: string;
  reversal_receipt: string | null;
  result_code: string | null;
  result_desc: string | null;
  decided_by: string | null;
  fee_charged: number;
  fee_refunded: 0;
  fee_rule: string;
  requested_by: string | null;
  requested_at: string;
  completed_at: string | null;
  workflow_id: string;
}

export function reversalView(reversal: Reversal, fee: number): ReversalView {
  return {
    reversal_id: reversal.id,
    transaction_id: reversal.transaction,
    status: reversalStatusOf(reversal.state),
    state: reversal.state,
    amount: reversal.amount,
    mpesa_receipt: reversal.receipt,
    reversal_receipt: reversal.reversalReceipt,
    result_code: reversal.resultCode,
    result_desc: reversal.resultDesc,
    decided_by: reversal.decidedBy,
    fee_charged: fee,
    fee_refunded: 0,
    fee_rule: REVERSAL_FEE_RULE,
    requested_by: reversal.requestedBy,
    requested_at: reversal.createdAt.toISOString(),
    completed_at: reversal.completedAt?.toISOString() ?? null,
    workflow_id: reversal.workflowId,
  };
}

export interface ReversalDeps {
  em: EntityManager;
  temporal: Client;
  taskQueue: string;
  timings: ReversalTimings;
  /** TEMPORAL_START_DEADLINE_MS: how long to wait for Temporal before answering 503. */
  startDeadlineMs: number;
}

const INITIATOR_HELP =
  "Reversals need this channel's M-Pesa initiator: on the M-Pesa organisation portal, create an API operator " +
  '(business administrator → Operators → API user) with the "Org Reversals Initiator" role, then set it with ' +
  'PUT /api/accounts/{id}/initiator or under Payment channels in the dashboard.';

const transactionIdOf = (raw: string): number => {
  const id = /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('not_found', `Transaction ${raw} does not exist`);
  return id;
};

/**
 * POST /api/transactions/:id/reversal: reverses one of the caller's completed payments, once.
 * - Another merchant's payment (or another environment's) is 404, exactly like an unknown one.
 * - A payment that already has a reversal answers that reversal (`created: false`), whatever the
 *   Idempotency-Key: a double click, a retry and a second key all get the one reversal there is.
 * - Not completed, no receipt, a wallet top-up: 409 `not_reversible`; a channel without initiator
 *   credentials: 409 `initiator_required`. Nothing is recorded.
 * - Otherwise the reversal is recorded with an audit event (`reversal.requested`) in one transaction,
 *   and its workflow `payment-<id>-reversal` is started. When Temporal cannot be reached the answer is
 *   503 `temporarily_unavailable`; a retry (any key) starts that same reversal.
 */
export async function requestReversal(
  deps: ReversalDeps,
  caller: ApiCaller,
  rawTransactionId: string,
  input: ReversalRequestInput,
  context: { idempotencyKey: string | null; ip: string | null },
): Promise<{ created: boolean; reversal: ReversalView }> {
  const id = transactionIdOf(rawTransactionId);
  const payment = await paymentForReversal(deps.em, {
    id,
    merchantId: caller.merchant.id,
    environment: caller.environment,
  });
  if (!payment) throw new AppError('not_found', `Transaction ${rawTransactionId} does not exist`);

  const existing = await reversalOfPayment(deps.em, id);
  if (existing) {
    if (existing.state === 'requested') await startWorkflow(deps, existing);
    return { created: false, reversal: reversalView(existing, payment.fee) };
  }
  const refusal = reversalRefusal(payment);
  if (refusal) throw new AppError(refusal.code, refusal.message, { transaction_id: id });
  if (!(await channelInitiator(deps.em, payment.channel!)))
    throw new AppError('initiator_required', INITIATOR_HELP, { transaction_id: id, channel_id: payment.channel });

  const { reversal, created } = await withAudit(deps.em, async (tx) => {
    const recorded = await recordReversal(tx, {
      transactionId: id,
      merchantId: caller.merchant.id,
      channelId: payment.channel!,
      environment: payment.environment,
      amount: payment.amount,
      receipt: payment.mpesaReceipt!,
      idempotencyKey: context.idempotencyKey,
      requestedBy: caller.apiKey?.username ?? caller.user?.email ?? null,
      remarks: input.remarks ?? `Reversal of ImaraPay payment ${id}`,
      workflowId: reversalWorkflowId(id),
    });
    if (recorded.created)
      await appendAuditEvent(tx, {
        actorType: caller.apiKey ? 'api_key' : 'merchant',
        actorId: caller.apiKey?.id ?? caller.user?.id ?? null,
        actorLabel: caller.apiKey?.username ?? caller.user?.email ?? null,
        merchantId: caller.merchant.id,
        action: 'reversal.requested',
        subjectType: 'transaction',
        subjectId: String(id),
        ip: context.ip,
        details: { reversal_id: recorded.reversal.id, amount: payment.amount, receipt: payment.mpesaReceipt },
      });
    return recorded;
  });
  if (reversal.state === 'requested') await startWorkflow(deps, reversal);
  return { created, reversal: reversalView(reversal, payment.fee) };
}

/** Starts the reversal's workflow, or finds it started: one run per reversal, ever. */
async function startWorkflow(deps: ReversalDeps, reversal: Reversal): Promise<void> {
  const unavailable = () =>
    new AppError(
      'temporarily_unavailable',
      'The reversal is recorded but could not be started just now; nothing was sent to M-Pesa. Retry to start this same reversal.',
      { transaction_id: reversal.transaction, reversal_id: reversal.id, retry_after: 5 },
    );
  if (!(await temporalReachable(deps.temporal.connection, Date.now() + deps.startDeadlineMs))) throw unavailable();
  try {
    await deps.temporal.workflow.start(reversalWorkflow, {
      workflowId: reversal.workflowId,
      taskQueue: deps.taskQueue,
      args: [{ reversalId: reversal.id, transactionId: reversal.transaction, timings: deps.timings }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Reverse payment ${reversal.transaction} (KES ${reversal.amount}) · merchant ${reversal.merchant}`,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    throw unavailable();
  }
}

/** GET /api/transactions/:id/reversal: the payment's reversal with every result M-Pesa posted; 404 when it has none. */
export async function showReversal(
  em: EntityManager,
  caller: ApiCaller,
  rawTransactionId: string,
): Promise<ReversalView & { evidence: ReversalEvidenceView[] }> {
  const id = transactionIdOf(rawTransactionId);
  const payment = await paymentForReversal(em, { id, merchantId: caller.merchant.id, environment: caller.environment });
  const reversal = payment ? await reversalOfPayment(em, id) : null;
  if (!payment || !reversal) throw new AppError('not_found', `Transaction ${rawTransactionId} has no reversal`);
  return { ...reversalView(reversal, payment.fee), evidence: await evidenceOf(em, reversal.id) };
}

/** One body M-Pesa posted about a reversal, as shown (raw included: it is M-Pesa's own word). */
export interface ReversalEvidenceView {
  received_at: string;
  kind: string;
  disposition: string;
  result_code: string | null;
  description: string;
  raw: string;
}

export async function evidenceOf(em: EntityManager, reversalId: number): Promise<ReversalEvidenceView[]> {
  return (await reversalResults(em, reversalId)).map((r) => ({
    received_at: r.receivedAt.toISOString(),
    kind: r.kind,
    disposition: r.disposition,
    result_code: r.resultCode,
    description: r.description,
    raw: r.raw,
  }));
}
