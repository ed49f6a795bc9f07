import { auditActorOf } from '../auditActor';
import { z } from 'zod';
import { errorResponse } from '../openapi/registry';
import { idempotencyKeyOf } from '../idempotencyKey';
import { parseInput } from '../validate';
import type { RouteModule } from './module';
import {
  changeLinkState,
  createLink,
  createLinkSchema,
  listLinks,
  listLinksQuery,
  showLink,
  showLinkPayments,
  type LinkAction,
  type LinkDeps,
} from '../useCases/paymentLinks';
import { linkMpesaQr, linkQr, mpesaQrQuery, type QrFormat } from '../useCases/linkQr';
import { darajaCredentials } from '../../config/config';
import { createDynamicQrClient, type DynamicQrClient } from '../../daraja/dynamicQr';
import type { Environment } from '../../db/entities';
import { linkPaymentsSchema, linkSchema } from './paymentLinkSchemas';

const linkExample = {
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

const ID_PARAM = 'The link id (`plink_…`)';

/** The merchant's payment links: create, list, read, pause, resume, archive, payments, QR codes. */
export const paymentLinkRoutes: RouteModule = (api, deps) => {
  const linkDeps = (): LinkDeps => ({ em: deps.em(), publicBaseUrl: deps.config.PUBLIC_BASE_URL });
  // One Dynamic QR client per environment, built on first use (the API document is built without Daraja).
  const qrClients = new Map<Environment, DynamicQrClient | null>();
  const dynamicQrClient = (environment: Environment): DynamicQrClient | null => {
    if (!qrClients.has(environment)) {
      const credentials = darajaCredentials(deps.config, environment);
      qrClients.set(
        environment,
        credentials
          ? createDynamicQrClient({ credentials, timeoutMs: deps.config.DARAJA_QR_TIMEOUT_MS, logger: deps.logger })
          : null,
      );
    }
    return qrClients.get(environment)!;
  };

  api.add({
    method: 'post',
    access: 'merchant',
    path: '/api/payment-links',
    summary: 'Create a payment link',
    description:
      'A shareable checkout page (`url`) that sends an M-Pesa prompt to whoever opens it and enters their number: an ordinary payment into your channel `account_id` (your oldest active channel when omitted), with the usual fee and webhook (carrying `link_id`).\n\n' +
      'Send `amount` for a fixed amount, or leave it out to let the customer enter one between `min_amount` and `max_amount`. `description` (M-Pesa TransactionDesc, at most 13 characters) is shown on the page and the prompt. ' +
      '`expires_at` ends the link; `single_use` closes it once paid. Requires identity verification (KYC). Links live in the environment of the key that created them.',
    tags: ['Payment links'],
    body: createLinkSchema,
    headers: [
      {
        name: 'Idempotency-Key',
        description:
          'Your key for this link (at most 255 characters): a retry with the same key and body answers the same link (200) instead of creating another.',
      },
    ],
    responses: [
      { status: 201, description: 'The new link', schema: linkSchema, example: linkExample },
      {
        status: 200,
        description: 'The link created earlier under this Idempotency-Key',
        schema: linkSchema,
        example: linkExample,
      },
      errorResponse(400, 'validation_failed', 'description must be 1 to 13 characters', { field: 'description' }),
      errorResponse(403, 'kyc_required', 'Identity verification (KYC) is required before you can create payment links'),
      errorResponse(404, 'not_found', 'Payment channel 7 does not exist', { field: 'account_id' }),
      errorResponse(
        409,
        'conflict',
        'This Idempotency-Key was already used with a different request body. Use a new key for a new link.',
      ),
    ],
    handler: async (ctx, caller) => {
      const { link, created } = await createLink(linkDeps(), {
        caller,
        request: parseInput(createLinkSchema, ctx.request.body),
        idempotencyKey: idempotencyKeyOf(ctx),
      });
      ctx.status = created ? 201 : 200;
      ctx.body = link;
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/payment-links',
    summary: 'List your payment links',
    description:
      'Your links in this environment, newest first (at most 200), with their totals; archived links only with `include_archived=true`.',
    tags: ['Payment links'],
    query: listLinksQuery,
    responses: [{ status: 200, description: 'Your links', schema: z.array(linkSchema), example: [linkExample] }],
    handler: async (ctx, caller) => {
      const query = parseInput(listLinksQuery, ctx.query);
      ctx.body = await listLinks(linkDeps(), caller, { includeArchived: query.include_archived === 'true' });
    },
  });

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/payment-links/:id',
    summary: 'Show a payment link',
    tags: ['Payment links'],
    params: { id: ID_PARAM },
    responses: [
      { status: 200, description: 'The link with its totals', schema: linkSchema, example: linkExample },
      errorResponse(404, 'not_found', 'Payment link plink_x does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await showLink(linkDeps(), caller, ctx.params.id!);
    },
  });

  const actions: Array<{ action: LinkAction; summary: string; description: string }> = [
    {
      action: 'pause',
      summary: 'Pause a payment link',
      description:
        'Its page stays up but takes no payment (409 `link_unavailable`, reason `paused`) until resumed. Payments already started carry on.',
    },
    { action: 'resume', summary: 'Resume a paused payment link', description: 'The link takes payments again.' },
    {
      action: 'archive',
      summary: 'Archive a payment link',
      description:
        'For good: it takes no payment, cannot be resumed and leaves the list (its payments stay in your transactions).',
    },
  ];
  for (const { action, summary, description } of actions) {
    api.add({
      method: 'post',
      access: 'merchant',
      path: `/api/payment-links/:id/${action}`,
      summary,
      description: `${description} Doing it twice is harmless.`,
      tags: ['Payment links'],
      params: { id: ID_PARAM },
      responses: [
        {
          status: 200,
          description: 'The link as it is now',
          schema: linkSchema,
          example: {
            ...linkExample,
            state: action === 'resume' ? 'active' : action === 'pause' ? 'paused' : 'archived',
            availability: action === 'resume' ? 'open' : action === 'pause' ? 'paused' : 'archived',
          },
        },
        errorResponse(404, 'not_found', 'Payment link plink_x does not exist'),
        ...(action === 'archive'
          ? []
          : [errorResponse(409, 'conflict', 'Payment link plink_x is archived; create a new link instead')]),
      ],
      handler: async (ctx, caller) => {
        ctx.body = await changeLinkState(linkDeps(), {
          caller,
          id: ctx.params.id!,
          action,
          actor: auditActorOf(ctx, caller),
        });
      },
    });
  }

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/payment-links/:id/payments',
    summary: "A payment link's payments and totals",
    description:
      'The link with its totals and its latest 100 payments, newest first. Each is an ordinary payment: find it in GET /api/transactions too (`link_id`).',
    tags: ['Payment links'],
    params: { id: ID_PARAM },
    responses: [
      {
        status: 200,
        description: 'The link and its payments',
        schema: linkPaymentsSchema,
        example: {
          link: linkExample,
          payments: [
            {
              transaction_id: 42,
              id: 'trxn_2bX9kQ0pLm7ZrT4vW',
              status: 'completed',
              amount: 1500,
              phone_number: '254712345678',
              mpesa_receipt: 'RGH8KXXXX1',
              result_code: '0',
              created_at: '2026-12-08T08:05:00.000Z',
            },
          ],
        },
      },
      errorResponse(404, 'not_found', 'Payment link plink_x does not exist'),
    ],
    handler: async (ctx, caller) => {
      ctx.body = await showLinkPayments(linkDeps(), caller, ctx.params.id!);
    },
  });

  for (const format of ['png', 'svg'] as QrFormat[]) {
    api.add({
      method: 'get',
      access: 'merchant',
      path: `/api/payment-links/:id/qr.${format}`,
      summary: `A payment link's QR code (${format.toUpperCase()})`,
      description:
        `The link's checkout URL as a QR code (${format === 'png' ? 'PNG, 512 px' : 'SVG, any size'}; error correction M, 4-module quiet zone) to print or show at the counter. ` +
        'Any phone camera opens the checkout page from it. For a code the M-Pesa app itself scans, see POST /api/payment-links/{id}/mpesa-qr.',
      tags: ['Payment links'],
      params: { id: ID_PARAM },
      responses: [
        {
          status: 200,
          description: 'The QR code',
          mediaType: format === 'png' ? 'image/png' : 'image/svg+xml',
        },
        errorResponse(404, 'not_found', 'Payment link plink_x does not exist'),
      ],
      handler: async (ctx, caller) => {
        const image = await linkQr(linkDeps(), { caller, id: ctx.params.id!, format });
        ctx.type = image.contentType;
        ctx.set('Content-Disposition', `inline; filename="${ctx.params.id}.${format}"`);
        ctx.body = image.body;
      },
    });
  }

  api.add({
    method: 'get',
    access: 'merchant',
    path: '/api/payment-links/:id/mpesa-qr.png',
    summary: "A payment link's M-Pesa QR code (Daraja Dynamic QR)",
    description:
      "Safaricom's own Dynamic QR for the link's channel, made by Daraja (`/mpesa/qrcode/v1/generate`): the customer scans it in the M-Pesa or My Safaricom app, which fills in the till (Buy Goods) or paybill (Pay Bill), the link's account reference and the amount. " +
      "For a link whose customer enters the amount, pass `amount` (within the link's bounds). A payment made by scanning it goes straight to your till or paybill: M-Pesa does not notify ImaraPay, so it is not one of the link's payments. Requires identity verification (KYC).",
    tags: ['Payment links'],
    params: { id: ID_PARAM },
    query: mpesaQrQuery,
    responses: [
      { status: 200, description: 'The QR code, as Daraja made it', mediaType: 'image/png' },
      errorResponse(400, 'validation_failed', 'The amount must be between KES 10 and KES 5000', { field: 'amount' }),
      errorResponse(
        403,
        'kyc_required',
        'Identity verification (KYC) is required before you can generate M-Pesa QR codes',
      ),
      errorResponse(404, 'not_found', 'Payment link plink_x does not exist'),
      errorResponse(503, 'daraja_unavailable', 'M-Pesa could not generate the QR code just now. Try again shortly.'),
    ],
    handler: async (ctx, caller) => {
      const image = await linkMpesaQr(
        { em: deps.em(), dynamicQrClient },
        { caller, id: ctx.params.id!, query: parseInput(mpesaQrQuery, ctx.query) },
      );
      ctx.type = image.contentType;
      ctx.set('Content-Disposition', `inline; filename="${ctx.params.id}-mpesa.png"`);
      ctx.body = image.body;
    },
  });
};
