import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client';
import type { Customer, Transaction } from '../api/models';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { TransactionTable } from '../components/TransactionTable';
import { dateTime, kes } from '../format';

/** Customers (everyone pushed to), or one customer's payments when the URL names one. */
export function CustomersPage() {
  const { id } = useParams();
  return id ? <CustomerDetail id={id} /> : <CustomerList />;
}

function CustomerList() {
  const customers = useQuery({ queryKey: ['customers'], queryFn: () => unwrapPage<Customer>(api.GET('/api/customers', { params: { query: { limit: 100 } } })) });
  return (
    <section>
      <PageHeader title="Customers" subtitle="People and contacts linked to your payments" />
      <QueryState query={customers} isEmpty={(p) => p.rows.length === 0} empty="No customers yet: everyone you send an STK push to appears here.">
        {({ rows }) => (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type / name</th>
                  <th scope="col">Contact</th>
                  <th scope="col">Payments</th>
                  <th scope="col">Total paid</th>
                  <th scope="col">Date</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link to={`/customers/${c.id}`}>{c.name ?? 'M-Pesa customer'}</Link>
                    </td>
                    <td>{c.phone_number}</td>
                    <td className="num">{c.payment_count}</td>
                    <td className="num">{kes(c.total_paid)}</td>
                    <td>{dateTime(c.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryState>
    </section>
  );
}

function CustomerDetail({ id }: { id: string }) {
  const customer = useQuery({ queryKey: ['customers', id], queryFn: () => unwrap<Customer & { payments: Transaction[] }>(api.GET('/api/customers/{id}', { params: { path: { id } } })) });
  return (
    <section>
      <QueryState query={customer}>
        {(c) => (
          <>
            <PageHeader title={c.name ?? c.phone_number} subtitle={`${c.phone_number} · ${c.payment_count} payments · ${kes(c.total_paid)} paid`} />
            {c.payments.length === 0 ? <p className="empty">No payments.</p> : <TransactionTable rows={c.payments} />}
          </>
        )}
      </QueryState>
    </section>
  );
}
