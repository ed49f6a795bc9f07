/**
 * What globalSetup hands to globalTeardown. Jest runs both in its parent process but may load them
 * as separate module instances, so the state lives on globalThis rather than in a module variable.
 */
export interface IntegrationState {
  /** Stops the dev server started by globalSetup (a no-op for TEMPORAL_ADDRESS). */
  stopTemporal: () => Promise<void>;
  /** Temporary folder holding the workflow bundle. */
  bundleDir: string;
}

const KEY = Symbol.for('imarapay.integrationState');
type WithState = typeof globalThis & { [KEY]?: IntegrationState };

export function setIntegrationState(state: IntegrationState): void {
  (globalThis as WithState)[KEY] = state;
}

/** Whether a globalSetup of this jest run (another project's) has already started what the tests share. */
export function hasIntegrationState(): boolean {
  return (globalThis as WithState)[KEY] !== undefined;
}

/** Returns the state once and forgets it, so a second teardown does nothing. */
export function takeIntegrationState(): IntegrationState | undefined {
  const state = (globalThis as WithState)[KEY];
  delete (globalThis as WithState)[KEY];
  return state;
}
