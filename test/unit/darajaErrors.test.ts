import { AxiosError, AxiosHeaders } from 'axios';
import {
  classifyDarajaError,
  classifyDarajaFailure,
  failureFromError,
  isStillProcessing,
  type DarajaOperation,
} from '../../daraja/errors';
import { DarajaError } from '../../daraja/types';

const body = (errorCode: string, errorMessage: string) => ({ requestId: '16813-1590513-1', errorCode, errorMessage });
const response = (status: number, data: unknown) => ({ type: 'response' as const, status, body: data });
const transport = (code: string | null, message = 'failed') => ({ type: 'transport' as const, code, message });

const axiosError = (code: string, message: string, status?: number, data?: unknown) => {
  const config = { headers: new AxiosHeaders({ Authorization: 'Bearer secret-token' }) };
  const res = status === undefined ? undefined : { status, statusText: '', data, headers: {}, config };
  return new AxiosError(message, code, config, {}, res);
};

describe('classifyDarajaFailure for a push', () => {
  it.each([
    ['a bare 503', response(503, '<html>Service Unavailable</html>')],
    ['a bare 502', response(502, '')],
  ])('When the push fails with %s, then it is indeterminate (a proxy may have forwarded it)', (_label, failure) => {
    expect(classifyDarajaFailure('push', failure).kind).toBe('indeterminate');
  });

  it.each([
    ['spike arrest', response(500, body('500.003.02', 'Error Occurred: Spike Arrest Violation'))],
    ['quota violation', response(500, body('500.003.03', 'Quota Violation'))],
    ['a 503 with a Daraja error body', response(503, body('503.001.01', 'Service Unavailable'))],
    ['a 429', response(429, { fault: { faultstring: 'Rate limit quota violation' } })],
    ['an invalid token', response(404, body('404.001.03', 'Invalid Access Token'))],
    [
      'a busy subscriber',
      response(
        500,
        body(
          '500.001.1001',
          'Unable to lock subscriber, a transaction is already in process for the current subscriber',
        ),
      ),
    ],
    ['connection refused', transport('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:4010')],
    ['a DNS failure', transport('ENOTFOUND', 'getaddrinfo ENOTFOUND sandbox.safaricom.co.ke')],
    ['a DNS timeout', transport('EAI_AGAIN', 'getaddrinfo EAI_AGAIN api.safaricom.co.ke')],
  ])('When the push fails with %s, then it is retryable (nothing reached the customer)', (_label, failure) => {
    const error = classifyDarajaFailure('push', failure);
    expect(error).toBeInstanceOf(DarajaError);
    expect(error.kind).toBe('retryable');
  });

  it.each([
    ['an invalid field', response(400, body('400.002.02', 'Bad Request - Invalid PhoneNumber'))],
    ['an invalid authentication type', response(400, body('400.008.01', 'Invalid Authentication passed'))],
    ['an invalid grant type', response(400, body('400.008.02', 'Invalid grant type passed'))],
    ['an unknown merchant', response(500, body('500.001.1001', 'Merchant does not exist'))],
    ['wrong credentials', response(500, body('500.001.1001', 'Wrong credentials'))],
    ['a 2028 refusal', response(500, body('2028', 'The request is not permitted according to product assignment'))],
    ['an unknown operator', response(500, body('SFC_IC0003', 'Operator does not exist'))],
    ['a 401 with no body', response(401, '')],
  ])('When the push fails with %s, then it is terminal', (_label, failure) => {
    expect(classifyDarajaFailure('push', failure).kind).toBe('terminal');
  });

  it.each([
    ['an axios timeout', transport('ECONNABORTED', 'timeout of 20000ms exceeded')],
    ['a clarified timeout', transport('ETIMEDOUT', 'timeout of 20000ms exceeded')],
    ['a connection reset', transport('ECONNRESET', 'socket hang up')],
    ['a broken pipe', transport('EPIPE', 'write EPIPE')],
    ['an unknown transport failure', transport(null, 'something odd')],
    ['a 500 with an HTML body', response(500, '<html><body>Internal error</body></html>')],
    ['a 500 with an empty body', response(500, '')],
    ['a 504 from the gateway', response(504, 'Gateway Timeout')],
    ['an internal error code', response(500, body('500.003.1001', 'Internal Server Error'))],
  ])('When the push fails with %s, then it is indeterminate (the prompt may be on the phone)', (_label, failure) => {
    expect(classifyDarajaFailure('push', failure).kind).toBe('indeterminate');
  });

  it('When Daraja names the error, then its code, HTTP status and message are kept', () => {
    const error = classifyDarajaFailure('push', response(400, body('400.002.02', 'Bad Request - Invalid Amount')));
    expect(error).toMatchObject({ errorCode: '400.002.02', httpStatus: 400 });
    expect(error.message).toContain('Bad Request - Invalid Amount');
  });

  it('When the error body arrives as unparsed JSON text, then it is still read', () => {
    const error = classifyDarajaFailure(
      'push',
      response(500, JSON.stringify(body('500.003.02', 'Spike Arrest Violation'))),
    );
    expect(error).toMatchObject({ kind: 'retryable', errorCode: '500.003.02' });
  });
});

describe('classifyDarajaFailure for a query and a token request', () => {
  it.each<[DarajaOperation, string, ReturnType<typeof response> | ReturnType<typeof transport>]>([
    ['query', 'a timeout', transport('ECONNABORTED', 'timeout of 20000ms exceeded')],
    ['query', 'a connection reset', transport('ECONNRESET', 'socket hang up')],
    ['query', 'a 500 with no body', response(500, '')],
    ['query', 'spike arrest', response(500, body('500.003.02', 'Spike Arrest Violation'))],
    ['query', 'an internal error', response(500, body('500.003.1001', 'Internal Server Error'))],
    ['oauth', 'a timeout', transport('ECONNABORTED', 'timeout of 20000ms exceeded')],
    ['oauth', 'a 503', response(503, '')],
  ])('When a %s fails with %s, then it is retryable (ask again later)', (operation, _label, failure) => {
    expect(classifyDarajaFailure(operation, failure).kind).toBe('retryable');
  });

  it.each<[DarajaOperation, string, ReturnType<typeof response>]>([
    [
      'query',
      'an unknown CheckoutRequestID',
      response(400, body('400.002.02', 'Bad Request - Invalid CheckoutRequestID')),
    ],
    ['query', 'wrong credentials', response(500, body('500.001.1001', 'Wrong credentials'))],
    ['oauth', 'bad app credentials', response(400, body('400.008.01', 'Invalid Authentication passed'))],
    ['oauth', 'a bad grant type', response(400, body('400.008.02', 'Invalid grant type passed'))],
  ])('When a %s fails with %s, then it is terminal', (operation, _label, failure) => {
    expect(classifyDarajaFailure(operation, failure).kind).toBe('terminal');
  });
});

describe('isStillProcessing', () => {
  it('When the query answers "The transaction is being processed", then it means pending', () => {
    expect(isStillProcessing(body('500.001.1001', 'The transaction is being processed'))).toBe(true);
  });

  it('When the same code says "Wrong credentials", then it is not pending', () => {
    expect(isStillProcessing(body('500.001.1001', 'Wrong credentials'))).toBe(false);
  });

  it('When the body is not a Daraja error, then it is not pending', () => {
    expect(isStillProcessing('<html>busy</html>')).toBe(false);
  });
});

describe('failureFromError and classifyDarajaError with real axios errors', () => {
  it('When axios timed out on a push, then the push is indeterminate with the transport code', () => {
    const error = classifyDarajaError('push', axiosError('ECONNABORTED', 'timeout of 500ms exceeded'));
    expect(error).toMatchObject({ kind: 'indeterminate', errorCode: 'ECONNABORTED', httpStatus: null });
  });

  it('When axios got a Daraja error response, then the failure keeps status and body but no request headers', () => {
    const failure = failureFromError(
      axiosError(
        'ERR_BAD_RESPONSE',
        'Request failed with status code 500',
        500,
        body('500.003.02', 'Spike Arrest Violation'),
      ),
    );
    expect(failure).toEqual({ type: 'response', status: 500, body: body('500.003.02', 'Spike Arrest Violation') });
    expect(JSON.stringify(failure)).not.toContain('secret-token');
  });

  it('When the classified error is built, then its message carries no token', () => {
    const error = classifyDarajaError('push', axiosError('ECONNRESET', 'socket hang up'));
    expect(error.message).not.toContain('secret-token');
    expect(error.kind).toBe('indeterminate');
  });
});
