import { errorResponse } from '../openapi/registry';
import { readMultipart } from '../multipart';
import { rateLimitKeys } from '../rateLimits';
import {
  KYC_FORM_RULES,
  kycStatusOf,
  kycSubmissionFormSchema,
  kycSubmissionOf,
  submitKyc,
} from '../useCases/merchantKyc';
import type { RouteModule } from './module';
import { z } from 'zod';
import { kycStatus, kycSubmissionSchema } from '../openapi/responses';

/** A merchant's KYC state: its status and latest submission. */
export const kycStateSchema = z.object({
  kyc_status: kycStatus,
  submission: kycSubmissionSchema.nullable().describe('The latest submission; null before the first'),
  rejection_reason: z.string().nullable().describe('Why the latest submission was rejected; null unless it was'),
});

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
    // Streamed multipart, read by the handler under KYC_FORM_RULES, only once the session is checked and the submission counted.
    rawBody: true,
    rateLimits: [{ policy: 'kycSubmissionsPerMerchant', key: rateLimitKeys.merchant }],
    summary: 'Submit identity verification (KYC)',
    description:
      'A multipart/form-data form (what a browser sends for a FormData): your details as text fields, and 1–3 documents as file parts named by their kind (id_front, id_back, business_certificate, kra_pin_certificate), each a JPEG, PNG or PDF of at most 2 MB sent with its Content-Type. The front of your ID (id_front) is required. ' +
      'A text field may be at most 1 kB; a file that is too large, of another type, or whose content is not of its type is refused as soon as it is seen.\n\n' +
      'Your KYC status becomes pending until an ImaraPay admin reviews it. You can submit again only after a rejection.',
    tags: ['Identity verification'],
    body: kycSubmissionFormSchema,
    bodyMediaType: 'multipart/form-data',
    responses: [
      {
        status: 201,
        description: 'Submitted for review',
        schema: kycStateSchema,
        example: { kyc_status: 'pending', submission: kycSubmissionExample, rejection_reason: null },
      },
      errorResponse(400, 'validation_failed', 'id_front is larger than 2 MB; upload a smaller scan or photo', {
        field: 'id_front',
      }),
      errorResponse(
        415,
        'unsupported_media_type',
        "This endpoint reads a multipart/form-data body (a browser's FormData), not application/json",
      ),
      errorResponse(
        409,
        'conflict',
        'Your KYC submission is being reviewed; you can submit again only if it is rejected',
      ),
    ],
    handler: async (ctx, caller) => {
      const request = kycSubmissionOf(await readMultipart(ctx, KYC_FORM_RULES));
      ctx.body = await submitKyc(deps.em(), caller.merchant, request);
      ctx.status = 201;
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
        schema: kycStateSchema,
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
