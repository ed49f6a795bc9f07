import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Me } from '../api/answers';
import { CopyButton } from '../components/CopyButton';
import { Field, FormError } from '../components/Field';
import { DataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { dateTime } from '../format';
import { TwoFactorCard } from './TwoFactor';

export function ProfilePage({ me }: { me: Me }) {
  return (
    <section>
      <PageHeader title="Profile" subtitle="Your business, your sign-in and your webhooks" />
      <dl className="card details">
        <dt>Business</dt>
        <dd>{me.merchant?.name}</dd>
        <dt>Merchant account ID</dt>
        <dd>{me.merchant?.id}</dd>
        <dt>Identity verification</dt>
        <dd>
          <StatusBadge status={me.merchant?.kyc_status ?? 'unverified'} />
        </dd>
        <dt>Signed in as</dt>
        <dd>{me.user.email}</dd>
      </dl>
      <ChangePassword />
      <TwoFactorCard />
      <CallbackUrl />
      <SigningSecret />
      <Deliveries />
    </section>
  );
}

function ChangePassword() {
  const [form, setForm] = useState({ current_password: '', new_password: '' });
  const change = useMutation({
    mutationFn: () => unwrap(api.POST('/api/me/password', { body: form })),
    onSuccess: () => setForm({ current_password: '', new_password: '' }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Password</h2>
      <Field label="Current password" name="current_password" error={change.error}>
        <input
          id="current_password"
          type="password"
          autoComplete="current-password"
          required
          value={form.current_password}
          onChange={(e) => setForm({ ...form, current_password: e.target.value })}
        />
      </Field>
      <Field
        label="New password"
        name="new_password"
        error={change.error}
        hint="At least 10 characters; your other sessions are signed out"
      >
        <input
          id="new_password"
          type="password"
          autoComplete="new-password"
          required
          value={form.new_password}
          onChange={(e) => setForm({ ...form, new_password: e.target.value })}
        />
      </Field>
      <FormError error={change.error} />
      <button type="submit" disabled={change.isPending}>
        Change password
      </button>
      {change.isSuccess && <p role="status">Password changed.</p>}
    </form>
  );
}

function CallbackUrl() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => unwrap(api.GET('/api/settings')) });
  const [url, setUrl] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (callback_url: string | null) => unwrap(api.PUT('/api/settings', { body: { callback_url } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(['settings'], saved);
      setUrl(null);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate((url ?? settings.data?.callback_url ?? '') || null);
  };
  return (
    <form className="card" onSubmit={submit}>
      <h2>Callback URL</h2>
      <p className="muted">ImaraPay POSTs every payment's result here, signed with your signing secret.</p>
      <QueryState query={settings}>
        {(s) => (
          <Field
            label="Callback (webhook) URL"
            name="callback_url"
            error={save.error}
            hint="Leave empty to stop webhooks"
          >
            <input
              id="callback_url"
              type="url"
              value={url ?? s.callback_url ?? ''}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://shop.example.com/payment/callback"
            />
          </Field>
        )}
      </QueryState>
      <FormError error={save.error} />
      <button type="submit" disabled={save.isPending}>
        Save
      </button>
      {save.isSuccess && <p role="status">Saved.</p>}
    </form>
  );
}

function SigningSecret() {
  const [secret, setSecret] = useState<string | null>(null);
  const reveal = useMutation({
    mutationFn: () => unwrap(api.GET('/api/settings/webhook-secret')),
    onSuccess: (s) => setSecret(s.secret),
  });
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/settings/webhook-secret/rotate')),
    onSuccess: (s) => setSecret(s.secret),
  });
  const [confirmRotate, setConfirmRotate] = useState(false);
  return (
    <div className="card">
      <h2>Signing secret</h2>
      <p className="muted">Check the ImaraPay-Signature header of each delivery with it.</p>
      {secret ? (
        <p>
          <code className="wrap">{secret}</code> <CopyButton value={secret} label="secret" />
        </p>
      ) : (
        <button type="button" className="secondary" onClick={() => reveal.mutate()}>
          Reveal secret
        </button>
      )}{' '}
      {confirmRotate ? (
        <>
          <button
            type="button"
            className="danger"
            onClick={() => {
              rotate.mutate();
              setConfirmRotate(false);
            }}
          >
            Confirm: rotate now
          </button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirmRotate(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirmRotate(true)}>
          Rotate secret
        </button>
      )}
      <FormError error={reveal.error ?? rotate.error} />
    </div>
  );
}

function Deliveries() {
  const queryClient = useQueryClient();
  const deliveries = useQuery({
    queryKey: ['deliveries'],
    queryFn: () => unwrap(api.GET('/api/webhooks/deliveries', { params: { query: { limit: 50 } } })),
    refetchInterval: 5000,
  });
  const redeliver = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/webhooks/deliveries/{id}/redeliver', { params: { path: { id: String(id) } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['deliveries'] }),
  });
  return (
    <div>
      <h2>Webhook deliveries</h2>
      <QueryState query={deliveries} isEmpty={(d) => d.length === 0} empty="No webhook deliveries yet.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(d) => d.id}
            columns={[
              { header: 'Event', cell: (d) => d.event },
              { header: 'Transaction', cell: (d) => d.transaction_id },
              { header: 'Status', cell: (d) => <StatusBadge status={d.status} /> },
              { header: 'Attempts', numeric: true, cell: (d) => d.attempts },
              { header: 'URL', className: 'wrap', cell: (d) => d.url },
              { header: 'Last attempt', cell: (d) => dateTime(d.last_attempt_at) },
              {
                header: 'Actions',
                cell: (d) => (
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => redeliver.mutate(d.id)}
                    disabled={redeliver.isPending}
                  >
                    Redeliver
                  </button>
                ),
              },
            ]}
          />
        )}
      </QueryState>
      <FormError error={redeliver.error} />
    </div>
  );
}
