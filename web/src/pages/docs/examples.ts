/** The API Documentation's example answers and payloads, in the shapes the API gives (docs/api/*.md). */

export const SUCCESS_RESPONSE = {
  success: true,
  message: 'STK push sent successfully',
  transaction_id: 42,
  checkout_request_id: 'ws_CO_123456789_20240615123456_1_254712345678',
  fee_to_be_charged: 6,
};

export const STATUS_RESPONSE = {
  status: 'completed',
  amount: 500,
  mpesa_receipt: 'RGH8KXXXX',
  result_desc: 'The service request is processed successfully.',
  balance: 94,
  transaction_id: 42,
  checkout_request_id: 'ws_CO_123456789_20240615123456_1_254712345678',
  result_code: '0',
  reversal_status: null,
};

export const CALLBACK_PAYLOAD = {
  Body: {
    stkCallback: {
      MerchantRequestID: '29115-34620561-1',
      CheckoutRequestID: 'ws_CO_123456789',
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      CallbackMetadata: {
        Item: [
          { Name: 'Amount', Value: 500 },
          { Name: 'MpesaReceiptNumber', Value: 'RGH8KXXXX' },
          { Name: 'TransactionDate', Value: 20240615123456 },
          { Name: 'PhoneNumber', Value: 254712345678 },
        ],
      },
    },
  },
  ImaraPay: {
    transaction_id: 42,
    status: 'completed',
    amount: 500,
    fee_charged: 6,
    mpesa_receipt: 'RGH8KXXXX',
    external_reference: 'INV-001',
    link_id: null,
    result_code: '0',
    environment: 'sandbox',
  },
};

export const CHANNEL_OBJECT = {
  id: 1,
  name: 'Paybill 247247',
  account_type: 'paybill',
  account_number: '247247',
  account_reference: '247247',
  bank_name: null,
  is_active: true,
  created_at: '2024-06-15T08:00:00.000Z',
};

export const TRANSACTION_OBJECT = {
  id: 42,
  type: 'payment',
  phone_number: '254712345678',
  amount: 500,
  fee_charged: 6,
  status: 'completed',
  mpesa_receipt: 'RGH8KXXXX',
  external_reference: 'INV-001',
  description: 'Order #1001',
  checkout_request_id: 'ws_CO_...',
  result_code: '0',
  result_desc: 'The service request is processed successfully.',
  account_id: 1,
  account_name: 'Till 3118761',
  channel: 'Till - 3118761',
  link_id: null,
  created_at: '2024-06-15T12:34:56.000Z',
  completed_at: '2024-06-15T12:35:14.000Z',
  reversal_status: null,
};

/** POST /api/transactions/42/reversal: recorded and started (202). */
export const REVERSAL_RESPONSE = {
  created: true,
  reversal: {
    reversal_id: 12,
    transaction_id: 42,
    status: 'requested',
    state: 'accepted',
    amount: 500,
    mpesa_receipt: 'RGH8KXXXX1',
    reversal_receipt: null,
    result_code: null,
    result_desc: null,
    decided_by: null,
    fee_charged: 6,
    fee_refunded: 0,
    fee_rule:
      "ImaraPay's fee for the payment is kept: a reversal returns the customer's money, not the fee, and costs no new fee.",
    requested_by: 'ak_test_3f9c1e2a',
    requested_at: '2024-06-15T13:00:00.000Z',
    completed_at: null,
    workflow_id: 'payment-42-reversal',
  },
};

/** The reversal.succeeded webhook (reversal.failed has status "failed" and M-Pesa's result code). */
export const REVERSAL_WEBHOOK = {
  ImaraPay: {
    event: 'reversal.succeeded',
    transaction_id: 42,
    reversal_id: 12,
    status: 'reversed',
    amount: 500,
    fee_charged: 6,
    fee_refunded: 0,
    mpesa_receipt: 'RGH8KXXXX1',
    reversal_receipt: 'RGJ2LXXXX7',
    result_code: '0',
    result_desc: '0 The service request is processed successfully.',
    decided_by: 'result',
    external_reference: 'INV-001',
    environment: 'sandbox',
    completed_at: '2024-06-15T13:00:02.000Z',
  },
};

export const PAYMENT_LINK_OBJECT = {
  id: 'plink_3kTq8ZrW1mXv0bN5c',
  url: 'https://pay.example.co.ke/pay/8rQ2sVbX0kLmN4pZ7tYc1uWe5aHfJg3D',
  account_id: 1,
  environment: 'sandbox',
  amount_kind: 'fixed',
  amount: 1500,
  min_amount: null,
  max_amount: null,
  description: 'School fees',
  account_reference: 'TERM1',
  single_use: false,
  expires_at: null,
  state: 'active',
  availability: 'open',
  metadata: { class: '4B' },
  totals: { payments: 3, completed: 2, pending: 0, completed_amount: 3000 },
  created_at: '2026-12-08T08:00:00.000Z',
};
