import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, unwrapPage } from '../api/client';
import type { Customer } from '../api/answers';
import { DataTable, type Column } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { TransactionTable } from '../components/TransactionTable';
import { dateTime, kes } from '../format';

/** Customers (everyone pushed to), or one customer's payments when the URL names one. */
export function CustomersPage() {
  const { id } = useParams();
  return id ? <CustomerDetail id={id} /> : <CustomerList />;
}

const CUSTOMER_COLUMNS: Column<Customer>[] = [
  { header: 'Type / name', cell: (c) => <Link to={`/customers/${c.id}`}>{c.name ?? 'M-Pesa customer'}</Link> },
  { header: 'Contact', cell: (c) => c.phone_number },
  { header: 'Payments', numeric: true, cell: (c) => c.payment_count },
  { header: 'Total paid', numeric: true, cell: (c) => kes(c.total_paid) },
  { header: 'Date', cell: (c) => dateTime(c.created_at) },
];

function CustomerList() {
  const customers = useQuery({
    queryKey: ['customers'],
    queryFn: () => unwrapPage(api.GET('/api/customers', { params: { query: { limit: 100 } } })),
  });
  return (
    <section>
      <PageHeader title="Customers" subtitle="People and contacts linked to your payments" />
      <QueryState
        query={customers}
        isEmpty={(p) => p.rows.length === 0}
        empty="No customers yet: everyone you send an STK push to appears here."
      >
        {({ rows }) => <DataTable columns={CUSTOMER_COLUMNS} rows={rows} rowKey={(c) => c.id} />}
      </QueryState>
    </section>
  );
}

const paymentCount = (n: number) => `${n} ${n === 1 ? 'payment' : 'payments'}`;

function CustomerDetail({ id }: { id: string }) {
  const customer = useQuery({
    queryKey: ['customers', id],
    queryFn: () => unwrap(api.GET('/api/customers/{id}', { params: { path: { id } } })),
  });
  return (
    <section>
      <QueryState query={customer}>
        {(c) => (
          <>
            <PageHeader
              title={c.name ?? c.phone_number}
              subtitle={`${c.phone_number} · ${paymentCount(c.payment_count)} · ${kes(c.total_paid)} paid`}
            />
            {c.payments.length === 0 ? <p className="empty">No payments.</p> : <TransactionTable rows={c.payments} />}
          </>
        )}
      </QueryState>
    </section>
  );
}
