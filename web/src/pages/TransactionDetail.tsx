import { useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../api/client';
import type { ReversalStatus } from '../api/answers';
import { ReverseButton } from '../components/ReverseDialog';
import { PageHeader } from '../components/Layout';
import { ErrorNote } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { dateTime, kes, timeOfDay } from '../format';
import { NotFoundPage } from './NotFound';

/** What each timeline event is, in a word or two (the API's `kind`). */
const KIND_LABEL: Record<string, string> = {
  created: 'Requested',
  fee_reserved: 'Fee',
  push_accepted: 'Push',
  push_refused: 'Push',
  push_unconfirmed: 'Push',
  callback_received: 'Callback',
  status_query: 'Status query',
  fee_captured: 'Fee',
  fee_released: 'Fee',
  late_fee_captured: 'Fee',
  wallet_credited: 'Wallet',
  settled: 'Settled',
  webhook_attempt: 'Webhook',
  reversal_requested: 'Reversal',
  reversal_evidence: 'Reversal',
  reversal_settled: 'Reversal',
};

/** The badge of a reversal status (a failed reversal is not a failed payment). */
const REVERSAL_BADGE: Record<ReversalStatus, string> = {
  requested: 'requested',
  reversed: 'reversed',
  failed: 'reversal_failed',
  in_doubt: 'in_doubt',
};

/** A transaction and its timeline: what ImaraPay, M-Pesa and the merchant's webhook did, in order. */
export function TransactionDetailPage() {
  const { id = '' } = useParams();
  const detail = useQuery({
    queryKey: ['transaction', id],
    queryFn: () => unwrap(api.GET('/api/transactions/{id}/timeline', { params: { path: { id } } })),
    // A pending payment, one in review, or one being reversed is still moving: follow it.
    refetchInterval: (query) =>
      ['pending', 'needs_review'].includes(query.state.data?.transaction.status ?? '') ||
      query.state.data?.transaction.reversal_status === 'requested'
        ? 2000
        : false,
  });
  if (detail.isPending) return <p className="muted">Loading…</p>;
  if (detail.isError) {
    const missing = detail.error instanceof ApiError && (detail.error.status === 404 || detail.error.status === 400);
    return missing ? <NotFoundPage what="transaction" /> : <ErrorNote error={detail.error} />;
  }
  const { transaction: t, events } = detail.data;
  const reversible = t.type === 'payment' && t.status === 'completed' && t.mpesa_receipt && !t.reversal_status;
  return (
    <section>
      <PageHeader
        title={`${t.type === 'wallet_top_up' ? 'Wallet top-up' : 'Payment'} #${t.id}`}
        subtitle={`${kes(t.amount)} from ${t.phone_number}`}
      />
      <dl className="card details">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={t.status} />
        </dd>
        <dt>Amount</dt>
        <dd>{kes(t.amount)}</dd>
        <dt>Fee charged</dt>
        <dd>{kes(t.fee_charged)}</dd>
        <dt>M-Pesa receipt</dt>
        <dd>{t.mpesa_receipt ?? '—'}</dd>
        <dt>Result</dt>
        <dd>{t.result_desc ?? '—'}</dd>
        <dt>Channel</dt>
        <dd>{t.channel ?? '—'}</dd>
        <dt>External reference</dt>
        <dd>{t.external_reference ?? '—'}</dd>
        <dt>Description</dt>
        <dd>{t.description}</dd>
        <dt>Created</dt>
        <dd>{dateTime(t.created_at)}</dd>
        <dt>Completed</dt>
        <dd>{dateTime(t.completed_at)}</dd>
        <dt>Environment</dt>
        <dd>{t.environment}</dd>
        <dt>Reversal</dt>
        <dd>
          {t.reversal_status ? (
            <StatusBadge status={REVERSAL_BADGE[t.reversal_status]} />
          ) : reversible ? (
            <ReverseButton transaction={t} />
          ) : (
            '—'
          )}
        </dd>
      </dl>
      <h2>Timeline</h2>
      <ol className="timeline">
        {events.map((e, i) => (
          <li key={i} className={`timeline-${e.kind}`}>
            <time dateTime={e.at}>{timeOfDay(e.at)}</time>
            <div>
              <p>
                <span className="timeline-kind">{KIND_LABEL[e.kind] ?? e.kind}</span> {e.title}
              </p>
              {e.detail && <p className="muted">{e.detail}</p>}
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
