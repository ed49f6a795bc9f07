import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { AdminKycSubmission } from '../../api/answers';
import { Field, FormError } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime } from '../../format';

/** Pending submissions, oldest first: view each document, approve, or reject with a reason. */
export default function KycReviewsPage() {
  const [status, setStatus] = useState<'pending' | 'approved' | 'rejected'>('pending');
  const submissions = useQuery({
    queryKey: ['admin', 'kyc', status],
    queryFn: () => unwrap(api.GET('/api/admin/kyc', { params: { query: { status } } })),
  });
  return (
    <section>
      <PageHeader title="KYC Reviews" subtitle="Review and verify identity documents submitted by users" />
      <label className="inline-label">
        Show{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
          <option value="pending">Pending</option>
          <option value="approved">Approved</option>
          <option value="rejected">Rejected</option>
        </select>
      </label>
      <QueryState query={submissions} isEmpty={(s) => s.length === 0} empty="No submissions to show.">
        {(rows) => (
          <div className="review-list">
            {rows.map((s) => (
              <Submission key={s.id} submission={s} />
            ))}
          </div>
        )}
      </QueryState>
    </section>
  );
}

function Submission({ submission: s }: { submission: AdminKycSubmission }) {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const done = () => queryClient.invalidateQueries({ queryKey: ['admin'] });
  const approve = useMutation({
    mutationFn: () => unwrap(api.POST('/api/admin/kyc/{id}/approve', { params: { path: { id: String(s.id) } } })),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/admin/kyc/{id}/reject', { params: { path: { id: String(s.id) } }, body: { reason } })),
    onSuccess: done,
  });
  return (
    <article className="card" aria-label={`Submission from ${s.merchant.name}`}>
      <h2>
        {s.merchant.name} <StatusBadge status={s.status} />
      </h2>
      <dl className="details">
        <dt>Account email</dt>
        <dd>{s.merchant.email}</dd>
        <dt>Full name</dt>
        <dd>{s.full_name}</dd>
        <dt>ID</dt>
        <dd>
          {s.id_type.replace('_', ' ')} {s.id_number}
        </dd>
        <dt>Business</dt>
        <dd>{s.business_name}</dd>
        <dt>KRA PIN</dt>
        <dd>{s.kra_pin ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{s.phone_number}</dd>
        <dt>Submitted</dt>
        <dd>{dateTime(s.created_at)}</dd>
        <dt>Documents</dt>
        <dd>
          {s.documents.map((d) => (
            <a
              key={d.id}
              className="doc-link"
              href={`/api/admin/kyc/${s.id}/documents/${d.id}`}
              target="_blank"
              rel="noreferrer"
            >
              {d.kind.replace(/_/g, ' ')} ({Math.round(d.size / 1024)} kB)
            </a>
          ))}
        </dd>
        {s.rejection_reason && (
          <>
            <dt>Reason</dt>
            <dd>{s.rejection_reason}</dd>
          </>
        )}
      </dl>
      {s.status === 'pending' && (
        <div className="review-actions">
          <button type="button" onClick={() => approve.mutate()} disabled={approve.isPending}>
            Approve
          </button>
          <Field label="Reason for rejection" name="reason" id={`reason-${s.id}`} error={reject.error}>
            <input id={`reason-${s.id}`} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <button
            type="button"
            className="danger"
            onClick={() => reject.mutate()}
            disabled={reject.isPending || reason.trim().length < 3}
          >
            Reject
          </button>
          <FormError error={approve.error ?? reject.error} />
        </div>
      )}
    </article>
  );
}
