import QRCode from 'qrcode';
import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { QR_MERCHANT_NAME_MAX, QR_SIZE_MAX, QR_SIZE_MIN } from '../../domain/dynamicQr';
import { AppError } from '../../domain/errors';
import { linkPaymentAmount } from '../../domain/paymentLinks';
import type { Environment } from '../../db/entities';
import type { DynamicQrClient } from '../../daraja/dynamicQr';
import type { ApiCaller } from '../auth';
import { assertVerified } from '../guards';
import { checkoutUrl, findLink } from './paymentLinks';
import { assertLiveAllowed, payableChannel } from './paymentGuard';

/** The QR image formats a link's code comes in. */
export type QrFormat = 'png' | 'svg';

/** A rendered QR code: its bytes (PNG) or text (SVG), with its content type. */
export interface QrImage {
  contentType: 'image/png' | 'image/svg+xml';
  body: Buffer | string;
}

/**
 * Renders `text` as a QR code (the `qrcode` package): error correction M (15 % of the code may be
 * damaged or covered and it still scans, ISO/IEC 18004), a 4-module quiet zone as the standard asks,
 * PNG at `pixels` wide (SVG scales by itself).
 */
export async function renderQr(text: string, format: QrFormat, pixels = 512): Promise<QrImage> {
  const options = { errorCorrectionLevel: 'M' as const, margin: 4 };
  if (format === 'svg') {
    return { contentType: 'image/svg+xml', body: await QRCode.toString(text, { ...options, type: 'svg' }) };
  }
  return { contentType: 'image/png', body: await QRCode.toBuffer(text, { ...options, type: 'png', width: pixels }) };
}

/** GET /api/payment-links/:id/qr.(png|svg): the QR code of the caller's link's checkout URL. */
export async function linkQr(
  deps: { em: EntityManager; publicBaseUrl: string },
  { caller, id, format }: { caller: ApiCaller; id: string; format: QrFormat },
): Promise<QrImage> {
  const link = await findLink(deps.em, caller, id);
  return renderQr(checkoutUrl(deps.publicBaseUrl, link.token), format);
}

/** The documented query of GET /api/payment-links/:id/mpesa-qr.png. */
export const mpesaQrQuery = z.object({
  amount: z
    .string()
    .regex(/^\d{1,6}$/, 'amount must be a whole number of KES')
    .optional()
    .describe("The amount, for a link whose customer enters it (within the link's bounds)"),
  size: z
    .string()
    .regex(/^\d{3,4}$/, `size must be ${QR_SIZE_MIN} to ${QR_SIZE_MAX} pixels`)
    .optional()
    .describe(`The image's side in pixels, ${QR_SIZE_MIN} to ${QR_SIZE_MAX} (default 300)`),
});

export interface MpesaQrDeps {
  em: EntityManager;
  /** The Dynamic QR client of the link's environment; null when that environment has no Daraja credentials. */
  dynamicQrClient: (environment: Environment) => DynamicQrClient | null;
}

/**
 * GET /api/payment-links/:id/mpesa-qr.png: Daraja's Dynamic QR for the link's channel, which the
 * M-Pesa app itself scans: Buy Goods (BG) to a till, Pay Bill (PB) to a paybill or a bank's paybill,
 * with the link's account reference as RefNo and its amount (or `amount` for a link whose customer
 * enters it). A payment made by scanning it goes straight to the till or paybill: M-Pesa does not
 * tell ImaraPay, so it is not one of the link's payments (the link's checkout page is).
 * Throws AppError 400 (amount, size, a channel or link state the code cannot carry), 403 (KYC,
 * live payments off), 404, and 503 `daraja_unavailable` when Daraja failed.
 */
export async function linkMpesaQr(
  deps: MpesaQrDeps,
  { caller, id, query }: { caller: ApiCaller; id: string; query: z.infer<typeof mpesaQrQuery> },
): Promise<QrImage> {
  assertVerified(caller.merchant, 'generate M-Pesa QR codes');
  const link = await findLink(deps.em, caller, id);
  if (link.state === 'archived') throw new AppError('validation_failed', `Payment link ${id} is archived`);
  const entered = query.amount === undefined ? null : Number(query.amount);
  const amount = linkPaymentAmount(
    link.amountKind === 'fixed'
      ? { kind: 'fixed', amount: link.amount! }
      : { kind: 'open', min: link.minAmount!, max: link.maxAmount! },
    entered,
  );
  if (!amount.ok) throw new AppError('validation_failed', amount.message, { field: 'amount' });
  const size = query.size === undefined ? 300 : Number(query.size);
  if (size < QR_SIZE_MIN || size > QR_SIZE_MAX)
    throw new AppError('validation_failed', `size must be ${QR_SIZE_MIN} to ${QR_SIZE_MAX} pixels`, { field: 'size' });
  const channel = await payableChannel(deps.em, caller.merchant.id, { id: link.channel, field: 'account_id' });
  const client = deps.dynamicQrClient(link.environment);
  if (!client) assertLiveAllowed(link.environment, false);
  const qr = await client!
    .generate({
      merchantName: merchantNameForQr(caller.merchant.name),
      refNo: link.accountReference,
      amount: amount.amount,
      trxCode: channel.accountType === 'till' ? 'BG' : 'PB',
      cpi: channel.partyB,
      size,
    })
    .catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      // The Daraja client has logged the classified failure; the merchant gets a retryable answer.
      throw new AppError('daraja_unavailable', 'M-Pesa could not generate the QR code just now. Try again shortly.');
    });
  return { contentType: 'image/png', body: Buffer.from(qr.qrCode, 'base64') };
}

/** The merchant's name as the QR carries it: M-Pesa's plain character set, at most QR_MERCHANT_NAME_MAX characters. */
function merchantNameForQr(name: string): string {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9 .,_#/-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return (plain || 'Merchant').slice(0, QR_MERCHANT_NAME_MAX).trim();
}
