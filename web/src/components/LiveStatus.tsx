import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { kes } from '../format';
import { StatusBadge } from './StatusBadge';

/**
 * A payment's status, asked again every second until it is completed or failed, with M-Pesa's
 * result in words. The status endpoint is the one merchants' backends poll.
 */
export function LiveStatus({ transactionId, onSettled }: { transactionId: number; onSettled?: () => void }) {
  const status = useQuery({
    queryKey: ['payment-status', transactionId],
    queryFn: async () => {
      const answer = await unwrap(
        api.GET('/api/transaction/status/{reference}', { params: { path: { reference: String(transactionId) } } }),
      );
      if (answer.status !== 'pending' && answer.status !== 'needs_review') onSettled?.();
      return answer;
    },
    // A payment in review is still moving (more evidence or an operator ends it): keep following it.
    refetchInterval: (query) =>
      query.state.data && query.state.data.status !== 'pending' && query.state.data.status !== 'needs_review'
        ? false
        : 1000,
  });
  if (status.isPending)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (status.isError) return <p className="error">{status.error.message}</p>;
  const s = status.data;
  return (
    <div className="card live-status" aria-live="polite">
      <p>
        Payment #{s.transaction_id}: <StatusBadge status={s.status} />{' '}
        {s.status === 'pending' && <span className="muted">waiting for the customer…</span>}
        {s.status === 'needs_review' && (
          <span className="muted">M-Pesa reported a payment; ImaraPay is verifying it</span>
        )}
      </p>
      {s.status === 'completed' && (
        <p>
          Paid {kes(s.amount)}, M-Pesa receipt <strong className="receipt">{s.mpesa_receipt}</strong>
        </p>
      )}
      {s.result_desc && s.status !== 'pending' && <p className="result-desc">{s.result_desc}</p>}
      <p className="muted">Service wallet: {kes(s.balance)}</p>
      <Link to={`/transactions/${s.transaction_id}`}>See its timeline</Link>
    </div>
  );
}
