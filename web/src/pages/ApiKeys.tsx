import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { CopyButton } from '../components/CopyButton';
import { Field, FormError } from '../components/Field';
import { DataTable } from '../components/DataTable';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { dateTime } from '../format';
import { useApiKeys } from '../queries';

export function ApiKeysPage() {
  const keys = useApiKeys();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState<'sandbox' | 'production'>('sandbox');
  const [confirming, setConfirming] = useState<number | null>(null);
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/api-keys', { body: { name, environment } })),
    onSuccess: () => {
      setName('');
      return queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/api-keys/{id}', { params: { path: { id: String(id) } } })),
    onSuccess: () => {
      setConfirming(null);
      return queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const created = create.data;

  return (
    <section>
      <PageHeader title="API Keys" subtitle="Manage the credentials your systems use to access the API" />
      <form className="card inline-form" onSubmit={submit}>
        <Field label="Key name" name="name" error={create.error}>
          <input id="name" required value={name} onChange={(e) => setName(e.target.value)} placeholder="Shop backend" />
        </Field>
        <Field label="Environment" name="environment" error={create.error}>
          <select
            id="environment"
            value={environment}
            onChange={(e) => setEnvironment(e.target.value as 'sandbox' | 'production')}
          >
            <option value="sandbox">Sandbox</option>
            <option value="production">Production</option>
          </select>
        </Field>
        <button type="submit" disabled={create.isPending}>
          Create API key
        </button>
        <FormError error={create.error} />
      </form>
      {created && (
        <div className="card secret" role="region" aria-label="New API key">
          <h2>Copy your API password now</h2>
          <p>It is shown this once: ImaraPay keeps only a hash of it.</p>
          <dl className="details">
            <dt>API username</dt>
            <dd>
              <code>{created.api_username}</code> <CopyButton value={created.api_username} label="username" />
            </dd>
            <dt>API password</dt>
            <dd>
              <code className="api-password">{created.api_password}</code>{' '}
              <CopyButton value={created.api_password} label="password" />
            </dd>
            <dt>Authorization header</dt>
            <dd>
              <code className="wrap">Authorization: {created.authorization}</code>{' '}
              <CopyButton value={`Authorization: ${created.authorization}`} label="header" />
            </dd>
          </dl>
        </div>
      )}
      <QueryState query={keys} isEmpty={(k) => k.length === 0} empty="No API keys yet.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(k) => k.id}
            columns={[
              {
                header: 'Name',
                cell: (k) => (
                  <>
                    {k.name} <span className="muted">({k.environment})</span>
                  </>
                ),
              },
              { header: 'API username', cell: (k) => <code>{k.api_username}</code> },
              { header: 'Account ID', cell: (k) => k.account_id },
              { header: 'Created', cell: (k) => dateTime(k.created_at) },
              {
                header: 'Actions',
                cell: (k) =>
                  k.revoked_at ? (
                    <span className="muted">Revoked {dateTime(k.revoked_at)}</span>
                  ) : confirming === k.id ? (
                    <>
                      <button
                        type="button"
                        className="danger small"
                        onClick={() => revoke.mutate(k.id)}
                        disabled={revoke.isPending}
                      >
                        Confirm revoke
                      </button>{' '}
                      <button type="button" className="secondary small" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </>
                  ) : (
                    <button type="button" className="secondary small" onClick={() => setConfirming(k.id)}>
                      Revoke
                    </button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
    </section>
  );
}
