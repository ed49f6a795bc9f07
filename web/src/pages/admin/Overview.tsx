import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, unwrap } from '../../api/client';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { kes, timeOfDay } from '../../format';

/** Today's figures and the last hour's payments per minute, refreshed every few seconds. */
export default function OverviewPage() {
  const overview = useQuery({
    queryKey: ['admin', 'overview'],
    queryFn: () => unwrap(api.GET('/api/admin/overview')),
    refetchInterval: 10_000,
  });
  const series = useQuery({
    queryKey: ['admin', 'payments-per-minute'],
    queryFn: () => unwrap(api.GET('/api/admin/overview/payments-per-minute', { params: { query: { minutes: 60 } } })),
    refetchInterval: 10_000,
  });
  return (
    <section>
      <PageHeader title="Admin Overview" subtitle="Real-time system activity and key metrics" />
      <QueryState query={overview}>
        {(o) => (
          <div className="stats">
            <Stat
              label="Payments today"
              value={String(o.payments_today.completed + o.payments_today.failed + o.payments_today.pending)}
              note={`${o.payments_today.completed} completed · ${o.payments_today.failed} failed · ${o.payments_today.pending} pending`}
              name="payments"
            />
            <Stat label="Volume today" value={kes(o.volume_today)} name="volume" />
            <Stat label="Fees earned today" value={kes(o.fees_earned_today)} name="fees" />
            <Stat
              label="Success rate"
              value={o.success_rate_today === null ? '—' : `${Math.round(o.success_rate_today * 100)}%`}
              name="success-rate"
            />
            <Stat label="Pending KYC" value={String(o.pending_kyc)} name="pending-kyc" />
            <Stat
              label="Failing webhooks"
              value={String(o.webhook_backlog)}
              note="deliveries still being retried"
              name="webhook-backlog"
            />
          </div>
        )}
      </QueryState>
      <h2>Payments per minute, last hour</h2>
      <QueryState query={series}>
        {(rows) => (
          <div
            className="chart"
            role="img"
            aria-label={`Payments per minute: ${rows.reduce((n, r) => n + r.completed, 0)} completed, ${rows.reduce((n, r) => n + r.failed, 0)} failed in the last hour`}
          >
            <ResponsiveContainer width="100%" height={280}>
              <BarChart data={rows.map((r) => ({ ...r, time: timeOfDay(r.minute).slice(0, 5) }))}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="time" minTickGap={24} />
                <YAxis allowDecimals={false} width={32} />
                <Tooltip />
                <Legend />
                <Bar dataKey="completed" stackId="outcome" fill="#1b7f4b" name="Completed" isAnimationActive={false} />
                <Bar dataKey="failed" stackId="outcome" fill="#b3261e" name="Failed" isAnimationActive={false} />
                <Bar dataKey="pending" stackId="outcome" fill="#8a6d00" name="Pending" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
      </QueryState>
    </section>
  );
}

function Stat({ label, value, note, name }: { label: string; value: string; note?: string; name: string }) {
  return (
    <div className="card stat" data-stat={name}>
      <h2>{label}</h2>
      <p className="figure">{value}</p>
      {note && <p className="muted">{note}</p>}
    </div>
  );
}
