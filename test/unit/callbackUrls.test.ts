import { acceptableCallbackUrl, callbackUrlRulesOf } from '../../api/callbackUrls';
import { loadConfig } from '../../config/config';
import { AppError } from '../../domain/errors';
import type { LookupAll } from '../../domain/urlSafety';

const answering =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const development = callbackUrlRulesOf(loadConfig({}));
const withLocalReceivers = callbackUrlRulesOf(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }));

async function refusal(run: Promise<unknown>): Promise<AppError> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('Saving a callback URL', () => {
  it('When nothing is configured, then private targets are not allowed, in development too', () => {
    expect(development).toEqual({ production: false, allowPrivateTargets: false });
  });

  it('When a development deployment gets a loopback or private URL, then it is refused with 400 naming callback_url', async () => {
    for (const url of ['http://127.0.0.1:5432/', 'http://10.0.0.5/cb', 'http://[::1]:22/']) {
      const err = await refusal(acceptableCallbackUrl(url, development, answering('8.8.8.8')));
      expect([err.code, err.details]).toEqual(['validation_failed', { field: 'callback_url' }]);
    }
  });

  it('When a name resolves to a private address, then it is refused before anything is stored', async () => {
    const err = await refusal(
      acceptableCallbackUrl('http://intranet.shop.test/cb', development, answering('192.168.0.10')),
    );
    expect(err.message).toBe(
      'callback_url is not reachable on the public internet: intranet.shop.test resolves to a non-public address (192.168.0.10)',
    );
  });

  it('When a development URL is public plain http, then it is stored normalised', async () => {
    await expect(
      acceptableCallbackUrl('http://Shop.Example.com/cb', development, answering('93.184.215.14')),
    ).resolves.toBe('http://shop.example.com/cb');
  });

  it('When WEBHOOK_ALLOW_PRIVATE_TARGETS is set, then a local receiver is accepted without resolving it', async () => {
    const noLookup: LookupAll = () => Promise.reject(new Error('must not resolve'));
    await expect(acceptableCallbackUrl('http://localhost:4000/cb', withLocalReceivers, noLookup)).resolves.toBe(
      'http://localhost:4000/cb',
    );
  });
});
