import fs from 'node:fs';
import path from 'node:path';
import { OUTCOMES, outcomeForAmount, type OutcomeId } from '../../simulator/outcomes';

describe('the simulator outcome table', () => {
  it('When any ordinary amount is pushed, then the outcome is success', () => {
    for (const amount of [1, 10, 100, 1000, 1500, 250_000]) {
      expect(outcomeForAmount(amount)).toMatchObject({ id: 'success', resultCode: 0, callback: 'once' });
    }
  });

  it.each<[number, OutcomeId, number]>([
    [1032, 'cancelled', 1032],
    [1037, 'unreachable', 1037],
    [2001, 'wrong_pin', 2001],
    [9901, 'insufficient_balance', 1],
  ])('When %p is pushed, then the customer answers %s with ResultCode %p', (amount, id, resultCode) => {
    expect(outcomeForAmount(amount)).toMatchObject({ id, resultCode });
  });

  it('When the required behaviours are looked up, then each has its own magic amount', () => {
    const required: OutcomeId[] = [
      'cancelled',
      'unreachable',
      'insufficient_balance',
      'wrong_pin',
      'callback_never_sent',
      'callback_twice',
      'callback_late',
      'query_pending_then_success',
      'spike_arrest_then_accepted',
      'push_times_out',
    ];
    for (const id of required) {
      const outcome = OUTCOMES.find((o) => o.id === id);
      expect(outcome?.amount).toEqual(expect.any(Number));
      expect(outcomeForAmount(outcome!.amount!).id).toBe(id);
    }
  });

  it('When the table is checked, then amounts and ids are unique and within M-Pesa limits', () => {
    const amounts = OUTCOMES.map((o) => o.amount).filter((a): a is number => a !== null);
    expect(new Set(amounts).size).toBe(amounts.length);
    expect(new Set(OUTCOMES.map((o) => o.id)).size).toBe(OUTCOMES.length);
    expect(OUTCOMES.filter((o) => o.amount === null)).toHaveLength(1);
    amounts.forEach((a) => expect(Number.isInteger(a) && a >= 1 && a <= 250_000).toBe(true));
  });

  it('When simulator/README.md is read, then every magic amount is documented in its table', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../simulator/README.md'), 'utf8');
    for (const outcome of OUTCOMES) {
      if (outcome.amount === null) continue;
      expect(readme).toMatch(new RegExp(`\\|\\s*\`?${outcome.amount}\`?\\s*\\|[^\\n]*${outcome.id}`));
    }
  });
});
