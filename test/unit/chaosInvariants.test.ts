import { checkRow, INVARIANTS, type PaymentFacts, type RowFacts } from '../../chaos/invariants';
import { lostAnswerChecks } from '../../chaos/lostAnswers';
import { markdownMatrix, textMatrix } from '../../chaos/matrix';

const paid = { checkoutRequestId: 'ws_CO_1', resultCode: '0', receipt: 'R1', callbackDelivered: true };
const cancelled = { checkoutRequestId: 'ws_CO_2', resultCode: '1032', receipt: null, callbackDelivered: true };

function payment(overrides: Partial<PaymentFacts>): PaymentFacts {
  return {
    transactionId: 1,
    amount: 500,
    status: 'completed',
    receipt: 'R1',
    workflowClosed: true,
    ledger: [
      { kind: 'fee_reserve', amount: -6 },
      { kind: 'fee_capture', amount: 0 },
    ],
    prompts: [paid],
    ...overrides,
  };
}

function row(payments: PaymentFacts[], extra: Partial<RowFacts> = {}): RowFacts {
  return {
    payments,
    wallet: { balance: 994, ledgerSum: 994, lowestBalanceAfter: 994 },
    webhooks: payments.map((p) => ({ transactionId: p.transactionId, event: `payment.${p.status}` })),
    ...extra,
  };
}

describe('the chaos invariants', () => {
  it('When a payment completed as its customer paid, then no invariant is violated', () => {
    const result = checkRow(row([payment({})]));
    for (const name of INVARIANTS) expect(result[name].violations).toBe(0);
    expect(result.truth.checked).toBe(1);
  });

  it('When the customer paid but the payment failed with its fee released, then truth is violated and the fee is not', () => {
    const result = checkRow(
      row([
        payment({
          status: 'failed',
          receipt: null,
          ledger: [
            { kind: 'fee_reserve', amount: -6 },
            { kind: 'fee_release', amount: 6 },
          ],
        }),
      ]),
    );
    expect(result.truth.violations).toBe(1);
    expect(result.fee_once.violations).toBe(0);
  });

  it('When a completed payment lacks the receipt a delivered callback brought, then truth is violated', () => {
    expect(checkRow(row([payment({ receipt: null })])).truth.violations).toBe(1);
  });

  it('When a payment was completed by an STK query alone, then a missing receipt is not held against it', () => {
    expect(
      checkRow(row([payment({ receipt: null, prompts: [{ ...paid, callbackDelivered: false }] })])).truth.violations,
    ).toBe(0);
  });

  it('When a late success was released then charged again, then the fee counts as moved once', () => {
    const ledger = [
      { kind: 'fee_reserve', amount: -6 },
      { kind: 'fee_release', amount: 6 },
      { kind: 'late_fee_capture', amount: -6 },
    ];
    expect(checkRow(row([payment({ ledger })])).fee_once.violations).toBe(0);
  });

  it('When a fee was both captured and released, then fee_once is violated', () => {
    const ledger = [
      { kind: 'fee_reserve', amount: -6 },
      { kind: 'fee_capture', amount: 0 },
      { kind: 'fee_release', amount: 6 },
    ];
    expect(checkRow(row([payment({ ledger })])).fee_once.violations).toBe(1);
  });

  it('When a payment is still pending or its workflow never closed, then terminal is violated and nothing else is judged', () => {
    const result = checkRow(
      row([payment({ transactionId: 2, status: 'pending', workflowClosed: false, prompts: [], ledger: [] })], {
        webhooks: [],
      }),
    );
    expect(result.terminal.violations).toBe(1);
    expect(result.truth.checked).toBe(0);
    expect(result.webhook_final.checked).toBe(0);
  });

  it('When the customer cancelled and the payment failed, then truth holds; a second prompt breaks one_prompt', () => {
    const failed = payment({
      status: 'failed',
      receipt: null,
      prompts: [cancelled, cancelled],
      ledger: [
        { kind: 'fee_reserve', amount: -6 },
        { kind: 'fee_release', amount: 6 },
      ],
    });
    const result = checkRow(row([failed]));
    expect(result.truth.violations).toBe(0);
    expect(result.one_prompt.violations).toBe(1);
  });

  it('When a prompt is still open, then truth does not judge the payment', () => {
    expect(
      checkRow(
        row([
          payment({ prompts: [{ checkoutRequestId: 'x', resultCode: null, receipt: null, callbackDelivered: false }] }),
        ]),
      ).truth.checked,
    ).toBe(0);
  });

  it('When the same event was accepted twice, then webhook_once is violated; a missing one breaks webhook_final', () => {
    const twice = checkRow(
      row([payment({})], {
        webhooks: [
          { transactionId: 1, event: 'payment.completed' },
          { transactionId: 1, event: 'payment.completed' },
        ],
      }),
    );
    expect(twice.webhook_once.violations).toBe(1);
    expect(checkRow(row([payment({})], { webhooks: [] })).webhook_final.violations).toBe(1);
  });

  it('When a push was refused before any prompt, then no webhook is owed for it', () => {
    const refused = payment({
      status: 'failed',
      receipt: null,
      prompts: [],
      ledger: [
        { kind: 'fee_reserve', amount: -6 },
        { kind: 'fee_release', amount: 6 },
      ],
    });
    expect(checkRow(row([refused], { webhooks: [] })).webhook_final.checked).toBe(0);
  });

  it('When the wallet differs from its ledger or went negative, then ledger is violated', () => {
    expect(
      checkRow(row([], { wallet: { balance: 10, ledgerSum: 16, lowestBalanceAfter: 10 } })).ledger.violations,
    ).toBe(1);
    expect(
      checkRow(row([], { wallet: { balance: 10, ledgerSum: 10, lowestBalanceAfter: -6 } })).ledger.violations,
    ).toBe(1);
  });
});

describe('the chaos matrix', () => {
  it('When a row has violations, then the Markdown cell is bold and the text cell is marked', () => {
    const bad = checkRow(
      row([
        payment({
          status: 'failed',
          receipt: null,
          ledger: [
            { kind: 'fee_reserve', amount: -6 },
            { kind: 'fee_release', amount: 6 },
          ],
        }),
      ]),
    );
    const rows = [
      { fault: 'temporal-kill', clients: { payments: 1, accepted: 1, refused: 0, gaveUp: 0 }, result: bad },
    ];
    expect(markdownMatrix(rows)).toContain('| temporal-kill | 1 (1 / 0 / 0) | 0/1 | 0/1 | 0/1 | **1**/1 |');
    expect(textMatrix(rows).split('\n')[2]).toMatch(/^temporal-kill\s+1 \(1\/0\/0\)\s+0\/1\s+0\/1\s+0\/1\s+!1\/1/);
  });
});

describe("the lost-answers rows' checks", () => {
  const lostPaid = { ...paid, receipt: 'R1', callbackDelivered: false, lost: 'callbacks' };
  const lateSuccess = [
    { kind: 'fee_reserve', amount: -6 },
    { kind: 'fee_release', amount: 6 },
    { kind: 'late_fee_capture', amount: -6 },
  ];
  const ended = (overrides: Partial<PaymentFacts>) =>
    payment({ prompts: [lostPaid], ledger: lateSuccess, decidedBy: 'mpesa_record', ...overrides });

  it("When a paid payment that lost M-Pesa's answers was completed by M-Pesa's record, fee once, one webhook, then both checks hold", () => {
    const failedWebhook = { transactionId: 1, event: 'payment.failed' };
    const facts = row([ended({})]);
    facts.webhooks.push(failedWebhook);
    expect(lostAnswerChecks(facts).map((c) => c.held)).toEqual([true, true]);
  });

  it('When it stayed failed, was decided otherwise, moved its fee twice or sent no completed webhook, then the check says which', () => {
    const cases: Array<[PaymentFacts, RegExp, RowFacts['webhooks']?]> = [
      [ended({ status: 'failed', decidedBy: 'no_answer' }), /status failed, decided by no_answer/],
      [ended({ decidedBy: 'query' }), /decided by query/],
      [ended({ ledger: [...lateSuccess, { kind: 'late_fee_capture', amount: -6 }] }), /fee reserve 1/],
      [ended({}), /0 payment.completed webhooks/, []],
    ];
    for (const [p, problem, webhooks] of cases) {
      const [, paidEnded] = lostAnswerChecks(row([p], webhooks ? { webhooks } : {}));
      expect(paidEnded).toMatchObject({ name: 'paid_ended_by_mpesa_record', held: false });
      expect(paidEnded!.detail).toMatch(problem);
    }
  });

  it('When no paid payment lost its answers, then the row proves nothing and says so', () => {
    const [hit, ended] = lostAnswerChecks(row([payment({})]));
    expect(hit).toMatchObject({
      held: false,
      detail: "0 payments lost M-Pesa's answers, 0 of them paid by the customer",
    });
    expect(ended!.held).toBe(false);
  });
});
