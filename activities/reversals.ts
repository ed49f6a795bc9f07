import { ApplicationFailure } from '@temporalio/activity';
import type { ReversalResultKind } from '../config/callbackUrl';
import type { Logger } from '../config/logger';
import type { MpesaRecordClient, Initiator } from '../daraja/recordTypes';
import { InvalidPushRequestError } from '../daraja/requestBuilder';
import type { ReversalClient } from '../daraja/reversal';
import { SecurityCredentialError } from '../daraja/securityCredential';
import { DarajaError } from '../daraja/types';
import type { Environment } from '../db/entities';
import type { ReversalSettlement, reversalStatements } from '../db/reversals';
import type { BoundToSessions } from '../db/orm';
import { FailureType } from '../domain/failureTypes';
import type { ReversalState } from '../domain/reversal';

export interface ReversalDeps {
  /** db/reversals.ts's statements, bound to the worker's ORM (a fake in unit tests). */
  db: BoundToSessions<typeof reversalStatements>;
  logger: Logger;
  /** The Reversal client of an environment; null where that environment has no Daraja credentials. */
  reversalClientFor: (environment: Environment) => ReversalClient | null;
  /** Transaction Status, the fallback when a reversal's result does not come. */
  recordClientFor: (environment: Environment) => MpesaRecordClient | null;
  /** The channel's initiator with a fresh SecurityCredential; null when it has none or no certificate is configured. */
  initiatorFor: (environment: Environment, channelId: number) => Promise<Initiator | null>;
  /** The URL M-Pesa posts one reversal's results of `kind` to (config/callbackUrl.ts reversalResultUrl). */
  reversalUrl: (reversalId: number, kind: ReversalResultKind) => string;
}

/**
 * What sending a reversal came to:
 * - accepted: Daraja acknowledged it (now, or an earlier attempt did); the result will come;
 * - unknown: the request may have reached M-Pesa (a timeout after sending, or an earlier attempt
 *   that died mid-call): it is never sent again; the result or M-Pesa's record will tell;
 * - refused: nothing reached M-Pesa, or Daraja refused it outright: nothing moved.
 */
export type SendReversalResult =
  | { outcome: 'accepted' }
  | { outcome: 'unknown'; message: string }
  | { outcome: 'refused'; code: string; message: string };

/** Activities of the reversal workflow; each is safe to repeat. */
export interface ReversalActivities {
  /** Sends the reversal to Daraja at most once (`sending` is written first); see SendReversalResult. */
  sendReversal(input: { reversalId: number }): Promise<SendReversalResult>;
  /** Asks Transaction Status about the reversal; the answer comes to its `status` URL. False when it could not be asked. */
  askReversalStatus(input: { reversalId: number }): Promise<{ asked: boolean }>;
  /** Records the outcome (final ones once: see settleReversal in db/reversals.ts). */
  settleReversal(input: {
    reversalId: number;
    settlement: ReversalSettlement;
  }): Promise<{ changed: boolean; state: ReversalState }>;
}

const SINCE_SENT: Record<ReversalState, SendReversalResult> = {
  requested: { outcome: 'unknown', message: 'not claimed' },
  sending: {
    outcome: 'unknown',
    message: 'An earlier attempt may have reached M-Pesa; the reversal is not sent again',
  },
  accepted: { outcome: 'accepted' },
  reversed: { outcome: 'accepted' },
  failed: { outcome: 'accepted' },
  in_doubt: { outcome: 'accepted' },
};

export function createReversalActivities(deps: ReversalDeps): ReversalActivities {
  const { db, logger } = deps;

  async function loadTarget(reversalId: number) {
    const reversal = await db.reversalById(reversalId);
    if (!reversal)
      throw ApplicationFailure.create({
        type: FailureType.ReversalMissing,
        message: `Reversal ${reversalId} does not exist`,
        nonRetryable: true,
      });
    const channel = await db.findChannel(reversal.channel);
    return { reversal, channel, receiverParty: channel?.partyB ?? null };
  }

  return {
    async sendReversal({ reversalId }) {
      const { reversal, receiverParty } = await loadTarget(reversalId);
      const client = deps.reversalClientFor(reversal.environment);
      if (!client || !receiverParty)
        return {
          outcome: 'refused',
          code: 'reversals_unavailable',
          message: 'Reversals are not enabled for this environment on this ImaraPay deployment',
        };
      // Built before the claim: a channel without credentials is refused with nothing sent.
      const initiator = await deps.initiatorFor(reversal.environment, reversal.channel).catch((error: unknown) => {
        if (error instanceof SecurityCredentialError) return null;
        throw error;
      });
      if (!initiator)
        return {
          outcome: 'refused',
          code: 'initiator_missing',
          message:
            'The channel has no M-Pesa initiator credentials (or ImaraPay has no M-Pesa certificate for this environment)',
        };
      const claim = await db.claimReversalSend(reversalId);
      // this must be idempotent: a request that may have left is never sent a second time
      if (!claim.claimed) return SINCE_SENT[claim.state];
      try {
        const accepted = await client.reverse({
          initiator,
          transactionId: reversal.receipt,
          amount: reversal.amount,
          receiverParty,
          resultUrl: deps.reversalUrl(reversalId, 'result'),
          queueTimeOutUrl: deps.reversalUrl(reversalId, 'timeout'),
          remarks: reversal.remarks,
          occasion: `ImaraPay payment ${reversal.transaction}`,
        });
        await db.markReversalAccepted(reversalId, {
          conversationId: accepted.conversationId,
          originatorConversationId: accepted.originatorConversationId || null,
        });
        return { outcome: 'accepted' };
      } catch (error) {
        if (error instanceof InvalidPushRequestError)
          return { outcome: 'refused', code: 'invalid_request', message: error.message };
        if (!(error instanceof DarajaError)) throw error;
        if (error.kind === 'terminal')
          return { outcome: 'refused', code: error.errorCode ?? 'daraja_rejected', message: error.message };
        if (error.kind === 'retryable') {
          // Refused before processing (spike arrest, token): nothing happened, so it may be sent again.
          await db.releaseReversalClaim(reversalId);
          throw ApplicationFailure.create({ type: FailureType.DarajaRetryable, message: error.message });
        }
        logger.warn({ reversalId, err: error }, 'reversal request outcome unknown');
        return { outcome: 'unknown', message: error.message };
      }
    },

    async askReversalStatus({ reversalId }) {
      const { reversal, channel, receiverParty } = await loadTarget(reversalId);
      const client = deps.recordClientFor(reversal.environment);
      const initiator = await deps.initiatorFor(reversal.environment, reversal.channel).catch(() => null);
      if (!client || !initiator || !receiverParty || !channel) return { asked: false };
      const conversation = reversal.originatorConversationId ?? reversal.conversationId;
      try {
        await client.transactionStatus({
          initiator,
          // The reversal's own record when Daraja acknowledged it; else the original payment's, which M-Pesa shows as Reversed.
          transactionId: conversation ? null : reversal.receipt,
          originalConversationId: conversation,
          partyA: receiverParty,
          identifierType: channel.accountType === 'till' ? '2' : '4',
          resultUrl: deps.reversalUrl(reversalId, 'status'),
          queueTimeOutUrl: deps.reversalUrl(reversalId, 'status_timeout'),
          remarks: `ImaraPay reversal ${reversalId} status`,
          occasion: 'Reversal status',
        });
        return { asked: true };
      } catch (error) {
        logger.warn({ reversalId, err: error }, 'Transaction Status about a reversal could not be asked');
        return { asked: false };
      }
    },

    async settleReversal({ reversalId, settlement }) {
      return db.settleReversal(reversalId, settlement);
    },
  };
}
