import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../api/client';
import { Pager, useCursorPages } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { TransactionTable } from '../components/TransactionTable';
import { useChannels } from '../queries';

interface Filters {
  q: string;
  status: '' | 'pending' | 'completed' | 'failed' | 'needs_review';
  account_id: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { q: '', status: '', account_id: '', from: '', to: '' };

/** The API's query from the form: empty fields are left out. */
function queryOf(filters: Filters) {
  return {
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.account_id ? { account_id: Number(filters.account_id) } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  };
}

export function TransactionsPage() {
  const channels = useChannels();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const pages = useCursorPages();
  const { cursor } = pages;
  const page = useQuery({
    queryKey: ['transactions', 'list', filters, cursor],
    queryFn: () =>
      unwrapPage(
        api.GET('/api/transactions', {
          params: { query: { ...queryOf(filters), limit: 25, ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  const set = (name: keyof Filters) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: e.target.value });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    pages.reset();
  };
  const csvUrl = `/api/transactions.csv?${new URLSearchParams(Object.entries(queryOf(filters)).map(([k, v]) => [k, String(v)])).toString()}`;

  return (
    <section>
      <PageHeader title="Transactions" subtitle="Search, filter and export your payment history" />
      <form className="filters" onSubmit={apply} role="search">
        <label>
          Search
          <input value={draft.q} onChange={set('q')} placeholder="Receipt, phone or reference" />
        </label>
        <label>
          Status
          <select value={draft.status} onChange={set('status')}>
            <option value="">Any</option>
            <option value="pending">Pending</option>
            <option value="completed">Completed</option>
            <option value="failed">Failed</option>
            <option value="needs_review">Verifying (in review)</option>
          </select>
        </label>
        <label>
          Channel
          <select value={draft.account_id} onChange={set('account_id')}>
            <option value="">Any</option>
            {channels.data?.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={draft.from} onChange={set('from')} />
        </label>
        <label>
          To
          <input type="date" value={draft.to} onChange={set('to')} />
        </label>
        <button type="submit">Apply</button>
        <a className="button secondary" href={csvUrl} download>
          Export CSV
        </a>
      </form>
      <QueryState query={page} isEmpty={(p) => p.rows.length === 0} empty="No transactions match.">
        {({ rows, nextCursor }) => (
          <>
            <TransactionTable rows={rows} />
            <Pager pages={pages} nextCursor={nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}
