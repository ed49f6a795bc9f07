import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from './orm';

/**
 * One EntityManager per HTTP request, so that its identity map never leaks between requests:
 * `run` wraps a request's handling (Koa middleware: `(ctx, next) => run(next)`), and `current`
 * answers that request's EntityManager, or a fresh one outside a request.
 */
export function requestSessions(orm: Orm): {
  run: (next: () => Promise<void>) => Promise<void>;
  current: () => EntityManager;
} {
  return {
    run: (next) => RequestContext.create(orm.em, next),
    current: () => (RequestContext.getEntityManager() as EntityManager | undefined) ?? orm.em.fork(),
  };
}
