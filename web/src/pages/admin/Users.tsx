import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { AdminUser, KycStatus } from '../../api/models';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime } from '../../format';

/** Every account and its KYC status; the search narrows the loaded page by email or business name. */
export default function UsersPage() {
  const [kycStatus, setKycStatus] = useState<'' | KycStatus>('');
  const [search, setSearch] = useState('');
  const users = useQuery({
    queryKey: ['admin', 'users', kycStatus],
    queryFn: () => unwrap<AdminUser[]>(api.GET('/api/admin/users', { params: { query: { limit: 500, ...(kycStatus ? { kyc_status: kycStatus } : {}) } } })),
  });
  const term = search.trim().toLowerCase();
  return (
    <section>
      <PageHeader title="All Users" subtitle="Manage accounts and KYC status across the platform" />
      <div className="filters" role="search">
        <label>
          Search
          <input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Email or business" />
        </label>
        <label>
          KYC status
          <select value={kycStatus} onChange={(e) => setKycStatus(e.target.value as '' | KycStatus)}>
            <option value="">Any</option>
            <option value="unverified">Unverified</option>
            <option value="pending">Pending</option>
            <option value="verified">Verified</option>
            <option value="rejected">Rejected</option>
          </select>
        </label>
      </div>
      <QueryState query={users}>
        {(all) => {
          const rows = all.filter((u) => !term || u.email.toLowerCase().includes(term) || u.merchant?.name.toLowerCase().includes(term));
          if (rows.length === 0) return <p className="empty">No users match.</p>;
          return (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Business</th>
                    <th scope="col">KYC</th>
                    <th scope="col">Joined</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((u) => (
                    <tr key={u.id}>
                      <td>{u.email}</td>
                      <td>{u.role}</td>
                      <td>{u.merchant ? `${u.merchant.name} (#${u.merchant.id})` : '—'}</td>
                      <td>{u.merchant ? <StatusBadge status={u.merchant.kyc_status} /> : '—'}</td>
                      <td>{dateTime(u.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </QueryState>
    </section>
  );
}
