import { z } from 'zod';
import { isLoopbackHost } from './loopback';

/**
 * Every setting ImaraPay reads from the environment, validated once at start-up.
 * Each key has a default that works on a developer machine; production overrides
 * the secrets and URLs. Durations are in milliseconds.
 */
const seconds = (n: number) => n * 1000;

const DEV_CALLBACK_TOKEN = 'dev-callback-token-change-me';
const DEV_API_KEY_PEPPER = 'dev-api-key-pepper-change-me';
const DEV_WEBHOOK_SECRET_KEY = 'dev-webhook-secret-key-change-me';

/** `<requests>/<window>`, e.g. `10/15m`: at most that many requests per window (s, m or h). */
export const RATE_LIMIT_SETTING = /^([1-9]\d{0,5})\/([1-9]\d{0,4})(s|m|h)$/;
const rateLimitSetting = z
  .string()
  .regex(RATE_LIMIT_SETTING, 'must be <requests>/<window> such as 10/15m (window in s, m or h)');

const schema = z
  .object({
    /** development or production; production refuses the development secrets, plain-HTTP callback URLs and private webhook targets. */
    APP_ENV: z.enum(['development', 'production']).default('development'),
    /** Postgres connection string. */
    DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/imarapay'),
    /** Temporal frontend address (host:port). */
    TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
    /** Temporal namespace for payment workflows. */
    TEMPORAL_NAMESPACE: z.string().default('default'),
    /** A workflow bundle built ahead of time (npm run build); unset = bundle workflows/ at worker start. */
    TEMPORAL_WORKFLOW_BUNDLE: z.string().optional(),
    /** Temporal Web UI base URL, for admins' links to payment workflows (npm start's dev server UI by default). */
    TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),
    /** Task queue the payment worker polls. */
    TEMPORAL_TASK_QUEUE: z.string().default('imarapay-payments'),
    /**
     * How long a request waits for Temporal to be reachable before it answers 503
     * `temporarily_unavailable` (payment starts) or gives up on a signal or start, in ms.
     */
    TEMPORAL_START_DEADLINE_MS: z.coerce.number().int().positive().default(3000),

    /** Address the Payments API listens on. */
    API_HOST: z.string().default('127.0.0.1'),
    /** Port the Payments API listens on. */
    API_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /**
     * Trust X-Forwarded-For / X-Forwarded-Proto from a reverse proxy in front of the API ("true" only
     * when one is there and it overwrites those headers): client addresses feed rate limits and logs.
     */
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /**
     * Check every API answer against its endpoint's declared response schema, answering 500
     * `response_contract_broken` when one breaks it ("true" or "false"; on unless APP_ENV is production).
     */
    CHECK_RESPONSES: z.enum(['true', 'false']).optional(),
    /** How long a client may take to send a whole request (headers and body) before it is answered 408. */
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(seconds(20)),
    /** Public base URL of the API, used to build the CallBackURL given to Daraja. */
    PUBLIC_BASE_URL: z.string().url().default('http://127.0.0.1:3000'),
    /** Secret path token that protects the Daraja callback endpoint. */
    DARAJA_CALLBACK_TOKEN: z.string().min(16).default(DEV_CALLBACK_TOKEN),
    /** Key of the HMAC that stores API key secrets at rest. */
    API_KEY_PEPPER: z.string().min(16).default(DEV_API_KEY_PEPPER),

    /** Daraja base URL: the simulator locally, https://sandbox.safaricom.co.ke or https://api.safaricom.co.ke. */
    DARAJA_BASE_URL: z.string().url().default('http://127.0.0.1:4010'),
    /** Daraja app consumer key. */
    DARAJA_CONSUMER_KEY: z.string().default('imarapay-dev-key'),
    /** Daraja app consumer secret. */
    DARAJA_CONSUMER_SECRET: z.string().default('imarapay-dev-secret'),
    /** Lipa Na M-Pesa Online shortcode (the store / head-office number for tills). */
    DARAJA_SHORTCODE: z
      .string()
      .regex(/^\d{5,7}$/)
      .default('174379'),
    /** Lipa Na M-Pesa Online passkey for the shortcode. */
    DARAJA_PASSKEY: z.string().default('bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919'),
    /** Production (live) Daraja: base URL. Live payments are enabled only when all DARAJA_PRODUCTION_* credentials are set. */
    DARAJA_PRODUCTION_BASE_URL: z.string().url().default('https://api.safaricom.co.ke'),
    /** Production Daraja app consumer key. */
    DARAJA_PRODUCTION_CONSUMER_KEY: z.string().optional(),
    /** Production Daraja app consumer secret. */
    DARAJA_PRODUCTION_CONSUMER_SECRET: z.string().optional(),
    /** Production Lipa Na M-Pesa Online shortcode. */
    DARAJA_PRODUCTION_SHORTCODE: z
      .string()
      .regex(/^\d{5,7}$/)
      .optional(),
    /** Production Lipa Na M-Pesa Online passkey. */
    DARAJA_PRODUCTION_PASSKEY: z.string().optional(),
    /** How long one Daraja HTTP call may take before its outcome is unknown. */
    DARAJA_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(seconds(20)),
    /**
     * How long a Dynamic QR call (`/mpesa/qrcode/v1/generate`) may take: a merchant waits for it and
     * it moves no money, so it has its own bound rather than the payment calls' one.
     */
    DARAJA_QR_TIMEOUT_MS: z.coerce.number().int().positive().default(seconds(10)),
    /** Pull Transactions registration's NominatedNumber (a Safaricom number of the business, 2547XXXXXXXX). */
    DARAJA_PULL_NOMINATED_NUMBER: z
      .string()
      .regex(/^254[17]\d{8}$/)
      .default('254708374149'),
    /**
     * PEM file of M-Pesa's public certificate that initiator passwords are encrypted to (SecurityCredential):
     * Safaricom's sandbox certificate, or the simulator's (`GET /__control/certificate`). Unset: Transaction
     * Status is not asked in the sandbox environment.
     */
    DARAJA_CERTIFICATE_PATH: z.string().optional(),
    /** The same for production: Safaricom's production certificate. */
    DARAJA_PRODUCTION_CERTIFICATE_PATH: z.string().optional(),

    /** How long a payment waits for Daraja's callback before asking with an STK query. */
    PAYMENT_CALLBACK_TIMEOUT_MS: z.coerce.number().int().positive().default(seconds(90)),
    /** How long a push whose answer was lost waits for its callback (no query is possible): the prompt lives up to ~3 min. */
    PAYMENT_UNCONFIRMED_WAIT_MS: z.coerce.number().int().positive().default(seconds(300)),
    /** How long the STK query fallback keeps asking while Daraja says "being processed". */
    PAYMENT_QUERY_WINDOW_MS: z.coerce.number().int().positive().default(seconds(180)),
    /** First pause between STK queries; doubles up to PAYMENT_QUERY_MAX_INTERVAL_MS. */
    PAYMENT_QUERY_INTERVAL_MS: z.coerce.number().int().positive().default(seconds(5)),
    /** Longest pause between STK queries. */
    PAYMENT_QUERY_MAX_INTERVAL_MS: z.coerce.number().int().positive().default(seconds(30)),
    /** How long a payment keeps listening for a late success callback after it failed. */
    PAYMENT_LATE_CALLBACK_WINDOW_MS: z.coerce.number().int().positive().default(seconds(3600)),
    /** How long a reversal waits for its result before asking M-Pesa's own record (Transaction Status). */
    REVERSAL_RESULT_TIMEOUT_MS: z.coerce.number().int().positive().default(seconds(120)),
    /** Pause between Transaction Status questions about a reversal whose result has not come. */
    REVERSAL_QUERY_INTERVAL_MS: z.coerce.number().int().positive().default(seconds(60)),
    /** How long after its request a reversal without a result or a record is marked `in_doubt` for ops. */
    REVERSAL_DOUBT_AFTER_MS: z.coerce.number().int().positive().default(seconds(1800)),
    /** How long an `in_doubt` reversal keeps listening for a late result before its workflow ends. */
    REVERSAL_LATE_RESULT_WINDOW_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(seconds(7 * 24 * 3600)),
    /** How long Daraja retries (spike arrest, 5xx) may go on before the push is given up. */
    PAYMENT_PUSH_DEADLINE_MS: z.coerce.number().int().positive().default(seconds(60)),
    /** First pause before a merchant webhook is retried; grows exponentially. */
    WEBHOOK_INITIAL_RETRY_MS: z.coerce.number().int().positive().default(seconds(10)),
    /** Longest pause between merchant webhook retries. */
    WEBHOOK_MAX_RETRY_MS: z.coerce.number().int().positive().default(seconds(3600)),
    /** How long a merchant webhook is retried before it is given up. */
    WEBHOOK_RETRY_WINDOW_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(seconds(72 * 3600)),
    /** Development only: let callback URLs point at private and loopback addresses (local receivers); refused in production. */
    WEBHOOK_ALLOW_PRIVATE_TARGETS: z.stringbool().default(false),
    /**
     * Maker-checker: "true" lets an admin approve their own review resolution, so that one person can
     * try the flow on a development stack (npm start sets it). Off unless set; refused in production.
     */
    REVIEW_SELF_APPROVAL: z.stringbool().default(false),
    /** Timeout of one merchant webhook POST. */
    WEBHOOK_HTTP_TIMEOUT_MS: z.coerce.number().int().positive().default(seconds(10)),
    /** How long past its lease a webhook attempt whose worker is still connected (paused mid-call) is waited for before sending again. */
    WEBHOOK_STALLED_ATTEMPT_WAIT_MS: z.coerce.number().int().nonnegative().default(seconds(300)),

    /** Address the Daraja simulator listens on (0.0.0.0 in containers). */
    SIMULATOR_HOST: z.string().default('127.0.0.1'),
    /** Email of the admin account created at start-up when no admin exists (unset: none is created). */
    ADMIN_EMAIL: z.string().email().optional(),
    /** Password of that bootstrap admin (at least 12 characters). */
    ADMIN_PASSWORD: z.string().min(12).optional(),
    /** How long a dashboard session lasts. */
    SESSION_TTL_HOURS: z.coerce.number().int().positive().default(12),
    /** Key (any long string; SHA-256 derives the AES key) that encrypts merchants' webhook signing secrets at rest. */
    WEBHOOK_SECRET_KEY: z.string().min(16).default(DEV_WEBHOOK_SECRET_KEY),
    /** ImaraPay's own paybill that merchants top up their service wallet into. */
    PLATFORM_PAYBILL: z
      .string()
      .regex(/^\d{5,7}$/)
      .default('600900'),
    /** Port the Daraja simulator listens on (npm start). */
    SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    /**
     * The largest amount one admin wallet adjustment may move, either way, in whole KES. Larger
     * corrections are split into several adjustments, each with its reason and its audit event.
     */
    WALLET_ADJUSTMENT_LIMIT_KES: z.coerce.number().int().positive().max(10_000_000).default(100_000),
    /** Failed sign-ins per account (email) per window, from any address, as `<requests>/<window>` with the window in s, m or h (api/rateLimits.ts). */
    RATE_LIMIT_LOGIN_PER_ACCOUNT: rateLimitSetting.default('50/1h'),
    /** Sign-in attempts per account and client IP together per window. */
    RATE_LIMIT_LOGIN_PER_ACCOUNT_AND_IP: rateLimitSetting.default('10/15m'),
    /** Wrong two-step codes per account per window, from any address; past it no code is checked, whatever the password. */
    RATE_LIMIT_LOGIN_CODES_PER_ACCOUNT: rateLimitSetting.default('10/1h'),
    /** Login attempts per client IP per window. */
    RATE_LIMIT_LOGIN_PER_IP: rateLimitSetting.default('30/15m'),
    /** Sign-ups per client IP per window. */
    RATE_LIMIT_SIGN_UP_PER_IP: rateLimitSetting.default('30/15m'),
    /** Requests to the payment endpoints per API key per window. */
    RATE_LIMIT_PAYMENTS_PER_API_KEY: rateLimitSetting.default('60/10s'),
    /** Payment starts per merchant per window, whatever the credential (all keys and dashboard sessions together). */
    RATE_LIMIT_PAYMENTS_PER_MERCHANT: rateLimitSetting.default('120/10s'),
    /** Webhook redelivery requests per merchant per window (each may start a redelivery retried for days). */
    RATE_LIMIT_REDELIVERIES_PER_MERCHANT: rateLimitSetting.default('30/10m'),
    /** Reversal requests per merchant per window (each one that starts moves a customer's money back). */
    RATE_LIMIT_REVERSALS_PER_MERCHANT: rateLimitSetting.default('30/10m'),
    /** Changes of a channel's M-Pesa initiator credentials per merchant per window. */
    RATE_LIMIT_INITIATOR_CHANGES_PER_MERCHANT: rateLimitSetting.default('10/1h'),
    /** KYC submissions (up to 6 MB of documents each) per merchant per window. */
    RATE_LIMIT_KYC_PER_MERCHANT: rateLimitSetting.default('10/1h'),
    /** CSV exports (up to 10,000 rows each) per merchant per window. */
    RATE_LIMIT_EXPORTS_PER_MERCHANT: rateLimitSetting.default('20/10m'),
    /** Statement uploads per merchant per window (each reads up to 5 MB and reconciles up to 31 days). */
    RATE_LIMIT_STATEMENT_UPLOADS_PER_MERCHANT: rateLimitSetting.default('20/10m'),
    /** Payment starts per payment link per window, from anyone (the public checkout page). */
    RATE_LIMIT_CHECKOUT_PER_LINK: rateLimitSetting.default('120/1m'),
    /** Payment starts on payment links per client IP per window. */
    RATE_LIMIT_CHECKOUT_PER_IP: rateLimitSetting.default('30/10m'),
    /** Payment starts on payment links per phone number per window (prompts a phone may receive). */
    RATE_LIMIT_CHECKOUT_PER_PHONE: rateLimitSetting.default('5/10m'),
    /** Reads of the checkout page's public API (GET /api/pay/…) per client IP per window (the page polls every 2 s). */
    RATE_LIMIT_CHECKOUT_READS_PER_IP: rateLimitSetting.default('3000/1m'),
    /** Address of the ops listener that serves GET /metrics (the API's and the worker's own); loopback by default. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Port of the ops listener; 0 = no listener. Each process on one host needs its own. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    /** When set, GET /metrics needs `Authorization: Bearer <token>`; required in production off loopback. */
    METRICS_TOKEN: z
      .string()
      .min(16)
      // A Bearer token is one word: a token with whitespace could never be presented, so no scrape would pass.
      .regex(/^\S+$/, 'must not contain whitespace (a Bearer token is a single word)')
      .optional(),
    /** How long GET /api/ready waits for each of Postgres and Temporal before calling it failing. */
    READINESS_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** How long the hot reads' pools wait to establish a Postgres connection before answering 503, in ms. */
    DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
    /** How long one hot read may run before Postgres cancels it and the API answers 503, in ms. */
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    /** How many hot reads may queue for a connection; beyond that they are answered 503 at once. */
    DB_POOL_MAX_WAITING: z.coerce.number().int().min(0).default(100),
    /** How long the database gauges of GET /metrics are reused before they are read again, in seconds (0: each scrape). */
    METRICS_GAUGE_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(15),
    /** How long one database gauge read may run before Postgres cancels it (the gauge is then empty), in ms. */
    METRICS_GAUGE_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    /**
     * On SIGTERM/SIGINT, how long the API keeps serving while readiness answers 503, so that load
     * balancers stop sending traffic before the listener closes, in seconds (default 5 in production, 0 otherwise).
     */
    SHUTDOWN_DELAY_SECONDS: z.coerce.number().int().min(0).max(600).optional(),
    /** On SIGTERM/SIGINT, how long in-flight requests (API) and activities (worker) may take to finish, in seconds. */
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /** How often the reconciliation schedule runs (seconds). */
    RECONCILIATION_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    /**
     * How old a payment row without a workflow, or a callback still `received`, must be before the
     * reconciliation acts on it (seconds): younger ones may still be in their own request.
     */
    RECONCILIATION_ORPHAN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
    /**
     * A payment row without a workflow younger than this (seconds) is started as if its request had
     * started it; an older one is ended failed without a prompt: a customer is not prompted minutes late.
     */
    RECONCILIATION_ORPHAN_START_WINDOW_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
    /** pino log level. */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.RECONCILIATION_ORPHAN_START_WINDOW_SECONDS < c.RECONCILIATION_ORPHAN_GRACE_SECONDS) {
      problem('RECONCILIATION_ORPHAN_START_WINDOW_SECONDS', 'must be at least RECONCILIATION_ORPHAN_GRACE_SECONDS');
    }
    if (c.APP_ENV !== 'production') return;
    if (c.DARAJA_CALLBACK_TOKEN === DEV_CALLBACK_TOKEN)
      problem('DARAJA_CALLBACK_TOKEN', 'set a secret of your own in production');
    if (c.API_KEY_PEPPER === DEV_API_KEY_PEPPER) problem('API_KEY_PEPPER', 'set a secret of your own in production');
    if (c.WEBHOOK_SECRET_KEY === DEV_WEBHOOK_SECRET_KEY)
      problem('WEBHOOK_SECRET_KEY', 'set a secret of your own in production');
    if (c.WEBHOOK_ALLOW_PRIVATE_TARGETS)
      problem('WEBHOOK_ALLOW_PRIVATE_TARGETS', 'webhooks never go to private or loopback addresses in production');
    if (c.REVIEW_SELF_APPROVAL)
      problem('REVIEW_SELF_APPROVAL', 'a second admin always approves a review resolution in production');
    if (!c.PUBLIC_BASE_URL.startsWith('https://'))
      problem('PUBLIC_BASE_URL', 'Daraja requires an HTTPS callback URL in production');
    if (c.METRICS_PORT !== 0 && !c.METRICS_TOKEN && !isLoopbackHost(c.METRICS_HOST)) {
      problem('METRICS_TOKEN', 'set a metrics token in production when METRICS_HOST is not a loopback address');
    }
  });

export type Config = Readonly<
  Omit<z.infer<typeof schema>, 'SHUTDOWN_DELAY_SECONDS' | 'CHECK_RESPONSES'> & {
    SHUTDOWN_DELAY_SECONDS: number;
    CHECK_RESPONSES: boolean;
  }
>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration; throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const delay = parsed.data.SHUTDOWN_DELAY_SECONDS ?? (parsed.data.APP_ENV === 'production' ? 5 : 0);
  const checkResponses = (parsed.data.CHECK_RESPONSES ?? String(parsed.data.APP_ENV !== 'production')) === 'true';
  return Object.freeze({ ...parsed.data, SHUTDOWN_DELAY_SECONDS: delay, CHECK_RESPONSES: checkResponses });
}

/** Daraja credentials per environment: sandbox keys use DARAJA_* (the simulator by default), live keys DARAJA_PRODUCTION_*. */
export function darajaCredentials(config: Config, environment: 'sandbox' | 'production') {
  if (environment === 'sandbox') {
    return {
      baseUrl: config.DARAJA_BASE_URL,
      consumerKey: config.DARAJA_CONSUMER_KEY,
      consumerSecret: config.DARAJA_CONSUMER_SECRET,
      shortcode: config.DARAJA_SHORTCODE,
      passkey: config.DARAJA_PASSKEY,
    };
  }
  const {
    DARAJA_PRODUCTION_CONSUMER_KEY: consumerKey,
    DARAJA_PRODUCTION_CONSUMER_SECRET: consumerSecret,
    DARAJA_PRODUCTION_SHORTCODE: shortcode,
    DARAJA_PRODUCTION_PASSKEY: passkey,
  } = config;
  if (!consumerKey || !consumerSecret || !shortcode || !passkey) return null;
  return { baseUrl: config.DARAJA_PRODUCTION_BASE_URL, consumerKey, consumerSecret, shortcode, passkey };
}

/** The workflow-facing timings, derived from the config (plain data, safe to pass into workflows). */
export function paymentTimings(config: Config) {
  return {
    callbackTimeoutMs: config.PAYMENT_CALLBACK_TIMEOUT_MS,
    unconfirmedWaitMs: config.PAYMENT_UNCONFIRMED_WAIT_MS,
    queryWindowMs: config.PAYMENT_QUERY_WINDOW_MS,
    queryIntervalMs: config.PAYMENT_QUERY_INTERVAL_MS,
    queryMaxIntervalMs: config.PAYMENT_QUERY_MAX_INTERVAL_MS,
    lateCallbackWindowMs: config.PAYMENT_LATE_CALLBACK_WINDOW_MS,
    pushDeadlineMs: config.PAYMENT_PUSH_DEADLINE_MS,
    webhookInitialRetryMs: config.WEBHOOK_INITIAL_RETRY_MS,
    webhookMaxRetryMs: config.WEBHOOK_MAX_RETRY_MS,
    webhookRetryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
    webhookHttpTimeoutMs: config.WEBHOOK_HTTP_TIMEOUT_MS,
  };
}

/** A reversal workflow's timings, derived from the config (plain data, fixed at start so replays see the same values). */
export function reversalTimings(config: Config) {
  return {
    resultTimeoutMs: config.REVERSAL_RESULT_TIMEOUT_MS,
    queryIntervalMs: config.REVERSAL_QUERY_INTERVAL_MS,
    doubtAfterMs: config.REVERSAL_DOUBT_AFTER_MS,
    lateResultWindowMs: config.REVERSAL_LATE_RESULT_WINDOW_MS,
    webhookInitialRetryMs: config.WEBHOOK_INITIAL_RETRY_MS,
    webhookMaxRetryMs: config.WEBHOOK_MAX_RETRY_MS,
    webhookRetryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
    webhookHttpTimeoutMs: config.WEBHOOK_HTTP_TIMEOUT_MS,
  };
}
