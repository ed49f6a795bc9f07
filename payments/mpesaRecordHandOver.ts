import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { MpesaRecordEvidence } from '../domain/mpesaRecord';
import { mpesaRecordSignal, type PaymentTimings } from '../workflows/definitions';
import { mpesaRecordWorkflow, mpesaRecordWorkflowId } from '../workflows/mpesaRecord';

export interface HandOverDeps {
  temporal: Client;
  taskQueue: string;
  timings: PaymentTimings;
}

/**
 * Hands M-Pesa's record of a payment to it: `mpesaRecordSignal` while its workflow runs (the workflow
 * dedupes by `recordId`), else `mpesaRecordWorkflow` under `payment-<id>-mpesa-record-<recordId>`,
 * which completes a `failed` payment once. Answers how; throws when Temporal cannot be reached (the
 * record stays stored, undelivered, and the next reconciliation run tries again).
 */
export async function handOverMpesaRecord(
  deps: HandOverDeps,
  payment: { id: number; workflowId: string; amount: number },
  evidence: MpesaRecordEvidence,
): Promise<'signalled' | 'late_workflow'> {
  try {
    await deps.temporal.workflow.getHandle(payment.workflowId).signal(mpesaRecordSignal, evidence);
    return 'signalled';
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  try {
    await deps.temporal.workflow.start(mpesaRecordWorkflow, {
      workflowId: mpesaRecordWorkflowId(payment.id, evidence.recordId),
      taskQueue: deps.taskQueue,
      args: [{ transactionId: payment.id, amount: payment.amount, record: evidence, timings: deps.timings }],
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return 'late_workflow';
}
