/**
 * Failure `type`s that activities raise and workflows match on. Stable strings: they are
 * recorded in workflow histories, so renaming one breaks replay of running payments.
 */
export const FailureType = {
  /** The wallet cannot cover the fee. Not retryable. */
  InsufficientBalance: 'InsufficientBalance',
  /** Daraja refused the request; sending it again will not help. Not retryable. */
  DarajaTerminal: 'DarajaTerminal',
  /** The push may have reached the phone; never push again. Not retryable. */
  DarajaIndeterminate: 'DarajaIndeterminate',
  /** Daraja stayed busy past the push deadline and no push attempt is in doubt: nothing was sent. Not retryable. */
  DarajaUnavailable: 'DarajaUnavailable',
  /** Daraja was busy or unreachable and nothing happened there; retry with backoff. */
  DarajaRetryable: 'DarajaRetryable',
  /** The merchant's webhook receiver did not accept the delivery; retry with backoff. */
  WebhookRejected: 'WebhookRejected',
  /** A late success's fee cannot be charged yet; retry until the wallet covers it. */
  LateFeeUncovered: 'LateFeeUncovered',
  /** Recording a payment's outcome failed on its data; retrying gives the same answer. Not retryable: the payment goes to review. */
  SettlementDataInvalid: 'SettlementDataInvalid',
  /** A reversal workflow found no reversal row: it cannot act. Not retryable. */
  ReversalMissing: 'ReversalMissing',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];
