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
    </section>
  );
}
