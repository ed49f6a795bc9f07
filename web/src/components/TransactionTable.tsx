import { Link } from 'react-router';
import type { Transaction } from '../api/answers';
import { dateTime, kes } from '../format';
import { DataTable, type Column } from './DataTable';
import { StatusBadge } from './StatusBadge';

/** The seed's columns: TYPE, AMOUNT, CHANNEL, PROVIDER REF, EXTERNAL REF, DESCRIPTION, DATE (plus status). */
export function TransactionTable({ rows, linkRows = true }: { rows: readonly Transaction[]; linkRows?: boolean }) {
  const columns: Column<Transaction>[] = [
    {
      header: 'Type',
      cell: (t) =>
        linkRows ? (
          <Link to={`/transactions/${t.id}`}>
            {t.type === 'wallet_top_up' ? 'Wallet top-up' : 'Payment'} #{t.id}
          </Link>
        ) : (
          t.type
        ),
    },
    { header: 'Amount', numeric: true, cell: (t) => kes(t.amount) },
    {
      header: 'Status',
      cell: (t) => (
        <>
          <StatusBadge status={t.status} />
          {t.reversal_status && (
            <>
              {' '}
              <StatusBadge status={t.reversal_status === 'failed' ? 'reversal_failed' : t.reversal_status} />
            </>
          )}
        </>
      ),
    },
    { header: 'Channel', cell: (t) => t.channel ?? '—' },
    { header: 'Provider ref', cell: (t) => t.mpesa_receipt ?? '—' },
    { header: 'External ref', cell: (t) => t.external_reference ?? '—' },
    { header: 'Description', cell: (t) => t.description },
    { header: 'Date', cell: (t) => dateTime(t.created_at) },
  ];
  return <DataTable columns={columns} rows={rows} rowKey={(t) => t.id} />;
}
