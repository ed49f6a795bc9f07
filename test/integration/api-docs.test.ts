import { z } from 'zod';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { toJsonSchema } from '../../api/openapi/document';
import { transactionSchema } from '../../api/openapi/responses';
import { RESPONSE_CONTRACT_BROKEN } from '../../api/responseCheck';
import { stkPushRequestSchema } from '../../api/useCases/startStkPush';
import { settingsRequestSchema } from '../../api/routes/settings';

quietTemporalRuntime();

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
});
afterAll(async () => {
  await stack?.stop();
});

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const siteUrl = () => stack.apiUrl.replace(/\/api$/, '');

describe('API documentation', () => {
  it('When the OpenAPI document is fetched without credentials, then it is OpenAPI 3.1 with the request validators as schemas', async () => {
    const res = await stack.http.get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.data;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/stk-push'].post.requestBody.content['application/json'].schema).toEqual(
      toJsonSchema(stkPushRequestSchema),
    );
    expect(doc.paths['/api/settings'].put.requestBody.content['application/json'].schema).toEqual(
      toJsonSchema(settingsRequestSchema),
    );
    expect(doc.paths['/api/stk-push'].post.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    );
    expect(doc.paths['/api/transaction/status/{reference}'].get.parameters[0]).toMatchObject({
      name: 'reference',
      in: 'path',
      required: true,
    });
    expect(doc.paths['/api/transactions'].get.responses['200'].content['application/json'].schema).toEqual(
      toJsonSchema(z.array(transactionSchema), 'output'),
    );
    expect(doc.paths['/api/transactions.csv'].get.responses['200'].content).toHaveProperty('text/csv');
    expect(doc.paths['/api/pricing'].get.security).toEqual([]);
    expect(doc.paths['/api/webhooks/deliveries'].get.parameters.map((p: any) => p.name)).toEqual(['status', 'limit']);
    expect(
      doc.paths['/api/webhooks/deliveries/{id}/redeliver'].post.responses['202'].content['application/json'].example,
    ).toMatchObject({ workflow_id: expect.any(String) });
    expect(doc.paths['/api/settings/webhook-secret/rotate'].post['x-imarapay-auth']).toBe('dashboard');
    expect(doc.paths['/api/admin/overview'].get.security).toEqual([{ adminSession: [] }]);
    // The Daraja callback is described without its secret token.
    expect(Object.keys(doc.paths)).toContain('/hooks/daraja/{token}/{transactionId}');
    expect(JSON.stringify(doc)).not.toContain(stack.config.DARAJA_CALLBACK_TOKEN);
  });

  it('When /docs is opened, then one self-contained HTML page shows every endpoint of the document with its auth, fields and examples', async () => {
    const [page, doc] = await Promise.all([stack.http.get(`${siteUrl()}/docs`), stack.http.get('/openapi.json')]);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = page.data as string;
    for (const [path, methods] of Object.entries<Record<string, { summary: string }>>(doc.data.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(html).toContain(
          `<span class="method ${method}">${method.toUpperCase()}</span> <code class="path">${path}</code>`,
        );
        expect(html).toContain(escapeHtml(op.summary));
      }
    }
    expect(html).toContain('<code>phone_number</code>');
    expect(html).toContain('Merchant dashboard session only');
    expect(html).toContain('ImaraPay admin session');
    expect(html).toContain(
      '&quot;checkout_request_id&quot;: &quot;ws_CO_123456789_20240615123456_1_254712345678&quot;',
    );
    // Nothing is loaded from elsewhere: the machines it is read on may have no internet.
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!shop\.example\.com)[^"'\s<]*\.(css|js)/i);
    expect(html).not.toContain(stack.config.DARAJA_CALLBACK_TOKEN);
  });
});

describe('Response contract', () => {
  it('When an answer drifts from its declared schema (a payment in a status the contract does not name), then the API answers 500 response_contract_broken naming the field, not the drifted body', async () => {
    const m = await createMerchantFixture(stack);
    await stack.orm.em.getConnection().execute(
      `insert into transactions (public_id, merchant_id, channel_id, environment, phone_number, amount, fee, status, description, account_reference, workflow_id)
       values ('trxn_drifted0000000001', ?, ?, 'sandbox', '254712345678', 100, 1, 'reversed', 'Drift', 'REF', 'drift-' || ?)`,
      [m.merchantId, m.channelId, m.merchantId],
    );
    const res = await stack.http.get('/transactions', { headers: { Authorization: m.authorization } });
    expect(res.status).toBe(500);
    expect(res.data.code).toBe(RESPONSE_CONTRACT_BROKEN);
    expect(res.data.error).toMatch(/^The answer of GET \/api\/transactions broke its declared schema: 0\.status: /);
    expect(JSON.stringify(res.data)).not.toContain('trxn_drifted');

    // The same request of a merchant whose payments keep the contract is answered as usual.
    const other = await createMerchantFixture(stack);
    const fine = await stack.http.get('/transactions', { headers: { Authorization: other.authorization } });
    expect(fine.status).toBe(200);
  });
});
