/**
 * Typed errors shared by the API, activities and workflows. Each has a stable `code`
 * that the API maps to an HTTP status and that workflows match on as a failure type.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  /** The password was right; the account's two-step sign-in asks for its code too. */
  | 'second_factor_required'
  | 'forbidden'
  | 'kyc_required'
  | 'not_found'
  | 'conflict'
  /** A payment link that takes no payment now: paused, archived, expired, or a used single-use link. */
  | 'link_unavailable'
  /** The phone already has a payment prompt open from a payment link: one at a time. */
  | 'prompt_open'
  /** The payment cannot be reversed (not completed, no receipt, a wallet top-up). */
  | 'not_reversible'
  /** Reversals need the channel's M-Pesa initiator credentials, and it has none. */
  | 'initiator_required'
  | 'insufficient_balance'
  | 'daraja_rejected'
  | 'daraja_unavailable'
  | 'temporarily_unavailable'
  | 'method_not_allowed'
  | 'not_implemented'
  | 'rate_limited'
  | 'csrf_failed'
  | 'unsupported_media_type'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationError = (message: string, field?: string) =>
  new AppError('validation_failed', message, field ? { field } : undefined);
export const notFound = (message: string) => new AppError('not_found', message);
export const forbidden = (message: string) => new AppError('forbidden', message);

/** Raised when a wallet cannot cover a fee; the message is the one merchants' code matches on. */
export class InsufficientBalanceError extends AppError {
  constructor(
    readonly fee: number,
    readonly balance: number,
  ) {
    super(
      'insufficient_balance',
      `Insufficient service balance: the fee is KES ${fee} and your service wallet holds KES ${balance}. Top up your wallet and try again.`,
      { fee, balance },
    );
  }
}
