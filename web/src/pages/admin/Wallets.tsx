import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Field, FormError } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { kes } from '../../format';

/** Credits or debits a merchant's service wallet with a reason that the ledger keeps. */
export default function WalletsPage() {
  const [form, setForm] = useState({ merchant_id: '', amount: '', reason: '' });
  const adjust = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/admin/merchants/{id}/wallet/adjustments', {
          params: { path: { id: form.merchant_id } },
          body: { amount: Number(form.amount), reason: form.reason },
        }),
      ),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    adjust.mutate();
  };
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  return (
    <section>
      <PageHeader title="Wallet adjustments" subtitle="Credit or debit a merchant's service wallet" />
      <form className="card" onSubmit={submit}>
        <Field label="Merchant ID" name="merchant_id" error={adjust.error}>
          <input id="merchant_id" inputMode="numeric" required value={form.merchant_id} onChange={set('merchant_id')} />
        </Field>
        <Field label="Amount (KES, negative to debit)" name="amount" error={adjust.error}>
          <input id="amount" inputMode="numeric" required value={form.amount} onChange={set('amount')} />
        </Field>
        <Field label="Reason" name="reason" error={adjust.error}>
          <input id="reason" required value={form.reason} onChange={set('reason')} />
        </Field>
        <FormError error={adjust.error} />
        <button type="submit" disabled={adjust.isPending}>
          Adjust wallet
        </button>
        {adjust.data && <p role="status">Done: the wallet now holds {kes(adjust.data.balance)}.</p>}
      </form>
    </section>
  );
}
