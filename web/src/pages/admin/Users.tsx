import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../../api/client';
import type { KycStatus } from '../../api/answers';
import { DataTable, Pager, useCursorPages } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime } from '../../format';

interface Filters {
  q: string;
  kyc_status: '' | KycStatus;
}

/** Every account and its KYC status; the API searches email, business and KYC names, page by page. */
export default function UsersPage() {
  const [draft, setDraft] = useState<Filters>({ q: '', kyc_status: '' });
  const [filters, setFilters] = useState(draft);
  const pages = useCursorPages();
  const { cursor } = pages;
  const users = useQuery({
    queryKey: ['admin', 'users', filters, cursor],
    queryFn: () =>
      unwrapPage(
        api.GET('/api/admin/users', {
          params: {
            query: {
              limit: 50,
              ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
              ...(filters.kyc_status ? { kyc_status: filters.kyc_status } : {}),
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
      <PageHeader title="All Users" subtitle="Manage accounts and KYC status across the platform" />
      <form className="filters" onSubmit={apply} role="search">
        <label>
          Search
          <input
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            placeholder="Email, name or business"
          />
        </label>
        <label>
          KYC status
          <select
            value={draft.kyc_status}
            onChange={(e) => setDraft({ ...draft, kyc_status: e.target.value as Filters['kyc_status'] })}
          >
            <option value="">Any</option>
            <option value="unverified">Unverified</option>
            <option value="pending">Pending</option>
            <option value="verified">Verified</option>
            <option value="rejected">Rejected</option>
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <QueryState query={users} isEmpty={(p) => p.rows.length === 0} empty="No users match.">
        {({ rows, nextCursor }) => (
          <>
            <DataTable
              rows={rows}
              rowKey={(u) => u.id}
              columns={[
                { header: 'Email', cell: (u) => u.email },
                { header: 'Role', cell: (u) => u.role },
                { header: 'Business', cell: (u) => (u.merchant ? `${u.merchant.name} (#${u.merchant.id})` : '—') },
                { header: 'KYC', cell: (u) => (u.merchant ? <StatusBadge status={u.merchant.kyc_status} /> : '—') },
                { header: 'Joined', cell: (u) => dateTime(u.created_at) },
              ]}
            />
            <Pager pages={pages} nextCursor={nextCursor} />
          </>
        )}
      </QueryState>
    </section>
  );
}
