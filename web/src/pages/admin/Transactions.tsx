import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../../api/client';
import { DataTable, Pager, useCursorPages } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime, kes } from '../../format';
import { useMe } from '../../session';

/** Every payment of every merchant, each linked to its workflow in the Temporal Web UI (TEMPORAL_UI_URL). */
export default function AdminTransactionsPage() {
  const workflowsUrl = useMe().data?.temporal_ui?.workflows_url;
  const [draft, setDraft] = useState({ q: '', status: '', merchant_id: '' });
  const [filters, setFilters] = useState(draft);
  const pages = useCursorPages();
  const { cursor } = pages;
  const page = useQuery({
    queryKey: ['admin', 'transactions', filters, cursor],
    queryFn: () =>
      unwrapPage(
        api.GET('/api/admin/transactions', {
          params: {
            query: {
              limit: 50,
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.status
                ? { status: filters.status as 'pending' | 'completed' | 'failed' | 'needs_review' }
                : {}),
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
    pages.reset();
  };
  return (
    <section>
      <PageHeader title="All Transactions" subtitle="Every STK Push transaction across all accounts" />
      <form className="filters" onSubmit={apply} role="search">
        <label>
          Search
          <input
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            placeholder="Receipt, phone or reference"
          />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">Any</option>
            <option value="pending">Pending</option>
            <option value="completed">Completed</option>
            <option value="failed">Failed</option>
            <option value="needs_review">Verifying (in review)</option>
          </select>
        </label>
        <label>
          Merchant ID
          <input
            inputMode="numeric"
            value={draft.merchant_id}
            onChange={(e) => setDraft({ ...draft, merchant_id: e.target.value })}
          />
        </label>
        <button type="submit">Apply</button>
      </form>
      <QueryState query={page} isEmpty={(p) => p.rows.length === 0} empty="No transactions match.">
        {({ rows, nextCursor }) => (
          <>
            <DataTable
              rows={rows}
              rowKey={(t) => t.id}
              columns={[
                { header: 'ID', cell: (t) => t.id },
                { header: 'Merchant', cell: (t) => t.merchant_name },
                { header: 'Amount', numeric: true, cell: (t) => kes(t.amount) },
                { header: 'Status', cell: (t) => <StatusBadge status={t.status} /> },
                { header: 'Provider ref', cell: (t) => t.mpesa_receipt ?? '—' },
                { header: 'External ref', cell: (t) => t.external_reference ?? '—' },
                { header: 'Env', cell: (t) => t.environment },
                { header: 'Date', cell: (t) => dateTime(t.created_at) },
                {
                  header: 'Workflow',
                  cell: (t) =>
                    workflowsUrl ? (
                      <a href={`${workflowsUrl}/payment-${t.id}`} target="_blank" rel="noreferrer">
                        payment-{t.id}
                      </a>
                    ) : (
                      `payment-${t.id}`
                    ),
                },
              ]}
            />
            <Pager pages={pages} nextCursor={nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}
