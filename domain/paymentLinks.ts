/**
 * Payment links, the pure rules: what a link is, whether it takes a payment now, and which amount a
 * customer may pay through it. Amounts are whole KES within M-Pesa's per-transaction limit
 * (domain/money.ts); the storage and the HTTP faces live elsewhere.
 */

/** `fixed`: the link names the amount; `open`: the customer enters one between the link's bounds. */
export type LinkAmountKind = 'fixed' | 'open';

/** What the merchant set: `archived` is for good (a link is never deleted, its payments stay listed). */
export type LinkState = 'active' | 'paused' | 'archived';

/** Why a link takes no payment now, or `open` when it does. */
export type LinkAvailability = 'open' | 'paused' | 'archived' | 'expired' | 'used';

/** The facts of a link that decide whether it takes a payment. */
export interface LinkFacts {
  state: LinkState;
  expiresAt: Date | null;
  singleUse: boolean;
}

/**
 * Whether a link takes a payment at `now`: archived and paused links never; an expired one (at or
 * after `expiresAt`) never; a single-use link not once one of its payments is completed or still
 * pending (`payments` counts those), so two customers cannot both pay it.
 */
export function linkAvailability(
  link: LinkFacts,
  now: Date,
  payments: { completedOrPending: number },
): LinkAvailability {
  if (link.state !== 'active') return link.state;
  if (link.expiresAt !== null && now.getTime() >= link.expiresAt.getTime()) return 'expired';
  if (link.singleUse && payments.completedOrPending > 0) return 'used';
  return 'open';
}

/** The amount rule of a link: a fixed amount, or the bounds of one the customer enters (whole KES). */
export type LinkAmountRule = { kind: 'fixed'; amount: number } | { kind: 'open'; min: number; max: number };

export type LinkAmountResult = { ok: true; amount: number } | { ok: false; message: string };

/**
 * The amount a customer pays through a link: a fixed link's own amount whatever the customer sent
 * (a different amount is refused, so a tampered page cannot change it), or, for an open link, the
 * customer's whole-KES amount within the link's bounds.
 */
export function linkPaymentAmount(rule: LinkAmountRule, entered: number | null | undefined): LinkAmountResult {
  if (rule.kind === 'fixed') {
    if (entered !== null && entered !== undefined && entered !== rule.amount)
      return { ok: false, message: `This link is for KES ${rule.amount} exactly` };
    return { ok: true, amount: rule.amount };
  }
  if (entered === null || entered === undefined) return { ok: false, message: 'Enter the amount to pay' };
  if (!Number.isInteger(entered)) return { ok: false, message: 'The amount must be a whole number of KES' };
  if (entered < rule.min || entered > rule.max)
    return { ok: false, message: `The amount must be between KES ${rule.min} and KES ${rule.max}` };
  return { ok: true, amount: entered };
}

/**
 * What the checkout page tells the customer to do next, by the payment's status and M-Pesa's
 * ResultCode (Safaricom's STK result codes: 1032 cancelled by the customer, 1037 the phone could not
 * be reached or the prompt timed out, 1 insufficient M-Pesa balance, 2001 wrong PIN).
 */
export type CheckoutNextStep =
  'wait' | 'done' | 'in_review' | 'cancelled' | 'timed_out' | 'insufficient_balance' | 'wrong_pin' | 'failed';

const NEXT_STEP_OF_CODE: Readonly<Record<string, CheckoutNextStep>> = {
  '1032': 'cancelled',
  '1037': 'timed_out',
  '1': 'insufficient_balance',
  '2001': 'wrong_pin',
};

/** The next step for a payment of `status` with M-Pesa's `resultCode` (null when M-Pesa gave none). */
export function checkoutNextStep(
  status: 'pending' | 'completed' | 'failed' | 'needs_review',
  resultCode: string | null,
): CheckoutNextStep {
  if (status === 'pending') return 'wait';
  if (status === 'completed') return 'done';
  if (status === 'needs_review') return 'in_review';
  // A failure with no code at all is an unanswered prompt: Daraja's own code for it is 1037.
  return NEXT_STEP_OF_CODE[resultCode?.trim() ?? '1037'] ?? 'failed';
}
