import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client';
import { Field, FormError } from '../components/Field';
import { DataTable, Pager, useCursorPages } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { direction, SignedAmount } from '../components/Money';
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
  const pages = useCursorPages();
  const { cursor } = pages;
  const ledger = useQuery({
    queryKey: ['wallet', 'ledger', cursor],
    queryFn: () =>
      unwrapPage(api.GET('/api/wallet/ledger', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
  });
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ amount: '', phone_number: '' });
  const topUp = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/wallet/top-ups', { body: { amount: Number(form.amount), phone_number: form.phone_number } }),
      ),
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
            <input
              id="amount"
              inputMode="numeric"
              required
              value={form.amount}
              onChange={(e) => setForm({ ...form, amount: e.target.value })}
            />
          </Field>
          <Field label="Your phone number" name="phone_number" error={topUp.error}>
            <input
              id="phone_number"
              inputMode="tel"
              required
              value={form.phone_number}
              onChange={(e) => setForm({ ...form, phone_number: e.target.value })}
            />
          </Field>
          <FormError error={topUp.error} />
          <button type="submit" disabled={topUp.isPending}>
            {topUp.isPending ? 'Sending…' : 'Top up'}
          </button>
        </form>
      </div>
      {topUp.data && (
        <LiveStatus key={topUp.data.transaction_id} transactionId={topUp.data.transaction_id} onSettled={refresh} />
      )}
      <h2>Ledger</h2>
      <QueryState query={ledger} isEmpty={(p) => p.rows.length === 0} empty="No wallet movements yet.">
        {({ rows, nextCursor }) => (
          <>
            <DataTable
              rows={rows}
              rowKey={(e) => e.id}
              columns={[
                { header: 'Entry', cell: (e) => KIND_LABEL[e.kind] ?? e.kind },
                {
                  header: 'Amount',
                  numeric: true,
                  cell: (e) => <SignedAmount amount={e.amount} />,
                  cellProps: (e) => ({ 'data-direction': direction(e.amount) }),
                },
                { header: 'Balance after', numeric: true, cell: (e) => kes(e.balance_after) },
                { header: 'Transaction', cell: (e) => e.transaction_id ?? '—' },
                { header: 'Reference', cell: (e) => e.reference ?? '—' },
                { header: 'Date', cell: (e) => dateTime(e.created_at) },
              ]}
            />
            <Pager pages={pages} nextCursor={nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}
