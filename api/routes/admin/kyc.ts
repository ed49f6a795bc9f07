import { auditActorOf } from '../../auditActor';
import { errorResponse } from '../../openapi/registry';
import {
  approveKyc,
  kycDocumentFile,
  kycQueueQuerySchema,
  kycSubmissionDetails,
  listKycSubmissions,
  rejectKyc,
  rejectKycRequestSchema,
} from '../../useCases/reviewKyc';
import { kycSubmissionExample } from '../kyc';
import type { RouteModule } from '../module';
import { parseInput } from '../../validate';
import { z } from 'zod';
import { id, kycStatus, kycSubmissionSchema } from '../../openapi/responses';

/** A submission in the review queue, with its merchant. */
export const kycQueueItemSchema = kycSubmissionSchema.extend({
  merchant: z.object({ id, name: z.string(), email: z.string(), kyc_status: kycStatus }),
});

/** A submission with its merchant and who reviewed it. */
export const kycReviewSchema = kycQueueItemSchema.extend({
  reviewed_by: z.object({ id, email: z.string() }).nullable(),
});

const merchantExample = { id: 5, name: 'Mama Mboga Ltd', email: 'owner@mamamboga.co.ke', kyc_status: 'pending' };
const reviewed = (status: 'approved' | 'rejected', kycStatus: string, reason: string | null) => ({
  ...kycSubmissionExample,
  status,
  reviewed_at: '2026-11-22T19:00:00.000Z',
  rejection_reason: reason,
  merchant: { ...merchantExample, kyc_status: kycStatus },
  reviewed_by: { id: 1, email: 'admin@imarapay.co.ke' },
});
const notPending = errorResponse(
  409,
  'conflict',
  'KYC submission 12 was already approved; only a pending submission can be decided',
);
const ID_PARAM = { id: 'The submission’s id' };

/** /api/admin/kyc: the review queue, a submission's details and files, and the decision. */
export const adminKycRoutes: RouteModule = (api, deps) => {
  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/kyc',
    summary: 'KYC review queue',
    description:
      'Submissions oldest first, each with its merchant. Filter with ?status=pending; page with ?limit= and ?after_id=<last id>.',
    tags: ['Admin: KYC'],
    query: kycQueueQuerySchema,
    responses: [
      {
        status: 200,
        description: 'Submissions',
        schema: z.array(kycQueueItemSchema),
        example: [{ ...kycSubmissionExample, merchant: merchantExample }],
      },
    ],
    handler: async (ctx) => {
      ctx.body = await listKycSubmissions(deps.em(), parseInput(kycQueueQuerySchema, ctx.query));
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/kyc/:id',
    summary: 'A KYC submission',
    tags: ['Admin: KYC'],
    params: ID_PARAM,
    responses: [
      {
        status: 200,
        description: 'The submission, its merchant, its documents’ metadata and its reviewer',
        schema: kycReviewSchema,
        example: { ...kycSubmissionExample, merchant: merchantExample, reviewed_by: null },
      },
      errorResponse(404, 'not_found', 'KYC submission 12 does not exist'),
    ],
    handler: async (ctx) => {
      ctx.body = await kycSubmissionDetails(deps.em(), ctx.params.id!);
    },
  });

  api.add({
    method: 'get',
    access: 'admin',
    path: '/api/admin/kyc/:id/documents/:documentId',
    summary: 'Download a KYC document',
    description: 'The file itself, with its content type (image/jpeg, image/png or application/pdf), as an attachment.',
    tags: ['Admin: KYC'],
    params: { ...ID_PARAM, documentId: 'The document’s id (from the submission’s documents)' },
    responses: [
      { status: 200, description: 'The file', mediaType: 'application/octet-stream' },
      errorResponse(404, 'not_found', 'Document 31 of KYC submission 12 does not exist'),
    ],
    handler: async (ctx) => {
      const file = await kycDocumentFile(deps.em(), ctx.params.id!, ctx.params.documentId!);
      ctx.type = file.contentType;
      // Identity documents: never rendered inline as something else, never cached by a browser or proxy.
      ctx.set('Content-Disposition', `attachment; filename="${file.fileName}"`);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = file.content;
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/kyc/:id/approve',
    summary: 'Approve a KYC submission',
    description:
      'The merchant becomes verified (payment channels, STK pushes and API keys unlock). Only a pending submission can be approved.',
    tags: ['Admin: KYC'],
    params: ID_PARAM,
    responses: [
      {
        status: 200,
        description: 'Approved',
        schema: kycReviewSchema,
        example: reviewed('approved', 'verified', null),
      },
      errorResponse(404, 'not_found', 'KYC submission 12 does not exist'),
      notPending,
    ],
    handler: async (ctx, admin) => {
      ctx.body = await approveKyc(deps.em(), {
        admin: admin.user,
        submissionId: ctx.params.id!,
        actor: auditActorOf(ctx, admin),
      });
    },
  });

  api.add({
    method: 'post',
    access: 'admin',
    path: '/api/admin/kyc/:id/reject',
    summary: 'Reject a KYC submission',
    description: 'The merchant sees the reason and may submit again. Only a pending submission can be rejected.',
    tags: ['Admin: KYC'],
    params: ID_PARAM,
    body: rejectKycRequestSchema,
    responses: [
      {
        status: 200,
        description: 'Rejected',
        schema: kycReviewSchema,
        example: reviewed('rejected', 'rejected', 'The ID photo is blurred'),
      },
      errorResponse(400, 'validation_failed', 'reason is required', { field: 'reason' }),
      errorResponse(404, 'not_found', 'KYC submission 12 does not exist'),
      notPending,
    ],
    handler: async (ctx, admin) => {
      const request = parseInput(rejectKycRequestSchema, ctx.request.body);
      ctx.body = await rejectKyc(
        deps.em(),
        { admin: admin.user, submissionId: ctx.params.id!, actor: auditActorOf(ctx, admin) },
        request,
      );
    },
  });
};
