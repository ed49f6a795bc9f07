import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import QRCode from 'qrcode';
import { invalidDynamicQrField } from '../domain/dynamicQr';
import { sendDarajaError } from './darajaRoutes';
import { newRequestId } from './ids';

const requestBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/**
 * Dynamic QR (`POST /mpesa/qrcode/v1/generate`) with Daraja's validation (400.002.02 naming the
 * first bad field) and its synchronous answer: a real QR code, `Size` pixels square, as base64 PNG.
 * What the real code holds is M-Pesa's own; the simulator's holds a readable
 * `MPESA-SIM|<TrxCode>|<CPI>|<Amount>|<RefNo>|<MerchantName>`, so tests can decode what was asked.
 */
export function qrRouter(requireToken: Middleware): Router {
  const router = new Router();
  router.post('/mpesa/qrcode/v1/generate', requireToken, async (ctx) => {
    const body = (requestBody(ctx) ?? {}) as Record<string, unknown>;
    const invalid = invalidDynamicQrField(body);
    if (invalid) return sendDarajaError(ctx, '400.002.02', `Bad Request - Invalid ${invalid}`);
    const payload = ['MPESA-SIM', body.TrxCode, body.CPI, body.Amount, body.RefNo, body.MerchantName].join('|');
    const png = await QRCode.toBuffer(payload, { type: 'png', width: Number(body.Size), errorCorrectionLevel: 'M' });
    ctx.body = {
      ResponseCode: `AG_${new Date().toISOString().slice(0, 10).replace(/-/g, '')}_${newRequestId().replace(/-/g, '')}`,
      RequestID: newRequestId(),
      ResponseDescription: 'QR Code Successfully Generated.',
      QRCode: png.toString('base64'),
    };
    return undefined;
  });
  return router;
}
