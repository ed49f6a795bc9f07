import pino from 'pino';
import type { Client } from '@temporalio/client';
import { endpointRegistry } from './app';
import type { EndpointRegistry } from './endpoints';
import { loadConfig, paymentTimings } from '../config/config';
import type { Orm } from '../db/orm';

/**
 * The app's real endpoint registry, built without a database or Temporal (route modules only
 * register endpoints): what the dashboard's API types are generated from and the access-control
 * and OpenAPI tests enumerate.
 */
export function registeredEndpoints(): EndpointRegistry {
  const config = loadConfig({});
  const unused = () => {
    throw new Error('not used while registering');
  };
  return endpointRegistry({
    config,
    orm: {} as Orm,
    em: unused,
    runSql: unused,
    temporal: {} as Client,
    logger: pino({ level: 'silent' }),
    taskQueue: 'unused',
    timings: paymentTimings(config),
    pullReaderFor: unused,
  });
}
