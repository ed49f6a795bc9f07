import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client';
import type { StatementLine, StatementReport } from '../api/answers';
import { DataTable, Pager, useCursorPages, type Column } from '../components/DataTable';
import { Field, FormError } from '../components/Field';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { dateTime, kes } from '../format';
import { useChannels } from '../queries';

const SOURCE_LABEL: Record<string, string> = {
  statement: 'Uploaded statement',
  pull_transactions: 'M-Pesa (Pull Transactions)',
};

const CLASS_LABEL: Record<string, string> = {
  matched: 'Matched',
  mpesa_only: 'In M-Pesa only',
  imarapay_only: 'In ImaraPay only',
  amount_differs: 'Amount differs',
};

/**
 * Statement reconciliation: merchants upload their M-Pesa statement, or ask M-Pesa's Pull
 * Transactions for today's or yesterday's credits, and read each day's report;
 * admins (`admin`) read every merchant's. Each report opens its lines and downloads as CSV.
 */
export default function ReconciliationPage({ admin = false }: { admin?: boolean }) {
  const pages = useCursorPages();
  const [openId, setOpenId] = useState<number | null>(null);
  const base = admin ? '/api/admin/reconciliation/statements' : '/api/reconciliation/statements';
  const reports = useQuery({
    queryKey: ['statement-reports', admin, pages.cursor],
    queryFn: () =>
      unwrapPage(
        admin
          ? api.GET('/api/admin/reconciliation/statements', { params: { query: { cursor: pages.cursor } } })
          : api.GET('/api/reconciliation/statements', { params: { query: { cursor: pages.cursor } } }),
      ),
  });
  const columns: Column<StatementReport>[] = [
    { header: 'Day', cell: (r) => r.day },
    ...(admin ? [{ header: 'Merchant', cell: (r: StatementReport) => `${r.business_name} (#${r.merchant_id})` }] : []),
    { header: 'Channel', cell: (r) => `${r.channel_name} (${r.party_b})` },
    { header: 'Source', cell: (r) => SOURCE_LABEL[r.source] ?? r.source },
    { header: 'Matched', cell: (r) => r.matched, numeric: true },
    { header: 'In M-Pesa only', cell: (r) => r.mpesa_only, numeric: true },
    { header: 'In ImaraPay only', cell: (r) => r.imarapay_only, numeric: true },
    { header: 'Amount differs', cell: (r) => r.amount_differs, numeric: true },
    {
      header: 'Report',
      cell: (r) => (
        <>
          <button type="button" className="secondary" onClick={() => setOpenId(r.id)}>
            Open report {r.id}
          </button>{' '}
          <a href={`${base}/${r.id}/csv`} download>
            CSV<span className="visually-hidden"> of report {r.id}</span>
          </a>
          {r.superseded && <span className="muted"> (superseded)</span>}
        </>
      ),
    },
  ];
  return (
    <section>
      <PageHeader
        title="Reconciliation"
        subtitle={
          admin
            ? "Every merchant's M-Pesa statements, matched to ImaraPay's payments"
            : "Your M-Pesa statement, matched to ImaraPay's payments day by day"
        }
      />
      {!admin && <UploadForm />}
      {!admin && <PullForm />}
      <h2>Reports</h2>
      <QueryState query={reports} isEmpty={(d) => d.rows.length === 0} empty="No statement reconciled yet.">
        {(data) => (
          <>
            <DataTable columns={columns} rows={data.rows} rowKey={(r) => r.id} label="Statement reports" />
            <Pager pages={pages} nextCursor={data.nextCursor} />
          </>
        )}
      </QueryState>
      {openId !== null && <ReportLines id={openId} admin={admin} />}
    </section>
  );
}

function UploadForm() {
  const channels = useChannels();
  const queryClient = useQueryClient();
  const [channelId, setChannelId] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/reconciliation/statements', {
          params: { query: { channel_id: Number(channelId || channels.data?.[0]?.id) } },
          body: file as never,
          bodySerializer: (body: unknown) => body as BodyInit,
          headers: { 'Content-Type': 'text/csv' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['statement-reports'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    upload.mutate();
  };
  return (
    <form className="card" onSubmit={submit}>
      <Field label="Payment channel" name="channel_id" error={upload.error}>
        <select id="channel_id" value={channelId} onChange={(e) => setChannelId(e.target.value)}>
          {(channels.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.account_number})
            </option>
          ))}
        </select>
      </Field>
      <Field label="M-Pesa statement (CSV from the organisation portal)" name="statement" error={upload.error}>
        <input
          id="statement"
          type="file"
          accept=".csv,text/csv"
          required
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
      </Field>
      <FormError error={upload.error} />
      <button type="submit" disabled={upload.isPending || !file}>
        Reconcile statement
      </button>
      {upload.data && (
        <p role="status">
          Reconciled {upload.data.credits} credits into {upload.data.reports.length} daily report
          {upload.data.reports.length === 1 ? '' : 's'}.
        </p>
      )}
    </form>
  );
}

/** Nairobi's calendar day (UTC+3, no daylight saving) `daysAgo` days before now, YYYY-MM-DD. */
function nairobiDay(daysAgo: number): string {
  return new Date(Date.now() + 3 * 3600_000 - daysAgo * 24 * 3600_000).toISOString().slice(0, 10);
}

function PullForm() {
  const channels = useChannels();
  const queryClient = useQueryClient();
  const [channelId, setChannelId] = useState('');
  const [daysAgo, setDaysAgo] = useState(0);
  const pull = useMutation({
    mutationFn: () =>
      unwrap<{ report: StatementReport; credits: number }>(
        api.POST('/api/reconciliation/pulls', {
          body: { channel_id: Number(channelId || channels.data?.[0]?.id), day: nairobiDay(daysAgo) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['statement-reports'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    pull.mutate();
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Ask M-Pesa</h2>
      <p className="muted">M-Pesa lists a channel's credits of the last 48 hours (Pull Transactions).</p>
      <Field label="Payment channel" name="pull_channel_id" error={pull.error}>
        <select id="pull_channel_id" value={channelId} onChange={(e) => setChannelId(e.target.value)}>
          {(channels.data ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.account_number})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Day (Nairobi)" name="pull_day" error={pull.error}>
        <select id="pull_day" value={daysAgo} onChange={(e) => setDaysAgo(Number(e.target.value))}>
          <option value={0}>Today ({nairobiDay(0)})</option>
          <option value={1}>Yesterday ({nairobiDay(1)})</option>
        </select>
      </Field>
      <FormError error={pull.error} />
      <button type="submit" disabled={pull.isPending}>
        Ask M-Pesa for the day
      </button>
      {pull.data && (
        <p role="status">
          M-Pesa listed {pull.data.credits} credits for {pull.data.report.day}.
        </p>
      )}
    </form>
  );
}

function ReportLines({ id, admin }: { id: number; admin: boolean }) {
  const report = useQuery({
    queryKey: ['statement-report', admin, id],
    queryFn: () =>
      unwrap(
        admin
          ? api.GET('/api/admin/reconciliation/statements/{id}', { params: { path: { id: String(id) } } })
          : api.GET('/api/reconciliation/statements/{id}', { params: { path: { id: String(id) } } }),
      ),
  });
  const columns: Column<StatementLine>[] = [
    { header: 'Class', cell: (l) => <span className={`badge ${l.class}`}>{CLASS_LABEL[l.class] ?? l.class}</span> },
    { header: 'Receipt', cell: (l) => l.receipt ?? '—' },
    { header: 'Credited', cell: (l) => dateTime(l.completed_at) },
    { header: 'M-Pesa amount', cell: (l) => (l.amount === null ? '—' : kes(l.amount)), numeric: true },
    { header: 'Payer (as M-Pesa shows it)', cell: (l) => l.payer ?? '—' },
    { header: 'Transaction', cell: (l) => (l.transaction_id === null ? '—' : `#${l.transaction_id}`) },
    {
      header: 'ImaraPay amount',
      cell: (l) => (l.payment_amount === null ? '—' : kes(l.payment_amount)),
      numeric: true,
    },
    { header: 'ImaraPay status', cell: (l) => l.payment_status ?? '—' },
    {
      header: 'Matched by',
      cell: (l) =>
        l.matched_by === null ? '—' : `${l.matched_by.replace(/_/g, ' ')}${l.certain ? '' : ' (uncertain)'}`,
    },
  ];
  return (
    <QueryState query={report}>
      {(data) => (
        <div className="card">
          <h2>
            Report {data.id}: {data.channel_name}, {data.day}
          </h2>
          <DataTable
            columns={columns}
            rows={data.lines}
            rowKey={(l) => `${l.class}-${l.receipt}-${l.transaction_id}`}
            label={`Lines of report ${data.id}`}
          />
        </div>
      )}
    </QueryState>
  );
}
