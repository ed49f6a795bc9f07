import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/answers';
import { DataTable } from '../../components/DataTable';
import { PageHeader } from '../../components/Layout';
import { ErrorNote, QueryState } from '../../components/QueryState';

/** Edits the fee schedule whole: the API checks that the tiers cover 1–250,000 without gaps or overlaps. */
export default function AdminPricingPage() {
  const pricing = useQuery({
    queryKey: ['admin', 'pricing'],
    queryFn: () => unwrap(api.GET('/api/admin/pricing')),
  });
  return (
    <section>
      <PageHeader title="Pricing" subtitle="The fee schedule every merchant pays" />
      <QueryState query={pricing}>{(tiers) => <TierEditor initial={tiers} />}</QueryState>
    </section>
  );
}

function TierEditor({ initial }: { initial: Answer<'/api/admin/pricing', 'get'> }) {
  const queryClient = useQueryClient();
  const [tiers, setTiers] = useState(
    initial.map((t) => ({ min: String(t.min), max: String(t.max), fee: String(t.fee) })),
  );
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/admin/pricing', {
          body: { tiers: tiers.map((t) => ({ min: Number(t.min), max: Number(t.max), fee: Number(t.fee) })) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['pricing'] }),
  });
  const set = (i: number, key: 'min' | 'max' | 'fee', value: string) =>
    setTiers(tiers.map((t, j) => (j === i ? { ...t, [key]: value } : t)));
  return (
    <div className="card">
      <DataTable
        rows={tiers.map((tier, i) => ({ tier, i }))}
        rowKey={({ i }) => i}
        columns={[
          ...(['min', 'max', 'fee'] as const).map((key, column) => ({
            header: ['Amount from', 'Amount to', 'Transaction fee'][column],
            cell: ({ tier, i }: { tier: (typeof tiers)[number]; i: number }) => (
              <input
                aria-label={`Tier ${i + 1} ${key}`}
                inputMode="numeric"
                value={tier[key]}
                onChange={(e) => set(i, key, e.target.value)}
              />
            ),
          })),
          {
            header: <span className="visually-hidden">Remove</span>,
            cell: ({ i }) => (
              <button
                type="button"
                className="secondary small"
                onClick={() => setTiers(tiers.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            ),
          },
        ]}
      />
      <button type="button" className="secondary" onClick={() => setTiers([...tiers, { min: '', max: '', fee: '' }])}>
        Add tier
      </button>{' '}
      <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>
        Save schedule
      </button>
      {save.isSuccess && <p role="status">Saved.</p>}
      <ErrorNote error={save.error} />
    </div>
  );
}
