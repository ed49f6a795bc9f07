import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Field, FormError } from '../components/Field';
import { PageHeader } from '../components/Layout';
import { LiveStatus } from '../components/LiveStatus';
import { QueryState } from '../components/QueryState';
import { kes } from '../format';
import { useChannels, useFeeQuote } from '../queries';

/** The fields of one payment; the chosen channel is kept from one push to the next. */
const EMPTY_PAYMENT = { phone_number: '', amount: '', external_reference: '', description: '' };

export function StkPushPage() {
  const channels = useChannels();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ account_id: '', ...EMPTY_PAYMENT });
  // With a single active channel there is nothing to choose: preselect it (a choice already made stays).
  useEffect(() => {
    const active = channels.data?.filter((c) => c.is_active) ?? [];
    if (active.length === 1) setForm((f) => (f.account_id ? f : { ...f, account_id: String(active[0].id) }));
  }, [channels.data]);
  const push = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/stk-push', {
          body: {
            account_id: Number(form.account_id),
            phone_number: form.phone_number,
            amount: Number(form.amount),
            external_reference: form.external_reference || null,
            description: form.description || null,
          },
        }),
      ),
    onSuccess: () => {
      // Ready for the next customer: the channel stays, the sent payment's status shows beside the form.
      setForm((current) => ({ ...current, ...EMPTY_PAYMENT }));
      return queryClient.invalidateQueries({ queryKey: ['wallet'] });
    },
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  const amount = Number(form.amount);
  const feeQuote = useFeeQuote(amount);
  const fee = feeQuote.data?.amount === amount ? feeQuote.data.fee : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    push.mutate();
  };

  return (
    <section>
      <PageHeader title="Create STK Push" subtitle="Initiate an M-Pesa payment request to a customer's phone" />
      <div className="two-columns">
        <QueryState query={channels}>
          {(all) => {
            const active = all.filter((c) => c.is_active);
            if (active.length === 0)
              return (
                <p className="empty">
                  You have no active payment channel yet. <Link to="/channels">Add a payment channel</Link> first.
                </p>
              );
            return (
              <form className="card" onSubmit={submit}>
                <Field label="Channel" name="account_id" error={push.error}>
                  <select id="account_id" required value={form.account_id} onChange={set('account_id')}>
                    <option value="">Choose a channel</option>
                    {active.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label="Phone number" name="phone_number" error={push.error} hint="07…, 01…, 254… or +254…">
                  <input
                    id="phone_number"
                    inputMode="tel"
                    required
                    value={form.phone_number}
                    onChange={set('phone_number')}
                  />
                </Field>
                <Field label="Amount (KES)" name="amount" error={push.error}>
                  <input id="amount" inputMode="numeric" required value={form.amount} onChange={set('amount')} />
                </Field>
                <p className="muted" aria-live="polite">
                  {fee !== null ? `Fee: ${kes(fee)}, from your service wallet` : 'Enter an amount to see the fee'}
                </p>
                <Field
                  label="External reference"
                  name="external_reference"
                  error={push.error}
                  hint="Your order or invoice number (optional)"
                >
                  <input id="external_reference" value={form.external_reference} onChange={set('external_reference')} />
                </Field>
                <Field
                  label="Description"
                  name="description"
                  error={push.error}
                  hint="Up to 13 characters, shown on the prompt (optional)"
                >
                  <input id="description" maxLength={13} value={form.description} onChange={set('description')} />
                </Field>
                <FormError error={push.error} />
                <button type="submit" disabled={push.isPending}>
                  {push.isPending ? 'Sending…' : 'Send STK Push'}
                </button>
              </form>
            );
          }}
        </QueryState>
        <aside>
          <div className="card">
            <h2>Fast, secure payment</h2>
            <p>The customer receives an M-Pesa PIN prompt on their phone.</p>
            <p>Successful payments are credited to your configured channel.</p>
          </div>
          {push.data && (
            <LiveStatus
              key={push.data.transaction_id}
              transactionId={push.data.transaction_id}
              onSettled={() => void queryClient.invalidateQueries({ queryKey: ['wallet'] })}
            />
          )}
        </aside>
      </div>
    </section>
  );
}
