import type { Logger } from '../config/logger';
import type { RunSql } from '../db/orm';
import { recordApiKeyUse } from '../db/apiKeyReads';

/** Notes that an API key was just used (for the dashboard's "last used"); never fails the request. */
export type RecordApiKeyUse = (apiKeyId: number) => void;

/**
 * Last-used is advisory: this process writes it at most once a minute per key, so the hot
 * endpoints (STK push, status polling) do not pay a database write on every request.
 */
export function apiKeyUseRecorder({ runSql, logger }: { runSql: RunSql; logger: Logger }): RecordApiKeyUse {
  const lastRecorded = new Map<number, number>();
  return (apiKeyId) => {
    const now = Date.now();
    if (now - (lastRecorded.get(apiKeyId) ?? 0) < 60_000) return;
    lastRecorded.set(apiKeyId, now);
    recordApiKeyUse(runSql, apiKeyId).catch((err: unknown) =>
      logger.warn({ err, apiKeyId }, 'could not record API key use'),
    );
  };
}
