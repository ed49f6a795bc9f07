import { Registry } from 'prom-client';
import { MerchantSchema, PaymentLinkSchema, TransactionSchema } from '../../db/entities';
import {
  createMerchantFixture,
  eventually,
  quietTemporalRuntime,
  startStack,
  type MerchantFixture,
  type Stack,
} from '../support/harness';
import { signInMerchantUser } from '../support/signedInUsers';
import { startWebhookReceiver } from '../support/webhookReceiver';

quietTemporalRuntime();

/** Limits low enough to reach in a test; every request comes from its own address unless a test says otherwise. */
const LIMITS = { perLink: 110, perIp: 4, perPhone: 5, readsPerIp: 6 };

let stack: Stack;
let merchant: MerchantFixture;
let webhooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const metrics = new Registry();

beforeAll(async () => {
  stack = await startStack({
    metrics,
    env: {
      TRUST_PROXY: 'true',
      RATE_LIMIT_CHECKOUT_PER_LINK: `${LIMITS.perLink}/1m`,
      RATE_LIMIT_CHECKOUT_PER_IP: `${LIMITS.perIp}/1m`,
      RATE_LIMIT_CHECKOUT_PER_PHONE: `${LIMITS.perPhone}/1m`,
      RATE_LIMIT_CHECKOUT_READS_PER_IP: `${LIMITS.readsPerIp}/1m`,
    },
  });
  webhooks = await startWebhookReceiver();
  merchant = await createMerchantFixture(stack, { walletKes: 100_000, callbackUrl: webhooks.url });
});
afterAll(async () => {
  await stack?.stop();
  await webhooks?.close();
});

let ipCounter = 0;
/** A client address of its own (the API trusts X-Forwarded-For here, as behind a proxy). */
const freshIp = () => {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};
let phoneCounter = 0;
/** A phone number no other test uses, in the local 07… form customers type. */
const freshPhone = () => `0711${String(++phoneCounter).padStart(6, '0')}`;
const msisdnOf = (local: string) => `254${local.slice(1)}`;

async function createLink(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return stack.http.post('/payment-links', body, { headers: { Authorization: merchant.authorization, ...headers } });
}

async function newLink(body: Record<string, unknown> = {}) {
  const res = await createLink({ description: 'School fees', amount: 150, ...body });
  expect(res.status).toBe(201);
  return res.data as { id: string; url: string; state: string };
}

const tokenOf = (link: { url: string }) => new URL(link.url).pathname.split('/')[2]!;

function pay(link: { url: string }, body: Record<string, unknown>, ip = freshIp()) {
  // A hundred payments at once on a loaded two-core machine may take longer than one request's usual minute.
  return stack.http.post(`/pay/${tokenOf(link)}/payments`, body, {
    headers: { 'X-Forwarded-For': ip },
    timeout: 180_000,
  });
}

/** A read of the checkout page's public API (`/pay/…`), from an address of its own unless given one. */
function readPublic(path: string, ip = freshIp()) {
  return stack.http.get(path, { headers: { 'X-Forwarded-For': ip } });
}

async function settled(link: { url: string }, paymentToken: string) {
  return eventually(async () => {
    const res = await readPublic(`/pay/${tokenOf(link)}/payments/${paymentToken}`);
    return res.status === 200 && res.data.status !== 'pending' ? res.data : undefined;
  });
}

/** How many payments the link with this `plink_…` id has. */
async function linkPaymentCount(publicId: string): Promise<number> {
  const em = stack.orm.em.fork();
  const row = await em.findOneOrFail(PaymentLinkSchema, { publicId });
  return em.count(TransactionSchema, { link: row.id });
}

/** The simulator's amount whose prompt stays open until the test answers it (simulator/outcomes.ts). */
const OPEN_PROMPT_AMOUNT = 9908;

describe('Payment links: the merchant API', () => {
  it('When a merchant creates a link twice with one Idempotency-Key, then they get one link; another body under that key is 409', async () => {
    const body = { description: 'Harambee', amount: 500, metadata: { event: 'church' } };
    const first = await createLink(body, { 'Idempotency-Key': 'link-key-1' });
    const again = await createLink(body, { 'Idempotency-Key': 'link-key-1' });
    const other = await createLink({ ...body, amount: 600 }, { 'Idempotency-Key': 'link-key-1' });

    expect(first.status).toBe(201);
    expect(first.data).toMatchObject({
      amount_kind: 'fixed',
      amount: 500,
      account_id: merchant.channelId,
      account_reference: '5123456',
      state: 'active',
      availability: 'open',
      metadata: { event: 'church' },
    });
    expect(first.data.id).toMatch(/^plink_/);
    expect(first.data.url).toMatch(/\/pay\/[A-Za-z0-9]{32}$/);
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(first.data.id);
    expect(other.status).toBe(409);
    expect(other.data.code).toBe('conflict');
    const list = await stack.http.get('/payment-links', { headers: { Authorization: merchant.authorization } });
    expect(list.data.filter((l: { id: string }) => l.id === first.data.id)).toHaveLength(1);
  });

  it('When a link is created with bad input, then it answers 400 naming the field and creates nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ description: 'Way too long a description', amount: 10 }, 'description'],
      [{ description: 'Fees', amount: 10, min_amount: 5 }, 'min_amount'],
      [{ description: 'Fees', min_amount: 50, max_amount: 10 }, 'max_amount'],
      [{ description: 'Fees', amount: 300_000 }, 'amount'],
      [{ description: 'Fees', amount: 10, expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
      [{ description: 'Fees', amount: 10, account_id: 999_999 }, 'account_id'],
    ];
    const before = await stack.orm.em.fork().count(PaymentLinkSchema, { merchant: merchant.merchantId });
    for (const [body, field] of cases) {
      const res = await createLink(body);
      expect([res.status, res.data.field]).toEqual([res.status === 404 ? 404 : 400, field]);
    }
    expect(await stack.orm.em.fork().count(PaymentLinkSchema, { merchant: merchant.merchantId })).toBe(before);
  });

  it('When a merchant without verified KYC creates a link, then it is refused 403', async () => {
    const unverified = await createMerchantFixture(stack, { kycStatus: 'pending' });
    const res = await stack.http.post(
      '/payment-links',
      { description: 'Fees', amount: 10 },
      { headers: { Authorization: unverified.authorization } },
    );
    expect([res.status, res.data.code]).toEqual([403, 'kyc_required']);
  });

  it('When a merchant asks for a link’s QR code, then they get a PNG and an SVG', async () => {
    const link = await newLink();
    const png = await stack.http.get(`/payment-links/${link.id}/qr.png`, {
      headers: { Authorization: merchant.authorization },
      responseType: 'arraybuffer',
    });
    const svg = await stack.http.get(`/payment-links/${link.id}/qr.svg`, {
      headers: { Authorization: merchant.authorization },
    });
    expect(png.headers['content-type']).toBe('image/png');
    expect(Buffer.from(png.data).subarray(1, 4).toString()).toBe('PNG');
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(String(svg.data)).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const other = await createMerchantFixture(stack);
    const foreign = await stack.http.get(`/payment-links/${link.id}/qr.png`, {
      headers: { Authorization: other.authorization },
    });
    expect(foreign.status).toBe(404);
  });
});

describe('Payment links: M-Pesa Dynamic QR', () => {
  const widthOfPng = (png: Buffer) => png.readUInt32BE(16);

  it('When a merchant asks for the M-Pesa QR code of a link, then Daraja makes it at the asked size; an open link needs an amount within its bounds', async () => {
    const auth = { headers: { Authorization: merchant.authorization }, responseType: 'arraybuffer' as const };
    const fixed = await newLink({ amount: 250 });
    const png = await stack.http.get(`/payment-links/${fixed.id}/mpesa-qr.png?size=400`, auth);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(widthOfPng(Buffer.from(png.data))).toBe(400);

    const open = await newLink({ amount: undefined, min_amount: 10, max_amount: 100 });
    const json = (res: { data: ArrayBuffer }) => JSON.parse(Buffer.from(res.data).toString());
    expect(json(await stack.http.get(`/payment-links/${open.id}/mpesa-qr.png`, auth))).toMatchObject({
      field: 'amount',
    });
    expect((await stack.http.get(`/payment-links/${open.id}/mpesa-qr.png?amount=101`, auth)).status).toBe(400);
    expect((await stack.http.get(`/payment-links/${open.id}/mpesa-qr.png?size=5000`, auth)).status).toBe(400);
    const ok = await stack.http.get(`/payment-links/${open.id}/mpesa-qr.png?amount=60`, auth);
    expect(widthOfPng(Buffer.from(ok.data))).toBe(300);
  });
});

describe('Payment links: paying through the checkout API', () => {
  it('When a customer pays a fixed link, then it is an ordinary payment carrying the link everywhere', async () => {
    const link = await newLink({ description: 'Term 1 fees', amount: 1500, account_reference: 'TERM1' });
    const page = await readPublic(`/pay/${tokenOf(link)}`);
    expect(page.data).toMatchObject({
      merchant_name: expect.stringMatching(/^Test shop/),
      description: 'Term 1 fees',
      amount_kind: 'fixed',
      amount: 1500,
      availability: 'open',
    });

    const phone = freshPhone();
    const started = await pay(link, { phone_number: phone.replace(/^0/, '+254 ') });
    expect(started.status).toBe(201);
    const done = await settled(link, started.data.payment_token);
    expect(done).toMatchObject({ status: 'completed', amount: 1500, next_step: 'done' });
    expect(done.mpesa_receipt).toMatch(/^[A-Z0-9]{10}$/);

    const tx = await stack.orm.em
      .fork()
      .findOneOrFail(TransactionSchema, { checkoutToken: started.data.payment_token });
    expect(tx).toMatchObject({ phoneNumber: msisdnOf(phone), accountReference: 'TERM1', description: 'Term 1 fees' });
    const auth = { headers: { Authorization: merchant.authorization } };
    const list = await stack.http.get(`/transactions?q=${msisdnOf(phone)}`, auth);
    expect(list.data.transactions ?? list.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: tx.id, link_id: link.id, status: 'completed' })]),
    );
    const byLink = await stack.http.get(`/transactions?link_id=${link.id}`, auth);
    expect(byLink.data.map((t: { id: number }) => t.id)).toEqual([tx.id]);
    const csv = await stack.http.get(`/transactions.csv?q=${msisdnOf(phone)}`, auth);
    const [header, row] = String(csv.data).trim().split('\n');
    expect(row!.split(',')[header!.split(',').indexOf('link_id')]).toBe(link.id);
    const express = await stack.http.get(`/v1/payments/${tx.publicId}`, auth);
    expect(express.data.linkId).toBe(link.id);
    const timeline = await stack.http.get(`/transactions/${tx.id}/timeline`, auth);
    expect(JSON.stringify(timeline.data)).toContain(`From payment link ${link.id}`);
    const webhook = await eventually(async () =>
      webhooks.received.find((w) => w.body.ImaraPay?.transaction_id === tx.id),
    );
    expect(webhook.body.ImaraPay).toMatchObject({ link_id: link.id, status: 'completed' });
    const totals = await stack.http.get(`/payment-links/${link.id}/payments`, auth);
    expect(totals.data.link.totals).toEqual({ payments: 1, completed: 1, pending: 0, completed_amount: 1500 });
    expect(totals.data.payments).toEqual([expect.objectContaining({ transaction_id: tx.id, status: 'completed' })]);
    // The status read is scoped by both tokens.
    const otherLink = await newLink();
    expect((await readPublic(`/pay/${tokenOf(otherLink)}/payments/${started.data.payment_token}`)).status).toBe(404);
  });

  it('When a customer enters the amount, then only whole amounts within the link’s bounds prompt, and each M-Pesa result has its next step', async () => {
    const link = await newLink({ description: 'Offering', amount: undefined, min_amount: 1, max_amount: 9_950 });
    expect((await pay(link, { phone_number: freshPhone() })).data).toMatchObject({
      code: 'validation_failed',
      field: 'amount',
    });
    expect((await pay(link, { phone_number: freshPhone(), amount: 9_951 })).status).toBe(400);
    expect((await pay(link, { phone_number: freshPhone(), amount: 10.5 })).status).toBe(400);
    expect((await pay(link, { phone_number: '12345', amount: 10 })).data).toMatchObject({ field: 'phone_number' });
    const fixed = await newLink({ amount: 150 });
    expect((await pay(fixed, { phone_number: freshPhone(), amount: 10 })).data.field).toBe('amount');

    const outcomes: [number, string, string][] = [
      [1032, 'cancelled', '1032'],
      [1037, 'timed_out', '1037'],
      [2001, 'wrong_pin', '2001'],
      [9901, 'insufficient_balance', '1'],
    ];
    const results = await Promise.all(
      outcomes.map(async ([amount]) => {
        const res = await pay(link, { phone_number: freshPhone(), amount });
        expect(res.status).toBe(201);
        return settled(link, res.data.payment_token);
      }),
    );
    expect(results.map((r) => [r.amount, r.next_step, r.result_code])).toEqual(outcomes);
    expect(results.every((r) => r.status === 'failed')).toBe(true);
  });

  it('When a link has expired, then its page says so and it takes no payment', async () => {
    const link = await newLink({ expires_at: new Date(Date.now() + 1_500).toISOString() });
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await readPublic(`/pay/${tokenOf(link)}`)).data.availability).toBe('expired');
    const res = await pay(link, { phone_number: freshPhone() });
    expect([res.status, res.data.code, res.data.reason]).toEqual([409, 'link_unavailable', 'expired']);
  });

  it('When a single-use link is paid, then a second customer is refused, even one who tapped at the same moment', async () => {
    const link = await newLink({ single_use: true });
    const [a, b] = await Promise.all([
      pay(link, { phone_number: freshPhone() }),
      pay(link, { phone_number: freshPhone() }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const winner = a.status === 201 ? a : b;
    expect((a.status === 409 ? a : b).data.reason).toBe('used');
    await settled(link, winner.data.payment_token);
    const later = await pay(link, { phone_number: freshPhone() });
    expect([later.status, later.data.reason]).toEqual([409, 'used']);
    expect(await linkPaymentCount(link.id)).toBe(1);
  });

  it("When a single-use link's payment is in review, then the link stays used: the review decides, not a second payment", async () => {
    const link = await newLink({ single_use: true });
    const first = await pay(link, { phone_number: freshPhone() });
    expect(first.status).toBe(201);
    await settled(link, first.data.payment_token);
    // M-Pesa's evidence contradicted itself: the money may be with the merchant already.
    const em = stack.orm.em.fork();
    const row = await em.findOneOrFail(PaymentLinkSchema, { publicId: link.id });
    await em.nativeUpdate(TransactionSchema, { link: row.id }, { status: 'needs_review' });
    const second = await pay(link, { phone_number: freshPhone() });
    expect([second.status, second.data.reason]).toEqual([409, 'used']);
    expect(await linkPaymentCount(link.id)).toBe(1);
  });

  it('When a merchant pauses, resumes and archives a link, then it takes payments only while active, and each change is in their audit log', async () => {
    const link = await newLink();
    const auth = { headers: { Authorization: merchant.authorization } };
    const owner = { headers: { Authorization: await signInMerchantUser(stack, merchant.merchantId) } };
    expect((await stack.http.post(`/payment-links/${link.id}/pause`, {}, owner)).data.availability).toBe('paused');
    expect((await stack.http.post(`/payment-links/${link.id}/pause`, {}, owner)).status).toBe(200);
    const paused = await pay(link, { phone_number: freshPhone() });
    expect([paused.status, paused.data.reason]).toEqual([409, 'paused']);
    expect((await stack.http.post(`/payment-links/${link.id}/resume`, {}, auth)).data.state).toBe('active');
    expect((await pay(link, { phone_number: freshPhone() })).status).toBe(201);
    expect((await stack.http.post(`/payment-links/${link.id}/archive`, {}, auth)).data.state).toBe('archived');
    expect((await pay(link, { phone_number: freshPhone() })).data.reason).toBe('archived');
    expect((await stack.http.post(`/payment-links/${link.id}/resume`, {}, auth)).status).toBe(409);
    const listed = await stack.http.get('/payment-links', auth);
    expect(listed.data.map((l: { id: string }) => l.id)).not.toContain(link.id);

    // Who stopped the link taking payments, and who started it again, newest first; repeats record nothing.
    const log = await stack.http.get('/audit', owner);
    const events = (
      log.data as Array<{ action: string; actor: { type: string }; subject: { id: string }; details: object }>
    )
      .filter((e) => e.subject.id === link.id)
      .map((e) => ({ action: e.action, actor: e.actor.type, details: e.details }));
    expect(events).toEqual([
      {
        action: 'payment_link.archived',
        actor: 'api_key',
        details: expect.objectContaining({ from: 'active', to: 'archived' }),
      },
      {
        action: 'payment_link.resumed',
        actor: 'api_key',
        details: expect.objectContaining({ from: 'paused', to: 'active' }),
      },
      {
        action: 'payment_link.paused',
        actor: 'merchant',
        details: expect.objectContaining({ from: 'active', to: 'paused' }),
      },
    ]);
  });

  it('When the merchant’s KYC is no longer verified, or the link is live and live payments are off, then the link takes no payment', async () => {
    const shop = await createMerchantFixture(stack);
    const link = (
      await stack.http.post(
        '/payment-links',
        { description: 'Fees', amount: 100 },
        { headers: { Authorization: shop.authorization } },
      )
    ).data;
    const em = stack.orm.em.fork();
    await em.nativeUpdate(MerchantSchema, { id: shop.merchantId }, { kycStatus: 'pending' });
    expect((await readPublic(`/pay/${tokenOf(link)}`)).data.availability).toBe('unavailable');
    const refused = await pay(link, { phone_number: freshPhone() });
    expect([refused.status, refused.data.code, refused.data.reason]).toEqual([409, 'link_unavailable', 'unavailable']);
    expect(JSON.stringify(refused.data)).not.toMatch(/kyc/i);

    await em.nativeUpdate(MerchantSchema, { id: shop.merchantId }, { kycStatus: 'verified' });
    await em.nativeUpdate(PaymentLinkSchema, { publicId: link.id }, { environment: 'production' });
    expect((await pay(link, { phone_number: freshPhone() })).data.reason).toBe('unavailable');
    expect(await em.count(TransactionSchema, { merchant: shop.merchantId })).toBe(0);
  });
});

describe('Payment links: abuse limits', () => {
  it('When 100 phones pay one fixed link at once, then there are 100 payments and 100 prompts; one phone tapping Pay five times gets one prompt', async () => {
    const link = await newLink({ description: 'Concert', amount: 200 });
    const phones = Array.from({ length: 100 }, freshPhone);
    const answers = await Promise.all(phones.map((phone) => pay(link, { phone_number: phone })));
    expect(answers.filter((a) => a.status === 201 || a.status === 202)).toHaveLength(100);
    expect(await linkPaymentCount(link.id)).toBe(100);
    const pushedTo = (numbers: string[]) =>
      stack.simulator.control.pushes().filter((p) => numbers.includes(String(p.phoneNumber)));
    // A 202 answer means the workflow sends the push by itself a little later: wait for all of them.
    await eventually(async () => (pushedTo(phones.map(msisdnOf)).length >= 100 ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect(new Set(pushedTo(phones.map(msisdnOf)).map((p) => p.phoneNumber)).size).toBe(100);
    expect(pushedTo(phones.map(msisdnOf))).toHaveLength(100);

    // A prompt the customer has not answered yet, as while they look for their PIN.
    const slow = await newLink({ description: 'Concert', amount: OPEN_PROMPT_AMOUNT });
    const tapper = freshPhone();
    const taps = await Promise.all(Array.from({ length: 5 }, () => pay(slow, { phone_number: tapper })));
    expect(taps.map((t) => t.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(taps.filter((t) => t.status === 409).every((t) => t.data.code === 'prompt_open')).toBe(true);
    expect(pushedTo([msisdnOf(tapper)])).toHaveLength(1);
  }, 300_000);

  it('When one address, one phone or one link goes past its limit, then it gets 429 and nothing is sent; refusals are counted', async () => {
    const link = await newLink({ description: 'Raffle', amount: 50 });
    const ip = freshIp();
    const byIp = [];
    for (let i = 0; i <= LIMITS.perIp; i++) byIp.push(await pay(link, { phone_number: freshPhone() }, ip));
    expect(byIp.map((r) => r.status)).toEqual([...Array(LIMITS.perIp).fill(201), 429]);
    expect(Number(byIp[LIMITS.perIp]!.headers['retry-after'])).toBeGreaterThan(0);

    const open = await newLink({ description: 'Raffle', amount: OPEN_PROMPT_AMOUNT });
    const phone = freshPhone();
    const byPhone = [];
    for (let i = 0; i <= LIMITS.perPhone; i++) byPhone.push(await pay(open, { phone_number: phone }));
    expect(byPhone[0]!.status).toBe(201);
    expect(byPhone.slice(1, LIMITS.perPhone).every((r) => r.data.code === 'prompt_open')).toBe(true);
    expect(byPhone[LIMITS.perPhone]!.status).toBe(429);

    // The page's reads are limited per address too, loosely (it polls); another address reads on.
    const reader = freshIp();
    const reads = [];
    for (let i = 0; i <= LIMITS.readsPerIp; i++) {
      const path = i % 2 ? `/pay/${tokenOf(link)}` : `/pay/${tokenOf(link)}/payments/${byIp[0]!.data.payment_token}`;
      reads.push(await readPublic(path, reader));
    }
    expect(reads.map((r) => r.status)).toEqual([...Array(LIMITS.readsPerIp).fill(200), 429]);
    expect(reads[LIMITS.readsPerIp]!.data.code).toBe('rate_limited');
    expect(Number(reads[LIMITS.readsPerIp]!.headers['retry-after'])).toBeGreaterThan(0);
    expect((await readPublic(`/pay/${tokenOf(link)}`)).status).toBe(200);

    const busy = await newLink({ description: 'Busy', amount: 50 });
    // Requests refused later (a bad number) count against the link all the same: the limit is checked first.
    await Promise.all(Array.from({ length: LIMITS.perLink }, () => pay(busy, { phone_number: 'not a phone' })));
    const past = await pay(busy, { phone_number: freshPhone() });
    expect(past.status).toBe(429);
    expect(await linkPaymentCount(busy.id)).toBe(0);

    const auth = { headers: { Authorization: merchant.authorization } };
    await stack.http.post(`/payment-links/${link.id}/pause`, {}, auth);
    expect((await pay(link, { phone_number: freshPhone() })).data.code).toBe('link_unavailable');

    const refusals = await metrics.getSingleMetric('imarapay_checkout_refusals_total')!.get();
    const byReason = Object.fromEntries(refusals.values.map((v) => [v.labels.reason, v.value]));
    expect(byReason).toMatchObject({ per_ip: 1, per_phone: 1, per_link: 1 });
    expect(byReason.prompt_open).toBeGreaterThanOrEqual(LIMITS.perPhone - 1);
    expect(byReason.link_unavailable).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
