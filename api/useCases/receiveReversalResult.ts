import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ReversalResultKind } from '../../config/callbackUrl';
import type { Logger } from '../../config/logger';
import { parseTransactionStatusResult } from '../../daraja/recordResults';
import { parseReversalResult } from '../../daraja/reversal';
import type { Reversal, ReversalResultDisposition } from '../../db/entities';
import { reversalById, storeReversalResult } from '../../db/reversals';
import { reversalVerdictFromRecord, type ReversalEvidence } from '../../domain/reversal';
import {
  reversalEvidenceSignal,
  reversalLateOutcomeWorkflow,
  reversalLateOutcomeWorkflowId,
  type ReversalTimings,
} from '../../workflows/reversal';

export interface ReversalResultDeps {
  em: EntityManager;
  temporal: Client;
  logger: Logger;
  /** The task queue a late outcome's workflow runs on. */
  taskQueue: string;
  /** The webhook timings a late outcome's webhook is sent with (config REVERSAL_*, WEBHOOK_*). */
  timings: ReversalTimings;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

type Reading = {
  disposition: ReversalResultDisposition;
  resultCode: string | null;
  description: string;
  evidence: Omit<ReversalEvidence, 'resultId'> | null;
};

/** Whether the result names a conversation other than the reversal's own (when Daraja told us its ids). */
function otherConversation(reversal: Reversal, ids: { conversationId: string; originatorConversationId: string }) {
  if (!reversal.conversationId && !reversal.originatorConversationId) return false;
  return (
    ids.conversationId !== reversal.conversationId &&
    (ids.originatorConversationId === '' || ids.originatorConversationId !== reversal.originatorConversationId)
  );
}

/** Reads one body for its reversal: what it is, and the evidence it gives (null: says nothing final). */
function read(reversal: Reversal, kind: ReversalResultKind, body: unknown): Reading {
  if (kind === 'timeout' || kind === 'status_timeout')
    return {
      disposition: 'unknown',
      resultCode: null,
      description:
        kind === 'timeout'
          ? 'The reversal request timed out in M-Pesa\u2019s queue'
          : 'A Transaction Status question about the reversal timed out in M-Pesa\u2019s queue',
      evidence: null,
    };
  if (kind === 'status') {
    const parsed = parseTransactionStatusResult(body);
    if (!parsed.ok) return { disposition: 'malformed', resultCode: null, description: parsed.reason, evidence: null };
    const record = parsed.value;
    const aboutOriginal = record.receipt === null || record.receipt === reversal.receipt;
    const verdict = reversalVerdictFromRecord({ ...record, aboutOriginal });
    const description = `M-Pesa's record: ${record.resultCode} ${record.resultDesc}${record.transactionStatus ? ` (${record.transactionStatus})` : ''}`;
    return {
      disposition: verdict === 'reversed' ? 'outcome' : 'unknown',
      resultCode: record.resultCode,
      description,
      evidence:
        verdict === 'reversed'
          ? {
              verdict,
              source: 'mpesa_record',
              resultCode: record.resultCode,
              description,
              // Asked about the reversal itself, the receipt is the reversal's; about the payment, it is the payment's.
              reversalReceipt: aboutOriginal ? null : record.receipt,
            }
          : null,
    };
  }
  const parsed = parseReversalResult(body);
  if (!parsed.ok) return { disposition: 'malformed', resultCode: null, description: parsed.reason, evidence: null };
  const result = parsed.value;
  const description = `${result.resultCode} ${result.resultDesc}`.trim();
  if (otherConversation(reversal, result) || (result.originalReceipt && result.originalReceipt !== reversal.receipt))
    return {
      disposition: 'unknown',
      resultCode: result.resultCode,
      description: `A result for another request: ${description}`,
      evidence: null,
    };
  return {
    disposition: 'outcome',
    resultCode: result.resultCode,
    description,
    evidence: {
      verdict: result.outcome === 'failed' ? 'failed' : 'reversed',
      source: 'result',
      resultCode: result.resultCode,
      description,
      reversalReceipt: result.reversalReceipt,
    },
  };
}

/**
 * Takes one body M-Pesa posted about a reversal (its result, its queue timeout, or a Transaction
 * Status answer about it). The raw text is stored first, whatever it holds; read strictly, a body
 * that decides (a result, or a record showing the reversal done) is signalled to the reversal's
 * workflow, which keeps the first and counts repeats once. When that workflow has ended (an
 * `in_doubt` reversal past its late window), reversalLateOutcomeWorkflow (one per payment) records
 * the outcome and sends its webhook once. Throws only when Postgres cannot store the body (or Temporal
 * cannot be reached: M-Pesa's retry of the body then decides it).
 */
export async function receiveReversalResult(
  deps: ReversalResultDeps,
  input: { reversalId: number; kind: ReversalResultKind; raw: string },
): Promise<{ resultId: number; disposition: ReversalResultDisposition; signalled: boolean }> {
  const reversal = await reversalById(deps.em, input.reversalId);
  if (!reversal) throw new Error(`Reversal ${input.reversalId} does not exist`);
  const reading = read(reversal, input.kind, parseJson(input.raw) ?? null);
  // A reversal that has its outcome keeps it: a repeated or replayed body is kept for the record only.
  const settled = reversal.state === 'reversed' || reversal.state === 'failed';
  const disposition = settled && reading.disposition === 'outcome' ? 'repeat' : reading.disposition;
  const stored = await storeReversalResult(deps.em, {
    reversalId: reversal.id,
    kind: input.kind,
    disposition,
    resultCode: reading.resultCode,
    description: reading.description,
    raw: input.raw,
  });
  if (!reading.evidence || settled) return { resultId: stored.id, disposition, signalled: false };
  const evidence: ReversalEvidence = { ...reading.evidence, resultId: stored.id };
  try {
    await deps.temporal.workflow.getHandle(reversal.workflowId).signal(reversalEvidenceSignal, evidence);
    return { resultId: stored.id, disposition, signalled: true };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    // Its workflow has ended: a small workflow of its own records the outcome an in_doubt reversal was
    // waiting for and tells the merchant once (final outcomes never change; a second start is refused).
    deps.logger.warn(
      { reversalId: reversal.id },
      'reversal result after its workflow ended: settled by its own workflow',
    );
    await deps.temporal.workflow
      .start(reversalLateOutcomeWorkflow, {
        workflowId: reversalLateOutcomeWorkflowId(reversal.transaction),
        taskQueue: deps.taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            reversalId: reversal.id,
            transactionId: reversal.transaction,
            settlement: {
              state: evidence.verdict === 'reversed' ? 'reversed' : 'failed',
              resultCode: evidence.resultCode,
              resultDesc: evidence.description,
              reversalReceipt: evidence.reversalReceipt,
              decidedBy: evidence.source === 'mpesa_record' ? 'mpesa_record' : 'result',
            },
            timings: deps.timings,
          },
        ],
      })
      .catch((startErr: unknown) => {
        if (!(startErr instanceof WorkflowExecutionAlreadyStartedError)) throw startErr;
      });
    return { resultId: stored.id, disposition, signalled: false };
  }
}
