import { buildWebhookPayload, nairobiTransactionDate, type WebhookFacts } from '../../domain/webhookPayload';

const facts: WebhookFacts = {
  transactionId: 42,
  status: 'completed',
  amount: 500,
  fee: 6,
  phoneNumber: '254712345678',
  checkoutRequestId: 'ws_CO_123',
  merchantRequestId: '29115-1',
  mpesaReceipt: 'RGH8KXXXX1',
  resultCode: '0',
  resultDesc: 'The service request is processed successfully.',
  externalReference: 'INV-001',
  environment: 'sandbox',
  completedAt: new Date('2024-06-15T09:34:56.000Z'),
  mpesaAmount: null,
  mpesaPhoneNumber: null,
  mpesaTransactionDate: null,
};

describe('buildWebhookPayload', () => {
  it('When a payment completed, then the body is Daraja’s success shape with a numeric ResultCode 0', () => {
    const body = buildWebhookPayload(facts) as any;
    expect(body.Body.stkCallback).toEqual({
      MerchantRequestID: '29115-1',
      CheckoutRequestID: 'ws_CO_123',
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      CallbackMetadata: {
        Item: [
          { Name: 'Amount', Value: 500 },
          { Name: 'MpesaReceiptNumber', Value: 'RGH8KXXXX1' },
          { Name: 'TransactionDate', Value: 20240615123456 },
          { Name: 'PhoneNumber', Value: 254712345678 },
        ],
      },
    });
    expect(body.ImaraPay).toMatchObject({ transaction_id: 42, fee_charged: 6, external_reference: 'INV-001' });
  });

  it('When a payment failed with a code, then ResultCode is that number and no metadata is sent', () => {
    const body = buildWebhookPayload({
      ...facts,
      status: 'failed',
      resultCode: '1032',
      resultDesc: 'Request cancelled by user',
      mpesaReceipt: null,
    }) as any;
    expect(body.Body.stkCallback).toEqual({
      MerchantRequestID: '29115-1',
      CheckoutRequestID: 'ws_CO_123',
      ResultCode: 1032,
      ResultDesc: 'Request cancelled by user',
    });
    expect(body.ImaraPay.fee_charged).toBe(0);
  });

  it('When M-Pesa never answered, then ResultCode is 1037 (no response) so handlers see a failure', () => {
    const body = buildWebhookPayload({
      ...facts,
      status: 'failed',
      resultCode: null,
      resultDesc: 'M-Pesa could not confirm the payment in time.',
    }) as any;
    expect(body.Body.stkCallback.ResultCode).toBe(1037);
  });
});

describe('buildWebhookPayload carries M-Pesa’s own values', () => {
  it('When the result code is text such as SFC_IC0003, then the webhook passes it through as received', () => {
    const body = buildWebhookPayload({
      ...facts,
      status: 'failed',
      resultCode: 'SFC_IC0003',
      resultDesc: 'Operator does not exist',
      mpesaReceipt: null,
    }) as any;
    expect(body.Body.stkCallback.ResultCode).toBe('SFC_IC0003');
    expect(body.ImaraPay.result_code).toBe('SFC_IC0003');
  });

  it('When the callback gave Amount, PhoneNumber and TransactionDate, then the webhook carries those, not ImaraPay’s', () => {
    const body = buildWebhookPayload({
      ...facts,
      mpesaAmount: 500,
      mpesaPhoneNumber: '254708374149',
      mpesaTransactionDate: '20240615120001',
    }) as any;
    expect(body.Body.stkCallback.CallbackMetadata.Item).toEqual([
      { Name: 'Amount', Value: 500 },
      { Name: 'MpesaReceiptNumber', Value: 'RGH8KXXXX1' },
      { Name: 'TransactionDate', Value: 20240615120001 },
      { Name: 'PhoneNumber', Value: 254708374149 },
    ]);
  });

  it('When M-Pesa masked the phone number, then the webhook carries the masked text', () => {
    const body = buildWebhookPayload({ ...facts, mpesaPhoneNumber: '25470****149' }) as any;
    expect(body.Body.stkCallback.CallbackMetadata.Item).toContainEqual({ Name: 'PhoneNumber', Value: '25470****149' });
  });
});

describe('nairobiTransactionDate', () => {
  it('When it is 23:30 UTC, then the Nairobi date is already the next day', () => {
    expect(nairobiTransactionDate(new Date('2024-12-31T23:30:00Z'))).toBe(20250101023000);
  });
});
