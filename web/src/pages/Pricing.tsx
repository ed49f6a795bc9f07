import { DataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { kes } from '../format';
import { usePricing } from '../queries';

export function PricingPage() {
  const pricing = usePricing();
  return (
    <section>
      <PageHeader title="Pricing" subtitle="Transaction fees by amount range" />
      <QueryState query={pricing} isEmpty={(t) => t.length === 0}>
        {(tiers) => (
          <DataTable
            rows={tiers}
            rowKey={(t) => t.min}
            columns={[
              { header: 'Amount from', numeric: true, cell: (t) => kes(t.min) },
              { header: 'Amount to', numeric: true, cell: (t) => kes(t.max) },
              { header: 'Transaction fee', numeric: true, cell: (t) => kes(t.fee) },
            ]}
          />
        )}
      </QueryState>
      <div className="card">
        <h2>When a payment does not end as paid</h2>
        <p>
          The fee is reserved from your service wallet when you send a push, charged when the payment completes, and
          refunded in full when it does not (the customer cancels, the push fails, no answer).
        </p>
        <p>
          <strong>Reversals:</strong> reversing a completed payment returns the customer&rsquo;s money through M-Pesa;
          ImaraPay&rsquo;s fee for that payment is kept, and the reversal costs no new fee.
        </p>
      </div>
    </section>
  );
}
