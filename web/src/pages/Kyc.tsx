import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { KycState } from '../api/answers';
import { Field, FormError } from '../components/Field';
import { PageHeader } from '../components/Layout';
import { QueryState } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { dateTime } from '../format';
import { ME_KEY } from '../session';
import { useKyc } from '../queries';

type DocumentKind = 'id_front' | 'id_back' | 'business_certificate' | 'kra_pin_certificate';
const DOCUMENTS: { kind: DocumentKind; label: string; required: boolean }[] = [
  { kind: 'id_front', label: 'ID, front', required: true },
  { kind: 'id_back', label: 'ID, back', required: false },
  { kind: 'business_certificate', label: 'Business certificate', required: false },
];

/** The form as the API takes it: multipart, the details as text fields and each document as a file part named by its kind. */
function formDataOf(form: Record<string, string>, files: Partial<Record<DocumentKind, File>>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(form)) if (value !== '') data.append(name, value);
  for (const [kind, file] of Object.entries(files)) if (file) data.append(kind, file, file.name);
  return data;
}

export function KycPage() {
  const kyc = useKyc();
  return (
    <section>
      <PageHeader
        title="Identity Verification"
        subtitle="Verify your identity to unlock payment channels, STK Push, and API keys"
      />
      <QueryState query={kyc}>{(state) => <KycBody state={state} />}</QueryState>
    </section>
  );
}

function KycBody({ state }: { state: KycState }) {
  const canSubmit = state.kyc_status === 'unverified' || state.kyc_status === 'rejected';
  return (
    <>
      <div className="card">
        <p>
          Status: <StatusBadge status={state.kyc_status} />
        </p>
        {state.kyc_status === 'pending' && (
          <p>Your documents are with an ImaraPay reviewer. You will be able to add channels once they are approved.</p>
        )}
        {state.kyc_status === 'verified' && <p>You are verified: channels, STK Push and API keys are open to you.</p>}
        {state.rejection_reason && (
          <p className="error" role="alert">
            Reviewer's reason: {state.rejection_reason}
          </p>
        )}
        {state.submission && <p className="muted">Last submitted {dateTime(state.submission.created_at)}</p>}
      </div>
      {canSubmit && <KycForm />}
    </>
  );
}

function KycForm() {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({
    full_name: '',
    id_type: 'national_id' as 'national_id' | 'passport' | 'alien_id',
    id_number: '',
    business_name: '',
    kra_pin: '',
    phone_number: '',
  });
  const [files, setFiles] = useState<Partial<Record<DocumentKind, File>>>({});
  const submit = useMutation({
    mutationFn: () =>
      unwrap(
        // openapi-fetch sends a FormData as it is, and the browser sets the multipart Content-Type and boundary.
        api.POST('/api/kyc', { body: formDataOf(form, files) as never }),
      ),
    onSuccess: async (state) => {
      queryClient.setQueryData(['kyc'], state);
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate();
  };
  return (
    <form className="card" onSubmit={onSubmit}>
      <h2>Submit your documents</h2>
      <Field label="Full name" name="full_name" error={submit.error}>
        <input id="full_name" required value={form.full_name} onChange={set('full_name')} />
      </Field>
      <Field label="ID type" name="id_type" error={submit.error}>
        <select id="id_type" value={form.id_type} onChange={set('id_type')}>
          <option value="national_id">National ID</option>
          <option value="passport">Passport</option>
          <option value="alien_id">Alien ID</option>
        </select>
      </Field>
      <Field label="ID number" name="id_number" error={submit.error}>
        <input id="id_number" required value={form.id_number} onChange={set('id_number')} />
      </Field>
      <Field label="Business name" name="business_name" error={submit.error}>
        <input id="business_name" required value={form.business_name} onChange={set('business_name')} />
      </Field>
      <Field label="KRA PIN" name="kra_pin" error={submit.error} hint="Optional, e.g. A012345678Z">
        <input id="kra_pin" value={form.kra_pin} onChange={set('kra_pin')} />
      </Field>
      <Field label="Phone number" name="phone_number" error={submit.error}>
        <input id="phone_number" inputMode="tel" required value={form.phone_number} onChange={set('phone_number')} />
      </Field>
      {DOCUMENTS.map((d) => (
        <Field
          key={d.kind}
          label={`${d.label}${d.required ? '' : ' (optional)'}`}
          name={d.kind}
          error={submit.error}
          hint="JPEG, PNG or PDF, at most 2 MB"
        >
          <input
            id={d.kind}
            type="file"
            accept="image/jpeg,image/png,application/pdf"
            required={d.required}
            onChange={(e) => setFiles({ ...files, [d.kind]: e.target.files?.[0] })}
          />
        </Field>
      ))}
      <FormError error={submit.error} />
      <button type="submit" disabled={submit.isPending}>
        {submit.isPending ? 'Uploading…' : 'Submit for review'}
      </button>
    </form>
  );
}
