import pino from 'pino';
import { ApplicationFailure } from '@temporalio/common';
import { createReversalActivities, type ReversalDeps } from '../../../activities/reversals';
import type { Channel, Reversal } from '../../../db/entities';
import type { ReversalRequest, ReversalClient } from '../../../daraja/reversal';
import { DarajaError } from '../../../daraja/types';
import type { ReversalState } from '../../../domain/reversal';
import { FailureType } from '../../../domain/failureTypes';
import { runActivity } from '../../support/activityEnvironment';

/** One reversal in memory, claimed and moved as db/reversals.ts moves it (only from the states it names). */
function fakeReversalDb(state: ReversalState = 'requested') {
  const reversal = {
    id: 12,
    transaction: 42,
    channel: 3,
    environment: 'sandbox',
    receipt: 'SLK4H7QX2P',
    amount: 500,
    remarks: 'Order cancelled',
    state,
    conversationId: null as string | null,
    originatorConversationId: null as string | null,
  } as unknown as Reversal;
  const db: ReversalDeps['db'] = {
    reversalById: async (id) => (id === reversal.id ? { ...reversal } : null),
    findChannel: async () => ({ id: 3, partyB: '600999', accountType: 'paybill' }) as unknown as Channel,
    claimReversalSend: async () => {
      if (reversal.state !== 'requested') return { claimed: false, state: reversal.state };
      reversal.state = 'sending';
      return { claimed: true };
    },
    releaseReversalClaim: async () => {
      if (reversal.state === 'sending') reversal.state = 'requested';
    },
    markReversalAccepted: async (_id, ids) => {
      if (reversal.state === 'requested' || reversal.state === 'sending')
        Object.assign(reversal, { state: 'accepted', ...ids });
    },
    settleReversal: async () => ({ changed: false, state: reversal.state }),
  };
  return { db, reversal };
}

function activities(db: ReversalDeps['db'], reverse: ReversalClient['reverse'], withInitiator = true) {
  const sent: ReversalRequest[] = [];
  const built = createReversalActivities({
    db,
    logger: pino({ level: 'silent' }),
    reversalClientFor: () => ({
      reverse: (request) => {
        sent.push(request);
        return reverse(request);
      },
    }),
    recordClientFor: () => null,
    initiatorFor: async () => (withInitiator ? { name: 'testapi', securityCredential: 'c2VjcmV0' } : null),
    reversalUrl: (id, kind) => `https://imarapay.example/hooks/daraja-reversals/t/${id}/${kind}`,
  });
  return { ...built, sent };
}

const accepted = async () => ({ conversationId: 'AG_1', originatorConversationId: 'OC_1', responseDescription: 'ok' });

describe('reversal activities (fake db/ and Daraja)', () => {
  it('claims the reversal, sends it once with its own result URLs, and keeps the conversation ids', async () => {
    const { db, reversal } = fakeReversalDb();
    const { sendReversal, sent } = activities(db, accepted);
    await expect(runActivity(sendReversal, { reversalId: 12 })).resolves.toEqual({ outcome: 'accepted' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ transactionId: 'SLK4H7QX2P', amount: 500, receiverParty: '600999' });
    expect(sent[0]!.resultUrl).toMatch(/\/12\/result$/);
    expect(reversal).toMatchObject({ state: 'accepted', conversationId: 'AG_1', originatorConversationId: 'OC_1' });
  });

  it('never sends again a reversal an earlier attempt may have sent (`sending`): its outcome is unknown', async () => {
    const { db } = fakeReversalDb('sending');
    const { sendReversal, sent } = activities(db, accepted);
    await expect(runActivity(sendReversal, { reversalId: 12 })).resolves.toMatchObject({ outcome: 'unknown' });
    expect(sent).toHaveLength(0);
  });

  it('a timeout after sending is unknown and the claim stays: a retry sends nothing', async () => {
    const { db, reversal } = fakeReversalDb();
    const { sendReversal, sent } = activities(db, () =>
      Promise.reject(new DarajaError('indeterminate', 'timeout of 10000ms exceeded', 'ECONNABORTED', null)),
    );
    await expect(runActivity(sendReversal, { reversalId: 12 })).resolves.toMatchObject({ outcome: 'unknown' });
    await expect(runActivity(sendReversal, { reversalId: 12 })).resolves.toMatchObject({ outcome: 'unknown' });
    expect(sent).toHaveLength(1);
    expect(reversal.state).toBe('sending');
  });

  it('one refused before processing releases its claim and is retried by Temporal', async () => {
    const { db, reversal } = fakeReversalDb();
    const { sendReversal } = activities(db, () =>
      Promise.reject(new DarajaError('retryable', 'Spike arrest', '500.003.02', 500)),
    );
    const error = await runActivity(sendReversal, { reversalId: 12 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe(FailureType.DarajaRetryable);
    expect(reversal.state).toBe('requested');
  });

  it('a channel without an initiator is refused before any claim: nothing is sent', async () => {
    const { db, reversal } = fakeReversalDb();
    const { sendReversal, sent } = activities(db, accepted, false);
    await expect(runActivity(sendReversal, { reversalId: 12 })).resolves.toMatchObject({
      outcome: 'refused',
      code: 'initiator_missing',
    });
    expect(sent).toHaveLength(0);
    expect(reversal.state).toBe('requested');
  });
});
