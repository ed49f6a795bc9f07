import { isLoopbackHost, metricsCallerAccepted } from '../../observability/opsAccess';
import { loadConfig } from '../../config/config';

const TOKEN = 'a-metrics-token-of-32-characters';

describe('The metrics token', () => {
  it('When no token is configured, then every caller is accepted', () => {
    expect(metricsCallerAccepted(undefined, undefined)).toBe(true);
    expect(metricsCallerAccepted('Bearer anything', undefined)).toBe(true);
  });

  it('When a token is configured, then only `Bearer <that token>` is accepted', () => {
    expect(metricsCallerAccepted(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    for (const header of [
      undefined,
      '',
      TOKEN,
      `Basic ${TOKEN}`,
      `bearer${TOKEN}`,
      `Bearer\t${TOKEN}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer  ${TOKEN}`,
      `Bearer ${TOKEN} `,
      'Bearer ',
    ]) {
      expect([header, metricsCallerAccepted(header, TOKEN)]).toEqual([header, false]);
    }
  });
});

describe('The Bearer scheme', () => {
  it.each(['bearer', 'BEARER', 'BeArEr'])('When the scheme is spelt %s, then the token is still accepted', (scheme) => {
    expect(metricsCallerAccepted(`${scheme} ${TOKEN}`, TOKEN)).toBe(true);
  });
});

describe('Loopback addresses', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'When the host is %s, then it is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'api.internal', '128.0.0.1', ''])(
    'When the host is %s, then it is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('Metrics settings in production', () => {
  const production = {
    APP_ENV: 'production',
    PUBLIC_BASE_URL: 'https://pay.example.com',
    DARAJA_CALLBACK_TOKEN: 'a-long-production-callback-token',
    API_KEY_PEPPER: 'a-long-production-api-key-pepper',
    WEBHOOK_SECRET_KEY: 'a-long-production-webhook-secret-key',
  };

  it('When metrics listen beyond loopback without a token, then the configuration is refused', () => {
    expect(() => loadConfig({ ...production, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toThrow(/METRICS_TOKEN/);
  });

  it('When metrics listen beyond loopback with a token, on loopback, or not at all, then it is accepted', () => {
    expect(
      loadConfig({ ...production, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: TOKEN }).METRICS_TOKEN,
    ).toBe(TOKEN);
    expect(loadConfig({ ...production, METRICS_PORT: '9464' }).METRICS_HOST).toBe('127.0.0.1');
    expect(loadConfig({ ...production, METRICS_HOST: '0.0.0.0' }).METRICS_PORT).toBe(0);
  });

  it('When development listens beyond loopback without a token, then it is allowed', () => {
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).METRICS_PORT).toBe(9464);
  });
});

describe('A metrics token with whitespace', () => {
  it.each(['a token with spaces in it', 'a-long-token-ending-in-newline\n', '\ta-long-token-with-a-tab'])(
    'When METRICS_TOKEN is %j, then the configuration is refused with a clear message',
    (token) => {
      expect(() => loadConfig({ METRICS_TOKEN: token })).toThrow(/METRICS_TOKEN: must not contain whitespace/);
    },
  );
});
