import { randomBytes } from 'node:crypto';
import { ensureAdmin } from '../../db/admins';
import { createMerchantFixture, quietTemporalRuntime, startStack, type Stack } from '../support/harness';
import { kycForm, type KycDocumentPart } from '../support/kycForm';

quietTemporalRuntime();

/** A real 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

let stack: Stack;
let adminToken: string;
beforeAll(async () => {
  stack = await startStack({ withoutWorker: true });
  const admin = {
    ADMIN_EMAIL: `admin-${randomBytes(3).toString('hex')}@imarapay.example`,
    ADMIN_PASSWORD: 'admin password 0123',
  };
  await ensureAdmin(stack.orm.em.fork(), admin);
  adminToken = (await stack.http.post('/auth/login', { email: admin.ADMIN_EMAIL, password: admin.ADMIN_PASSWORD })).data
    .token;
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
const asAdmin = () => bearer(adminToken);

async function signUp(businessName: string) {
  const res = await stack.http.post('/auth/signup', {
    business_name: businessName,
    email: `${randomBytes(4).toString('hex')}@shop.example`,
    password: 'a long enough password',
  });
  expect(res.status).toBe(201);
  return { token: res.data.token as string, merchantId: res.data.merchant.id as number };
}

const kycBody = (overrides: { documents?: KycDocumentPart[]; [field: string]: unknown } = {}) => {
  const {
    documents = [
      { kind: 'id_front', type: 'image/png', content: PNG },
      { kind: 'business_certificate', type: 'application/pdf', content: PDF },
    ],
    ...fields
  } = overrides;
  return kycForm(
    {
      full_name: 'Wanjiku Kamau',
      id_type: 'national_id',
      id_number: '12345678',
      business_name: 'Mama Mboga Ltd',
      kra_pin: 'a012345678z',
      phone_number: '0712345678',
      ...(fields as Record<string, string | undefined>),
    },
    documents,
  );
};

describe('Identity verification (KYC) and API keys', () => {
  it('When a new merchant signs up, then STK pushes and API keys need KYC; once an admin approves it, a key works until it is revoked', async () => {
    const { token, merchantId } = await signUp('Mama Mboga Ltd');

    // Arrange: not verified yet.
    const push = await stack.http.post(
      '/stk-push',
      { account_id: 1, phone_number: '0712345678', amount: 100 },
      bearer(token),
    );
    expect(push.status).toBe(403);
    expect(push.data).toMatchObject({ code: 'kyc_required', error: expect.stringMatching(/KYC\) is required/) });
    const refusedKey = await stack.http.post('/api-keys', { name: 'Shop backend' }, bearer(token));
    expect(refusedKey.status).toBe(403);
    expect(refusedKey.data.error).toMatch(/KYC\) is required before you can create API keys/);
    expect(
      await stack.orm.em.fork().getConnection().execute('select id from api_keys where merchant_id = ?', [merchantId]),
    ).toEqual([]);

    // The merchant submits.
    const submitted = await stack.http.post('/kyc', kycBody(), bearer(token));
    expect(submitted.status).toBe(201);
    expect(submitted.data).toMatchObject({
      kyc_status: 'pending',
      rejection_reason: null,
      submission: {
        status: 'pending',
        full_name: 'Wanjiku Kamau',
        kra_pin: 'A012345678Z',
        phone_number: '254712345678',
        documents: [
          { kind: 'id_front', content_type: 'image/png', size: PNG.length },
          { kind: 'business_certificate' },
        ],
      },
    });
    expect(JSON.stringify(submitted.data)).not.toContain(PNG.toString('base64'));
    const submissionId = submitted.data.submission.id as number;
    expect((await stack.http.get('/kyc', bearer(token))).data).toEqual(submitted.data);
    const again = await stack.http.post('/kyc', kycBody(), bearer(token));
    expect(again.status).toBe(409);

    // The admin reviews: the queue, the details, the file.
    const queue = await stack.http.get('/admin/kyc', { ...asAdmin(), params: { status: 'pending' } });
    expect(queue.status).toBe(200);
    const queued = queue.data.find((s: { id: number }) => s.id === submissionId);
    expect(queued).toMatchObject({
      status: 'pending',
      merchant: { id: merchantId, name: 'Mama Mboga Ltd', kyc_status: 'pending' },
    });
    const details = await stack.http.get(`/admin/kyc/${submissionId}`, asAdmin());
    expect(details.data).toMatchObject({
      id: submissionId,
      id_number: '12345678',
      reviewed_by: null,
      merchant: { id: merchantId },
    });
    const pngDocument = details.data.documents.find((d: { kind: string }) => d.kind === 'id_front');
    const file = await stack.http.get(`/admin/kyc/${submissionId}/documents/${pngDocument.id}`, {
      ...asAdmin(),
      responseType: 'arraybuffer',
    });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(Buffer.from(file.data).equals(PNG)).toBe(true);

    const approved = await stack.http.post(`/admin/kyc/${submissionId}/approve`, {}, asAdmin());
    expect(approved.status).toBe(200);
    expect(approved.data).toMatchObject({
      status: 'approved',
      reviewed_by: { id: expect.any(Number) },
      merchant: { kyc_status: 'verified' },
    });
    expect((await stack.http.post(`/admin/kyc/${submissionId}/approve`, {}, asAdmin())).status).toBe(409);
    expect((await stack.http.post(`/admin/kyc/${submissionId}/reject`, { reason: 'Too late' }, asAdmin())).status).toBe(
      409,
    );
    expect((await stack.http.get('/kyc', bearer(token))).data.kyc_status).toBe('verified');

    // Verified: a key can be created, and it authenticates API calls.
    const created = await stack.http.post('/api-keys', { name: 'Shop backend' }, bearer(token));
    expect(created.status).toBe(201);
    expect(created.data).toEqual({
      id: expect.any(Number),
      name: 'Shop backend',
      api_username: expect.stringMatching(/^ak_test_/),
      api_password: expect.any(String),
      authorization: `Basic ${Buffer.from(`${created.data.api_username}:${created.data.api_password}`).toString('base64')}`,
      environment: 'sandbox',
      account_id: merchantId,
      created_at: expect.any(String),
    });
    const withKey = { headers: { Authorization: created.data.authorization } };
    const status = await stack.http.get('/transaction/status/ws_CO_unknown', withKey);
    expect(status.status).toBe(404);

    const listed = await stack.http.get('/api-keys', bearer(token));
    expect(listed.data).toEqual([
      {
        id: created.data.id,
        name: 'Shop backend',
        api_username: created.data.api_username,
        account_id: merchantId,
        environment: 'sandbox',
        created_at: created.data.created_at,
        last_used_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    expect(JSON.stringify(listed.data)).not.toContain(created.data.api_password);

    const revoked = await stack.http.delete(`/api-keys/${created.data.id}`, bearer(token));
    expect(revoked.status).toBe(200);
    expect(revoked.data.revoked_at).toEqual(expect.any(String));
    const afterRevoke = await stack.http.get('/transaction/status/ws_CO_unknown', withKey);
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.data.code).toBe('unauthorized');
  });

  it('When an admin rejects a submission, then the merchant sees the reason and may submit again', async () => {
    const { token } = await signUp('Duka Moja');
    const first = await stack.http.post(
      '/kyc',
      kycBody({ id_type: 'passport', id_number: 'ak0123456' }),
      bearer(token),
    );
    expect(first.status).toBe(201);

    const noReason = await stack.http.post(`/admin/kyc/${first.data.submission.id}/reject`, {}, asAdmin());
    expect(noReason.status).toBe(400);
    expect(noReason.data.field).toBe('reason');

    const rejected = await stack.http.post(
      `/admin/kyc/${first.data.submission.id}/reject`,
      { reason: 'The ID photo is blurred' },
      asAdmin(),
    );
    expect(rejected.status).toBe(200);
    expect(rejected.data).toMatchObject({
      status: 'rejected',
      rejection_reason: 'The ID photo is blurred',
      merchant: { kyc_status: 'rejected' },
    });

    const seen = await stack.http.get('/kyc', bearer(token));
    expect(seen.data).toMatchObject({
      kyc_status: 'rejected',
      rejection_reason: 'The ID photo is blurred',
      submission: { id: first.data.submission.id, status: 'rejected' },
    });
    expect((await stack.http.post('/api-keys', { name: 'k' }, bearer(token))).status).toBe(403);

    const resubmitted = await stack.http.post('/kyc', kycBody(), bearer(token));
    expect(resubmitted.status).toBe(201);
    expect(resubmitted.data).toMatchObject({
      kyc_status: 'pending',
      rejection_reason: null,
      submission: { status: 'pending' },
    });
    expect(resubmitted.data.submission.id).not.toBe(first.data.submission.id);
  });

  it.each([
    [{ full_name: undefined }, 'full_name', /full_name is required/],
    [{ id_type: 'driving_licence' }, 'id_type', /id_type must be one of/],
    [{ id_number: '12AB5678' }, 'id_number', /digits/],
    [{ kra_pin: '12345' }, 'kra_pin', /KRA PIN/],
    [{ phone_number: '0812345678' }, 'phone_number', /phone number/],
    [{ full_name: 'x'.repeat(1025) }, 'full_name', /longer than 1024 bytes/],
    [{ nickname: 'Mama' }, 'nickname', /not a field of this form/],
    [{ documents: [] }, 'id_front', /front of your ID/],
    [{ documents: [{ kind: 'id_back', type: 'image/png', content: PNG }] }, 'id_front', /front of your ID/],
    [
      {
        documents: ['id_front', 'id_back', 'business_certificate', 'kra_pin_certificate'].map((kind) => ({
          kind,
          type: 'image/png',
          content: PNG,
        })),
      },
      undefined,
      /at most 3 files/,
    ],
    [
      {
        documents: [
          { kind: 'id_front', type: 'image/png', content: PNG },
          { kind: 'id_front', type: 'image/png', content: PNG },
        ],
      },
      'id_front',
      /more than once/,
    ],
    [{ documents: [{ kind: 'selfie', type: 'image/png', content: PNG }] }, 'selfie', /not a document this form takes/],
    [{ documents: [{ kind: 'id_front', type: 'image/gif', content: PNG }] }, 'id_front', /must be one of/],
    [{ documents: [{ kind: 'id_front', type: 'image/png', content: Buffer.alloc(0) }] }, 'id_front', /empty/],
    [{ documents: [{ kind: 'id_front', type: 'image/jpeg', content: PNG }] }, 'id_front', /not a image\/jpeg file/],
  ])('When a KYC submission has %p, then 400 names %s and nothing changes', async (change, field, message) => {
    const { token, merchantId } = await signUp('Validation Shop');
    const res = await stack.http.post('/kyc', kycBody(change), bearer(token));
    expect(res.status).toBe(400);
    expect(res.data.code).toBe('validation_failed');
    expect(res.data.field).toBe(field);
    expect(res.data.error).toMatch(message);
    const [merchant] = await stack.orm.em
      .fork()
      .getConnection()
      .execute('select kyc_status from merchants where id = ?', [merchantId]);
    expect(merchant).toEqual({ kyc_status: 'unverified' });
    expect(
      await stack.orm.em
        .fork()
        .getConnection()
        .execute('select id from kyc_submissions where merchant_id = ?', [merchantId]),
    ).toEqual([]);
  });

  it('When documents are near the 2 MB limit, then they are stored byte for byte; one byte over is refused naming the document', async () => {
    const pngOf = (size: number) => Buffer.concat([PNG.subarray(0, 8), randomBytes(size - 8)]);
    const { token } = await signUp('Big Scans');
    const tooBig = await stack.http.post(
      '/kyc',
      kycBody({ documents: [{ kind: 'id_front', type: 'image/png', content: pngOf(2 * 1024 * 1024 + 1) }] }),
      bearer(token),
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.data).toMatchObject({
      field: 'id_front',
      error: expect.stringMatching(/larger than 2 MB/),
    });

    const scans = [pngOf(2 * 1024 * 1024), pngOf(1_500_000), pngOf(1_000_000)];
    const kinds = ['id_front', 'id_back', 'business_certificate'];
    const documents = scans.map((scan, i) => ({ kind: kinds[i]!, type: 'image/png', content: scan }));
    const submitted = await stack.http.post('/kyc', kycBody({ documents }), bearer(token));
    expect([submitted.status, submitted.data.error]).toEqual([201, undefined]);
    for (const [i, document] of (
      submitted.data.submission.documents as Array<{ id: number; size: number }>
    ).entries()) {
      expect(document.size).toBe(scans[i]!.length);
      const file = await stack.http.get(`/admin/kyc/${submitted.data.submission.id}/documents/${document.id}`, {
        ...asAdmin(),
        responseType: 'arraybuffer',
      });
      expect(Buffer.from(file.data).equals(scans[i]!)).toBe(true);
    }
  });

  it('When a key is created with a bad name or environment, then 400 names the field', async () => {
    const fixture = await createMerchantFixture(stack);
    const { token, merchantId } = await signUp('Keys Shop');
    await stack.orm.em
      .fork()
      .getConnection()
      .execute(`update merchants set kyc_status = 'verified' where id = ?`, [merchantId]);
    for (const [body, field] of [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{}, 'name'],
      [{ name: 'ok', environment: 'live' }, 'environment'],
    ] as const) {
      const res = await stack.http.post('/api-keys', body, bearer(token));
      expect(res.status).toBe(400);
      expect(res.data.field).toBe(field);
    }
    const production = await stack.http.post('/api-keys', { name: 'Live', environment: 'production' }, bearer(token));
    expect(production.data).toMatchObject({
      environment: 'production',
      api_username: expect.stringMatching(/^ak_live_/),
    });
    // An API key cannot manage keys or KYC: those need a person signed in.
    expect((await stack.http.get('/api-keys', { headers: { Authorization: fixture.authorization } })).status).toBe(403);
    expect(
      (await stack.http.post('/kyc', kycBody(), { headers: { Authorization: fixture.authorization } })).status,
    ).toBe(403);
  });

  it('When a merchant revokes another merchant’s key id, then 404 and that key keeps working', async () => {
    const other = await createMerchantFixture(stack);
    const [otherKey] = await stack.orm.em
      .fork()
      .getConnection()
      .execute<{ id: number }[]>('select id from api_keys where merchant_id = ?', [other.merchantId]);
    const { token } = await signUp('Nosy Shop');
    const res = await stack.http.delete(`/api-keys/${otherKey!.id}`, bearer(token));
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.data)).not.toContain(other.username);
    expect((await stack.http.get('/api-keys', bearer(token))).data).toEqual([]);
    expect(
      (await stack.http.get('/transaction/status/ws_CO_unknown', { headers: { Authorization: other.authorization } }))
        .status,
    ).toBe(404);
  });

  it('When an admin asks for a document through another submission, or an unknown submission, then 404', async () => {
    const { token } = await signUp('Two Docs');
    const mine = (await stack.http.post('/kyc', kycBody(), bearer(token))).data.submission;
    const { token: otherToken } = await signUp('Other Docs');
    const other = (await stack.http.post('/kyc', kycBody(), bearer(otherToken))).data.submission;
    expect((await stack.http.get(`/admin/kyc/${other.id}/documents/${mine.documents[0].id}`, asAdmin())).status).toBe(
      404,
    );
    expect((await stack.http.get('/admin/kyc/99999999', asAdmin())).status).toBe(404);
    expect((await stack.http.get('/admin/kyc/abc', asAdmin())).status).toBe(404);
    expect((await stack.http.post('/admin/kyc/99999999/approve', {}, asAdmin())).status).toBe(404);
  });
});
