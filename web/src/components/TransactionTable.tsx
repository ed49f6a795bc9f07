import { Link } from 'react-router';
import type { Transaction } from '../api/models';
import { dateTime, kes } from '../format';
import { StatusBadge } from './StatusBadge';

/** The seed's columns: TYPE, AMOUNT, CHANNEL, PROVIDER REF, EXTERNAL REF, DESCRIPTION, DATE (plus status). */
export function TransactionTable({ rows, linkRows = true }: { rows: readonly Transaction[]; linkRows?: boolean }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Amount</th>
            <th scope="col">Status</th>
            <th scope="col">Channel</th>
            <th scope="col">Provider ref</th>
            <th scope="col">External ref</th>
            <th scope="col">Description</th>
            <th scope="col">Date</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.id}>
              <td>{linkRows ? <Link to={`/transactions/${t.id}`}>{t.type === 'wallet_top_up' ? 'Wallet top-up' : 'Payment'} #{t.id}</Link> : t.type}</td>
              <td className="num">{kes(t.amount)}</td>
              <td>
                <StatusBadge status={t.status} />
              </td>
              <td>{t.channel ?? '—'}</td>
              <td>{t.mpesa_receipt ?? '—'}</td>
              <td>{t.external_reference ?? '—'}</td>
              <td>{t.description}</td>
              <td>{dateTime(t.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
