import { portFollowers, portFromEnv, PortSettingError, type StartPorts } from '../../scripts/portSettings';

const moved: StartPorts = {
  apiHost: '127.0.0.1',
  api: 3301,
  simulatorHost: '127.0.0.1',
  simulator: 4410,
  temporalUiUrl: 'http://127.0.0.1:8833',
};

describe('npm start: the settings that follow a moved port', () => {
  it('When SIMULATOR_PORT moves, then DARAJA_BASE_URL names the moved simulator (not 4010)', () => {
    expect(portFollowers({}, moved).DARAJA_BASE_URL).toBe('http://127.0.0.1:4410');
  });

  it('When API_PORT and TEMPORAL_UI_PORT move, then PUBLIC_BASE_URL and TEMPORAL_UI_URL follow', () => {
    expect(portFollowers({}, moved)).toEqual({
      PUBLIC_BASE_URL: 'http://127.0.0.1:3301',
      DARAJA_BASE_URL: 'http://127.0.0.1:4410',
      TEMPORAL_UI_URL: 'http://127.0.0.1:8833',
    });
  });

  it('When a part binds every address (0.0.0.0), then its URL dials loopback', () => {
    const followers = portFollowers({}, { ...moved, apiHost: '0.0.0.0', simulatorHost: '0.0.0.0' });
    expect(followers.PUBLIC_BASE_URL).toBe('http://127.0.0.1:3301');
    expect(followers.DARAJA_BASE_URL).toBe('http://127.0.0.1:4410');
  });

  it('When a URL is set explicitly, then it wins over the derived one', () => {
    const env = {
      PUBLIC_BASE_URL: 'https://pay.example.test',
      DARAJA_BASE_URL: 'https://sandbox.safaricom.co.ke',
      TEMPORAL_UI_URL: 'https://temporal.example.test',
    };
    expect(portFollowers(env, moved)).toEqual(env);
  });

  it('When Temporal is an external server without a known UI, then TEMPORAL_UI_URL is left to its default', () => {
    expect(portFollowers({}, { ...moved, temporalUiUrl: null })).not.toHaveProperty('TEMPORAL_UI_URL');
  });

  it('When a port setting is unset, empty or valid, then it is read; otherwise a typed error names it', () => {
    expect(portFromEnv({}, 'POSTGRES_PORT', 54329)).toBe(54329);
    expect(portFromEnv({ POSTGRES_PORT: '' }, 'POSTGRES_PORT', 54329)).toBe(54329);
    expect(portFromEnv({ POSTGRES_PORT: '55432' }, 'POSTGRES_PORT', 54329)).toBe(55432);
    for (const bad of ['0', '65536', '54.3', 'abc', '-1']) {
      expect(() => portFromEnv({ POSTGRES_PORT: bad }, 'POSTGRES_PORT', 54329)).toThrow(PortSettingError);
    }
    expect(() => portFromEnv({ POSTGRES_PORT: 'abc' }, 'POSTGRES_PORT', 1)).toThrow('POSTGRES_PORT=abc is not a port');
  });
});
