import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createSimulator } from './app';
import { assertLocalUse } from './localOnly';

/** Runs the Daraja simulator with the configured app credentials on SIMULATOR_PORT; never in production. */
async function main(): Promise<void> {
  const config = loadConfig();
  assertLocalUse(config);
  const logger = createLogger(config.LOG_LEVEL);
  const simulator = createSimulator({
    credentials: {
      consumerKey: config.DARAJA_CONSUMER_KEY,
      consumerSecret: config.DARAJA_CONSUMER_SECRET,
      passkeys: { [config.DARAJA_SHORTCODE]: config.DARAJA_PASSKEY },
    },
    logger,
  });
  const { url } = await simulator.start(config.SIMULATOR_PORT, config.SIMULATOR_HOST);
  logger.info(
    { url, shortcode: config.DARAJA_SHORTCODE },
    'Point DARAJA_BASE_URL here; magic amounts are listed in simulator/README.md',
  );

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping the Daraja simulator');
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'the Daraja simulator did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  // pino may not exist yet (bad config), so the failure goes to stderr directly.
  console.error(error);
  process.exit(1);
});
