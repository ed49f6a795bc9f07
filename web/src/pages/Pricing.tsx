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
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Amount from</th>
                  <th scope="col">Amount to</th>
                  <th scope="col">Transaction fee</th>
                </tr>
              </thead>
              <tbody>
                {tiers.map((t) => (
                  <tr key={t.min}>
                    <td className="num">{kes(t.min)}</td>
                    <td className="num">{kes(t.max)}</td>
                    <td className="num">{kes(t.fee)}</td>
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
