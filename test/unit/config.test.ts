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
});
