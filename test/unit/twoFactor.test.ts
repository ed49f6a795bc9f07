import {
  acceptedTotpStep,
  looksLikeRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  totpCode,
  totpUrl,
} from '../../domain/twoFactor';

describe('Two-step sign-in codes', () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2026, 11, 7, 12, 0, 10);

  it('When the current code is typed, then it is accepted once, and a replay of it is refused', () => {
    const step = acceptedTotpStep(secret, totpCode(secret, now), now, null);
    expect(step).toBe(Math.floor(now / 30_000));
    expect(acceptedTotpStep(secret, totpCode(secret, now), now, step)).toBeNull();
  });

  it('When the code is from 30 s ago or 30 s ahead, then it is accepted (clock drift); 2 minutes off, refused', () => {
    expect(acceptedTotpStep(secret, totpCode(secret, now - 30_000), now, null)).not.toBeNull();
    expect(acceptedTotpStep(secret, totpCode(secret, now + 30_000), now, null)).not.toBeNull();
    expect(acceptedTotpStep(secret, totpCode(secret, now - 120_000), now, null)).toBeNull();
  });

  it('When the code is not six digits, then it is refused without any hashing', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 34 5']) {
      expect(acceptedTotpStep(secret, bad, now, null)).toBeNull();
    }
  });

  it('When the otpauth URL is built, then it names ImaraPay, the account and RFC 6238 parameters', () => {
    const url = new URL(totpUrl(secret, 'owner@shop.example'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('ImaraPay');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
  });

  it('When recovery codes are made, then they are distinct, readable, and hash the same typed with or without the dash or in capitals', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const code = codes[0]!;
    expect(looksLikeRecoveryCode(code)).toBe(true);
    expect(looksLikeRecoveryCode('123456')).toBe(false);
    expect(recoveryCodeHash(code.toUpperCase().replace('-', ''), 'pepper')).toBe(recoveryCodeHash(code, 'pepper'));
    expect(recoveryCodeHash(code, 'another pepper')).not.toBe(recoveryCodeHash(code, 'pepper'));
  });
});
