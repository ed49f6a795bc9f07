import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { AdminReversal } from '../../api/answers';
import { DataTable } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime, kes } from '../../format';

const BADGE: Record<AdminReversal['status'], string> = {
  requested: 'requested',
  reversed: 'reversed',
  failed: 'reversal_failed',
  in_doubt: 'in_doubt',
};

/** Every merchant's reversals with M-Pesa's evidence; `in_doubt` ones are for ops to check on the M-Pesa portal. */
export default function AdminReversalsPage() {
  const [status, setStatus] = useState('');
  const reversals = useQuery({
    queryKey: ['admin', 'reversals', status],
    queryFn: () =>
      unwrap(
        api.GET('/api/admin/reversals', {
          params: { query: status ? { status: status as AdminReversal['status'] } : {} },
        }),
      ),
  });
  return (
    <section>
      <PageHeader
        title="Reversals"
        subtitle="Every merchant's reversals and what M-Pesa said; check those in doubt on the M-Pesa portal"
      />
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any</option>
            <option value="requested">Requested</option>
            <option value="reversed">Reversed</option>
            <option value="failed">Failed</option>
            <option value="in_doubt">In doubt</option>
          </select>
        </label>
      </form>
      <QueryState query={reversals} isEmpty={(rows) => rows.length === 0} empty="No reversals match.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(r) => r.reversal_id}
            columns={[
              { header: 'Payment', cell: (r) => `#${r.transaction_id}` },
              { header: 'Merchant', cell: (r) => `${r.merchant_name} (${r.merchant_id})` },
              { header: 'Amount', numeric: true, cell: (r) => kes(r.amount) },
              { header: 'Status', cell: (r) => <StatusBadge status={BADGE[r.status]} /> },
              { header: 'Receipt', cell: (r) => r.mpesa_receipt },
              { header: 'Reversal receipt', cell: (r) => r.reversal_receipt ?? '—' },
              { header: 'Result', cell: (r) => r.result_desc ?? '—' },
              {
                header: 'Evidence',
                cell: (r) =>
                  r.evidence.length === 0 ? (
                    '—'
                  ) : (
                    <details>
                      <summary>{r.evidence.length} from M-Pesa</summary>
                      <ul>
                        {r.evidence.map((e, i) => (
                          <li key={i}>
                            {dateTime(e.received_at)} · {e.kind} ({e.disposition}): {e.description}
                          </li>
                        ))}
                      </ul>
                    </details>
                  ),
              },
              { header: 'Requested', cell: (r) => dateTime(r.requested_at) },
            ]}
          />
        )}
      </QueryState>
    </section>
  );
}
