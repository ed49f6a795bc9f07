import fc from 'fast-check';
import { decidePayment, type EvidenceHeld, type QueryAnswer, type Verdict } from '../../domain/evidence';
import type { MpesaRecordEvidence } from '../../domain/mpesaRecord';
import type { CallbackOutcome } from '../../domain/payment';
import type { OperatorVerdict } from '../../domain/review';

const PUSHED = 'ws_CO_PUSHED';
const PUSH = { checkoutRequestId: PUSHED, amount: 321 };

function callback(callbackId: number, resultCode: string, fields: Partial<CallbackOutcome> = {}): CallbackOutcome {
  const success = resultCode === '0';
  return {
    callbackId,
    checkoutRequestId: PUSHED,
    resultCode,
    resultDesc: success ? 'The service request is processed successfully.' : 'Request cancelled by user',
    receipt: success ? 'RCPTAAAA01' : null,
    amount: success ? 321 : null,
    phoneNumber: null,
    transactionDate: null,
    problems: [],
    ...fields,
  };
}
const query = (resultCode: string): QueryAnswer => ({ resultCode, resultDesc: `query ${resultCode}` });
const record = (recordId: string, fields: Partial<MpesaRecordEvidence> = {}): MpesaRecordEvidence => ({
  recordId,
  source: 'transaction_status',
  outcome: 'completed',
  receipt: 'RCPTAAAA01',
  amount: 321,
  payer: null,
  completedAt: '2026-12-07T20:30:00+03:00',
  description: 'The service request is processed successfully.',
  ...fields,
});
const operatorVerdict = (proposalId: number, action: OperatorVerdict['action']): OperatorVerdict => ({
  proposalId,
  action,
  receipt: action === 'complete' ? 'RCPTOPER01' : null,
  reason: 'Checked on the M-Pesa org portal',
});
const held = (e: Partial<EvidenceHeld>): EvidenceHeld => ({ callbacks: [], queries: [], records: [], ...e });
const statusOf = (v: Verdict) => v.status;

describe('The review rule decides from all evidence held', () => {
  it('When nothing final is held, then the payment is pending', () => {
    expect(decidePayment(held({}), PUSH)).toEqual({ status: 'pending' });
  });

  it('When a matching success callback agrees with the push, then the payment is completed with its receipt', () => {
    const verdict = decidePayment(held({ callbacks: [callback(1, '0')] }), PUSH);
    expect(verdict).toMatchObject({ status: 'completed', decision: { receipt: 'RCPTAAAA01', source: 'callback' } });
  });

  it('When the query decided success (9902) and a success callback says Amount 1, then it is in review whichever came first (issue 18)', () => {
    const evidence = held({ queries: [query('0')], callbacks: [callback(1, '0', { amount: 1 })] });
    const verdict = decidePayment(evidence, PUSH);
    expect(verdict.status).toBe('needs_review');
    expect(verdict.status !== 'pending' && verdict.decision.reviewReason).toContain('KES 1 for a push of KES 321');
  });

  it('When a failure callback and a success callback are both held, then the success decides (M-Pesa took the money)', () => {
    expect(statusOf(decidePayment(held({ callbacks: [callback(2, '0'), callback(1, '1032')] }), PUSH))).toBe(
      'completed',
    );
    expect(statusOf(decidePayment(held({ callbacks: [callback(1, '0')], queries: [query('1032')] }), PUSH))).toBe(
      'completed',
    );
  });

  it('When two successes name different receipts, then it is in review, never "the first wins"', () => {
    const verdict = decidePayment(
      held({ callbacks: [callback(1, '0'), callback(2, '0', { receipt: 'RCPTBBBB02' })] }),
      PUSH,
    );
    expect(verdict).toMatchObject({ status: 'needs_review' });
  });

  it('When a callback names another push or none, then it decides nothing', () => {
    const forged = [
      callback(1, '0', { checkoutRequestId: 'ws_CO_OTHER' }),
      callback(2, '0', { checkoutRequestId: null }),
    ];
    expect(decidePayment(held({ callbacks: forged }), PUSH)).toEqual({ status: 'pending' });
  });

  it("When M-Pesa's record finds a success for a failed payment, then it completes with the record's receipt", () => {
    const verdict = decidePayment(held({ queries: [query('1037')], records: [record('ts-1')] }), PUSH);
    expect(verdict).toMatchObject({
      status: 'completed',
      decision: { receipt: 'RCPTAAAA01', source: 'mpesa_record' },
    });
  });

  it("When M-Pesa's record disagrees (another amount, another receipt, or failed beside a success), then it is in review", () => {
    const review = (e: Partial<EvidenceHeld>) => statusOf(decidePayment(held(e), PUSH));
    expect(review({ records: [record('r', { amount: 100 })] })).toBe('needs_review');
    expect(review({ callbacks: [callback(1, '0')], records: [record('r', { receipt: 'RCPTCCCC03' })] })).toBe(
      'needs_review',
    );
    expect(
      review({ callbacks: [callback(1, '0')], records: [record('r', { outcome: 'failed', receipt: null })] }),
    ).toBe('needs_review');
    expect(review({ queries: [query('0')], records: [record('r', { outcome: 'not_found', receipt: null })] })).toBe(
      'needs_review',
    );
  });

  it("When M-Pesa's record confirms the pushed amount under the callback's receipt, then it ends the doubt the callback's Amount 1 raised", () => {
    const evidence = held({ callbacks: [callback(1, '0', { amount: 1 })], records: [record('ts-1')] });
    expect(decidePayment(evidence, PUSH)).toMatchObject({
      status: 'completed',
      decision: { receipt: 'RCPTAAAA01', source: 'mpesa_record' },
    });
  });

  it("When M-Pesa's record says not found and nothing claims success, then the payment is failed", () => {
    const verdict = decidePayment(held({ records: [record('r', { outcome: 'not_found', receipt: null })] }), PUSH);
    expect(verdict).toMatchObject({ status: 'failed', decision: { source: 'mpesa_record' } });
  });

  it("When a success callback broke Daraja's rules, then it is in review", () => {
    const verdict = decidePayment(
      held({ callbacks: [callback(1, '0', { receipt: null, problems: ['MpesaReceiptNumber is not valid'] })] }),
      PUSH,
    );
    expect(statusOf(verdict)).toBe('needs_review');
  });

  it("When the payment's settlement was refused on its data, then it is in review with that reason whatever the evidence says, and an operator's verdict ends it", () => {
    const refused = held({ callbacks: [callback(1, '0')] });
    refused.refusedSettlement = 'Recording the outcome failed on its data';
    expect(decidePayment(refused, PUSH)).toMatchObject({
      status: 'needs_review',
      decision: { source: 'callback', reviewReason: 'Recording the outcome failed on its data' },
    });
    expect(decidePayment({ ...refused, operator: [operatorVerdict(3, 'fail')] }, PUSH)).toMatchObject({
      status: 'failed',
      decision: { source: 'operator' },
    });
    expect(statusOf(decidePayment({ ...held({}), refusedSettlement: 'refused' }, PUSH))).toBe('pending');
  });
});

/**
 * A model of the workflow settling each new verdict as evidence arrives one piece at a time (the
 * worst case: every arrival is its own settlement): the fee movements and webhooks it causes.
 */
function settleInOrder(pieces: readonly Piece[]) {
  const evidence = {
    callbacks: [] as CallbackOutcome[],
    queries: [] as QueryAnswer[],
    records: [] as MpesaRecordEvidence[],
    operator: [] as OperatorVerdict[],
  };
  let status: 'pending' | 'completed' | 'failed' | 'needs_review' = 'pending';
  let fee: 'reserved' | 'captured' | 'released' = 'reserved';
  const movements: string[] = [];
  const webhooks: string[] = [];
  let verdict: Verdict = { status: 'pending' };
  for (const piece of pieces) {
    if (piece.kind === 'callback') evidence.callbacks.push(piece.value);
    else if (piece.kind === 'query') evidence.queries.push(piece.value);
    else if (piece.kind === 'operator') evidence.operator.push(piece.value);
    else evidence.records.push(piece.value);
    verdict = decidePayment(evidence, PUSH);
    if (verdict.status === 'pending' || verdict.status === status) continue;
    // The settlement activity never fails a completed payment or one in review, except on an operator's
    // verdict for a payment in review whose fee was not captured (a captured fee is never released).
    const operatorFails = verdict.status === 'failed' && verdict.decision.source === 'operator';
    if (
      verdict.status === 'failed' &&
      status !== 'pending' &&
      !(operatorFails && status === 'needs_review' && fee !== 'captured')
    )
      continue;
    if (verdict.status === 'completed' && fee !== 'captured') {
      movements.push(fee === 'released' ? 'late_fee_capture' : 'fee_capture');
      fee = 'captured';
    }
    if (verdict.status === 'failed' && fee === 'reserved') {
      movements.push('fee_release');
      fee = 'released';
    }
    status = verdict.status;
    // One delivery per payment event (webhook_deliveries is unique on transaction and event).
    const event = status === 'needs_review' ? 'payment.review_started' : `payment.${status}`;
    if (!webhooks.includes(event)) webhooks.push(event);
  }
  return { status, verdict, fee, movements, webhooks };
}

type Piece =
  | { kind: 'callback'; value: CallbackOutcome }
  | { kind: 'query'; value: QueryAnswer }
  | { kind: 'record'; value: MpesaRecordEvidence }
  | { kind: 'operator'; value: OperatorVerdict };

const receipt = fc.constantFrom('RCPTAAAA01', 'RCPTBBBB02', null);
const amount = fc.constantFrom(321, 1, null);
const pieces = fc
  .array(
    fc.oneof(
      fc
        .record({
          code: fc.constantFrom('0', '1032', '1037'),
          id: fc.constantFrom(PUSHED, 'ws_CO_OTHER', null),
          receipt,
          amount,
          broken: fc.boolean(),
        })
        .map(({ code, id, receipt: r, amount: a, broken }) => ({
          kind: 'callback' as const,
          value: {
            ...callback(0, code, { checkoutRequestId: id }),
            ...(code === '0' && { receipt: r, amount: a, problems: broken ? ['Amount is not valid'] : [] }),
          },
        })),
      fc.constantFrom('0', '1032', '1').map((code) => ({ kind: 'query' as const, value: query(code) })),
      fc
        .record({
          outcome: fc.constantFrom('completed', 'failed', 'not_found') as fc.Arbitrary<MpesaRecordEvidence['outcome']>,
          receipt,
          amount,
        })
        .map((r) => ({ kind: 'record' as const, value: record('', r) })),
      fc
        .constantFrom<OperatorVerdict['action']>('complete', 'fail')
        .map((action) => ({ kind: 'operator' as const, value: operatorVerdict(0, action) })),
    ),
    { maxLength: 6 },
  )
  // Each callback and record gets its own stable id, as the stored rows give them.
  .map((list) =>
    list.map((p, i): Piece => {
      if (p.kind === 'callback') return { kind: 'callback', value: { ...p.value, callbackId: i + 1 } };
      if (p.kind === 'record') return { kind: 'record', value: { ...p.value, recordId: `rec-${i}` } };
      if (p.kind === 'operator') return { kind: 'operator', value: { ...p.value, proposalId: i + 1 } };
      return p;
    }),
  );

describe("An operator's approved verdict ends a review", () => {
  const inReview = { callbacks: [callback(1, '0', { amount: 1 })] };

  it("When the evidence leaves the payment in review and an operator's verdict is held, then the verdict decides it", () => {
    expect(decidePayment(held({ ...inReview, operator: [operatorVerdict(4, 'complete')] }), PUSH)).toMatchObject({
      status: 'completed',
      decision: { source: 'operator', receipt: 'RCPTOPER01', resultCode: '0' },
    });
    expect(decidePayment(held({ ...inReview, operator: [operatorVerdict(4, 'fail')] }), PUSH)).toMatchObject({
      status: 'failed',
      decision: { source: 'operator', receipt: null },
    });
  });

  it('When two verdicts are held, then the one with the lower proposal id decides, whatever their order', () => {
    const both = [operatorVerdict(7, 'fail'), operatorVerdict(5, 'complete')];
    expect(statusOf(decidePayment(held({ ...inReview, operator: both }), PUSH))).toBe('completed');
    expect(statusOf(decidePayment(held({ ...inReview, operator: [...both].reverse() }), PUSH))).toBe('completed');
  });

  it("When M-Pesa's evidence decides on its own, then an operator's verdict changes nothing", () => {
    const operator = [operatorVerdict(1, 'fail')];
    expect(decidePayment(held({ callbacks: [callback(1, '0')], operator }), PUSH)).toMatchObject({
      status: 'completed',
      decision: { source: 'callback' },
    });
    expect(decidePayment(held({ operator }), PUSH)).toEqual({ status: 'pending' });
  });
});

describe('The same evidence in every order gives the same ending', () => {
  it('When the same evidence arrives in any order, then the verdict, the final fee place and the last webhook are the same', () => {
    fc.assert(
      fc.property(
        pieces.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length }))),
        ([inOrder, shuffled]) => {
          const a = settleInOrder(inOrder);
          const b = settleInOrder(shuffled);
          expect(b.verdict).toEqual(a.verdict);
          // An operator's verdict is approved only for a payment in review, and what it can still move
          // depends on where the fee stood then (a captured fee is never released): for operator
          // evidence the rule's verdict is what must not depend on the order.
          const byOperator = inOrder.some((p) => p.kind === 'operator');
          if (!byOperator && (a.verdict.status === 'completed' || a.verdict.status === 'failed')) {
            expect(b.status).toBe(a.status);
            expect(b.fee).toBe(a.fee);
            expect(b.webhooks.filter((w) => w !== 'payment.review_started').at(-1)).toBe(
              a.webhooks.filter((w) => w !== 'payment.review_started').at(-1),
            );
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
