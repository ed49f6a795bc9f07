import { ConfigError, loadConfig, paymentTimings } from '../../config/config';

describe('loadConfig', () => {
  it('When nothing is set, then every key has a working default (90 s callback timer)', () => {
    const config = loadConfig({});
    expect(config.PAYMENT_CALLBACK_TIMEOUT_MS).toBe(90_000);
    expect(paymentTimings(config).callbackTimeoutMs).toBe(90_000);
    expect(config.DARAJA_SHORTCODE).toBe('174379');
  });

  it('When values are bad, then one error names every bad key', () => {
    const load = () => loadConfig({ API_PORT: 'http', DARAJA_BASE_URL: 'not a url' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/API_PORT.*DARAJA_BASE_URL|DARAJA_BASE_URL.*API_PORT/);
  });

  it('When production runs with the development secrets or an HTTP callback URL, then it refuses to start', () => {
    const load = () => loadConfig({ APP_ENV: 'production', PUBLIC_BASE_URL: 'http://pay.example.com' });
    expect(load).toThrow(/DARAJA_CALLBACK_TOKEN/);
    expect(load).toThrow(/API_KEY_PEPPER/);
    expect(load).toThrow(/PUBLIC_BASE_URL/);
    expect(load).toThrow(/WEBHOOK_SECRET_KEY/);
    const secrets = {
      DARAJA_CALLBACK_TOKEN: 'a-long-production-token',
      API_KEY_PEPPER: 'a-long-production-pepper',
      WEBHOOK_SECRET_KEY: 'a-long-production-webhook-key',
    };
    expect(loadConfig({ APP_ENV: 'production', PUBLIC_BASE_URL: 'https://pay.example.com', ...secrets }).APP_ENV).toBe(
      'production',
    );
  });

  it('When CHECK_RESPONSES is not set, then answers are checked against their schemas except in production', () => {
    const production = {
      APP_ENV: 'production',
      PUBLIC_BASE_URL: 'https://pay.example.com',
      DARAJA_CALLBACK_TOKEN: 'a-long-production-token',
      API_KEY_PEPPER: 'a-long-production-pepper',
      WEBHOOK_SECRET_KEY: 'a-long-production-webhook-key',
    };
    expect(loadConfig({}).CHECK_RESPONSES).toBe(true);
    expect(loadConfig({ CHECK_RESPONSES: 'false' }).CHECK_RESPONSES).toBe(false);
    expect(loadConfig(production).CHECK_RESPONSES).toBe(false);
    expect(loadConfig({ ...production, CHECK_RESPONSES: 'true' }).CHECK_RESPONSES).toBe(true);
  });

  it('When WEBHOOK_ALLOW_PRIVATE_TARGETS is not set, then private webhook targets are off; in production it cannot be turned on', () => {
    expect(loadConfig({}).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(true);
    const secrets = {
      DARAJA_CALLBACK_TOKEN: 'a-long-production-token',
      API_KEY_PEPPER: 'a-long-production-pepper',
      WEBHOOK_SECRET_KEY: 'a-long-production-webhook-key',
    };
    const load = () =>
      loadConfig({
        APP_ENV: 'production',
        PUBLIC_BASE_URL: 'https://pay.example.com',
        ...secrets,
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /WEBHOOK_ALLOW_PRIVATE_TARGETS: webhooks never go to private or loopback addresses in production/,
    );
  });
});
