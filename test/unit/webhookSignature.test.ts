import { createHmac } from 'node:crypto';
import { generateWebhookSecret, sign, verify } from '../../domain/webhookSignature';
import { open, seal, SecretBoxError } from '../../domain/secretBox';

describe('webhook signatures', () => {
  const secret = 'whsec_unit-test-secret';
  const body = '{"Body":{"stkCallback":{"ResultCode":0}},"ImaraPay":{"amount":500}}';
  const now = 1_718_454_896;

  it('When a body is signed, then the header is t=<seconds>,v1=<HMAC-SHA256 of "<t>.<body>"> as documented', () => {
    const header = sign({ secret, body, timestamp: now });
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(header).toBe(`t=${now},v1=${expected}`);
  });

  it('When the header, body and secret match within the tolerance, then it verifies', () => {
    const header = sign({ secret, body, timestamp: now - 299 });
    expect(verify({ secret, header, body, now })).toEqual({ ok: true, timestamp: now - 299 });
    expect(verify({ secret, header, body: Buffer.from(body), now })).toMatchObject({ ok: true });
  });

  it('When one byte of the body differs (even re-serialised JSON), then it does not verify', () => {
    const header = sign({ secret, body, timestamp: now });
    expect(verify({ secret, header, body: body.replace('500', '501'), now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verify({ secret, header, body: JSON.stringify(JSON.parse(body), null, 1), now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('When the secret is another (e.g. rotated), then it does not verify', () => {
    const header = sign({ secret, body, timestamp: now });
    expect(verify({ secret: 'whsec_other', header, body, now })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('When the timestamp is outside the tolerance either way, then it is refused as expired (replay)', () => {
    expect(verify({ secret, header: sign({ secret, body, timestamp: now - 301 }), body, now })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verify({ secret, header: sign({ secret, body, timestamp: now + 301 }), body, now })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      verify({ secret, header: sign({ secret, body, timestamp: now - 3600 }), body, now, toleranceSeconds: 7200 }),
    ).toMatchObject({ ok: true });
  });

  it('When the header is missing or malformed, then it is refused as malformed', () => {
    for (const header of [undefined, '', 'v1=abc', `t=${now}`, `t=soon,v1=${'a'.repeat(64)}`, `t=${now},v1=xyz`]) {
      expect(verify({ secret, header, body, now })).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('When the header carries several v1 signatures and one matches, then it verifies', () => {
    const good = sign({ secret, body, timestamp: now });
    const header = `t=${now},v1=${'0'.repeat(64)},${good.split(',')[1]}`;
    expect(verify({ secret, header, body, now })).toMatchObject({ ok: true });
  });

  it('When secrets are generated, then they are whsec_ + 32 random bytes and never repeat', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice(6), 'base64url')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
  });
});

describe('secret box (AES-256-GCM at rest)', () => {
  const key = 'unit-test-webhook-secret-key';

  it('When a secret is sealed, then it opens with the same key and the box does not contain it', () => {
    const sealed = seal('whsec_abc', key);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('whsec_abc');
    expect(open(sealed, key)).toBe('whsec_abc');
  });

  it('When the same secret is sealed twice, then the boxes differ (fresh IV each time)', () => {
    expect(seal('whsec_abc', key)).not.toBe(seal('whsec_abc', key));
  });

  it('When the key is wrong or the box was altered, then opening fails instead of returning garbage', () => {
    const sealed = seal('whsec_abc', key);
    expect(() => open(sealed, 'another-key-0123456789')).toThrow(SecretBoxError);
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0] ^= 1;
    expect(() => open([v, iv, tag, flipped.toString('base64url')].join('.'), key)).toThrow(SecretBoxError);
    expect(() => open('plain-text', key)).toThrow(SecretBoxError);
  });
});
