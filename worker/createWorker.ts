import { readFileSync } from 'node:fs';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import axios from 'axios';
import { darajaCredentials, reversalTimings, type Config } from '../config/config';
import { DarajaError, type DarajaClient } from '../daraja/types';
import type { Environment } from '../db/entities';
import { createActivities } from '../activities';
import { createDarajaClient } from '../daraja/client';
import { createMpesaRecordClient, type MpesaRecordClient } from '../daraja/recordClient';
import { securityCredential } from '../daraja/securityCredential';
import { workerDatabase } from '../db/workerDatabase';
import { open } from '../domain/secretBox';
import { closeOrm, createOrm, type Orm } from '../db/orm';
import { darajaCallbackUrl, mpesaResultUrl, reversalResultUrl } from '../config/callbackUrl';
import { createReversalClient, type ReversalClient } from '../daraja/reversal';
import type { Logger } from '../config/logger';

export interface PaymentWorkerDeps {
  config: Config;
  orm: Orm;
  connection: NativeConnection;
  logger: Logger;
  /** A prebuilt workflow bundle (tests, production); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  taskQueue?: string;
}

/** Builds the payment worker: real Daraja client, real database, the payment workflow. */
export async function createPaymentWorker({
  config,
  orm,
  connection,
  logger,
  workflowBundle,
  taskQueue,
}: PaymentWorkerDeps): Promise<Worker> {
  // One client per environment: sandbox payments never reach Safaricom's production, and the reverse.
  const clients = new Map<Environment, DarajaClient>();
  const recordClients = new Map<Environment, MpesaRecordClient>();
  const reversalClients = new Map<Environment, ReversalClient>();
  // M-Pesa's public certificates, read once: a missing file is a configuration error worth failing start for.
  const certificates = new Map<Environment, string>();
  if (config.DARAJA_CERTIFICATE_PATH) certificates.set('sandbox', readFileSync(config.DARAJA_CERTIFICATE_PATH, 'utf8'));
  if (config.DARAJA_PRODUCTION_CERTIFICATE_PATH)
    certificates.set('production', readFileSync(config.DARAJA_PRODUCTION_CERTIFICATE_PATH, 'utf8'));
  for (const environment of ['sandbox', 'production'] as const) {
    const credentials = darajaCredentials(config, environment);
    if (credentials)
      recordClients.set(
        environment,
        createMpesaRecordClient({
          credentials,
          timeoutMs: config.DARAJA_HTTP_TIMEOUT_MS,
          logger: logger.child({ component: 'daraja', environment }),
        }),
      );
    if (credentials)
      reversalClients.set(
        environment,
        createReversalClient({
          credentials,
          timeoutMs: config.DARAJA_HTTP_TIMEOUT_MS,
          logger: logger.child({ component: 'daraja', environment }),
        }),
      );
    if (credentials)
      clients.set(
        environment,
        createDarajaClient({
          credentials,
          timeoutMs: config.DARAJA_HTTP_TIMEOUT_MS,
          logger: logger.child({ component: 'daraja', environment }),
        }),
      );
  }
  const { channelInitiator, ...db } = workerDatabase(orm);
  const activities = createActivities({
    db,
    darajaFor: (environment) => clients.get(environment) ?? liveDisabled,
    callbackUrlFor: (transactionId) => darajaCallbackUrl(config, transactionId),
    webhookHttp: axios.create(),
    webhookTimeoutMs: config.WEBHOOK_HTTP_TIMEOUT_MS,
    webhookStalledWaitMs: config.WEBHOOK_STALLED_ATTEMPT_WAIT_MS,
    webhookSecretKey: config.WEBHOOK_SECRET_KEY,
    webhookPublicUrlsOnly: !config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    webhookHttpsOnly: config.APP_ENV === 'production',
    logger,
    recordClientFor: (environment) => recordClients.get(environment) ?? null,
    initiatorFor: async (environment, channelId) => {
      const certificate = certificates.get(environment);
      const initiator = certificate ? await channelInitiator(channelId) : null;
      if (!certificate || !initiator) return null;
      const password = open(initiator.passwordSealed, config.WEBHOOK_SECRET_KEY);
      return { name: initiator.initiatorName, securityCredential: securityCredential(password, certificate) };
    },
    resultUrls: { result: mpesaResultUrl(config, 'status'), queueTimeOut: mpesaResultUrl(config, 'timeout') },
    reversalClientFor: (environment) => reversalClients.get(environment) ?? null,
    reversalUrl: (reversalId, kind) => reversalResultUrl(config, reversalId, kind),
    reversalTimings: reversalTimings(config),
    pullRegistration: {
      callbackUrl: mpesaResultUrl(config, 'pull'),
      nominatedNumber: config.DARAJA_PULL_NOMINATED_NUMBER,
    },
  });
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    activities,
    // On shutdown, in-flight activities get this long to finish before they are cancelled.
    shutdownGraceTime: config.SHUTDOWN_GRACE_SECONDS * 1000,
    // An activity that ignores its cancellation (a socket that never answers) must not keep the
    // process alive: 10 s after the grace, run() gives up on it and the process exits.
    shutdownForceTime: (config.SHUTDOWN_GRACE_SECONDS + 10) * 1000,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}

/**
 * A worker process's payment worker with its own connections (the Postgres pool every worker
 * process uses, also read by its metrics, and Temporal). `close()` releases them once `worker.run()` has returned.
 */
export async function openPaymentWorker({
  config,
  logger,
  workflowBundle,
}: Pick<PaymentWorkerDeps, 'config' | 'logger' | 'workflowBundle'>): Promise<{
  worker: Worker;
  orm: Orm;
  close(): Promise<void>;
}> {
  const orm = await createOrm({ databaseUrl: config.DATABASE_URL, poolSize: 20 });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createPaymentWorker({ config, orm, connection, logger, workflowBundle });
  return {
    worker,
    orm,
    close: async () => {
      await connection.close();
      await closeOrm(orm);
    },
  };
}

/** Stands in for production Daraja when no live credentials are configured: every call is refused, nothing is sent. */
const liveDisabled: DarajaClient = {
  stkPush: () =>
    Promise.reject(
      new DarajaError('terminal', 'Live payments are not enabled on this ImaraPay deployment', null, null),
    ),
  stkQuery: () =>
    Promise.reject(
      new DarajaError('terminal', 'Live payments are not enabled on this ImaraPay deployment', null, null),
    ),
};
