import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../../api/client';
import type { AdminTransaction } from '../../api/models';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime, kes } from '../../format';

/** Where the Temporal Web UI shows a payment's workflow (npm start's by default; VITE_TEMPORAL_UI_URL at build time). */
const TEMPORAL_UI = `${import.meta.env.VITE_TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233'}/namespaces/default/workflows`;

export default function AdminTransactionsPage() {
  const [draft, setDraft] = useState({ q: '', status: '', merchant_id: '' });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: ['admin', 'transactions', filters, cursor],
    queryFn: () =>
      unwrapPage<AdminTransaction>(
        api.GET('/api/admin/transactions', {
          params: {
            query: {
              limit: 50,
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.status ? { status: filters.status as 'pending' | 'completed' | 'failed' } : {}),
              ...(filters.merchant_id ? { merchant_id: Number(filters.merchant_id) } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([]);
  };
  return (
    <section>
      <PageHeader title="All Transactions" subtitle="Every STK Push transaction across all accounts" />
      <form className="filters" onSubmit={apply} role="search">
        <label>
          Search
          <input value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} placeholder="Receipt, phone or reference" />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            <option value="pending">Pending</option>
            <option value="completed">Completed</option>
            <option value="failed">Failed</option>
          </select>
        </label>
        <label>
          Merchant ID
          <input inputMode="numeric" value={draft.merchant_id} onChange={(e) => setDraft({ ...draft, merchant_id: e.target.value })} />
        </label>
        <button type="submit">Apply</button>
      </form>
      <QueryState query={page} isEmpty={(p) => p.rows.length === 0} empty="No transactions match.">
        {({ rows, nextCursor }) => (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">ID</th>
                    <th scope="col">Merchant</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Status</th>
                    <th scope="col">Provider ref</th>
                    <th scope="col">External ref</th>
                    <th scope="col">Env</th>
                    <th scope="col">Date</th>
                    <th scope="col">Workflow</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((t) => (
                    <tr key={t.id}>
                      <td>{t.id}</td>
                      <td>{t.merchant_name}</td>
                      <td className="num">{kes(t.amount)}</td>
                      <td>
                        <StatusBadge status={t.status} />
                      </td>
                      <td>{t.mpesa_receipt ?? '—'}</td>
                      <td>{t.external_reference ?? '—'}</td>
                      <td>{t.environment}</td>
                      <td>{dateTime(t.created_at)}</td>
                      <td>
                        <a href={`${TEMPORAL_UI}/payment-${t.id}`} target="_blank" rel="noreferrer">
                          payment-{t.id}
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="pager">
              <button type="button" className="secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous
              </button>
              <button type="button" className="secondary" disabled={!nextCursor} onClick={() => nextCursor && setCursors([...cursors, nextCursor])}>
                Next
              </button>
            </div>
          </>
        )}
      </QueryState>
    </section>
  );
}
