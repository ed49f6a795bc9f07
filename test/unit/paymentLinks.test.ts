import { checkoutNextStep, linkAvailability, linkPaymentAmount } from '../../domain/paymentLinks';
import { dynamicQrBody, invalidDynamicQrField } from '../../domain/dynamicQr';
import { checkoutRefusal } from '../../observability/httpMetrics';

const now = new Date('2026-12-08T10:00:00Z');
const active = { state: 'active' as const, expiresAt: null, singleUse: false };

describe('Payment link availability', () => {
  it('When a link is active, unexpired and (if single use) unpaid, then it is open; otherwise it says why not', () => {
    expect(linkAvailability(active, now, { completedOrPending: 3 })).toBe('open');
    expect(linkAvailability({ ...active, state: 'paused' }, now, { completedOrPending: 0 })).toBe('paused');
    expect(linkAvailability({ ...active, state: 'archived' }, now, { completedOrPending: 0 })).toBe('archived');
    expect(linkAvailability({ ...active, expiresAt: now }, now, { completedOrPending: 0 })).toBe('expired');
    expect(
      linkAvailability({ ...active, expiresAt: new Date(now.getTime() + 1) }, now, { completedOrPending: 0 }),
    ).toBe('open');
    expect(linkAvailability({ ...active, singleUse: true }, now, { completedOrPending: 1 })).toBe('used');
    expect(linkAvailability({ ...active, singleUse: true }, now, { completedOrPending: 0 })).toBe('open');
  });
});

describe('Payment link amounts', () => {
  it('When a fixed link is paid, then its own amount is used and any other is refused', () => {
    expect(linkPaymentAmount({ kind: 'fixed', amount: 150 }, undefined)).toEqual({ ok: true, amount: 150 });
    expect(linkPaymentAmount({ kind: 'fixed', amount: 150 }, 150)).toEqual({ ok: true, amount: 150 });
    expect(linkPaymentAmount({ kind: 'fixed', amount: 150 }, 1)).toMatchObject({ ok: false });
  });

  it('When an open link is paid, then only a whole amount within its bounds is taken', () => {
    const rule = { kind: 'open' as const, min: 10, max: 100 };
    expect(linkPaymentAmount(rule, 10)).toEqual({ ok: true, amount: 10 });
    expect(linkPaymentAmount(rule, 100)).toEqual({ ok: true, amount: 100 });
    for (const bad of [null, undefined, 9, 101, 10.5])
      expect(linkPaymentAmount(rule, bad)).toMatchObject({ ok: false });
  });
});

describe('Checkout next steps', () => {
  it("When M-Pesa answers, then each of Safaricom's customer result codes has its own next step", () => {
    expect(checkoutNextStep('pending', null)).toBe('wait');
    expect(checkoutNextStep('completed', '0')).toBe('done');
    expect(checkoutNextStep('needs_review', '0')).toBe('in_review');
    expect(checkoutNextStep('failed', '1032')).toBe('cancelled');
    expect(checkoutNextStep('failed', '1037')).toBe('timed_out');
    expect(checkoutNextStep('failed', null)).toBe('timed_out');
    expect(checkoutNextStep('failed', '1')).toBe('insufficient_balance');
    expect(checkoutNextStep('failed', '2001')).toBe('wrong_pin');
    expect(checkoutNextStep('failed', 'SFC_IC0003')).toBe('failed');
  });
});

describe('Dynamic QR validation', () => {
  const valid = dynamicQrBody({
    merchantName: 'Mama Njeri Groceries',
    refNo: 'INV 12',
    amount: 250,
    trxCode: 'BG',
    cpi: '5123456',
    size: 300,
  });

  it('When a request follows Daraja’s rules, then it passes, with Size sent as a string', () => {
    expect(valid.Size).toBe('300');
    expect(invalidDynamicQrField({ ...valid })).toBeNull();
    expect(invalidDynamicQrField({ ...valid, TrxCode: 'SM', CPI: '254712345678' })).toBeNull();
  });

  it('When a field breaks a rule, then that field is named', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ MerchantName: ' ' }, 'MerchantName'],
      [{ RefNo: '' }, 'RefNo'],
      [{ Amount: 0 }, 'Amount'],
      [{ Amount: 1.5 }, 'Amount'],
      [{ TrxCode: 'XX' }, 'TrxCode'],
      [{ CPI: '12' }, 'CPI'],
      [{ TrxCode: 'SM', CPI: '5123456' }, 'CPI'],
      [{ Size: '20' }, 'Size'],
      [{ Size: 'big' }, 'Size'],
    ];
    for (const [change, field] of cases) expect(invalidDynamicQrField({ ...valid, ...change })).toBe(field);
  });
});

describe('Checkout refusal metric', () => {
  it('When the checkout route refuses, then the reason is one of a bounded set', () => {
    expect(checkoutRefusal(429, { code: 'rate_limited' }, 'checkoutPerPhone')).toBe('per_phone');
    expect(checkoutRefusal(429, { code: 'rate_limited' }, 'checkoutPerIp')).toBe('per_ip');
    expect(checkoutRefusal(429, { code: 'rate_limited' }, 'checkoutPerLink')).toBe('per_link');
    expect(checkoutRefusal(409, { code: 'prompt_open' }, undefined)).toBe('prompt_open');
    expect(checkoutRefusal(409, { code: 'link_unavailable' }, undefined)).toBe('link_unavailable');
    expect(checkoutRefusal(400, { code: 'validation_failed' }, undefined)).toBeNull();
    expect(checkoutRefusal(201, {}, undefined)).toBeNull();
  });
});
