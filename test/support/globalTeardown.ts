import fs from 'node:fs';
import { takeIntegrationState } from './integrationState';

/** Jest globalTeardown of the integration project: undoes globalSetup. */
export default async function globalTeardown(): Promise<void> {
  const state = takeIntegrationState();
  if (!state) return;
  fs.rmSync(state.bundleDir, { recursive: true, force: true });
  await state.stopTemporal();
}
