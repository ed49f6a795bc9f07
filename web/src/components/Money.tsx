import { kes } from '../format';

/** Whether a wallet movement takes money out (`debit`) or puts it in (`credit`). */
export const direction = (amount: number) => (amount < 0 ? 'debit' : 'credit');

/**
 * A wallet movement's amount: `−KES 6` for a debit, `KES 1,000` for a credit, with the direction in
 * words for screen readers ("Debit: minus KES 6"), since a minus sign alone is easy to miss.
 */
export function SignedAmount({ amount }: { amount: number }) {
  return (
    <>
      <span className="visually-hidden">{amount < 0 ? 'Debit: ' : 'Credit: '}</span>
      {kes(amount)}
    </>
  );
}
