import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../api/client';
import type { Transaction } from '../api/answers';
import { kes } from '../format';
import { FormError } from './Field';

/**
 * "Reverse" on a completed payment: a modal confirmation that says what will happen (the amount back
 * to the customer, ImaraPay's fee kept) before anything is sent. One Idempotency-Key per opening, so a
 * double click or a retry is the same reversal (the API answers the one reversal a payment can have).
 */
export function ReverseButton({ transaction }: { transaction: Transaction }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState('');
  const [remarks, setRemarks] = useState('');
  const queryClient = useQueryClient();
  const reverse = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/transactions/{id}/reversal', {
          params: { path: { id: String(transaction.id) }, header: { 'Idempotency-Key': key } },
          body: remarks.trim() ? { remarks: remarks.trim() } : {},
        }),
      ),
    onSuccess: async () => {
      dialog.current?.close();
      await queryClient.invalidateQueries({ queryKey: ['transaction', String(transaction.id)] });
      await queryClient.invalidateQueries({ queryKey: ['transactions'] });
    },
  });
  useEffect(() => {
    const node = dialog.current;
    const closed = () => reverse.reset();
    node?.addEventListener('close', closed);
    return () => node?.removeEventListener('close', closed);
  }, [reverse]);

  const open = () => {
    setKey(crypto.randomUUID());
    dialog.current?.showModal();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reverse.mutate();
  };
  const needsInitiator = reverse.error instanceof ApiError && reverse.error.code === 'initiator_required';

  return (
    <>
      <button type="button" className="secondary" onClick={open}>
        Reverse
      </button>
      <dialog ref={dialog} className="confirm-dialog" aria-labelledby="reverse-title" aria-describedby="reverse-what">
        <form onSubmit={submit}>
          <h2 id="reverse-title">Reverse this payment?</h2>
          <div id="reverse-what">
            <p>
              M-Pesa will return <strong>{kes(transaction.amount)}</strong> to{' '}
              <strong>{transaction.phone_number}</strong> (receipt {transaction.mpesa_receipt}). This cannot be undone,
              and a payment can be reversed only once.
            </p>
            <p>
              ImaraPay&rsquo;s fee of {kes(transaction.fee_charged)} is <strong>kept</strong>: a reversal returns the
              customer&rsquo;s money, not the fee, and costs no new fee.
            </p>
          </div>
          <label htmlFor="reverse-remarks">Reason (optional, shown by M-Pesa)</label>
          <input
            id="reverse-remarks"
            maxLength={100}
            value={remarks}
            onChange={(e) => setRemarks(e.target.value)}
            placeholder="Customer paid twice"
          />
          <FormError error={reverse.error} />
          {needsInitiator && (
            <p>
              <Link to="/channels">Set the channel&rsquo;s initiator under Payment channels</Link>
            </p>
          )}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={reverse.isPending}>
              {reverse.isPending ? 'Reversing…' : `Reverse ${kes(transaction.amount)}`}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
