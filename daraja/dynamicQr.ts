import { dynamicQrBody, invalidDynamicQrField, type DynamicQrRequest } from '../domain/dynamicQr';
import { AppError } from '../domain/errors';
import { createDarajaTransport, type DarajaClientOptions } from './transport';
import { DarajaError } from './types';

const DYNAMIC_QR_PATH = '/mpesa/qrcode/v1/generate';

/** Daraja's answer: the code as a base64 PNG, with its request id. */
export interface DynamicQr {
  /** base64 PNG, `Size` pixels square. */
  qrCode: string;
  requestId: string;
  responseCode: string;
  responseDescription: string;
}

export interface DynamicQrClient {
  generate(request: DynamicQrRequest): Promise<DynamicQr>;
}

/** A Dynamic QR request Daraja would refuse; nothing was sent. */
export class InvalidDynamicQrRequestError extends AppError {
  constructor(readonly field: string) {
    super('validation_failed', `Invalid Dynamic QR request: ${field} is not valid for M-Pesa`, { field });
    this.name = 'InvalidDynamicQrRequestError';
  }
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/**
 * Daraja's Dynamic QR (`POST /mpesa/qrcode/v1/generate`), synchronous, with the STK client's token
 * cache, 404.001.03 refresh and error classification. It moves no money, so any failure may be
 * retried. Throws InvalidDynamicQrRequestError before sending a request Daraja would refuse
 * (domain/dynamicQr.ts), DarajaError for a refusal, a transport failure, or an answer without a
 * code (Daraja's success ResponseCode is not "0" but an id such as `AG_20191219_0000…`, so the
 * presence of `QRCode` is what tells success).
 */
export function createDynamicQrClient(options: DarajaClientOptions): DynamicQrClient {
  const { authorised, toDarajaError, logger } = createDarajaTransport(options);
  return {
    async generate(request) {
      const body = dynamicQrBody(request);
      const invalid = invalidDynamicQrField(body as unknown as Record<string, unknown>);
      if (invalid) throw new InvalidDynamicQrRequestError(invalid);
      let data: unknown;
      try {
        data = await authorised('dynamic_qr', DYNAMIC_QR_PATH, body);
      } catch (error) {
        throw toDarajaError('dynamic_qr', error);
      }
      const answer = asRecord(data);
      const qrCode = text(answer.QRCode);
      if (qrCode === '' || !/^[A-Za-z0-9+/=\s]+$/.test(qrCode)) {
        throw toDarajaError(
          'dynamic_qr',
          new DarajaError(
            'retryable',
            `Daraja dynamic_qr answered without a code: ${text(answer.ResponseCode)} ${text(answer.ResponseDescription)}`,
            text(answer.ResponseCode) || null,
            200,
          ),
        );
      }
      logger.info({ trxCode: body.TrxCode, requestId: text(answer.RequestID) }, 'Dynamic QR generated');
      return {
        qrCode: qrCode.replace(/\s/g, ''),
        requestId: text(answer.RequestID),
        responseCode: text(answer.ResponseCode),
        responseDescription: text(answer.ResponseDescription),
      };
    },
  };
}
