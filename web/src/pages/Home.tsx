import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../api/client';
import type { Me, Transaction } from '../api/answers';
import { QueryState } from '../components/QueryState';
import { TransactionTable } from '../components/TransactionTable';
import { greeting, kes, nairobiDate } from '../format';
import { useApiKeys, useChannels, usePricing, useWallet } from '../queries';

/** Completed payments' count and sum, and the share of ended ones that succeeded. */
function summary(rows: readonly Transaction[]) {
  const payments = rows.filter((t) => t.type === 'payment');
  const completed = payments.filter((t) => t.status === 'completed');
  const ended = completed.length + payments.filter((t) => t.status === 'failed').length;
  return {
    count: completed.length,
    amount: completed.reduce((sum, t) => sum + t.amount, 0),
    successRate: ended === 0 ? null : completed.length / ended,
  };
}

export function HomePage({ me }: { me: Me }) {
  const today = nairobiDate(new Date());
  const monthStart = `${today.slice(0, 8)}01`;
  const wallet = useWallet();
  const pricing = usePricing();
  const verified = me.merchant?.kyc_status === 'verified';
  const channels = useChannels();
  const keys = useApiKeys();
  // One month of transactions (at most 1,000 rows) gives today's and the month's figures.
  const month = useQuery({
    queryKey: ['transactions', 'month', monthStart],
    queryFn: () => unwrapPage(api.GET('/api/transactions', { params: { query: { from: monthStart, limit: 1000 } } })),
  });
  const latest = useQuery({
    queryKey: ['transactions', 'latest'],
    queryFn: () => unwrapPage(api.GET('/api/transactions', { params: { query: { limit: 5 } } })),
  });

  const minFee = pricing.data?.[0]?.fee;
  const blockers: { text: string; to: string }[] = [];
  if (me.merchant?.kyc_status === 'unverified' || me.merchant?.kyc_status === 'rejected')
    blockers.push({ text: 'Verify your identity to unlock channels, STK Push and API keys', to: '/kyc' });
  if (me.merchant?.kyc_status === 'pending')
    blockers.push({ text: 'Your identity verification is being reviewed', to: '/kyc' });
  if (verified && channels.data?.filter((c) => c.is_active).length === 0)
    blockers.push({ text: 'Add a payment channel to receive money', to: '/channels' });
  if (verified && keys.data?.filter((k) => !k.revoked_at).length === 0)
    blockers.push({ text: 'Create an API key for your systems', to: '/api-keys' });
  if (wallet.data && minFee !== undefined && wallet.data.balance < minFee)
    blockers.push({ text: `Top up your service wallet: it cannot cover the next fee (${kes(minFee)})`, to: '/wallet' });

  return (
    <section>
      <p className="eyebrow">{greeting(new Date()).toUpperCase()}</p>
      <h1>{me.merchant?.name}</h1>
      {blockers.length > 0 && (
        <div className="card notice">
          <h2>Before you can collect payments</h2>
          <ul>
            {blockers.map((b) => (
              <li key={b.to}>
                <Link to={b.to}>{b.text}</Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="stats">
        <div className="card stat">
          <h2>Service wallet</h2>
          <QueryState query={wallet}>{(w) => <p className="figure">{kes(w.balance)}</p>}</QueryState>
        </div>
        <QueryState query={month}>
          {({ rows }) => {
            const todays = summary(rows.filter((t) => nairobiDate(new Date(t.created_at)) === today));
            const months = summary(rows);
            return (
              <>
                <div className="card stat">
                  <h2>Collected today</h2>
                  <p className="figure">{kes(todays.amount)}</p>
                  <p className="muted">{todays.count === 1 ? '1 payment' : `${todays.count} payments`}</p>
                </div>
                <div className="card stat">
                  <h2>This month</h2>
                  <p className="figure">{kes(months.amount)}</p>
                  <p className="muted">{months.count === 1 ? '1 payment' : `${months.count} payments`}</p>
                </div>
                <div className="card stat">
                  <h2>Success rate</h2>
                  <p className="figure">
                    {months.successRate === null ? '—' : `${Math.round(months.successRate * 100)}%`}
                  </p>
                  <p className="muted">this month</p>
                </div>
              </>
            );
          }}
        </QueryState>
      </div>
      <h2>Latest payments</h2>
      <QueryState
        query={latest}
        isEmpty={(p) => p.rows.length === 0}
        empty="No payments yet: send your first STK push."
      >
        {({ rows }) => <TransactionTable rows={rows} />}
      </QueryState>
    </section>
  );
}
