import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ReviewPayment, ReviewPaymentDetail, ReviewProposal } from '../../api/answers';
import { Field, FormError } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { QueryState } from '../../components/QueryState';
import { StatusBadge } from '../../components/StatusBadge';
import { dateTime, kes } from '../../format';
import { useMe } from '../../session';

const QUEUE_KEY = ['admin', 'review'] as const;

/**
 * Payments whose M-Pesa evidence is in doubt, each with all its evidence side by side, and the
 * maker-checker actions that end a review: one admin proposes, a second approves or rejects.
 */
export default function ReviewQueuePage() {
  const queue = useQuery({
    queryKey: QUEUE_KEY,
    queryFn: () => unwrap<ReviewPayment[]>(api.GET('/api/admin/payments/review')),
    // An approved verdict is settled by the payment's workflow a moment later: look again until it has been.
    refetchInterval: (query) => (query.state.data?.some(awaitingSettlement) ? 1000 : false),
  });
  return (
    <section>
      <PageHeader
        title="Review queue"
        subtitle="Payments whose M-Pesa evidence is in doubt. One admin proposes how a review ends; a second approves it."
      />
      <QueryState query={queue} isEmpty={(rows) => rows.length === 0} empty="No payment is waiting for review.">
        {(rows) => (
          <div className="review-list">
            {rows.map((p) => (
              <ReviewCard key={p.transaction_id} payment={p} />
            ))}
          </div>
        )}
      </QueryState>
    </section>
  );
}

/** Whether a payment's approved verdict has yet to be settled (it is still in review). */
const awaitingSettlement = (p: ReviewPayment) =>
  p.status === 'needs_review' && p.proposals.some((x) => x.status === 'approved');

function ReviewCard({ payment: p }: { payment: ReviewPayment }) {
  const pending = p.proposals.find((x) => x.status === 'pending');
  const headingId = `review-${p.transaction_id}`;
  return (
    <article className="card review-card" aria-labelledby={headingId}>
      <h2 id={headingId}>
        Payment {p.transaction_id} <StatusBadge status={p.status} />
      </h2>
      {p.review_reason && <p>{p.review_reason}</p>}
      <div className="evidence-grid">
        <section aria-label={`Push of payment ${p.transaction_id}`}>
          <h3>Push</h3>
          <dl className="details">
            <dt>Amount</dt>
            <dd>{kes(p.amount)}</dd>
            <dt>Fee</dt>
            <dd>{kes(p.fee)}</dd>
            <dt>Phone</dt>
            <dd>{p.push.phone_number}</dd>
            <dt>Account reference</dt>
            <dd>{p.push.account_reference}</dd>
            <dt>Push</dt>
            <dd>{p.push.push_state}</dd>
            <dt>CheckoutRequestID</dt>
            <dd>{p.checkout_request_id ?? '—'}</dd>
            <dt>Merchant</dt>
            <dd>
              {p.merchant_id} ({p.environment})
            </dd>
            <dt>Sent</dt>
            <dd>{dateTime(p.push.created_at)}</dd>
          </dl>
        </section>
        <section aria-label={`Callbacks of payment ${p.transaction_id}`}>
          <h3>Callbacks</h3>
          {p.callbacks.length === 0 && <p className="muted">No callback arrived.</p>}
          {p.callbacks.map((c) => (
            <div key={c.id} className="evidence-item">
              <p>
                <strong>Callback {c.id}</strong> ({c.disposition}), {dateTime(c.received_at)}
              </p>
              {c.parsed ? (
                <dl className="details">
                  <dt>ResultCode</dt>
                  <dd>{c.parsed.resultCode || '—'}</dd>
                  <dt>ResultDesc</dt>
                  <dd>{c.parsed.resultDesc}</dd>
                  <dt>Receipt</dt>
                  <dd>{c.parsed.receipt ?? '—'}</dd>
                  <dt>Amount</dt>
                  <dd>{c.parsed.amount === null ? '—' : kes(c.parsed.amount)}</dd>
                  <dt>Phone</dt>
                  <dd>{c.parsed.phoneNumber ?? '—'}</dd>
                  <dt>Problems</dt>
                  <dd>{[...c.parsed.problems, c.parsed.unusable].filter(Boolean).join('; ') || 'none'}</dd>
                </dl>
              ) : (
                <p className="muted">Not a Daraja callback that ImaraPay could read.</p>
              )}
              <details>
                <summary>Raw body of callback {c.id}</summary>
                <pre className="raw-body">{c.raw_body}</pre>
              </details>
            </div>
          ))}
        </section>
        <section aria-label={`Query answers of payment ${p.transaction_id}`}>
          <h3>STK query answers</h3>
          {p.queries.length === 0 && <p className="muted">No STK status query was made.</p>}
          <ul className="plain-list">
            {p.queries.map((q, i) => (
              <li key={i}>
                {dateTime(q.asked_at)}: {q.state === 'final' ? `ResultCode ${q.result_code ?? '?'}` : q.state}{' '}
                {q.result_desc ?? q.error ?? ''}
              </li>
            ))}
          </ul>
        </section>
        <section aria-label={`M-Pesa record of payment ${p.transaction_id}`}>
          <h3>M-Pesa’s record</h3>
          {p.mpesa_records.length === 0 && <p className="muted">M-Pesa’s own record has not been read yet.</p>}
          <ul className="plain-list">
            {p.mpesa_records.map((r) => (
              <li key={r.id}>
                {r.source.replace(/_/g, ' ')}: {r.outcome ?? r.disposition}
                {r.receipt && `, receipt ${r.receipt}`}
                {r.amount !== null && `, ${kes(r.amount)}`} ({r.description})
              </li>
            ))}
          </ul>
        </section>
        <section aria-label={`Conflicts of payment ${p.transaction_id}`}>
          <h3>Conflicts</h3>
          {p.evidence_conflicts.length === 0 && <p className="muted">No recorded disagreement.</p>}
          <ul className="plain-list">
            {p.evidence_conflicts.map((c, i) => (
              <li key={i}>
                {c.kind}: {String(c.recorded ?? '—')} recorded, {String(c.received ?? '—')} received
                {c.callbackId !== null && ` (callback ${c.callbackId})`}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <Timeline transactionId={p.transaction_id} />
      <Proposals payment={p} />
      {awaitingSettlement(p) && (
        <p className="muted" role="status">
          Approved: the payment’s workflow is settling it.
        </p>
      )}
      {p.status === 'needs_review' && !pending && !awaitingSettlement(p) && <ProposeForm payment={p} />}
    </article>
  );
}

/** The payment's timeline, read when the operator opens it. */
function Timeline({ transactionId }: { transactionId: number }) {
  const [open, setOpen] = useState(false);
  const detail = useQuery({
    queryKey: [...QUEUE_KEY, transactionId],
    enabled: open,
    queryFn: () =>
      unwrap<ReviewPaymentDetail>(
        api.GET('/api/admin/payments/review/{id}', { params: { path: { id: String(transactionId) } } }),
      ),
  });
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Timeline of payment {transactionId}</summary>
      {open && (
        <QueryState query={detail}>
          {(d) => (
            <ol className="timeline">
              {d.timeline.map((e, i) => (
                <li key={i}>
                  <span className="muted">{dateTime(e.at)}</span> {e.title}
                  {e.detail && <span className="muted"> — {e.detail}</span>}
                </li>
              ))}
            </ol>
          )}
        </QueryState>
      )}
    </details>
  );
}

function Proposals({ payment }: { payment: ReviewPayment }) {
  if (payment.proposals.length === 0) return null;
  return (
    <section aria-label={`Proposals for payment ${payment.transaction_id}`}>
      <h3>Proposals</h3>
      {payment.proposals.map((x) => (
        <ProposalItem key={x.id} proposal={x} />
      ))}
    </section>
  );
}

function ProposalItem({ proposal: x }: { proposal: ReviewProposal }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const done = () => queryClient.invalidateQueries({ queryKey: QUEUE_KEY });
  const path = { params: { path: { id: String(x.id) } } };
  const approve = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/admin/review-proposals/{id}/approve', {
          ...path,
          body: reason.trim() ? { reason: reason.trim() } : {},
        }),
      ),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/admin/review-proposals/{id}/reject', { ...path, body: { reason: reason.trim() } })),
    onSuccess: done,
  });
  const mine = me.data?.user.id === x.proposed_by.id;
  const what = x.action === 'complete' ? `Complete with receipt ${x.receipt}` : 'Fail and release the fee';
  return (
    <div className="evidence-item">
      <p>
        <strong>{what}</strong> <StatusBadge status={x.status} />
      </p>
      <dl className="details">
        <dt>Proposed by</dt>
        <dd>
          {x.proposed_by.email ?? x.proposed_by.id}, {dateTime(x.proposed_at)}
        </dd>
        <dt>Reason</dt>
        <dd>{x.reason}</dd>
        {x.decided_by && (
          <>
            <dt>{x.status === 'approved' ? 'Approved by' : 'Rejected by'}</dt>
            <dd>
              {x.decided_by.email ?? x.decided_by.id}, {dateTime(x.decided_at)}
              {x.decision_reason && `: ${x.decision_reason}`}
            </dd>
          </>
        )}
      </dl>
      {x.status === 'approved' && !x.handed_over_at && (
        <div className="review-actions">
          <p className="muted">Approved, but the payment could not be reached yet.</p>
          <button type="button" onClick={() => approve.mutate()} disabled={approve.isPending}>
            Hand over again
          </button>
          <FormError error={approve.error} />
        </div>
      )}
      {x.status === 'pending' && (
        <div className="review-actions">
          {mine && <p className="muted">You proposed this: a second admin approves it.</p>}
          <Field label="Note or reason for rejection" name="reason" id={`decision-${x.id}`} error={reject.error}>
            <input id={`decision-${x.id}`} value={reason} onChange={(e) => setReason(e.target.value)} />
          </Field>
          <button type="button" onClick={() => approve.mutate()} disabled={approve.isPending}>
            Approve
          </button>
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
    </div>
  );
}

function ProposeForm({ payment: p }: { payment: ReviewPayment }) {
  const queryClient = useQueryClient();
  const [action, setAction] = useState<'complete' | 'fail'>('complete');
  const [receipt, setReceipt] = useState(p.mpesa_receipt ?? '');
  const [reason, setReason] = useState('');
  const propose = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/admin/payments/{id}/review/proposals', {
          params: { path: { id: String(p.transaction_id) } },
          body: action === 'complete' ? { action, receipt: receipt.trim(), reason } : { action, reason },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: QUEUE_KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    propose.mutate();
  };
  const id = (name: string) => `${name}-${p.transaction_id}`;
  return (
    <form className="review-actions" onSubmit={submit} aria-label={`Propose how payment ${p.transaction_id} ends`}>
      <Field label="Resolution" name="action" id={id('action')} error={propose.error}>
        <select id={id('action')} value={action} onChange={(e) => setAction(e.target.value as typeof action)}>
          <option value="complete">Complete with a receipt</option>
          <option value="fail">Fail and release the fee</option>
        </select>
      </Field>
      {action === 'complete' && (
        <Field label="M-Pesa receipt" name="receipt" id={id('receipt')} error={propose.error}>
          <input id={id('receipt')} value={receipt} onChange={(e) => setReceipt(e.target.value)} />
        </Field>
      )}
      <Field label="Reason" name="reason" id={id('reason')} error={propose.error}>
        <input id={id('reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <button type="submit" disabled={propose.isPending || reason.trim().length < 3}>
        Propose
      </button>
      <FormError error={propose.error} />
    </form>
  );
}
