import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPullReader } from '../../daraja/pullPages';
import type { MpesaRecordClient, PulledTransaction, PullQueryRequest } from '../../daraja/recordTypes';
import { creditsFromPull } from '../../domain/statementMatch';
import { simulatorRecordSettings } from '../../scripts/simulatorCertificate';

const row = (over: Partial<PulledTransaction> & { receipt: string }): PulledTransaction => ({
  occurredAt: '2026-12-07T07:00:30.000Z',
  msisdn: '2547******678',
  sender: 'J D',
  transactionType: 'c2b-pay-bill-debit',
  billReference: 'SHOP1',
  amount: 500,
  organizationName: 'Shop',
  ...over,
});

describe('Pull Transactions as statement credits', () => {
  it('When rows are readable, then each is a credit; a row without time or amount is counted unreadable, never guessed', () => {
    const { credits, unreadable } = creditsFromPull([
      row({ receipt: 'UL1AAAAAA1' }),
      row({ receipt: 'UL1AAAAAA2', billReference: '  ', msisdn: null }),
      row({ receipt: 'UL1AAAAAA3', occurredAt: null }),
      row({ receipt: 'UL1AAAAAA4', amount: null }),
    ]);
    expect(credits).toEqual([
      {
        receipt: 'UL1AAAAAA1',
        completedAt: new Date('2026-12-07T07:00:30.000Z'),
        amount: 500,
        accountReference: 'SHOP1',
        payer: '2547******678',
        details: 'c2b-pay-bill-debit',
      },
      expect.objectContaining({ receipt: 'UL1AAAAAA2', accountReference: null, payer: null }),
    ]);
    expect(unreadable).toBe(2);
  });
});

describe('the Pull Transactions reader', () => {
  function fakeClient(pages: Array<{ transactions: PulledTransaction[]; unreadable: number }>) {
    const queries: PullQueryRequest[] = [];
    let registrations = 0;
    const client: MpesaRecordClient = {
      transactionStatus: () => Promise.reject(new Error('not used')),
      registerPull: () => {
        registrations += 1;
        return Promise.resolve({ responseCode: '1000', responseDescription: 'ok' });
      },
      pullTransactions: (request) => {
        queries.push(request);
        const page = pages[queries.length - 1] ?? { transactions: [], unreadable: 0 };
        return Promise.resolve({ responseCode: '1000', responseMessage: 'Success', ...page });
      },
    };
    return { client, queries, registrations: () => registrations };
  }

  it('When a shortcode is pulled twice, then it is registered once and each pull reads pages until an empty one, offset by the rows read', async () => {
    const fake = fakeClient([
      { transactions: [row({ receipt: 'UL1AAAAAA1' }), row({ receipt: 'UL1AAAAAA2' })], unreadable: 1 },
      { transactions: [row({ receipt: 'UL1AAAAAA3' })], unreadable: 0 },
    ]);
    const reader = createPullReader(fake.client, { nominatedNumber: '254708374149', callbackUrl: 'https://x.test/p' });
    const start = new Date('2026-12-07T00:00:00+03:00');
    const end = new Date('2026-12-07T23:59:59+03:00');
    const first = await reader.pull('5123456', start, end);
    await reader.pull('5123456', start, end);
    expect(fake.registrations()).toBe(1);
    expect(first.transactions.map((t) => t.receipt)).toEqual(['UL1AAAAAA1', 'UL1AAAAAA2', 'UL1AAAAAA3']);
    expect(first.unreadable).toBe(1);
    expect(fake.queries.slice(0, 3).map((q) => [q.shortcode, q.offset, q.startDate, q.endDate])).toEqual([
      ['5123456', 0, start, end],
      ['5123456', 3, start, end],
      ['5123456', 4, start, end],
    ]);
  });
});

describe("the simulator's certificate setting", () => {
  it('When DARAJA_CERTIFICATE_PATH is set, or another Daraja is used, then nothing is derived and the simulator is not asked', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'imarapay-cert-'));
    try {
      const unreachable = { simulatorUrl: 'http://127.0.0.1:9', dataDir, timeoutMs: 10 };
      expect(await simulatorRecordSettings({ DARAJA_CERTIFICATE_PATH: '/etc/mpesa.pem' }, unreachable)).toEqual({});
      expect(await simulatorRecordSettings({}, { ...unreachable, useSimulator: false })).toEqual({});
      await expect(simulatorRecordSettings({}, unreachable)).rejects.toThrow(/served no certificate/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
