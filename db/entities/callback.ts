import { BigIntType, EntitySchema } from '@mikro-orm/core';

/**
 * What happened to a received callback:
 * signalled (handed to its payment's workflow), unmatched (no payment has that id),
 * malformed (not Daraja's shape), mismatched (the URL's payment and the CheckoutRequestID disagree),
 * late (its workflow had closed; a late-callback workflow took it), signal_failed (stored, not yet handed over:
 * the reconciliation hands it over again).
 */
export type CallbackDisposition =
  'received' | 'signalled' | 'unmatched' | 'malformed' | 'mismatched' | 'late' | 'signal_failed';

/** Every raw callback Daraja POSTs, stored before anything else is done with it. */
export interface DarajaCallback {
  id: number;
  receivedAt: Date;
  transaction: number | null;
  checkoutRequestId: string | null;
  resultCode: string | null;
  /** The body as text (malformed bodies are kept too); NUL bytes read as U+FFFD. */
  rawBody: string;
  /** The exact bytes, kept only when the text is not them (NUL bytes, invalid UTF-8). */
  rawBytes: Buffer | null;
  /** Bytes the sender sent; more than were kept when the body was over the size limit. */
  receivedBytes: number | null;
  /** The body was over the size limit and is stored cut short (and marked malformed). */
  truncated: boolean;
  /** Why the callback could not be used, or which of its items broke their rule. */
  problems: string | null;
  sourceIp: string | null;
  disposition: CallbackDisposition;
  /** The payment id the CallBackURL named, kept even when no payment has it (the redrive needs it). */
  urlTransactionId: number | null;
  /** The callback id its workflow was signalled with when that is not `id` (sent while Postgres was down). */
  signalId: number | null;
  /** How many times the reconciliation handed this callback over again. */
  redriveAttempts: number;
  lastRedriveAt: Date | null;
}

export const DarajaCallbackSchema = new EntitySchema<DarajaCallback>({
  name: 'DarajaCallback',
  tableName: 'daraja_callbacks',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    receivedAt: { type: 'datetime', defaultRaw: 'now()', onCreate: () => new Date() },
    transaction: { kind: 'm:1', entity: 'Transaction', mapToPk: true, nullable: true, index: true },
    checkoutRequestId: { type: 'string', length: 64, nullable: true, index: true },
    resultCode: { type: 'string', length: 20, nullable: true },
    rawBody: { type: 'text' },
    rawBytes: { type: 'blob', nullable: true },
    receivedBytes: { type: 'integer', nullable: true },
    truncated: { type: 'boolean', default: false },
    problems: { type: 'text', nullable: true },
    sourceIp: { type: 'string', length: 64, nullable: true },
    disposition: { type: 'string', length: 20, default: 'received' },
    urlTransactionId: { type: 'integer', nullable: true },
    signalId: { type: new BigIntType('number'), nullable: true },
    redriveAttempts: { type: 'integer', default: 0 },
    lastRedriveAt: { type: 'datetime', nullable: true },
  },
});
