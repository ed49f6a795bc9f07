import {
  countByClass,
  matchStatementDay,
  nairobiDay,
  type StatementCredit,
  type StatementPayment,
} from '../../domain/statementMatch';

const DAY = '2026-12-07';
/** An instant given in Nairobi wall time on DAY (or another day). */
const eat = (time: string, day = DAY) => new Date(`${day}T${time}+03:00`);

const credit = (over: Partial<StatementCredit> & { receipt: string }): StatementCredit => ({
  completedAt: eat('10:00:30'),
  amount: 500,
  accountReference: 'SHOP1',
  payer: '2547******678',
  details: 'Pay Bill Online',
  ...over,
});

let nextId = 1;
const payment = (over: Partial<StatementPayment> = {}): StatementPayment => ({
  transactionId: nextId++,
  status: 'completed',
  amount: 500,
  receipt: null,
  accountReference: 'SHOP1',
  createdAt: eat('10:00:00'),
  completedAt: eat('10:00:30'),
  ...over,
});

describe('Statement matching', () => {
  it('When a credit has the receipt of a completed payment for the same amount, then the line is matched', () => {
    const p = payment({ receipt: 'UL7A1B2C3D' });
    const { lines } = matchStatementDay({ day: DAY, credits: [credit({ receipt: 'UL7A1B2C3D' })], payments: [p] });
    expect(lines).toEqual([
      expect.objectContaining({ class: 'matched', payment: p, matchedBy: 'receipt', certain: true }),
    ]);
  });

  it('When the receipt matches but the amounts differ, then the line is amount_differs', () => {
    const p = payment({ receipt: 'UL7A1B2C3D', amount: 321 });
    const { lines } = matchStatementDay({
      day: DAY,
      credits: [credit({ receipt: 'UL7A1B2C3D', amount: 100 })],
      payments: [p],
    });
    expect(lines.map((l) => l.class)).toEqual(['amount_differs']);
  });

  it('When M-Pesa credited a payment ImaraPay reported failed (receipt never learnt), then it is mpesa_only with that payment, certain', () => {
    const failed = payment({ status: 'failed', completedAt: eat('10:01:30') });
    const { lines } = matchStatementDay({ day: DAY, credits: [credit({ receipt: 'UL7LOST001' })], payments: [failed] });
    expect(lines).toEqual([
      expect.objectContaining({
        class: 'mpesa_only',
        payment: failed,
        matchedBy: 'amount_reference_time',
        certain: true,
      }),
    ]);
  });

  it('When a credit has no payment at all (never pushed), then it is mpesa_only without a payment', () => {
    const { lines } = matchStatementDay({ day: DAY, credits: [credit({ receipt: 'UL7NEVER01' })], payments: [] });
    expect(lines).toEqual([expect.objectContaining({ class: 'mpesa_only', payment: null, matchedBy: null })]);
  });

  it('When ImaraPay reported a payment completed that M-Pesa never credited, then it is imarapay_only; failed ones are not listed', () => {
    const completed = payment({ receipt: 'UL7GHOST01' });
    const failed = payment({ status: 'failed', amount: 700 });
    const { lines } = matchStatementDay({ day: DAY, credits: [], payments: [completed, failed] });
    expect(lines).toEqual([expect.objectContaining({ class: 'imarapay_only', payment: completed, credit: null })]);
  });

  it('When the same receipt appears twice in the source, then it is reconciled once and the repeat is ignored', () => {
    const p = payment({ receipt: 'UL7A1B2C3D' });
    const c = credit({ receipt: 'UL7A1B2C3D' });
    const result = matchStatementDay({ day: DAY, credits: [c, { ...c }], payments: [p] });
    expect(result.lines.map((l) => l.class)).toEqual(['matched']);
    expect(result.ignored).toEqual([{ receipt: 'UL7A1B2C3D', reason: 'duplicate_receipt' }]);
  });

  it('When the same amount is paid twice within minutes without receipts, then each credit takes the closest push and neither match is certain', () => {
    const first = payment({ createdAt: eat('10:00:00'), status: 'failed' });
    const second = payment({ createdAt: eat('10:02:00'), status: 'failed' });
    const credits = [
      credit({ receipt: 'UL7AAAAAA2', completedAt: eat('10:02:20') }),
      credit({ receipt: 'UL7AAAAAA1', completedAt: eat('10:00:20') }),
    ];
    const { lines } = matchStatementDay({ day: DAY, credits, payments: [second, first] });
    expect(lines.map((l) => [l.credit?.receipt, l.payment?.transactionId, l.certain])).toEqual([
      ['UL7AAAAAA1', first.transactionId, false],
      ['UL7AAAAAA2', second.transactionId, false],
    ]);
  });

  it('When a credit is far outside the push window or carries another account reference, then it is not taken for the payment', () => {
    const p = payment({ status: 'failed' });
    const { lines } = matchStatementDay({
      day: DAY,
      credits: [
        credit({ receipt: 'UL7LATE001', completedAt: eat('10:30:00') }),
        credit({ receipt: 'UL7OTHREF1', accountReference: 'OTHER' }),
      ],
      payments: [p],
    });
    expect(lines.map((l) => [l.class, l.payment])).toEqual([
      ['mpesa_only', null],
      ['mpesa_only', null],
    ]);
  });

  it('When a payment already has its own receipt, then a credit with another receipt is never matched to it by amount', () => {
    const p = payment({ receipt: 'UL7OWN0001' });
    const { lines } = matchStatementDay({ day: DAY, credits: [credit({ receipt: 'UL7OTHER01' })], payments: [p] });
    expect(lines.map((l) => [l.class, l.payment?.transactionId ?? null])).toEqual([
      ['mpesa_only', null],
      ['imarapay_only', p.transactionId],
    ]);
  });

  it('When the statement carries no account reference (a till), then amount and time match, but only with a single candidate is it certain', () => {
    const p = payment({ status: 'failed' });
    const { lines } = matchStatementDay({
      day: DAY,
      credits: [credit({ receipt: 'UL7TILL001', accountReference: null })],
      payments: [p],
    });
    expect(lines[0]).toEqual(expect.objectContaining({ class: 'mpesa_only', payment: p, certain: true }));
  });

  it('When only the masked payer could tell two candidate payments apart, then the phone is not used: the match stays uncertain and does not depend on it', () => {
    const a = payment({ status: 'failed', createdAt: eat('10:00:00') });
    const b = payment({ status: 'failed', createdAt: eat('10:00:00') });
    const c = credit({ receipt: 'UL7MASKED1', payer: '2547******678 - J*** D**' });
    const first = matchStatementDay({ day: DAY, credits: [c], payments: [a, b] });
    const swapped = matchStatementDay({ day: DAY, credits: [{ ...c, payer: '254700000000' }], payments: [a, b] });
    expect(first.lines[0]).toEqual(expect.objectContaining({ payment: a, certain: false }));
    expect(swapped.lines[0]!.payment).toBe(first.lines[0]!.payment);
  });

  it('When a push at 23:59 Nairobi is credited at 00:00:40 the next day, then it matches on the next Nairobi day (not the UTC day) and is not imarapay_only on either', () => {
    // 00:00:40 in Nairobi on 8 December is still 7 December in UTC.
    const p = payment({ createdAt: eat('23:59:50'), completedAt: null, status: 'failed' });
    const c = credit({ receipt: 'UL8MIDNITE', completedAt: eat('00:00:40', '2026-12-08') });
    expect(c.completedAt.toISOString().slice(0, 10)).toBe('2026-12-07');
    expect(nairobiDay(c.completedAt)).toBe('2026-12-08');
    const dec7 = matchStatementDay({ day: '2026-12-07', credits: [c], payments: [p] });
    const dec8 = matchStatementDay({ day: '2026-12-08', credits: [c], payments: [p] });
    expect(dec7.lines).toEqual([]);
    expect(dec8.lines).toEqual([expect.objectContaining({ class: 'mpesa_only', payment: p, certain: true })]);
  });

  it('When a completed payment belongs to the next Nairobi day, then it is not imarapay_only today', () => {
    const p = payment({ receipt: 'UL8TOMORRW', completedAt: eat('00:10:00', '2026-12-08') });
    expect(matchStatementDay({ day: DAY, credits: [], payments: [p] }).lines).toEqual([]);
    expect(countByClass(matchStatementDay({ day: '2026-12-08', credits: [], payments: [p] }).lines)).toEqual({
      matched: 0,
      mpesa_only: 0,
      imarapay_only: 1,
      amount_differs: 0,
    });
  });
});
