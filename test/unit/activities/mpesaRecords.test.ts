import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createMpesaRecordActivities, type MpesaRecordDeps } from '../../../activities/mpesaRecords';
import type { MpesaRecordClient, PulledTransaction } from '../../../daraja/recordTypes';
import type { UnsettledPaymentRow } from '../../../db/mpesaRecords';
import type { PaymentTimings } from '../../../workflows/definitions';
import { runActivity } from '../../support/activityEnvironment';

const createdAt = new Date(Date.now() - 10 * 60_000);

/** A payment ImaraPay failed for want of an answer (no receipt), pushed to till 5544332. */
const unanswered: UnsettledPaymentRow = {
  id: 7,
  workflowId: 'payment-7',
  channelId: 3,
  partyB: '5544332',
  accountType: 'till',
  accountReference: 'SHOP-7',
  environment: 'sandbox',
  phoneNumber: '254712345678',
  amount: 500,
  status: 'failed',
  decidedBy: 'no_answer',
  mpesaReceipt: null,
  createdAt,
};

const credit: PulledTransaction = {
  receipt: 'TJK4ABCD12',
  occurredAt: new Date(createdAt.getTime() + 30_000).toISOString(),
  msisdn: '254712345678',
  sender: null,
  transactionType: 'Pay Bill',
  billReference: 'SHOP-7',
  amount: 500,
  organizationName: null,
};

/** M-Pesa's record tables in memory: db/mpesaRecords.ts's contract. */
function fakeRecordDb(payments: UnsettledPaymentRow[]) {
  const requests: unknown[] = [];
  const stored: unknown[] = [];
  const delivered: Array<[number, string]> = [];
  const db: MpesaRecordDeps['db'] = {
    paymentsWithoutMpesaWord: async () => payments,
    askedRecently: async () => false,
    recordRequest: async (r) => {
      requests.push(r);
      return requests.length;
    },
    receiptsClaimedElsewhere: async () => new Set<string>(),
    storeMpesaRecord: async (r) => {
      stored.push(r);
      return { id: 90 + stored.length, deliveredAt: null } as Awaited<
        ReturnType<MpesaRecordDeps['db']['storeMpesaRecord']>
      >;
    },
    markRecordDelivered: async (id, how) => void delivered.push([id, how]),
  };
  return { db, requests, stored, delivered };
}

function fakeDaraja(overrides: Partial<MpesaRecordClient> = {}): MpesaRecordClient {
  return {
    transactionStatus: async () => ({
      conversationId: 'AG_1',
      originatorConversationId: 'oc_1',
      responseDescription: 'Accepted',
    }),
    registerPull: async () => ({ responseCode: '0', responseDescription: 'Success' }),
    pullTransactions: async ({ offset }) => ({
      responseCode: '1000',
      responseMessage: 'Success',
      transactions: offset === 0 ? [credit] : [],
      unreadable: 0,
    }),
    ...overrides,
  };
}

/** A Temporal client whose payment workflows all run: every record is signalled. */
function fakeTemporal() {
  const signals: Array<{ workflowId: string; evidence: unknown }> = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (_def: unknown, evidence: unknown) => void signals.push({ workflowId, evidence }),
      }),
    },
  } as unknown as Client;
  return { client, signals };
}

function activities(db: MpesaRecordDeps['db'], daraja: MpesaRecordClient, temporal: Client) {
  return createMpesaRecordActivities({
    db,
    logger: pino({ level: 'silent' }),
    recordClientFor: () => daraja,
    initiatorFor: async () => ({ name: 'testapi', securityCredential: 'c2VjcmV0' }),
    resultUrls: { result: 'https://pay.example/mpesa/status', queueTimeOut: 'https://pay.example/mpesa/timeout' },
    pullRegistration: { callbackUrl: 'https://pay.example/mpesa/pull', nominatedNumber: '254700000000' },
    client: () => temporal,
  });
}

const windows = {
  orphanGraceMs: 60_000,
  orphanStartWindowMs: 600_000,
  overdueAfterMs: 900_000,
  timings: {} as PaymentTimings,
};

describe("M-Pesa's record activity, with a fake database, a fake Daraja and a fake Temporal", () => {
  it("When Pull Transactions lists the payment's credit, then the record is stored, signalled to its workflow and reported found", async () => {
    const fake = fakeRecordDb([unanswered]);
    const temporal = fakeTemporal();
    const findings = await runActivity(
      activities(fake.db, fakeDaraja(), temporal.client).askMpesaAboutPayments,
      windows,
    );
    expect(fake.stored).toEqual([
      expect.objectContaining({ transactionId: 7, source: 'pull_transactions', receipt: 'TJK4ABCD12', amount: 500 }),
    ]);
    expect(temporal.signals).toEqual([
      { workflowId: 'payment-7', evidence: expect.objectContaining({ recordId: '91', receipt: 'TJK4ABCD12' }) },
    ]);
    expect(fake.delivered).toEqual([[91, 'signalled']]);
    expect(findings).toEqual([
      { kind: 'mpesa_record_found', count: 1, repaired: true, idKind: 'transaction', ids: [7] },
    ]);
  });

  it('When Transaction Status cannot be asked about a payment in review, then the error is recorded and the payment reported unreachable', async () => {
    const inReview = { ...unanswered, status: 'needs_review', decidedBy: 'callback', mpesaReceipt: 'TJK4ABCD12' };
    const fake = fakeRecordDb([inReview]);
    const daraja = fakeDaraja({ transactionStatus: () => Promise.reject(new Error('connect ECONNREFUSED')) });
    const findings = await runActivity(
      activities(fake.db, daraja, fakeTemporal().client).askMpesaAboutPayments,
      windows,
    );
    expect(fake.requests).toEqual([
      expect.objectContaining({
        transactionId: 7,
        source: 'transaction_status',
        state: 'error',
        detail: 'connect ECONNREFUSED',
      }),
    ]);
    expect(findings).toEqual([
      { kind: 'mpesa_record_unreachable', count: 1, repaired: false, idKind: 'transaction', ids: [7] },
    ]);
  });
});
