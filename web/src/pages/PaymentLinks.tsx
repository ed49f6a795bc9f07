import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { PaymentLink } from '../api/answers';
import { CopyButton } from '../components/CopyButton';
import { DataTable } from '../components/DataTable';
import { Field, FormError } from '../components/Field';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { dateTime, kes } from '../format';
import { useChannels } from '../queries';

const LINKS_KEY = ['payment-links'];
const newKey = () => crypto.randomUUID();

const amountOf = (link: PaymentLink) =>
  link.amount !== null ? kes(link.amount) : `${kes(link.min_amount ?? 1)} – ${kes(link.max_amount ?? 250_000)}`;

/** Payment links: create, list, share (URL, QR), pause, resume, archive, and each link's payments and totals. */
export function PaymentLinksPage() {
  const queryClient = useQueryClient();
  const links = useQuery({
    queryKey: LINKS_KEY,
    queryFn: () => unwrap(api.GET('/api/payment-links')),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'pause' | 'resume' | 'archive' }) =>
      unwrap<PaymentLink>(api.POST(`/api/payment-links/{id}/${action}`, { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: LINKS_KEY }),
  });

  return (
    <section>
      <PageHeader
        title="Payment links"
        subtitle="Share a link or print a QR code: your customer opens it, enters their M-Pesa number and pays"
      />
      <FormError error={change.error} />
      <QueryState query={links} isEmpty={(l) => l.length === 0} empty="No payment links yet: create one below.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(l) => l.id}
            label="Your payment links"
            columns={[
              { header: 'What for', cell: (l) => l.description },
              { header: 'Amount', cell: amountOf },
              {
                header: 'Status',
                cell: (l) => <StatusBadge status={l.availability === 'open' ? 'active' : l.availability} />,
              },
              { header: 'Paid', cell: (l) => `${l.totals.completed} · ${kes(l.totals.completed_amount)}` },
              { header: 'Created', cell: (l) => dateTime(l.created_at) },
              {
                header: 'Actions',
                cell: (l) => (
                  <div className="actions">
                    <CopyButton value={l.url} label={`link for ${l.description}`} />
                    <button type="button" className="secondary small" onClick={() => setSelected(l.id)}>
                      Details of {l.description}
                    </button>
                    {l.state === 'active' && (
                      <button
                        type="button"
                        className="secondary small"
                        disabled={change.isPending}
                        onClick={() => change.mutate({ id: l.id, action: 'pause' })}
                      >
                        Pause {l.description}
                      </button>
                    )}
                    {l.state === 'paused' && (
                      <button
                        type="button"
                        className="secondary small"
                        disabled={change.isPending}
                        onClick={() => change.mutate({ id: l.id, action: 'resume' })}
                      >
                        Resume {l.description}
                      </button>
                    )}
                    <button
                      type="button"
                      className="secondary small"
                      disabled={change.isPending}
                      onClick={() => change.mutate({ id: l.id, action: 'archive' })}
                    >
                      Archive {l.description}
                    </button>
                  </div>
                ),
              },
            ]}
          />
        )}
      </QueryState>
      {selected && links.data?.some((l) => l.id === selected) && (
        <LinkDetails link={links.data.find((l) => l.id === selected)!} onClose={() => setSelected(null)} />
      )}
      <CreateLinkForm onCreated={(link) => setSelected(link.id)} />
    </section>
  );
}

function CreateLinkForm({ onCreated }: { onCreated: (link: PaymentLink) => void }) {
  const queryClient = useQueryClient();
  const channels = useChannels();
  const empty = {
    description: '',
    kind: 'fixed' as 'fixed' | 'open',
    amount: '',
    min_amount: '',
    max_amount: '',
    account_id: '',
    account_reference: '',
    expires_at: '',
    single_use: false,
  };
  const [form, setForm] = useState(empty);
  // One key per link being created: a double submit or a retry after a lost answer creates one link.
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/payment-links', {
          headers: { 'Idempotency-Key': idempotencyKey },
          body: {
            description: form.description,
            ...(form.kind === 'fixed'
              ? { amount: Number(form.amount) }
              : {
                  ...(form.min_amount ? { min_amount: Number(form.min_amount) } : {}),
                  ...(form.max_amount ? { max_amount: Number(form.max_amount) } : {}),
                }),
            ...(form.account_id ? { account_id: Number(form.account_id) } : {}),
            ...(form.account_reference ? { account_reference: form.account_reference } : {}),
            ...(form.expires_at ? { expires_at: new Date(form.expires_at).toISOString() } : {}),
            single_use: form.single_use,
          },
        }),
      ),
    onSuccess: async (link) => {
      setForm(empty);
      setIdempotencyKey(newKey());
      await queryClient.invalidateQueries({ queryKey: LINKS_KEY });
      onCreated(link);
    },
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => {
    setForm({ ...form, [name]: e.target.value });
    setIdempotencyKey(newKey());
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Create a payment link</h2>
      <Field
        label="What is being paid for"
        name="description"
        error={create.error}
        hint="At most 13 characters: M-Pesa shows it on the customer's prompt"
      >
        <input id="description" required maxLength={13} value={form.description} onChange={set('description')} />
      </Field>
      <fieldset className="field">
        <legend>Amount</legend>
        <label>
          <input
            type="radio"
            name="kind"
            checked={form.kind === 'fixed'}
            onChange={() => setForm({ ...form, kind: 'fixed' })}
          />{' '}
          A fixed amount
        </label>
        <label>
          <input
            type="radio"
            name="kind"
            checked={form.kind === 'open'}
            onChange={() => setForm({ ...form, kind: 'open' })}
          />{' '}
          The customer enters the amount
        </label>
      </fieldset>
      {form.kind === 'fixed' ? (
        <Field label="Amount (KES)" name="amount" error={create.error}>
          <input id="amount" required inputMode="numeric" value={form.amount} onChange={set('amount')} />
        </Field>
      ) : (
        <div className="two-columns">
          <Field label="Smallest amount (KES)" name="min_amount" error={create.error} hint="Optional, default 1">
            <input id="min_amount" inputMode="numeric" value={form.min_amount} onChange={set('min_amount')} />
          </Field>
          <Field label="Largest amount (KES)" name="max_amount" error={create.error} hint="Optional, default 250,000">
            <input id="max_amount" inputMode="numeric" value={form.max_amount} onChange={set('max_amount')} />
          </Field>
        </div>
      )}
      <Field label="Paid into" name="account_id" error={create.error} hint="Your oldest active channel when not chosen">
        <select id="account_id" value={form.account_id} onChange={set('account_id')}>
          <option value="">Default channel</option>
          {channels.data
            ?.filter((c) => c.is_active)
            .map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
        </select>
      </Field>
      <Field
        label="Account reference"
        name="account_reference"
        error={create.error}
        hint="Optional, at most 12 characters (defaults to the channel's)"
      >
        <input
          id="account_reference"
          maxLength={12}
          value={form.account_reference}
          onChange={set('account_reference')}
        />
      </Field>
      <Field
        label="Expires"
        name="expires_at"
        error={create.error}
        hint="Optional: the link stops taking payments then"
      >
        <input id="expires_at" type="datetime-local" value={form.expires_at} onChange={set('expires_at')} />
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.single_use}
          onChange={(e) => setForm({ ...form, single_use: e.target.checked })}
        />{' '}
        Single use: close the link once it is paid
      </label>
      <FormError error={create.error} />
      <button type="submit" disabled={create.isPending}>
        Create link
      </button>
    </form>
  );
}

function LinkDetails({ link, onClose }: { link: PaymentLink; onClose: () => void }) {
  const payments = useQuery({
    queryKey: [...LINKS_KEY, link.id, 'payments'],
    queryFn: () => unwrap(api.GET('/api/payment-links/{id}/payments', { params: { path: { id: link.id } } })),
  });
  const [mpesaAmount, setMpesaAmount] = useState('');
  const qrBase = `/api/payment-links/${encodeURIComponent(link.id)}`;
  const mpesaQr = `${qrBase}/mpesa-qr.png${link.amount_kind === 'open' ? `?amount=${encodeURIComponent(mpesaAmount)}` : ''}`;
  return (
    <section className="card" aria-labelledby="link-details-title">
      <div className="page-header">
        <h2 id="link-details-title">{link.description}</h2>
        <button type="button" className="secondary small" onClick={onClose}>
          Close details
        </button>
      </div>
      <div className="two-columns">
        <div>
          <p>
            <strong>{amountOf(link)}</strong> · {link.single_use ? 'single use' : 'reusable'}
            {link.expires_at ? ` · expires ${dateTime(link.expires_at)}` : ''}
          </p>
          <p className="break-all">
            <a href={link.url} target="_blank" rel="noreferrer">
              {link.url}
            </a>
          </p>
          <p className="actions">
            <CopyButton value={link.url} label="link" />
            <a className="button secondary small" href={`${qrBase}/qr.png`} download={`${link.id}.png`}>
              Download QR (PNG)
            </a>
            <a className="button secondary small" href={`${qrBase}/qr.svg`} download={`${link.id}.svg`}>
              Download QR (SVG)
            </a>
            <button type="button" className="secondary small" onClick={() => window.print()}>
              Print QR
            </button>
          </p>
          <h3>M-Pesa app QR</h3>
          <p className="muted">
            Safaricom's Dynamic QR for your till or paybill: scanned in the M-Pesa app, it fills in the amount and
            reference. Such payments go straight to your till or paybill and are not listed here.
          </p>
          {link.amount_kind === 'open' && (
            <Field label="Amount for the M-Pesa QR (KES)" name="mpesa_amount" error={null}>
              <input
                id="mpesa_amount"
                inputMode="numeric"
                value={mpesaAmount}
                onChange={(e) => setMpesaAmount(e.target.value)}
              />
            </Field>
          )}
          <a className="button secondary small" href={mpesaQr} download={`${link.id}-mpesa.png`}>
            Download M-Pesa QR
          </a>
        </div>
        <figure className="print-card">
          <img src={`${qrBase}/qr.svg`} alt={`QR code to pay ${link.description}`} width={220} height={220} />
          <figcaption>
            Scan to pay {link.description} · {amountOf(link)}
          </figcaption>
        </figure>
      </div>
      <h3>Payments</h3>
      <QueryState query={payments} isEmpty={(p) => p.payments.length === 0} empty="No payments through this link yet.">
        {({ link: fresh, payments: rows }) => (
          <>
            <p>
              {fresh.totals.payments} payments · {fresh.totals.completed} completed ·{' '}
              <strong>{kes(fresh.totals.completed_amount)}</strong> received
            </p>
            <DataTable
              rows={rows}
              rowKey={(p) => p.transaction_id}
              label={`Payments through ${link.description}`}
              columns={[
                {
                  header: 'Transaction',
                  cell: (p) => <Link to={`/transactions/${p.transaction_id}`}>{p.transaction_id}</Link>,
                },
                { header: 'Phone', cell: (p) => p.phone_number },
                { header: 'Amount', cell: (p) => kes(p.amount) },
                { header: 'Status', cell: (p) => <StatusBadge status={p.status} /> },
                { header: 'Receipt', cell: (p) => p.mpesa_receipt ?? '—' },
                { header: 'Date', cell: (p) => dateTime(p.created_at) },
              ]}
            />
          </>
        )}
      </QueryState>
    </section>
  );
}

export default PaymentLinksPage;
