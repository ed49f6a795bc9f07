import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Channel } from '../api/answers';
import { Field, FormError } from '../components/Field';
import { DataTable } from '../components/DataTable';
import { InitiatorForm } from '../components/InitiatorForm';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { dateTime } from '../format';
import { useBanks, useChannels } from '../queries';

type ChannelType = Channel['account_type'];
const TYPE_LABEL: Record<ChannelType, string> = { till: 'Till (Buy Goods)', paybill: 'Paybill', bank: 'Bank account' };

export function ChannelsPage() {
  const channels = useChannels();
  const banks = useBanks();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    account_type: 'till' as ChannelType,
    account_number: '',
    bank_name: '',
    account_reference: '',
  });
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/accounts', {
          body: {
            account_type: form.account_type,
            account_number: form.account_number,
            ...(form.account_type === 'bank' ? { bank_name: form.bank_name } : {}),
            ...(form.account_reference ? { account_reference: form.account_reference } : {}),
          },
        }),
      ),
    onSuccess: () => {
      setForm({ ...form, account_number: '', account_reference: '' });
      return queryClient.invalidateQueries({ queryKey: ['channels'] });
    },
  });
  const deactivate = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/accounts/{id}/deactivate', { params: { path: { id: String(id) } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  const bank = banks.data?.find((b) => b.name === form.bank_name);
  const preview =
    form.account_type === 'till'
      ? `Lipa na M-Pesa → Buy Goods → Till ${form.account_number || '…'}`
      : form.account_type === 'paybill'
        ? `Lipa na M-Pesa → Paybill ${form.account_number || '…'}, account ${form.account_reference || form.account_number || '…'}`
        : `Lipa na M-Pesa → Paybill ${bank?.paybill ?? '…'} (${form.bank_name || 'your bank'}), account ${form.account_reference || form.account_number || '…'}`;

  return (
    <section>
      <PageHeader
        title="Payment channels"
        subtitle="Manage the paybill and till accounts your customers can pay into"
      />
      <QueryState query={channels} isEmpty={(c) => c.length === 0} empty="No payment channels yet: add one below.">
        {(rows) => (
          <DataTable
            rows={rows}
            rowKey={(c) => c.id}
            columns={[
              { header: 'Channel ID', cell: (c) => c.id },
              { header: 'Channel type', cell: (c) => c.bank_name ?? TYPE_LABEL[c.account_type] },
              { header: 'Account number', cell: (c) => c.account_number },
              { header: 'Status', cell: (c) => <StatusBadge status={c.is_active ? 'active' : 'inactive'} /> },
              { header: 'Date created', cell: (c) => dateTime(c.created_at) },
              {
                header: 'Action',
                cell: (c) =>
                  c.is_active && (
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => deactivate.mutate(c.id)}
                      disabled={deactivate.isPending}
                    >
                      Deactivate
                    </button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      <div className="two-columns">
        <form className="card" onSubmit={submit}>
          <h2>Add a payment channel</h2>
          <p className="muted">Connect your bank, paybill or till so you can receive payments</p>
          <Field label="Channel type" name="account_type" error={add.error}>
            <select id="account_type" value={form.account_type} onChange={set('account_type')}>
              <option value="till">Till (Buy Goods)</option>
              <option value="paybill">Paybill</option>
              <option value="bank">Bank account</option>
            </select>
          </Field>
          {form.account_type === 'bank' && (
            <Field label="Bank" name="bank_name" error={add.error}>
              <select id="bank_name" required value={form.bank_name} onChange={set('bank_name')}>
                <option value="">Choose a bank</option>
                {banks.data?.map((b) => (
                  <option key={b.name} value={b.name}>
                    {b.name}
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field
            label={
              form.account_type === 'bank'
                ? 'Bank account number'
                : form.account_type === 'till'
                  ? 'Till number'
                  : 'Paybill number'
            }
            name="account_number"
            error={add.error}
          >
            <input id="account_number" required value={form.account_number} onChange={set('account_number')} />
          </Field>
          {form.account_type !== 'till' && (
            <Field
              label="Account reference"
              name="account_reference"
              error={add.error}
              hint="Optional, at most 12 characters (defaults to the account number)"
            >
              <input id="account_reference" value={form.account_reference} onChange={set('account_reference')} />
            </Field>
          )}
          <FormError error={add.error} />
          <button type="submit" disabled={add.isPending}>
            Add channel
          </button>
        </form>
        <aside className="card">
          <h2>Channel preview</h2>
          <p>See how your payment channels appear when you collect money.</p>
          <p className="preview">{preview}</p>
          <p className="muted">You can add multiple channels and choose which one to use when initiating payments.</p>
        </aside>
      </div>
      {channels.data && <InitiatorForm channels={channels.data} />}
    </section>
  );
}
