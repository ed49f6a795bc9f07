import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PullReader } from '../../daraja/pullPages';
import { DarajaError } from '../../daraja/types';
import { PULL_RETENTION_MS } from '../../daraja/recordRequests';
import { findChannel, merchantChannel } from '../../db/channels';
import type { Environment } from '../../db/entities';
import { statementReport, type StatementReportRow } from '../../db/statementReports';
import { AppError } from '../../domain/errors';
import { creditsFromPull, nairobiDay, nairobiDayBounds } from '../../domain/statementMatch';
import type { ApiCaller } from '../auth';
import { reconcileDay } from './statementReconciliation';

/** What a Pull Transactions reconciliation needs: a reader per environment (null where Daraja is not configured). */
export interface StatementPullDeps {
  pullReaderFor: (environment: Environment) => PullReader | null;
  now?: () => Date;
}

/**
 * How far inside M-Pesa's 48 hours a day must start to be pulled whole: the request is built a
 * moment after it is checked, and M-Pesa refuses a StartDate older than 48 hours.
 */
const RETENTION_MARGIN_MS = 5 * 60_000;

const daySchema = z
  .string({ error: 'day must be a date, YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'day must be a date, YYYY-MM-DD')
  .refine((day) => nairobiDay(nairobiDayBounds(day).start) === day, 'day must be a real calendar date')
  .optional()
  .describe("The Nairobi calendar day to reconcile (default: today's); M-Pesa lists only the last 48 hours");

/** The body of POST /api/reconciliation/pulls. */
export const statementPullSchema = z.object({
  channel_id: z
    .number({ error: 'channel_id must be a channel id' })
    .int('channel_id must be a channel id')
    .min(1, 'channel_id must be a channel id')
    .max(2_147_483_647, 'channel_id must be a channel id')
    .describe('Your payment channel (till or paybill) whose M-Pesa credits are pulled'),
  day: daySchema,
});

/** The body of POST /api/admin/reconciliation/pulls: any merchant's channel, in a named environment. */
export const adminStatementPullSchema = statementPullSchema.extend({
  channel_id: statementPullSchema.shape.channel_id.describe("Any merchant's payment channel"),
  environment: z
    .enum(['sandbox', 'production'], { error: 'environment must be sandbox or production' })
    .describe("Whose M-Pesa record and payments: the sandbox's or production's"),
});

/** What a pull produced: the day's report, and how many rows M-Pesa listed. */
export interface StatementPullResult {
  report: StatementReportRow;
  /** Credits M-Pesa listed for the channel's shortcode on the day. */
  credits: number;
  /** Rows M-Pesa listed that could not be read (no time, a fraction of a shilling): counted, never matched. */
  unreadable: number;
}

/**
 * Reconciles one of the caller's channels for one Nairobi day against M-Pesa's own list of its
 * credits (Daraja Pull Transactions: register the shortcode once, then query the day page by page),
 * through the same matcher and report as an uploaded statement (`source: pull_transactions`).
 * Errors: 404 `not_found` for a channel that is not the caller's; 400 `validation_failed` for a day
 * in the future or older than M-Pesa's 48 hours (upload the organisation-portal statement instead);
 * 503 `daraja_unavailable` when Daraja is not configured for the environment, refuses, or cannot be reached.
 */
export async function reconcileMerchantPull(
  em: EntityManager,
  caller: ApiCaller,
  input: z.infer<typeof statementPullSchema>,
  deps: StatementPullDeps,
): Promise<StatementPullResult> {
  const channel = await merchantChannel(em, caller.merchant.id, input.channel_id);
  if (!channel) throw new AppError('not_found', `Channel ${input.channel_id} was not found`, { field: 'channel_id' });
  return pullDay(em, deps, {
    merchantId: caller.merchant.id,
    channelId: channel.id,
    shortcode: channel.partyB,
    environment: caller.environment,
    day: input.day,
    requestedBy: caller.user?.id ?? null,
  });
}

/** The same for ImaraPay's operators: any merchant's channel, in the environment named. */
export async function reconcileAnyPull(
  em: EntityManager,
  input: z.infer<typeof adminStatementPullSchema>,
  deps: StatementPullDeps,
): Promise<StatementPullResult> {
  const channel = await findChannel(em, input.channel_id);
  if (!channel) throw new AppError('not_found', `Channel ${input.channel_id} was not found`, { field: 'channel_id' });
  return pullDay(em, deps, {
    merchantId: channel.merchant,
    channelId: channel.id,
    shortcode: channel.partyB,
    environment: input.environment,
    day: input.day,
    requestedBy: null,
  });
}

async function pullDay(
  em: EntityManager,
  deps: StatementPullDeps,
  input: {
    merchantId: number;
    channelId: number;
    shortcode: string;
    environment: Environment;
    day: string | undefined;
    requestedBy: number | null;
  },
): Promise<StatementPullResult> {
  const now = deps.now?.() ?? new Date();
  const day = input.day ?? nairobiDay(now);
  const { start, end } = nairobiDayBounds(day);
  if (start.getTime() > now.getTime())
    throw new AppError('validation_failed', `${day} has not begun in Nairobi yet`, { field: 'day' });
  if (now.getTime() - start.getTime() > PULL_RETENTION_MS - RETENTION_MARGIN_MS)
    throw new AppError(
      'validation_failed',
      `M-Pesa's Pull Transactions lists only the last 48 hours, which do not hold all of ${day}; upload its statement instead`,
      { field: 'day' },
    );
  const reader = deps.pullReaderFor(input.environment);
  if (!reader)
    throw new AppError('daraja_unavailable', `Daraja is not configured for ${input.environment} on this deployment`);
  let pulled;
  try {
    // Daraja's EndDate has whole seconds: a minute past now keeps today's latest credits in.
    pulled = await reader.pull(
      input.shortcode,
      start,
      new Date(Math.min(end.getTime() - 1000, now.getTime() + 60_000)),
    );
  } catch (error) {
    if (error instanceof DarajaError)
      throw new AppError('daraja_unavailable', `M-Pesa's Pull Transactions did not answer: ${error.message}`);
    throw error;
  }
  const { credits, unreadable } = creditsFromPull(pulled.transactions);
  const id = await reconcileDay(em, {
    merchantId: input.merchantId,
    channelId: input.channelId,
    environment: input.environment,
    day,
    credits,
    source: 'pull_transactions',
    uploadedBy: input.requestedBy,
    fileSha256: null,
  });
  const report = await statementReport(em, id, {});
  return {
    report: report!,
    credits: credits.filter((c) => nairobiDay(c.completedAt) === day).length,
    unreadable: unreadable + pulled.unreadable,
  };
}
