import { generateApiKey, hashApiSecret, parseBasicAuth, verifyApiSecret } from '../../domain/apiKeySecrets';

const pepper = 'unit-test-pepper-0123456789';

describe('API key secrets', () => {
  it('When a key is generated, then only its hash verifies the password and the hash is not the password', () => {
    const key = generateApiKey(pepper, 'sandbox');
    expect(key.username).toMatch(/^ak_test_[0-9a-f]{16}$/);
    expect(key.password.length).toBeGreaterThanOrEqual(43);
    expect(key.secretHash).not.toContain(key.password);
    expect(verifyApiSecret(pepper, key.password, key.secretHash)).toBe(true);
    expect(verifyApiSecret(pepper, `${key.password}x`, key.secretHash)).toBe(false);
  });

  it('When the pepper differs, then the same password does not verify (a stolen table alone is useless)', () => {
    const key = generateApiKey(pepper, 'production');
    expect(key.username.startsWith('ak_live_')).toBe(true);
    expect(verifyApiSecret('another-pepper-0123456789', key.password, key.secretHash)).toBe(false);
  });

  it('When a stored hash is malformed, then verification fails instead of throwing', () => {
    expect(verifyApiSecret(pepper, 'secret', 'not-hex')).toBe(false);
    expect(hashApiSecret(pepper, 'secret')).toHaveLength(64);
  });
});

describe('parseBasicAuth', () => {
  it('When the header is the docs’ Basic base64(user:pass), then both halves come back (colons allowed in the password)', () => {
    const header = `Basic ${Buffer.from('ak_test_1:pa:ss').toString('base64')}`;
    expect(parseBasicAuth(header)).toEqual({ username: 'ak_test_1', password: 'pa:ss' });
  });

  it.each([
    undefined,
    '',
    'Bearer abc',
    'Basic',
    `Basic ${Buffer.from('no-colon').toString('base64')}`,
    `Basic ${Buffer.from(':nouser').toString('base64')}`,
  ])('When the header is %p, then there are no credentials', (header) => {
    expect(parseBasicAuth(header)).toBeNull();
  });
});
