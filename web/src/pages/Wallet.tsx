import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client';
import type { LedgerEntry, PushAnswer } from '../api/models';
import { Field, FormError } from '../components/Field';
import { PageHeader } from '../components/Layout';
import { LiveStatus } from '../components/LiveStatus';
import { QueryState } from '../components/QueryState';
import { dateTime, kes } from '../format';
import { useWallet } from '../queries';

const KIND_LABEL: Record<string, string> = {
  top_up: 'Top-up',
  adjustment: 'Adjustment',
  fee_reserve: 'Fee reserved',
  fee_capture: 'Fee captured',
  fee_release: 'Fee refunded',
  late_fee_capture: 'Fee charged (late success)',
};

export function WalletPage() {
  const wallet = useWallet();
  const ledger = useQuery({ queryKey: ['wallet', 'ledger'], queryFn: () => unwrapPage<LedgerEntry>(api.GET('/api/wallet/ledger', { params: { query: { limit: 50 } } })) });
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ amount: '', phone_number: '' });
  const topUp = useMutation({
    mutationFn: () => unwrap<PushAnswer>(api.POST('/api/wallet/top-ups', { body: { amount: Number(form.amount), phone_number: form.phone_number } })),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['wallet'] });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    topUp.mutate();
  };
  return (
    <section>
      <PageHeader title="Service wallet" subtitle="ImaraPay's fees are paid from this wallet" />
      <div className="two-columns">
        <div className="card stat">
          <h2>Balance</h2>
          <QueryState query={wallet}>{(w) => <p className="figure wallet-balance">{kes(w.balance)}</p>}</QueryState>
        </div>
        <form className="card" onSubmit={submit}>
          <h2>Top up by M-Pesa</h2>
          <Field label="Amount (KES)" name="amount" error={topUp.error}>
            <input id="amount" inputMode="numeric" required value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} />
          </Field>
          <Field label="Your phone number" name="phone_number" error={topUp.error}>
            <input id="phone_number" inputMode="tel" required value={form.phone_number} onChange={(e) => setForm({ ...form, phone_number: e.target.value })} />
          </Field>
          <FormError error={topUp.error} />
          <button type="submit" disabled={topUp.isPending}>
            {topUp.isPending ? 'Sending…' : 'Top up'}
          </button>
        </form>
      </div>
      {topUp.data && <LiveStatus key={topUp.data.transaction_id} transactionId={topUp.data.transaction_id} onSettled={refresh} />}
      <h2>Ledger</h2>
      <QueryState query={ledger} isEmpty={(p) => p.rows.length === 0} empty="No wallet movements yet.">
        {({ rows }) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Entry</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Balance after</th>
                  <th scope="col">Transaction</th>
                  <th scope="col">Reference</th>
                  <th scope="col">Date</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.id}>
                    <td>{KIND_LABEL[e.kind] ?? e.kind}</td>
                    <td className="num">{kes(e.amount)}</td>
                    <td className="num">{kes(e.balance_after)}</td>
                    <td>{e.transaction_id ?? '—'}</td>
                    <td>{e.reference ?? '—'}</td>
                    <td>{dateTime(e.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}
