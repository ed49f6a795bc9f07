import { maskMsisdn } from '../domain/phone';
import { failureFromError, isStillProcessing, readErrorBody } from './errors';
import { buildStkPushBody, buildStkQueryBody } from './requestBuilder';
import { nairobiTimestamp } from './timestamp';
import { createDarajaTransport, type DarajaClientOptions } from './transport';
import { DarajaError, type DarajaClient, type StkPushAccepted, type StkQueryResult } from './types';

export type { DarajaClientOptions } from './transport';

const PUSH_PATH = '/mpesa/stkpush/v1/processrequest';
const QUERY_PATH = '/mpesa/stkpushquery/v1/query';

/**
 * Some Daraja deployments answer a query for an unanswered prompt with a normal body and this
 * ResultCode ("The transaction is still under processing") instead of the 500.001.1001 error body.
 * Either way it means pending; reading it as a failure would invite a second charge.
 */
const STILL_PROCESSING_RESULT_CODE = '4999';

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

export function createDarajaClient(options: DarajaClientOptions): DarajaClient {
  const { credentials } = options;
  const { authorised, toDarajaError, logger, now } = createDarajaTransport(options);

  return {
    async stkPush(request) {
      // Validation errors (InvalidPushRequestError, InvalidPhoneNumberError) are thrown before anything is sent.
      const body = buildStkPushBody({ request, credentials, timestamp: nairobiTimestamp(now()) });
      const context = {
        amount: body.Amount,
        phone: maskMsisdn(body.PhoneNumber),
        partyB: body.PartyB,
        type: body.TransactionType,
      };
      let data: unknown;
      try {
        data = await authorised('push', PUSH_PATH, body);
      } catch (error) {
        throw toDarajaError('push', error);
      }
      const answer = asRecord(data);
      const responseCode = text(answer.ResponseCode);
      if (responseCode === '0' && typeof answer.CheckoutRequestID === 'string' && answer.CheckoutRequestID !== '') {
        const accepted: StkPushAccepted = {
          merchantRequestId: text(answer.MerchantRequestID),
          checkoutRequestId: answer.CheckoutRequestID,
          customerMessage: text(answer.CustomerMessage),
        };
        logger.info({ ...context, checkoutRequestId: accepted.checkoutRequestId }, 'STK push accepted');
        return accepted;
      }
      if (responseCode !== '' && responseCode !== '0') {
        throw toDarajaError(
          'push',
          new DarajaError(
            'terminal',
            `Daraja push refused: ${responseCode} ${text(answer.ResponseDescription)}`,
            responseCode,
            200,
          ),
        );
      }
      // A 2xx we cannot read: the push may well be on the phone, but we hold no CheckoutRequestID for it.
      throw toDarajaError(
        'push',
        new DarajaError('indeterminate', 'Daraja push answered 2xx without a CheckoutRequestID', null, 200),
      );
    },

    async stkQuery(checkoutRequestId): Promise<StkQueryResult> {
      const body = buildStkQueryBody({ checkoutRequestId, credentials, timestamp: nairobiTimestamp(now()) });
      let data: unknown;
      try {
        data = await authorised('query', QUERY_PATH, body);
      } catch (error) {
        const failure = failureFromError(error);
        if (failure.type === 'response' && isStillProcessing(failure.body)) {
          // Daraja says "pending" with an error body: the customer has not answered yet. Not a failure.
          return {
            state: 'pending',
            description: readErrorBody(failure.body)?.errorMessage ?? 'The transaction is being processed',
          };
        }
        throw toDarajaError('query', error);
      }
      const answer = asRecord(data);
      const resultCode = text(answer.ResultCode).trim();
      if (resultCode === STILL_PROCESSING_RESULT_CODE) {
        return {
          state: 'pending',
          description: text(answer.ResultDesc) || 'The transaction is still under processing',
        };
      }
      if (resultCode === '') {
        throw toDarajaError(
          'query',
          new DarajaError(
            'retryable',
            'Daraja query answered without a ResultCode; ask again later',
            text(answer.ResponseCode) || null,
            200,
          ),
        );
      }
      logger.debug({ checkoutRequestId, resultCode }, 'STK query answered');
      return { state: 'final', resultCode, resultDesc: text(answer.ResultDesc) };
    },
  };
}
