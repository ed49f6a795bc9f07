import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrapPage } from '../api/client';
import type { AuditEvent } from '../api/answers';
import { DataTable, Pager, useCursorPages } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { dateTime } from '../format';

const ACTIONS: Array<[string, string]> = [
  ['login.succeeded', 'Signed in'],
  ['login.failed', 'Failed sign-in'],
  ['password.changed', 'Password changed'],
  ['two_factor.enabled', 'Two-step sign-in on'],
  ['two_factor.disabled', 'Two-step sign-in off'],
  ['api_key.created', 'API key created'],
  ['api_key.revoked', 'API key revoked'],
  ['callback_url.changed', 'Callback URL changed'],
  ['webhook_secret.rotated', 'Signing secret rotated'],
  ['payment_link.paused', 'Payment link paused'],
  ['payment_link.resumed', 'Payment link resumed'],
  ['payment_link.archived', 'Payment link archived'],
  ['channel.initiator_set', 'M-Pesa initiator set'],
  ['reversal.requested', 'Reversal requested'],
  ['kyc.approved', 'KYC approved'],
  ['kyc.rejected', 'KYC rejected'],
  ['wallet.adjusted', 'Wallet adjusted'],
  ['review.proposed', 'Review ending proposed'],
  ['review.approved', 'Review ending approved'],
  ['review.rejected', 'Review ending rejected'],
  ['pricing.replaced', 'Pricing replaced'],
];
const actionLabel = (action: string) => ACTIONS.find(([a]) => a === action)?.[1] ?? action;

interface Filters {
  action: string;
  actor: string;
  merchant_id: string;
  from: string;
  to: string;
}
const NO_FILTERS: Filters = { action: '', actor: '', merchant_id: '', from: '', to: '' };

/** Only the filters that are set, as query parameters. */
const setFilters = (f: Filters, admin: boolean) =>
  Object.fromEntries(
    Object.entries(f)
      .filter(([k, v]) => v.trim() !== '' && (admin || k !== 'merchant_id'))
      .map(([k, v]) => [k, v.trim()]),
  );

/**
 * The audit log, newest first: admins read all of it ("Audit log"), a merchant its own account's
 * ("Security log"). Filters are sent to the API; pages follow its X-Next-Cursor.
 */
export function AuditLogPage({ admin }: { admin: boolean }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setApplied] = useState(draft);
  const pages = useCursorPages();
  const { cursor } = pages;
  const events = useQuery({
    queryKey: ['audit', admin, filters, cursor],
    queryFn: () => {
      const query = { limit: 50, ...setFilters(filters, admin), ...(cursor ? { cursor } : {}) };
      return unwrapPage(
        admin ? api.GET('/api/admin/audit', { params: { query } }) : api.GET('/api/audit', { params: { query } }),
      );
    },
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied(draft);
    pages.reset();
  };
  const input = (key: keyof Filters, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </label>
  );
  return (
    <section>
      <PageHeader
        title={admin ? 'Audit log' : 'Security log'}
        subtitle={
          admin
            ? 'Every staff action and merchant security action: who, when, from where, and what changed'
            : 'Sign-ins, security changes and staff actions on your account'
        }
      />
      <form className="filters" onSubmit={apply} role="search">
        <label>
          Action
          <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">Any</option>
            {ACTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {input('actor', 'Who')}
        {admin && input('merchant_id', 'Merchant ID')}
        {input('from', 'From', 'date')}
        {input('to', 'To', 'date')}
        <button type="submit">Filter</button>
      </form>
      <QueryState query={events} isEmpty={(p) => p.rows.length === 0} empty="No events match.">
        {({ rows, nextCursor }) => (
          <>
            <DataTable
              rows={rows}
              rowKey={(e) => e.id}
              label={admin ? 'Audit events' : 'Security events'}
              columns={[
                { header: 'When', cell: (e) => dateTime(e.occurred_at) },
                { header: 'Action', cell: (e) => actionLabel(e.action) },
                { header: 'Who', cell: (e) => e.actor.label ?? e.actor.type, className: 'wrap' },
                ...(admin ? [{ header: 'Merchant', cell: (e: AuditEvent) => e.merchant_id ?? '—' }] : []),
                { header: 'Address', cell: (e) => e.ip ?? '—' },
                {
                  header: 'What changed',
                  className: 'wrap',
                  cell: (e) => <code>{JSON.stringify(e.details)}</code>,
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
