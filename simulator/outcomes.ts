import type { Kes } from '../domain/money';

/**
 * The simulator's "test cards": the push amount chooses what the simulated customer and Daraja do.
 * The table is the single source for the simulator, its tests and simulator/README.md.
 *
 * Customer failures use their own ResultCode as the amount (1032, 1037, 2001), so they are easy to
 * remember. Everything else lives in the 9901–9908 block, which nobody prices a real test item at;
 * insufficient balance (ResultCode 1) is 9901 because KES 1 is everybody's favourite test amount.
 */
export type OutcomeId =
  | 'success'
  | 'cancelled'
  | 'unreachable'
  | 'wrong_pin'
  | 'insufficient_balance'
  | 'callback_never_sent'
  | 'callback_twice'
  | 'callback_late'
  | 'query_pending_then_success'
  | 'spike_arrest_then_accepted'
  | 'push_times_out'
  | 'awaits_control'
  | 'answer_and_callback_lost'
  | 'callback_lost'
  | 'record_amount_differs';

/** How the processrequest call is answered. */
export type PushBehaviour =
  /** Accepted at once. */
  | 'accept'
  /** 500.003.02 Spike Arrest for the first `spikeArrestRejections` attempts of this amount and phone, then accepted. */
  | 'spike_arrest'
  /** The prompt reaches the phone at once, but the HTTP answer is held for `pushHangMs` (longer than client timeouts). */
  | 'hang';

/** When the customer "answers", and what the STK query says. */
export type AnswerBehaviour =
  /** The customer answers after `callbackDelayMs`; the query says "being processed" until then. */
  | 'after_delay'
  /** The query says "being processed" for the first `queryPendingCount` queries, then the result; no timer. */
  | 'after_queries'
  /** The query says "being processed" until `callbackDelayMs`, then FAILED 1037 for good, although the customer paid. */
  | 'query_reports_unreachable'
  /** Stays pending until POST /__control/pushes/:id/complete. */
  | 'manual'
  /** The customer pays after `callbackDelayMs` (M-Pesa's record has it), but the query says "being processed" for good. */
  | 'query_stays_pending';

/** Which callbacks are sent once the customer has answered. */
export type CallbackBehaviour =
  | 'once'
  | 'twice'
  | 'never'
  /** One callback, `lateCallbackDelayMs` after the push (not at answer time). */
  | 'late';

export interface Outcome {
  id: OutcomeId;
  /** The magic amount in KES; null for the default (every other amount). */
  amount: Kes | null;
  /** The customer's real result, as callbacks report it. */
  resultCode: number;
  resultDesc: string;
  push: PushBehaviour;
  answer: AnswerBehaviour;
  callback: CallbackBehaviour;
  /** Merchant-facing description, as in the README table. */
  summary: string;
  /** KES added to the amount in M-Pesa's own record (Transaction Status, Pull Transactions); 0 unless it disagrees. */
  recordAmountDelta?: number;
}

export const RESULT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '0': 'The service request is processed successfully.',
  '1': 'The balance is insufficient for the transaction.',
  '1032': 'Request cancelled by user',
  '1037': 'DS timeout user cannot be reached',
  '2001': 'The initiator information is invalid.',
  '1001': 'Unable to lock subscriber, a transaction is already in process for the current subscriber',
  '1019': 'Transaction has expired',
  '1025': 'An error occurred while sending a push request',
  '2028': 'The request is not permitted according to product assignment',
};

const ok = { resultCode: 0, resultDesc: RESULT_DESCRIPTIONS['0'] };

export const OUTCOMES: readonly Outcome[] = [
  {
    id: 'success',
    amount: null,
    ...ok,
    push: 'accept',
    answer: 'after_delay',
    callback: 'once',
    summary: 'Success: the customer pays; one success callback with receipt.',
  },
  {
    id: 'cancelled',
    amount: 1032,
    resultCode: 1032,
    resultDesc: RESULT_DESCRIPTIONS['1032'],
    push: 'accept',
    answer: 'after_delay',
    callback: 'once',
    summary: 'The customer cancels the prompt (ResultCode 1032).',
  },
  {
    id: 'unreachable',
    amount: 1037,
    resultCode: 1037,
    resultDesc: RESULT_DESCRIPTIONS['1037'],
    push: 'accept',
    answer: 'after_delay',
    callback: 'once',
    summary: 'The phone cannot be reached / the prompt times out (ResultCode 1037).',
  },
  {
    id: 'wrong_pin',
    amount: 2001,
    resultCode: 2001,
    resultDesc: RESULT_DESCRIPTIONS['2001'],
    push: 'accept',
    answer: 'after_delay',
    callback: 'once',
    summary: 'The customer enters a wrong PIN (ResultCode 2001).',
  },
  {
    id: 'insufficient_balance',
    amount: 9901,
    resultCode: 1,
    resultDesc: RESULT_DESCRIPTIONS['1'],
    push: 'accept',
    answer: 'after_delay',
    callback: 'once',
    summary: 'The customer lacks the funds (ResultCode 1).',
  },
  {
    id: 'callback_never_sent',
    amount: 9902,
    ...ok,
    push: 'accept',
    answer: 'after_delay',
    callback: 'never',
    summary: 'The customer pays but no callback ever comes; the STK query reports success.',
  },
  {
    id: 'callback_twice',
    amount: 9903,
    ...ok,
    push: 'accept',
    answer: 'after_delay',
    callback: 'twice',
    summary: 'The customer pays; the same success callback is delivered twice.',
  },
  {
    id: 'callback_late',
    amount: 9904,
    ...ok,
    push: 'accept',
    answer: 'query_reports_unreachable',
    callback: 'late',
    summary:
      'The customer pays, but the query says "being processed", then FAILED 1037 (and keeps saying so); the success callback arrives late.',
  },
  {
    id: 'query_pending_then_success',
    amount: 9905,
    ...ok,
    push: 'accept',
    answer: 'after_queries',
    callback: 'never',
    summary: 'No callback; the query says "being processed" a few times, then success.',
  },
  {
    id: 'spike_arrest_then_accepted',
    amount: 9906,
    ...ok,
    push: 'spike_arrest',
    answer: 'after_delay',
    callback: 'once',
    summary:
      'The push is refused with 500.003.02 Spike Arrest for the first attempts (per amount and phone), then accepted and paid.',
  },
  {
    id: 'push_times_out',
    amount: 9907,
    ...ok,
    push: 'hang',
    answer: 'after_delay',
    callback: 'once',
    summary:
      'The push call hangs past your timeout, yet the prompt reached the phone: the customer pays and a success callback follows.',
  },
  {
    id: 'awaits_control',
    amount: 9908,
    ...ok,
    push: 'accept',
    answer: 'manual',
    callback: 'once',
    summary: 'The customer never answers until you resolve the push with POST /__control/pushes/:id/complete.',
  },
  {
    id: 'answer_and_callback_lost',
    amount: 9909,
    ...ok,
    push: 'hang',
    answer: 'after_delay',
    callback: 'never',
    summary:
      "The push call hangs past your timeout (no CheckoutRequestID) and no callback ever comes, yet the customer paid: only M-Pesa's record (Pull Transactions) has it.",
  },
  {
    id: 'callback_lost',
    amount: 9910,
    ...ok,
    push: 'accept',
    answer: 'query_stays_pending',
    callback: 'never',
    summary:
      'The customer pays; no callback comes and the STK query says "being processed" for good: only M-Pesa\'s record (Pull Transactions, Transaction Status) has it.',
  },
  {
    id: 'record_amount_differs',
    amount: 9911,
    ...ok,
    push: 'accept',
    answer: 'query_stays_pending',
    callback: 'never',
    recordAmountDelta: -1,
    summary:
      "As 9910, but M-Pesa's record holds one shilling less than was pushed (KES 9,910): the record disagrees on the amount.",
  },
];

const DEFAULT_OUTCOME = OUTCOMES.find((o) => o.amount === null)!;
const BY_AMOUNT = new Map(OUTCOMES.filter((o) => o.amount !== null).map((o) => [o.amount as Kes, o]));

/** The outcome a push of `amount` gets: a magic amount's, or success. */
export function outcomeForAmount(amount: Kes): Outcome {
  return BY_AMOUNT.get(amount) ?? DEFAULT_OUTCOME;
}

export function outcomeById(id: OutcomeId): Outcome {
  return OUTCOMES.find((o) => o.id === id)!;
}

/** A ResultDesc for a result code given without one (manual completion). */
export function describeResult(resultCode: string): string {
  return RESULT_DESCRIPTIONS[resultCode] ?? `Simulated result ${resultCode}`;
}
