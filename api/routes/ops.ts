import { probe, readinessAnswer } from '../../observability/readiness';
import type { RouteModule } from './module';
import { z } from 'zod';

/**
 * GET /api/ready: whether this API instance should get traffic. Postgres answers `select 1` and
 * Temporal answers GetSystemInfo, each within READINESS_TIMEOUT_MS, and the process is not
 * shutting down. Liveness (is the process up at all) stays GET /api/health.
 */
export const opsRoutes: RouteModule = (api, { runSql, temporal, config, lifecycle }) => {
  api.add({
    method: 'get',
    path: '/api/ready',
    access: 'public',
    summary: 'Readiness check',
    description:
      'Answers 200 `{ status: "ready" }` when Postgres and Temporal both answer within a short deadline, ' +
      'otherwise 503 `not_ready` with which check fails (`ok` or `failing` each). A shutting-down instance ' +
      'answers 503 at once. For load balancers and orchestrators; liveness is GET /api/health.',
    tags: ['Platform'],
    responses: [
      {
        status: 200,
        description: 'Ready for traffic',
        schema: z.object({ status: z.literal('ready') }),
        example: { status: 'ready' },
      },
      {
        status: 503,
        description: 'A dependency is failing, or the instance is shutting down',
        example: {
          error: 'Not ready: temporal failing',
          code: 'not_ready',
          checks: { postgres: 'ok', temporal: 'failing' },
        },
      },
    ],
    handler: async (ctx) => {
      const timeoutMs = config.READINESS_TIMEOUT_MS;
      const draining = lifecycle?.draining ?? false;
      const [postgres, temporalState] = draining
        ? []
        : await Promise.all([
            probe(() => runSql('select 1', []), timeoutMs),
            probe(
              () =>
                temporal.connection.withDeadline(Date.now() + timeoutMs, () =>
                  temporal.connection.workflowService.getSystemInfo({}),
                ),
              timeoutMs,
            ),
          ]);
      const answer = readinessAnswer({
        draining,
        checks: postgres && temporalState ? { postgres, temporal: temporalState } : undefined,
      });
      ctx.status = answer.status;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = answer.body;
    },
  });
};
