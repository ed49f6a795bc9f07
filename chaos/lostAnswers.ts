import { setTimeout as sleep } from 'node:timers/promises';
import { feeVerdict, type PaymentFacts, type RowFacts } from './invariants';
import type { FaultCheck } from './longOutage';

/** What the simulator's control API makes M-Pesa's answers lose (simulator/engine.ts LostAnswers). */
export type LostAnswersMode = 'callbacks' | 'callbacks_and_push_answer';

/** Sets the simulator's lost-answers mode for the pushes it accepts from now on (`none` restores them). */
export async function setLostAnswers(simulatorUrl: string, mode: LostAnswersMode | 'none'): Promise<void> {
  const answer = await fetch(`${simulatorUrl}/__control/lost-answers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode }),
    signal: AbortSignal.timeout(10_000),
  });
  if (answer.status !== 204) throw new Error(`the simulator refused lost-answers ${mode}: HTTP ${answer.status}`);
}

/**
 * For `ms`, every push the simulator accepts loses M-Pesa's answers as `mode` says: its callbacks
 * never reach ImaraPay and its STK query says "being processed" for good (and with
 * `callbacks_and_push_answer` its processrequest answer comes after the push timeout, so ImaraPay
 * never learns its CheckoutRequestID). M-Pesa's own record still holds what each customer did.
 */
export async function loseAnswersFor(
  t: { simulatorUrl: string; log: (message: string) => void },
  mode: LostAnswersMode,
  ms: number,
): Promise<void> {
  t.log(`M-Pesa's answers lost (${mode}) for the pushes of the next ${ms / 1000} s`);
  await setLostAnswers(t.simulatorUrl, mode);
  await sleep(ms);
  await setLostAnswers(t.simulatorUrl, 'none');
  t.log("M-Pesa's answers delivered again");
}

const paidPrompt = (p: PaymentFacts) => p.prompts.find((prompt) => prompt.lost && prompt.resultCode === '0');

/**
 * The lost-answers rows' own checks, on the row's final facts: the fault reached paid payments
 * (else the row proves nothing), and every payment whose customer paid while M-Pesa's answers
 * were lost ended `completed` by M-Pesa's own record (`decided_by` mpesa_record: only the
 * reconciliation's Pull Transactions could end it), its fee captured once (reserved, released at the
 * failure, then one late capture; or captured once), with exactly one accepted `payment.completed`.
 */
export function lostAnswerChecks(facts: RowFacts): FaultCheck[] {
  const paid = facts.payments.filter((p) => paidPrompt(p));
  const affected = facts.payments.filter((p) => p.prompts.some((prompt) => prompt.lost));
  const wrong = paid.flatMap((p) => {
    const completedWebhooks = facts.webhooks.filter(
      (w) => w.transactionId === p.transactionId && w.event === 'payment.completed',
    ).length;
    const fee = feeVerdict(p);
    const problems = [
      ...(p.status === 'completed' ? [] : [`status ${p.status}`]),
      ...(p.decidedBy === 'mpesa_record' ? [] : [`decided by ${p.decidedBy ?? 'nothing'}`]),
      ...(fee === null ? [] : [`fee ${fee}`]),
      ...(completedWebhooks === 1 ? [] : [`${completedWebhooks} payment.completed webhooks`]),
    ];
    return problems.length ? [`#${p.transactionId} (${p.amount}): ${problems.join(', ')}`] : [];
  });
  return [
    {
      name: 'answers_lost_for_paid_payments',
      held: paid.length > 0,
      detail: `${affected.length} payments lost M-Pesa's answers, ${paid.length} of them paid by the customer`,
    },
    {
      name: 'paid_ended_by_mpesa_record',
      held: paid.length > 0 && wrong.length === 0,
      detail:
        wrong.length === 0
          ? `${paid.length} paid payments completed by M-Pesa's record, fee captured once, one payment.completed each`
          : wrong.slice(0, 5).join('; '),
    },
  ];
}
