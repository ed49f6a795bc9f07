import type { Routers } from '../routes/module';
import { stkPushRequestSchema } from '../useCases/startStkPush';
import { describeEndpoint, errorResponse, type ResolvedEndpoint } from './registry';

/**
 * Descriptions of the payment core's endpoints (routes/payments.ts, routes/pricing.ts, app.ts's
 * health check), kept here so that those modules stay as they are.
 */
export function describeCoreEndpoints({ publicApi, merchantApi }: Routers): void {
  describeEndpoint(publicApi, {
    method: 'get',
    path: '/health',
    summary: 'Health check',
    tags: ['Platform'],
    responses: [{ status: 200, description: 'The API is up', example: { status: 'ok' } }],
  });

  describeEndpoint(merchantApi, {
    method: 'post',
    path: '/stk-push',
    summary: 'Initiate an STK Push',
    description:
      'Sends an M-Pesa payment prompt to the customer\'s phone; the money goes to the payment channel `account_id`. The fee is reserved from your service wallet now and refunded if the payment fails.\n\n' +
      'Answers once M-Pesa has accepted the push. Poll GET /api/transaction/status/{checkout_request_id} or wait for your webhook.',
    tags: ['Payments'],
    body: stkPushRequestSchema,
    headers: [{ name: 'Idempotency-Key', description: 'Your key for this payment (at most 255 characters): a retry with the same key and body returns the same payment instead of prompting again.' }],
    responses: [
      {
        status: 200,
        description: 'M-Pesa accepted the push; the customer has a prompt',
        example: { success: true, message: 'STK push sent successfully', transaction_id: 42, checkout_request_id: 'ws_CO_123456789_20240615123456_1_254712345678', fee_to_be_charged: 6 },
      },
      {
        status: 202,
        description: 'M-Pesa did not confirm the push in time; the prompt may still reach the phone. Do not push again: poll with transaction_id',
        example: { success: true, message: 'M-Pesa has not confirmed the push yet; …', transaction_id: 43, checkout_request_id: '43', fee_to_be_charged: 6 },
      },
      errorResponse(400, 'validation_failed', 'amount must be at most KES 250,000 (M-Pesa\'s per-transaction limit)', { field: 'amount' }),
      errorResponse(400, 'daraja_rejected', 'M-Pesa refused the request: Invalid PhoneNumber', { transaction_id: 44 }),
      errorResponse(402, 'insufficient_balance', 'Insufficient service balance: the fee is KES 6 and your service wallet holds KES 2. Top up your wallet and try again.', { fee: 6, balance: 2, transaction_id: 45 }),
      errorResponse(403, 'kyc_required', 'Identity verification (KYC) is required before you can send STK pushes'),
      errorResponse(404, 'not_found', 'Payment channel 7 does not exist', { field: 'account_id' }),
      errorResponse(409, 'conflict', 'This Idempotency-Key was already used with a different request body. Use a new key for a new payment.'),
      errorResponse(503, 'daraja_unavailable', 'M-Pesa stayed busy; no prompt was sent. Safe to retry.', { transaction_id: 46 }),
    ],
  });

  describeEndpoint(merchantApi, {
    method: 'get',
    path: '/transaction/status/:reference',
    summary: 'Check a transaction\'s status',
    description: 'Poll every 3–5 seconds until `status` is completed or failed. `balance` is your service wallet.',
    tags: ['Payments'],
    params: { reference: 'The checkout_request_id (ws_CO_…) from the STK push, or its transaction_id' },
    responses: [
      {
        status: 200,
        description: 'The payment as it stands',
        example: {
          status: 'completed',
          amount: 500,
          mpesa_receipt: 'RGH8KXXXX',
          result_desc: 'The service request is processed successfully.',
          balance: 94,
          transaction_id: 42,
          checkout_request_id: 'ws_CO_123456789',
          result_code: '0',
        },
      },
      errorResponse(404, 'not_found', 'No transaction found for ws_CO_123'),
    ],
  });

  describeEndpoint(publicApi, {
    method: 'get',
    path: '/pricing',
    summary: 'The fee schedule',
    description: 'Each tier charges a flat fee for amounts from `min` to `max` KES inclusive.',
    tags: ['Pricing'],
    responses: [{ status: 200, description: 'Fee tiers', example: [{ min: 1, max: 500, fee: 6 }, { min: 501, max: 1000, fee: 15 }] }],
  });
}

/** Endpoints that live outside the API's routers. */
export const STANDALONE_ENDPOINTS: ResolvedEndpoint[] = [
  {
    method: 'post',
    path: '/hooks/daraja/:token/:transactionId',
    fullPath: '/hooks/daraja/:token/:transactionId',
    auth: 'public',
    summary: 'Daraja STK callback (for Safaricom, not for merchants)',
    description:
      'Where M-Pesa posts the result of each STK push. Daraja does not sign callbacks, so the URL carries a secret per-payment token (shown here as {token}; never published). ' +
      'Every body is stored raw and answered at once; a wrong token answers 404 and is not stored.',
    tags: ['Platform'],
    params: { token: 'Secret per-payment token (redacted)', transactionId: 'The payment the callback is for' },
    responses: [
      { status: 200, description: 'Stored and accepted (also for malformed, duplicate and late callbacks)', example: { ResultCode: 0, ResultDesc: 'Accept' } },
      { status: 404, description: 'Wrong token: not stored', example: { error: 'Not found' } },
    ],
  },
  {
    method: 'get',
    path: '/docs',
    fullPath: '/docs',
    auth: 'public',
    summary: 'This documentation, as a web page',
    description: 'A page rendered from the same OpenAPI document as GET /api/openapi.json.',
    tags: ['Platform'],
    responses: [{ status: 200, description: 'HTML' }],
  },
];
