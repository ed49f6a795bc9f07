/**
 * The chaos suite's invariants, as pure functions of what one row left behind (rows in Postgres,
 * the simulator's record of what each customer did, the webhooks the merchant accepted, the
 * workflows' states). Each returns how many things it checked and how many broke it.
 */

/** What the simulated customer did with one prompt (from the simulator's control API). */
export interface Prompt {
  checkoutRequestId: string;
  /** The customer's answer; null while the prompt is open. */
  resultCode: string | null;
  receipt: string | null;
  /** A callback for it reached ImaraPay (answered 2xx); only then can ImaraPay know the receipt. */
  callbackDelivered: boolean;
  /** What of M-Pesa's answers the simulator lost for it on purpose (simulator PushRecord.lost); absent or null: none. */
  lost?: string | null;
}

/** One payment of a row, as it ended. */
export interface PaymentFacts {
  transactionId: number;
  amount: number;
  status: string;
  receipt: string | null;
  /** The payment's workflow exists and has closed. */
  workflowClosed: boolean;
  /** Ledger entries of this payment: kind and signed amount. */
  ledger: Array<{ kind: string; amount: number }>;
  /** Every prompt the simulator received for this payment (its CallBackURL names the payment). */
  prompts: Prompt[];
  /** What proved its ending (`transactions.decided_by`: callback, query, mpesa_record, no_answer, …), when read. */
  decidedBy?: string | null;
}

export interface RowFacts {
  payments: PaymentFacts[];
  /** The row's merchant wallet: its balance, the sum of its ledger, the lowest balance it recorded. */
  wallet: { balance: number; ledgerSum: number; lowestBalanceAfter: number };
  /** Webhooks the merchant's receiver accepted. */
  webhooks: Array<{ transactionId: number; event: string }>;
}

export const INVARIANTS = [
  'terminal',
  'ledger',
  'fee_once',
  'truth',
  'one_prompt',
  'webhook_once',
  'webhook_final',
] as const;
export type Invariant = (typeof INVARIANTS)[number];

export const INVARIANT_DOCS: Readonly<Record<Invariant, string>> = {
  terminal: 'every payment is completed or failed, and its workflow closed, within the bound',
  ledger: 'the wallet equals the sum of its ledger and never went below zero',
  fee_once:
    'each fee reserved at most once, then captured xor released (a late success: released, then late_fee_capture)',
  truth:
    "the final status agrees with what the simulator's customer did; a completed payment carries the receipt a delivered callback brought",
  one_prompt: 'at most one prompt reached the customer per payment',
  webhook_once: 'the merchant accepted at most one webhook per payment and event',
  webhook_final:
    'every finished payment whose prompt reached the customer has an accepted webhook for its final status',
};

export interface InvariantResult {
  checked: number;
  violations: number;
  /** A few offending payments, for the report. */
  examples: string[];
}

export type RowResult = Record<Invariant, InvariantResult>;

const MAX_EXAMPLES = 5;

export function checkRow(facts: RowFacts): RowResult {
  const result = Object.fromEntries(
    INVARIANTS.map((name) => [name, { checked: 0, violations: 0, examples: [] as string[] }]),
  ) as RowResult;
  const note = (name: Invariant, ok: boolean, example: () => string) => {
    const r = result[name];
    r.checked += 1;
    if (ok) return;
    r.violations += 1;
    if (r.examples.length < MAX_EXAMPLES) r.examples.push(example());
  };
  const isFinal = (p: PaymentFacts) => p.status === 'completed' || p.status === 'failed';

  for (const p of facts.payments) {
    const tag = `#${p.transactionId} (${p.amount})`;
    note(
      'terminal',
      isFinal(p) && p.workflowClosed,
      () => `${tag} ${p.status}, workflow ${p.workflowClosed ? 'closed' : 'open or missing'}`,
    );
    note('one_prompt', p.prompts.length <= 1, () => `${tag} ${p.prompts.length} prompts`);
    if (isFinal(p)) {
      const fee = feeVerdict(p);
      note('fee_once', fee === null, () => `${tag} ${p.status}: ${fee}`);
      const truth = truthVerdict(p);
      if (truth !== 'unknown') note('truth', truth === null, () => `${tag} ${p.status}: ${truth}`);
      // A push refused before any prompt is answered by the API itself (400, 402, 503): no webhook.
      if (p.prompts.length > 0) {
        note(
          'webhook_final',
          facts.webhooks.some((w) => w.transactionId === p.transactionId && w.event === `payment.${p.status}`),
          () => `${tag} no accepted payment.${p.status}`,
        );
      }
    }
  }

  const { balance, ledgerSum, lowestBalanceAfter } = facts.wallet;
  note(
    'ledger',
    balance === ledgerSum && balance >= 0 && lowestBalanceAfter >= 0,
    () => `balance ${balance}, ledger sum ${ledgerSum}, lowest ${lowestBalanceAfter}`,
  );

  const perEvent = new Map<string, number>();
  for (const w of facts.webhooks)
    perEvent.set(`${w.transactionId} ${w.event}`, (perEvent.get(`${w.transactionId} ${w.event}`) ?? 0) + 1);
  for (const [key, count] of perEvent) note('webhook_once', count === 1, () => `#${key} accepted ${count}×`);
  return result;
}

/** null when the fee moved as it must for the payment's final status, else what is wrong. */
export function feeVerdict(p: PaymentFacts): string | null {
  const count = (kind: string) => p.ledger.filter((e) => e.kind === kind).length;
  const [reserve, capture, release, late] = ['fee_reserve', 'fee_capture', 'fee_release', 'late_fee_capture'].map(
    count,
  ) as [number, number, number, number];
  const moves = `reserve ${reserve}, capture ${capture}, release ${release}, late capture ${late}`;
  if (reserve > 1 || capture + release > 1 || late > 1) return moves;
  if (p.status === 'completed') {
    const onTime = reserve === 1 && capture === 1 && release === 0 && late === 0;
    const lateSuccess = reserve === 1 && capture === 0 && release === 1 && late === 1;
    return onTime || lateSuccess ? null : moves;
  }
  // failed: either refused before any reservation, or reserved then released.
  const untouched = reserve === 0 && capture + release + late === 0;
  const released = reserve === 1 && release === 1 && capture === 0 && late === 0;
  return untouched || released ? null : moves;
}

/**
 * null when the final status matches the customer; 'unknown' when the customer has not answered
 * (an open prompt), else what disagrees.
 */
export function truthVerdict(p: PaymentFacts): string | null | 'unknown' {
  if (p.prompts.length === 0)
    return p.status === 'failed' ? null : 'completed, but no prompt ever reached the customer';
  const answered = p.prompts.filter((prompt) => prompt.resultCode !== null);
  if (answered.length === 0) return 'unknown';
  const paid = answered.find((prompt) => prompt.resultCode === '0');
  if (!paid) return p.status === 'failed' ? null : `customer answered ${answered[0]!.resultCode}`;
  if (p.status !== 'completed') return 'the customer paid';
  // An STK query answer carries no receipt: it is owed only when a callback brought it.
  if (!paid.callbackDelivered) return null;
  return p.receipt === paid.receipt
    ? null
    : `receipt ${p.receipt ?? 'missing'} although a callback brought ${paid.receipt}`;
}
