import { settlementOf, type SettlementRow } from '../../domain/settlement';
import { decisionFromOperator } from '../../domain/review';

const NOW = new Date('2026-12-08T02:00:00Z');
const row = (fields: Partial<SettlementRow> = {}): SettlementRow => ({
  id: 1,
  status: 'needs_review',
  stage: 'needs_review',
  amount: 500,
  purpose: 'payment',
  mpesaReceipt: 'RCPTAAAA01',
  mpesaAmount: 1,
  evidenceConflicts: [],
  completedAt: null,
  ...fields,
});
const complete = decisionFromOperator({
  proposalId: 1,
  action: 'complete',
  receipt: 'OPER0RCPT1',
  reason: 'statement',
});
const fail = decisionFromOperator({ proposalId: 2, action: 'fail', receipt: null, reason: 'not on the statement' });

describe("The settlement rule on an operator's verdict", () => {
  it('When a payment in review is completed by an operator, then it completes with their receipt and the pushed amount, capturing the fee', () => {
    const s = settlementOf(row(), complete, NOW);
    expect(s).toMatchObject({ status: 'completed', fee: 'capture', changed: true });
    expect(s.changes).toMatchObject({
      status: 'completed',
      mpesaReceipt: 'OPER0RCPT1',
      mpesaAmount: 500,
      decidedBy: 'operator',
      completedAt: NOW,
    });
  });

  it("When a wallet top-up in review is completed by an operator, then the pushed amount is credited to the merchant's wallet like any completed top-up", () => {
    const topUp = row({ purpose: 'wallet_top_up' });
    expect(settlementOf(topUp, complete, NOW)).toMatchObject({
      status: 'completed',
      fee: 'capture',
      topUpCredit: { amount: 500, reference: 'M-Pesa OPER0RCPT1' },
    });
    expect(settlementOf(row(), complete, NOW).topUpCredit).toBeNull();
    expect(settlementOf(topUp, fail, NOW).topUpCredit).toBeNull();
  });

  it('When a payment in review is failed by an operator, then the fee is released, or nothing changes if it proves captured', () => {
    const s = settlementOf(row(), fail, NOW);
    expect(s).toMatchObject({ status: 'failed', fee: 'release', changed: true });
    expect(s.changes).toMatchObject({ status: 'failed', stage: 'failed', decidedBy: 'operator' });
    expect(s.ifFeeCaptured).toMatchObject({ status: 'needs_review', fee: 'none', changed: false, changes: {} });
  });

  it('When the payment is no longer in review, then the verdict changes nothing', () => {
    expect(settlementOf(row({ status: 'completed', stage: 'completed' }), fail, NOW)).toMatchObject({
      status: 'completed',
      fee: 'none',
      changed: false,
      changes: {},
    });
    expect(settlementOf(row({ status: 'failed', stage: 'failed' }), complete, NOW)).toMatchObject({
      status: 'failed',
      fee: 'none',
      changed: false,
    });
  });
});
