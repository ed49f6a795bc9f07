import type { Config } from '../config/config';

/** The simulator was asked to run in a production deployment. */
export class SimulatorInProductionError extends Error {
  override readonly name = 'SimulatorInProductionError';
}

/**
 * Refuses to run the simulator when APP_ENV=production: its control API (`/__control/*`) answers
 * anyone with every push it received, callback URLs (which carry the callback path token) included,
 * and it holds the Daraja passkey. It is a local tool; production talks to Safaricom.
 * Throws SimulatorInProductionError; returns nothing otherwise.
 */
export function assertLocalUse(config: Pick<Config, 'APP_ENV'>): void {
  if (config.APP_ENV === 'production') {
    throw new SimulatorInProductionError(
      'The Daraja simulator is for local use only and does not run with APP_ENV=production: its control API shows callback tokens and the Daraja passkey to anyone. Point DARAJA_BASE_URL at Safaricom instead.',
    );
  }
}
