import { buildPullQueryBody, buildPullRegisterBody, buildTransactionStatusBody } from './recordRequests';
import { parsePullQueryAnswer } from './recordResults';
import type { AsyncAccepted, MpesaRecordClient, PullRegistered } from './recordTypes';
import { createDarajaTransport, type DarajaClientOptions } from './transport';
import { DarajaError } from './types';

export type { MpesaRecordClient } from './recordTypes';

const TRANSACTION_STATUS_PATH = '/mpesa/transactionstatus/v1/query';
const PULL_REGISTER_PATH = '/pulltransactions/v1/register';
const PULL_QUERY_PATH = '/pulltransactions/v1/query';

/** Pull Transactions' "success" codes: 1000 on query in Safaricom's samples; 0 is read the same. */
const PULL_OK = new Set(['0', '1000']);

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/**
 * Daraja's Transaction Status and Pull Transactions, with the STK client's token cache, 404.001.03
 * refresh and error classification (`DarajaError` kinds: retryable / terminal; these calls move no
 * money, so a timeout is retryable, never indeterminate). The simulator, the sandbox and production
 * differ only in `options.credentials`.
 *
 * - `transactionStatus`: resolves with Daraja's acknowledgement (ConversationID); the answer comes later
 *   to the ResultURL (or the QueueTimeOutURL). Throws InvalidPushRequestError before sending for a
 *   request Daraja would refuse, DarajaError for a refusal or transport failure.
 * - `registerPull`: registers the shortcode once; "already registered" is success.
 * - `pullTransactions`: one page of credits to the shortcode in [startDate, endDate] (at most the last
 *   48 hours), read strictly (parsePullQueryAnswer); an unreadable answer is a retryable DarajaError.
 */
export function createMpesaRecordClient(options: DarajaClientOptions): MpesaRecordClient {
  const { authorised, toDarajaError, logger, now } = createDarajaTransport(options);

  return {
    async transactionStatus(request): Promise<AsyncAccepted> {
      const body = buildTransactionStatusBody(request);
      let data: unknown;
      try {
        data = await authorised('transaction_status', TRANSACTION_STATUS_PATH, body);
      } catch (error) {
        throw toDarajaError('transaction_status', error);
      }
      const answer = asRecord(data);
      const code = text(answer.ResponseCode).trim();
      const conversationId = text(answer.ConversationID);
      if (code === '0' && conversationId !== '') {
        logger.info({ partyA: body.PartyA, conversationId }, 'Transaction Status accepted');
        return {
          conversationId,
          originatorConversationId: text(answer.OriginatorConversationID),
          responseDescription: text(answer.ResponseDescription),
        };
      }
      throw toDarajaError(
        'transaction_status',
        new DarajaError(
          code === '' ? 'retryable' : 'terminal',
          `Daraja transaction_status refused: ${code || 'no ResponseCode'} ${text(answer.ResponseDescription)}`,
          code || null,
          200,
        ),
      );
    },

    async registerPull(request): Promise<PullRegistered> {
      const body = buildPullRegisterBody(request);
      let data: unknown;
      try {
        data = await authorised('pull_register', PULL_REGISTER_PATH, body);
      } catch (error) {
        throw toDarajaError('pull_register', error);
      }
      const answer = asRecord(data);
      const responseCode = text(answer.ResponseCode ?? answer.ResponseStatus).trim();
      const responseDescription = text(answer.ResponseDescription ?? answer.ResponseMessage);
      if (PULL_OK.has(responseCode) || /already registered/i.test(responseDescription))
        return { responseCode, responseDescription };
      throw toDarajaError(
        'pull_register',
        new DarajaError(
          'terminal',
          `Daraja pull_register refused: ${responseCode} ${responseDescription}`,
          responseCode || null,
          200,
        ),
      );
    },

    async pullTransactions(request) {
      const body = buildPullQueryBody(request, now());
      let data: unknown;
      try {
        data = await authorised('pull_query', PULL_QUERY_PATH, body);
      } catch (error) {
        throw toDarajaError('pull_query', error);
      }
      const parsed = parsePullQueryAnswer(data);
      if (!parsed.ok)
        throw toDarajaError(
          'pull_query',
          new DarajaError('retryable', `Daraja pull_query answer unreadable: ${parsed.reason}`, null, 200),
        );
      if (!PULL_OK.has(parsed.value.responseCode))
        throw toDarajaError(
          'pull_query',
          new DarajaError(
            'terminal',
            `Daraja pull_query refused: ${parsed.value.responseCode} ${parsed.value.responseMessage}`,
            parsed.value.responseCode,
            200,
          ),
        );
      return parsed.value;
    },
  };
}
