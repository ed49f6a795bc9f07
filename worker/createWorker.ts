import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import axios from 'axios';
import type { Config } from '../config/config';
import { createActivities } from '../activities';
import { createDarajaClient } from '../daraja/client';
import type { Orm } from '../db/orm';
import { darajaCallbackUrl } from '../config/callbackUrl';
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
export async function createPaymentWorker({ config, orm, connection, logger, workflowBundle, taskQueue }: PaymentWorkerDeps): Promise<Worker> {
  const daraja = createDarajaClient({
    credentials: {
      baseUrl: config.DARAJA_BASE_URL,
      consumerKey: config.DARAJA_CONSUMER_KEY,
      consumerSecret: config.DARAJA_CONSUMER_SECRET,
      shortcode: config.DARAJA_SHORTCODE,
      passkey: config.DARAJA_PASSKEY,
    },
    timeoutMs: config.DARAJA_HTTP_TIMEOUT_MS,
    logger: logger.child({ component: 'daraja' }),
  });
  const activities = createActivities({
    orm,
    darajaFor: () => daraja,
    callbackUrlFor: (transactionId) => darajaCallbackUrl(config, transactionId),
    webhookHttp: axios.create(),
    webhookTimeoutMs: config.WEBHOOK_HTTP_TIMEOUT_MS,
  });
  return Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: taskQueue ?? config.TEMPORAL_TASK_QUEUE,
    activities,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
  });
}
