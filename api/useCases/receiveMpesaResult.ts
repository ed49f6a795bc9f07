import type { Client } from '@temporalio/client';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parseTransactionStatusResult, type TransactionStatusResult } from '../../daraja/recordResults';
import type { MpesaResultKind } from '../../config/callbackUrl';
import type { Logger } from '../../config/logger';
import {
  markRecordDelivered,
  markRequest,
  claimRequestAnswer,
  paymentForRecord,
  requestForResult,
  storeMpesaRecord,
  type NewMpesaRecord,
} from '../../db/mpesaRecords';
import type { MpesaRecordEvidence } from '../../domain/mpesaRecord';
import type { PaymentTimings } from '../../workflows/definitions';
import { handOverMpesaRecord } from '../../payments/mpesaRecordHandOver';

export interface MpesaResultDeps {
  em: EntityManager;
  temporal: Client;
  logger: Logger;
  taskQueue: string;
  timings: PaymentTimings;
}

export interface MpesaResultReceipt {
  recordId: number;
  disposition: NewMpesaRecord['disposition'];
  delivered: 'signalled' | 'late_workflow' | null;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

const ids = (body: unknown) => {
  const result = (body as { Result?: Record<string, unknown> } | undefined)?.Result;
  const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  return {
    originatorConversationId: text(result?.OriginatorConversationID),
    conversationId: text(result?.ConversationID),
  };
};

function evidenceOf(recordId: number, result: TransactionStatusResult): MpesaRecordEvidence | null {
  if (result.outcome !== 'completed' && result.outcome !== 'failed' && result.outcome !== 'not_found') return null;
  return {
    recordId: String(recordId),
    source: 'transaction_status',
    outcome: result.outcome,
    receipt: result.receipt,
    amount: result.amount,
    payer: result.payer,
    completedAt: result.completedAt,
    description: [result.transactionStatus, result.resultDesc].filter(Boolean).join(': '),
  };
}

/**
 * Takes one answer M-Pesa posted about its own record (Transaction Status result, queue timeout, Pull
 * notification). The raw text is stored whatever it holds; it is read strictly, and only a readable
 * Transaction Status result for a question ImaraPay asked becomes evidence, handed to its payment.
 * Malformed bodies are stored `malformed`; refusals (2001, 8006…) `refused`; answers to no question of
 * ours `unmatched`: none of those decides anything. Throws only when Postgres cannot store it.
 */
export async function receiveMpesaResult(
  deps: MpesaResultDeps,
  input: { kind: MpesaResultKind; raw: string },
): Promise<MpesaResultReceipt> {
  const { em, logger } = deps;
  const body = parseJson(input.raw);
  const base = {
    transactionId: null,
    requestId: null,
    outcome: null,
    receipt: null,
    amount: null,
    payer: null,
    completedAt: null,
    description: '',
    raw: input.raw,
  };
  const store = async (record: NewMpesaRecord) => {
    const stored = await storeMpesaRecord(em, record);
    return { recordId: stored.id, disposition: record.disposition, delivered: null };
  };

  if (input.kind === 'pull')
    return store({ ...base, source: 'pull_transactions', disposition: 'unmatched', description: 'Pull notification' });

  const request = body === undefined ? null : await requestForResult(em, ids(body));
  if (input.kind === 'timeout') {
    if (request) await markRequest(em, request.id, 'queue_timeout');
    return store({
      ...base,
      transactionId: request?.transactionId ?? null,
      requestId: request?.id ?? null,
      source: 'transaction_status',
      disposition: 'queue_timeout',
      description: 'The question timed out in M-Pesa\u2019s queue',
    });
  }

  const parsed = parseTransactionStatusResult(body);
  if (!parsed.ok) {
    logger.warn({ reason: parsed.reason }, 'malformed Transaction Status result stored');
    return store({
      ...base,
      transactionId: request?.transactionId ?? null,
      requestId: request?.id ?? null,
      source: 'transaction_status',
      disposition: 'malformed',
      description: `Unreadable result: ${parsed.reason}`,
    });
  }
  const result = parsed.value;
  if (request && !(await claimRequestAnswer(em, request.id))) {
    // The question has its answer already: a repeat (or a replay by whoever holds the result URL)
    // is kept for the record and decides nothing.
    return store({
      ...base,
      transactionId: request.transactionId,
      requestId: request.id,
      source: 'transaction_status',
      disposition: 'unmatched',
      description: 'A repeated answer to a question already answered',
    });
  }
  const usable = result.outcome === 'completed' || result.outcome === 'failed' || result.outcome === 'not_found';
  const disposition = !request?.transactionId ? 'unmatched' : usable ? 'evidence' : 'refused';
  const stored = await storeMpesaRecord(em, {
    ...base,
    transactionId: request?.transactionId ?? null,
    requestId: request?.id ?? null,
    source: 'transaction_status',
    disposition,
    outcome: usable ? (result.outcome as 'completed' | 'failed' | 'not_found') : null,
    receipt: result.receipt,
    amount: result.amount,
    payer: result.payer,
    completedAt: result.completedAt ? new Date(result.completedAt) : null,
    description: `${result.resultCode} ${result.resultDesc}${result.transactionStatus ? ` (${result.transactionStatus})` : ''}`,
  });
  const evidence = disposition === 'evidence' ? evidenceOf(stored.id, result) : null;
  if (!evidence || stored.deliveredAt || !request?.transactionId)
    return { recordId: stored.id, disposition, delivered: null };
  const payment = await paymentForRecord(em, request.transactionId);
  if (!payment) return { recordId: stored.id, disposition, delivered: null };
  try {
    const delivered = await handOverMpesaRecord(deps, payment, evidence);
    await markRecordDelivered(em, stored.id, delivered);
    return { recordId: stored.id, disposition, delivered };
  } catch (err) {
    // Stored and undelivered: the reconciliation asks again and hands the next answer over.
    logger.error({ err, recordId: stored.id }, 'could not hand an M-Pesa record to its payment');
    return { recordId: stored.id, disposition, delivered: null };
  }
}
