import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Channel } from '../api/answers';
import { dateTime } from '../format';
import { Field, FormError } from './Field';

/**
 * A channel's M-Pesa initiator (the API operator that Transaction Status and Reversal requests name).
 * Write-only: the password is sent once, sealed by the API, and never shown again; the form clears it.
 */
export function InitiatorForm({ channels }: { channels: Channel[] }) {
  const active = channels.filter((c) => c.is_active);
  const [channelId, setChannelId] = useState<number | null>(active[0]?.id ?? null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const chosen = channelId ?? active[0]?.id ?? null;
  const queryClient = useQueryClient();
  const current = useQuery({
    queryKey: ['initiator', chosen],
    enabled: chosen !== null,
    queryFn: () => unwrap(api.GET('/api/accounts/{id}/initiator', { params: { path: { id: String(chosen) } } })),
  });
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/accounts/{id}/initiator', {
          params: { path: { id: String(chosen) } },
          body: { initiator_name: name, initiator_password: password },
        }),
      ),
    onSuccess: () => {
      setPassword('');
      return queryClient.invalidateQueries({ queryKey: ['initiator', chosen] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  if (active.length === 0) return null;
  return (
    <form className="card" onSubmit={submit} autoComplete="off">
      <h2>M-Pesa initiator (for reversals)</h2>
      <p className="muted">
        Reversals and M-Pesa&rsquo;s own record need an API operator of your till or paybill: on the M-Pesa organisation
        portal, create an API user with the &ldquo;Org Reversals Initiator&rdquo; and Transaction Status roles. Its
        password is encrypted, never shown again, and never logged.
      </p>
      <Field label="Channel" name="initiator_channel" error={save.error}>
        <select
          id="initiator_channel"
          value={chosen ?? ''}
          onChange={(e) => {
            setChannelId(Number(e.target.value));
            save.reset();
          }}
        >
          {active.map((c) => (
            <option key={c.id} value={c.id}>
              {c.account_type === 'till' ? 'Till' : c.account_type === 'paybill' ? 'Paybill' : c.bank_name}{' '}
              {c.account_number}
            </option>
          ))}
        </select>
      </Field>
      <p role="status">
        {current.data?.configured
          ? `Set: initiator ${current.data.initiator_name}, last changed ${dateTime(current.data.updated_at)}`
          : current.isSuccess
            ? 'No initiator yet: reversals from this channel are not possible.'
            : ''}
      </p>
      <Field label="Initiator name" name="initiator_name" error={save.error}>
        <input id="initiator_name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Initiator password" name="initiator_password" error={save.error}>
        <input
          id="initiator_password"
          type="password"
          required
          autoComplete="new-password"
          maxLength={200}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <FormError error={save.error} />
      <button type="submit" disabled={save.isPending || chosen === null}>
        Save initiator
      </button>
    </form>
  );
}
