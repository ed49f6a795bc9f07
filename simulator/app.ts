import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import axios, { type AxiosInstance } from 'axios';
import Koa from 'koa';
import pino, { type Logger } from 'pino';
import { loadConfig } from '../config/config';
import { createControl, controlRouter, type SimulatorControl } from './control';
import { darajaRouter, tokenGuard } from './darajaRoutes';
import { ControlError, createEngine } from './engine';
import { newRequestId } from './ids';
import { createRecordBook } from './mpesaRecords';
import { recordRouter } from './recordRoutes';
import { qrRouter } from './qrRoutes';
import { createReversalBook, type ReversalBook } from './reversals';
import { createScheduler } from './scheduler';
import { SIMULATOR_INITIATOR } from './initiator';
import { createSecurityKeys } from './securityKeys';
import { createTokenStore } from './tokens';

/** The Daraja app the simulator accepts, and the passkey of each Lipa Na M-Pesa Online shortcode. */
export interface SimulatorCredentials {
  consumerKey: string;
  consumerSecret: string;
  /** shortcode → passkey; a push from any other shortcode gets "Merchant does not exist". */
  passkeys: Readonly<Record<string, string>>;
}

export interface SimulatorOptions {
  /** Default: DARAJA_CONSUMER_KEY / _SECRET / _SHORTCODE / _PASSKEY defaults of config/config.ts. */
  credentials?: SimulatorCredentials;
  /** How long the simulated customer takes to answer a prompt. Default 1000 ms. */
  callbackDelayMs?: number;
  /** callback_late (9904): when its success callback is sent, counted from the push. Default 10 000 ms. */
  lateCallbackDelayMs?: number;
  /** push_times_out (9907): how long the processrequest answer is held. Default 30 000 ms (past the 20 s client timeout). */
  pushHangMs?: number;
  /** query_pending_then_success (9905): how many queries say "being processed" first. Default 3. */
  queryPendingCount?: number;
  /** spike_arrest_then_accepted (9906): how many attempts per amount and phone get 500.003.02. Default 2. */
  spikeArrestRejections?: number;
  /** expires_in of issued tokens. Default 3599. */
  tokenTtlSeconds?: number;
  /** Timeout of one callback POST. Default 5000 ms. */
  callbackTimeoutMs?: number;
  /** The axios instance callbacks are posted with. */
  http?: AxiosInstance;
  logger?: Logger;
  /** The initiator M-Pesa knows for every shortcode (Transaction Status). Default `testapi` / `Safaricom999!*!`. */
  initiator?: { name: string; password: string };
  /** Transaction Status: how long after the acknowledgement its result is POSTed. Default 300 ms. */
  recordResultDelayMs?: number;
  /** Consecutive wrong SecurityCredentials before an initiator is locked (8006). Default 3. */
  credentialLockAfter?: number;
  /** Pull Transactions rows per page. Default 100. */
  pullPageSize?: number;
  /** Reversal: how long after the acknowledgement its result is POSTed. Default 300 ms. */
  reversalResultDelayMs?: number;
  /** Reversal late_result (original amount 9925): when its result is POSTed. Default 30 000 ms. */
  reversalLongDelayMs?: number;
  /** The clock behind ids, TransactionDate and token expiry; timers use real time. */
  now?: () => Date;
}

export interface Simulator {
  app: Koa;
  /** Listens (port 0 = any free port) and resolves with the base URL to give the Daraja client. */
  start(port?: number, host?: string): Promise<{ url: string }>;
  /** Cancels pending answers and callbacks, drops open connections (held pushes too), and closes the server. */
  stop(): Promise<void>;
  control: SimulatorControl;
}

function defaultCredentials(): SimulatorCredentials {
  const config = loadConfig({});
  return {
    consumerKey: config.DARAJA_CONSUMER_KEY,
    consumerSecret: config.DARAJA_CONSUMER_SECRET,
    passkeys: { [config.DARAJA_SHORTCODE]: config.DARAJA_PASSKEY },
  };
}

/** Builds the simulator; nothing listens until start(). */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const credentials = options.credentials ?? defaultCredentials();
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'daraja-simulator' });
  const now = options.now ?? (() => new Date());
  const scheduler = createScheduler(logger);
  const tokens = createTokenStore(options.tokenTtlSeconds ?? 3599, now);
  const engine = createEngine({
    settings: {
      callbackDelayMs: options.callbackDelayMs ?? 1000,
      lateCallbackDelayMs: options.lateCallbackDelayMs ?? 10_000,
      pushHangMs: options.pushHangMs ?? 30_000,
      queryPendingCount: options.queryPendingCount ?? 3,
      spikeArrestRejections: options.spikeArrestRejections ?? 2,
      callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
    },
    scheduler,
    http: options.http ?? axios.create(),
    now,
    logger,
  });
  const keys = createSecurityKeys();
  // Awaited where used; caught here so a failure shows in the log instead of as an unhandled rejection.
  keys.catch((error: unknown) => logger.error({ err: error }, 'security key generation failed'));
  let reversals: ReversalBook | null = null;
  const records = createRecordBook({
    engine,
    scheduler,
    http: options.http ?? axios.create(),
    now,
    logger,
    keys,
    initiator: options.initiator ?? SIMULATOR_INITIATOR,
    settings: {
      resultDelayMs: options.recordResultDelayMs ?? 300,
      callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
      lockAfter: options.credentialLockAfter ?? 3,
      pullPageSize: options.pullPageSize ?? 100,
    },
    reversalAnswer: (request, ids) => reversals?.statusAnswer(request, ids) ?? null,
  });
  reversals = createReversalBook({
    scheduler,
    http: options.http ?? axios.create(),
    now,
    logger,
    keys,
    initiator: options.initiator ?? { name: 'testapi', password: 'Safaricom999!*!' },
    ledger: () => records.ledger(),
    settings: {
      resultDelayMs: options.reversalResultDelayMs ?? 300,
      longDelayMs: options.reversalLongDelayMs ?? 30_000,
      callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
      lockAfter: options.credentialLockAfter ?? 3,
    },
  });
  const control = createControl(engine, tokens, scheduler, records, keys, reversals);

  const app = new Koa();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof ControlError) {
        ctx.status = error.status;
        ctx.body = { error: error.message };
        return;
      }
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // Unreadable JSON and the like, answered the way Daraja answers a bad body.
        ctx.status = 400;
        ctx.body = { requestId: newRequestId(), errorCode: '400.002.02', errorMessage: 'Bad Request - Invalid Body' };
        return;
      }
      logger.error({ err: error, path: ctx.path }, 'simulator request failed');
      ctx.status = 500;
      ctx.body = { requestId: newRequestId(), errorCode: '500.003.1001', errorMessage: 'Internal Server Error' };
    }
  });
  app.use(bodyParser({ enableTypes: ['json'] }));
  const daraja = darajaRouter({ engine, tokens, scheduler, ...credentials });
  const controls = controlRouter(control);
  const recordRoutes = recordRouter(records, reversals, tokenGuard(engine, tokens));
  app.use(daraja.routes()).use(daraja.allowedMethods());
  app.use(recordRoutes.routes()).use(recordRoutes.allowedMethods());
  const qrRoutes = qrRouter(tokenGuard(engine, tokens));
  app.use(qrRoutes.routes()).use(qrRoutes.allowedMethods());
  app.use(controls.routes()).use(controls.allowedMethods());

  let server: Server | null = null;

  return {
    app,
    control,
    async start(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('The simulator is already started');
      const listening = app.listen(port, host);
      server = listening;
      await new Promise<void>((resolve, reject) => {
        listening.once('listening', resolve);
        listening.once('error', reject);
      });
      const address = listening.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      const url = `http://${shownHost}:${address.port}`;
      logger.info({ url }, 'Daraja simulator listening');
      return { url };
    },
    async stop() {
      scheduler.cancelAll();
      const running = server;
      server = null;
      if (!running) return;
      await new Promise<void>((resolve, reject) => {
        running.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets and held (push_times_out) requests would otherwise keep close() waiting.
        running.closeAllConnections();
      });
    },
  };
}
