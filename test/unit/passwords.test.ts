import { DEFAULT_SCRYPT_PARAMS, hashPassword, passwordProblem, verifyPassword } from '../../domain/passwords';

describe('Dashboard passwords', () => {
  it('When a password is hashed, then only that password verifies, and the stored string carries scrypt parameters and salt but not the password', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('When the same password is hashed twice, then the salts differ, so equal passwords do not show in the table', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password here', b)).toBe(true);
  });

  it('When hashing with the default parameters, then one hash costs at least ~10 ms (a slow KDF, not a fast digest)', async () => {
    const started = process.hrtime.bigint();
    await hashPassword('timing the default cost');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({ N: 32768, r: 8, p: 1 });
    expect(elapsedMs).toBeGreaterThan(10);
  });

  it('When a hash was made with other (cheaper) parameters, then it still verifies with its own stored parameters', async () => {
    const stored = await hashPassword('older cheaper hash', { N: 1024, r: 8, p: 1 });
    expect(stored.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('older cheaper hash', stored)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['not scrypt', 'bcrypt$2b$10$abc'],
    ['missing parts', 'scrypt$32768$8$1$c2FsdA'],
    ['cost not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
    ['cost that would exhaust memory', 'scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'],
  ])(
    'When the stored value is malformed (%s), then verification is false instead of throwing',
    async (_label, stored) => {
      await expect(verifyPassword('whatever password', stored)).resolves.toBe(false);
    },
  );

  it.each([
    ['short1234', /at least 10 characters/],
    [' '.repeat(12), /only spaces/],
    ['x'.repeat(201), /at most 200 characters/],
  ])('When the password is %p, then the rule it breaks is named', (password, message) => {
    expect(passwordProblem(password)).toMatch(message);
  });

  it('When the password has 10 or more characters, then it is accepted', () => {
    expect(passwordProblem('ten chars!')).toBeNull();
  });
});
