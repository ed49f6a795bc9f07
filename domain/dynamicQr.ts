/**
 * Daraja's Dynamic QR (`POST /mpesa/qrcode/v1/generate`): the request's rules, shared by the Daraja
 * client (nothing is sent that Daraja would refuse) and the simulator (which refuses the same way,
 * 400.002.02 naming the field).
 *
 * From Safaricom's Daraja page for the API: MerchantName (the name the customer sees), RefNo (a
 * reference such as an invoice number), Amount (the total), TrxCode (the transaction type), CPI (the
 * credit party identifier: till, paybill/business number or phone, by TrxCode) and Size (the image's
 * side in pixels, sent as a string) are all required; the answer is synchronous and carries the code
 * as a base64 PNG in `QRCode`. The codes are scanned by the M-Pesa and My Safaricom apps. Daraja does
 * not publish length limits; the ones below are ImaraPay's conservative choices.
 */

/** BG buy goods (till), WA withdraw cash at an agent, PB paybill, SM send money to a phone, SB send to a business number. */
export const QR_TRX_CODES = ['BG', 'WA', 'PB', 'SM', 'SB'] as const;
export type QrTrxCode = (typeof QR_TRX_CODES)[number];

export const QR_MERCHANT_NAME_MAX = 64;
export const QR_REF_NO_MAX = 20;
export const QR_SIZE_MIN = 100;
export const QR_SIZE_MAX = 1000;

/** A Dynamic QR request as ImaraPay holds it; amounts in whole KES. */
export interface DynamicQrRequest {
  merchantName: string;
  refNo: string;
  amount: number;
  trxCode: QrTrxCode;
  /** The till (BG, WA), paybill or business number (PB, SB), or the phone as 2547…/2541… (SM). */
  cpi: string;
  /** The image's side in pixels. */
  size: number;
}

/** The body Daraja takes, field names and types as on the wire. */
export interface DynamicQrBody {
  MerchantName: string;
  RefNo: string;
  Amount: number;
  TrxCode: QrTrxCode;
  CPI: string;
  Size: string;
}

const SHORTCODE = /^\d{5,7}$/;
const MSISDN = /^254[71]\d{8}$/;

/** The first field Daraja would refuse in this body (Daraja's field name), or null when it is all valid. */
export function invalidDynamicQrField(body: Record<string, unknown>): keyof DynamicQrBody | null {
  const name = body.MerchantName;
  if (typeof name !== 'string' || name.trim() === '' || name.length > QR_MERCHANT_NAME_MAX) return 'MerchantName';
  const ref = body.RefNo;
  if (typeof ref !== 'string' || ref.trim() === '' || ref.length > QR_REF_NO_MAX) return 'RefNo';
  const amount = typeof body.Amount === 'string' ? Number(body.Amount) : body.Amount;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 250_000) return 'Amount';
  const trxCode = body.TrxCode;
  if (typeof trxCode !== 'string' || !(QR_TRX_CODES as readonly string[]).includes(trxCode)) return 'TrxCode';
  const cpi = typeof body.CPI === 'number' ? String(body.CPI) : body.CPI;
  if (typeof cpi !== 'string' || !(trxCode === 'SM' ? MSISDN : SHORTCODE).test(cpi)) return 'CPI';
  const size = typeof body.Size === 'number' ? String(body.Size) : body.Size;
  if (typeof size !== 'string' || !/^\d+$/.test(size) || Number(size) < QR_SIZE_MIN || Number(size) > QR_SIZE_MAX)
    return 'Size';
  return null;
}

/** The wire body of a request. */
export function dynamicQrBody(request: DynamicQrRequest): DynamicQrBody {
  return {
    MerchantName: request.merchantName,
    RefNo: request.refNo,
    Amount: request.amount,
    TrxCode: request.trxCode,
    CPI: request.cpi,
    Size: String(request.size),
  };
}
