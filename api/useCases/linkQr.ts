import QRCode from 'qrcode';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiCaller } from '../auth';
import { checkoutUrl, findLink } from './paymentLinks';

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
