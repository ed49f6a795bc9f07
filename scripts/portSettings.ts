import { dialHost } from './net';

/** Where `npm start`'s parts listen, as its port settings (or their defaults) place them. */
export interface StartPorts {
  /** API_HOST of the Payments API (a wildcard bind is dialled on loopback). */
  apiHost: string;
  /** API_PORT: the dashboard and the Payments API. */
  api: number;
  /** SIMULATOR_HOST of the Daraja simulator. */
  simulatorHost: string;
  /** SIMULATOR_PORT: the Daraja simulator. */
  simulator: number;
  /** The Temporal Web UI's URL, or null when Temporal is an external server (TEMPORAL_ADDRESS). */
  temporalUiUrl: string | null;
}

/**
 * The settings that name another part's port, derived from where that part really listens, so
 * that moving a port (`SIMULATOR_PORT=4410 npm start`) moves every URL that points at it:
 *
 *   PUBLIC_BASE_URL   API_PORT          Daraja's CallBackURL, the banner, .data/demo-merchant.json
 *   DARAJA_BASE_URL   SIMULATOR_PORT    where the worker and the API send pushes and STK queries
 *   TEMPORAL_UI_URL   TEMPORAL_UI_PORT  the admin pages' links to a payment's workflow
 *
 * A setting given in `env` wins (a tunnel's HTTPS URL, Safaricom's sandbox): it is not derived then.
 * (DATABASE_URL and TEMPORAL_ADDRESS come from the parts `npm start` starts, or from `env`.)
 */
export function portFollowers(env: NodeJS.ProcessEnv, ports: StartPorts): Record<string, string> {
  const followers: Record<string, string> = {
    PUBLIC_BASE_URL: env.PUBLIC_BASE_URL || `http://${dialHost(ports.apiHost)}:${ports.api}`,
    DARAJA_BASE_URL: env.DARAJA_BASE_URL || `http://${dialHost(ports.simulatorHost)}:${ports.simulator}`,
  };
  const temporalUiUrl = env.TEMPORAL_UI_URL || ports.temporalUiUrl;
  if (temporalUiUrl) followers.TEMPORAL_UI_URL = temporalUiUrl;
  return followers;
}

/** A port setting that is not an integer in 1-65535. */
export class PortSettingError extends Error {
  readonly code = 'bad_port_setting';
  constructor(
    readonly setting: string,
    readonly value: string,
  ) {
    super(`${setting}=${value} is not a port (1-65535)`);
    this.name = 'PortSettingError';
  }
}

/** The port in environment variable `name`, or `fallback` when unset or empty; throws PortSettingError otherwise. */
export function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PortSettingError(name, raw);
  return port;
}
