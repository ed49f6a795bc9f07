import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths';
import type { ChildSpec } from '../supervisor';
import type { TemporalServerTools } from './serverInstall';

/**
 * History shards of the local production-shaped cluster. Fixed when the cluster's database is
 * created: changing it later needs a new `temporal` database. docker-compose.yml sets the same.
 */
export const HISTORY_SHARDS = 4;

/** The dynamic config the compose file mounts too: one file for both shapes. */
export const DYNAMIC_CONFIG_FILE = path.join(REPO_ROOT, 'deploy', 'temporal', 'dynamicconfig', 'development.yaml');

/** The Postgres that holds Temporal's `temporal` and `temporal_visibility` databases. */
export interface TemporalPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Ports of the four services in one process: each has a gRPC and a membership port. */
export interface TemporalServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/**
 * The nine ports from a base (base = the frontend's gRPC port), laid out as Temporal's own configs
 * do. The server stores membership ports in a smallint column, so base + 106 must stay ≤ 32767.
 */
export function portsFrom(base: number): TemporalServerPorts {
  return {
    frontend: base,
    history: base + 1,
    matching: base + 2,
    worker: base + 6,
    frontendHttp: base + 10,
    frontendMembership: base + 100,
    historyMembership: base + 101,
    matchingMembership: base + 102,
    workerMembership: base + 106,
  };
}

export interface ServerConfigInput {
  postgres: TemporalPostgres;
  ports: TemporalServerPorts;
  shards?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * The server's static config (the shape of the module's config/development-postgres12.yaml):
 * Postgres persistence and visibility, every service on loopback. Returned as an object and written
 * as JSON, which the server's YAML loader reads as it is.
 */
export function serverConfig({
  postgres,
  ports,
  shards = HISTORY_SHARDS,
  logLevel = 'warn',
}: ServerConfigInput): Record<string, unknown> {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, extra: Record<string, unknown> = {}) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra },
  });
  return {
    log: { stdout: true, level: logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: shards,
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 4) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  };
}

/** Writes `<configDir>/production-local.yaml` for `server --config <configDir> --env production-local`. */
export function writeServerConfig(configDir: string, input: ServerConfigInput): void {
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(path.join(configDir, 'production-local.yaml'), `${JSON.stringify(serverConfig(input), null, 2)}\n`);
}

/** The server process as a supervisor child: all four services in one process. */
export function temporalServerChild(
  tools: TemporalServerTools,
  configDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ChildSpec {
  return {
    name: 'temporal',
    command: tools.server,
    // The server joins --root and --config, so an absolute folder goes in --root.
    args: ['--root', configDir, '--config', '.', '--env', 'production-local', '--allow-no-auth', 'start'],
    cwd: configDir,
    env,
  };
}

/** Environment for deploy/temporal/setup-schema.sh, run with the locally built schema tool. */
export function schemaSetupEnv(
  tools: TemporalServerTools,
  postgres: TemporalPostgres,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    ...env,
    PATH: `${path.dirname(tools.sqlTool)}${path.delimiter}${env.PATH ?? ''}`,
    SQL_PLUGIN: 'postgres12',
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
    TEMPORAL_SCHEMA_ROOT: tools.schemaRoot,
  };
}

/** Environment for deploy/temporal/setup-namespace.sh, run with the Temporal CLI at `cliPath`. */
export function namespaceSetupEnv(
  cliPath: string,
  address: string,
  namespace: string,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    ...env,
    PATH: `${path.dirname(cliPath)}${path.delimiter}${env.PATH ?? ''}`,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
  };
}
