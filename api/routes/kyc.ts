import { errorResponse } from '../openapi/registry';
import { KYC_REQUEST_MAX_BYTES, kycStatusOf, kycSubmissionRequestSchema, submitKyc } from '../useCases/merchantKyc';
import type { RouteModule } from './module';
import { parseInput } from '../validate';

/** A submission as both the merchant and the admin endpoints show it (shared by their docs). */
export const kycSubmissionExample = {
  id: 12,
  status: 'pending',
  full_name: 'Wanjiku Kamau',
  id_type: 'national_id',
  id_number: '12345678',
  business_name: 'Mama Mboga Ltd',
  business_registration_number: 'PVT-AB1CD2EF',
  kra_pin: 'A012345678Z',
  phone_number: '254712345678',
  created_at: '2026-11-22T18:10:00.000Z',
  reviewed_at: null,
  rejection_reason: null,
  documents: [
    {
      id: 31,
      kind: 'id_front',
      content_type: 'image/png',
      size: 48213,
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      created_at: '2026-11-22T18:10:00.000Z',
    },
  ],
};

/** POST/GET /api/kyc: a signed-in merchant submits its identity verification and follows it. */
export const kycRoutes: RouteModule = (api, deps) => {
  // Keys manage keys nowhere, and KYC is a person's act: a leaked key must not reach these.

  api.add({
    method: 'post',
    access: 'dashboard',
    path: '/api/kyc',
    // Up to three 2 MB documents as base64: read only once the session has been checked.
    bodyLimit: KYC_REQUEST_MAX_BYTES,
    summary: 'Submit identity verification (KYC)',
    description:
      'Your details and 1–3 documents (JPEG, PNG or PDF, at most 2 MB each, base64-encoded; a browser data URL works too). The front of your ID (kind id_front) is required.\n\n' +
      'Your KYC status becomes pending until an ImaraPay admin reviews it. You can submit again only after a rejection.',
    tags: ['Identity verification'],
    body: kycSubmissionRequestSchema,
    responses: [
      {
        status: 201,
        description: 'Submitted for review',
        example: { kyc_status: 'pending', submission: kycSubmissionExample, rejection_reason: null },
      },
      errorResponse(
        400,
        'validation_failed',
        'documents.0.content_base64 is larger than 2 MB; upload a smaller scan or photo',
        { field: 'documents.0.content_base64' },
      ),
      errorResponse(
        409,
        'conflict',
        'Your KYC submission is being reviewed; you can submit again only if it is rejected',
      ),
    ],
    handler: async (ctx, caller) => {
      const { merchant } = caller;
      ctx.status = 201;
      ctx.body = await submitKyc(deps.em(), merchant, parseInput(kycSubmissionRequestSchema, ctx.request.body));
    },
  });

  api.add({
    method: 'get',
    access: 'dashboard',
    path: '/api/kyc',
    summary: 'Your KYC status',
    description:
      'kyc_status is unverified, pending, verified or rejected; submission is your latest one (document metadata, not the files).',
    tags: ['Identity verification'],
    responses: [
      {
        status: 200,
        description: 'Your KYC status and latest submission',
        example: {
          kyc_status: 'rejected',
          submission: {
            ...kycSubmissionExample,
            status: 'rejected',
            reviewed_at: '2026-11-22T19:00:00.000Z',
            rejection_reason: 'The ID photo is blurred',
          },
          rejection_reason: 'The ID photo is blurred',
        },
      },
    ],
    handler: async (ctx, caller) => {
      ctx.body = await kycStatusOf(deps.em(), caller.merchant.id);
    },
  });
};
