import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config/config';

/**
 * docker-compose.yml is the production shape. There is no Docker engine here, so it is checked as
 * data: every service built from ImaraPay's image runs in production mode, with its secrets
 * required from the environment, and that environment passes config/config.ts's production rules.
 */
interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
}

const compose = parse(fs.readFileSync(path.join(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const appServices = Object.entries(compose.services).filter(
  ([, s]) => s.build !== undefined || s.image?.startsWith('imarapay:'),
);

/** The secrets production refuses to run without; compose must demand each from the operator. */
const PRODUCTION_SECRETS = [
  'PUBLIC_BASE_URL',
  'DARAJA_CALLBACK_TOKEN',
  'API_KEY_PEPPER',
  'WEBHOOK_SECRET_KEY',
  'DARAJA_CONSUMER_KEY',
  'DARAJA_CONSUMER_SECRET',
  'DARAJA_PASSKEY',
];

/** Compose's `${NAME:?message}` / `${NAME:-default}` interpolation, with `given` as the operator's environment. */
const interpolate = (value: string, given: Record<string, string>) =>
  value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (given[name] !== undefined) return given[name];
    if (kind === '-') return rest ?? '';
    throw new Error(`${name} is required: ${rest ?? ''}`);
  });

describe('docker-compose.yml', () => {
  it('When the file is read, then it has the API, worker and migrations as app services', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'worker']);
  });

  it.each(appServices)('When %s starts, then it runs with APP_ENV=production', (_, service) => {
    expect(service.environment?.APP_ENV).toBe('production');
  });

  it.each(appServices)(
    'When %s starts, then every production secret must come from the operator (no default)',
    (_, service) => {
      for (const key of PRODUCTION_SECRETS)
        expect([key, String(service.environment?.[key])]).toEqual([
          key,
          expect.stringMatching(new RegExp(`^\\$\\{${key}:\\?`)),
        ]);
    },
  );

  it.each(appServices)(
    'When %s gets the operator secrets, then its environment passes the production configuration rules',
    (_, service) => {
      const operator = {
        POSTGRES_PASSWORD: 'a-postgres-password',
        PUBLIC_BASE_URL: 'https://pay.example.com',
        DARAJA_CALLBACK_TOKEN: 'a-long-production-callback-token',
        API_KEY_PEPPER: 'a-long-production-api-key-pepper',
        WEBHOOK_SECRET_KEY: 'a-long-production-webhook-secret-key',
        DARAJA_CONSUMER_KEY: 'consumer-key',
        DARAJA_CONSUMER_SECRET: 'consumer-secret',
        DARAJA_SHORTCODE: '4123456',
        DARAJA_PASSKEY: 'a-passkey',
        METRICS_TOKEN: 'a-long-production-metrics-token',
      };
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), operator)]),
      );
      expect(loadConfig(env).APP_ENV).toBe('production');
    },
  );

  it.each(['api', 'worker'])(
    'When %s starts, then its metrics listen on the internal network behind a required token',
    (name) => {
      const service = compose.services[name] as ComposeService & { expose?: string[]; ports?: string[] };
      expect(service.environment).toMatchObject({
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: 9464,
        METRICS_TOKEN: expect.stringMatching(/^\$\{METRICS_TOKEN:\?/),
      });
      expect(service.expose).toEqual(['9464']);
      expect((service.ports ?? []).join(' ')).not.toContain('9464');
    },
  );

  it('When the stack starts, then no service runs the Daraja simulator (local use only: it shows tokens and the passkey)', () => {
    for (const service of Object.values(compose.services))
      expect(service.command?.join(' ') ?? '').not.toMatch(/simulator/);
  });
});
