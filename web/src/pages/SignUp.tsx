import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { Field, FormError } from '../components/Field';
import { ME_KEY } from '../session';

export function SignUpPage() {
  const [form, setForm] = useState({ business_name: '', email: '', password: '' });
  const queryClient = useQueryClient();
  const signUp = useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/signup', { body: form })),
    // The session cookie is set; with "who am I" known, the app's routes take the user on.
    onSuccess: (me) =>
      queryClient.setQueryData(ME_KEY, { user: me.user, merchant: me.merchant, expires_at: me.expires_at }),
  });
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signUp.mutate();
  };
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Create your ImaraPay account</h1>
        <Field label="Business name" name="business_name" error={signUp.error}>
          <input id="business_name" required value={form.business_name} onChange={set('business_name')} />
        </Field>
        <Field label="Email" name="email" error={signUp.error}>
          <input id="email" type="email" autoComplete="email" required value={form.email} onChange={set('email')} />
        </Field>
        <Field label="Password" name="password" error={signUp.error} hint="At least 10 characters">
          <input
            id="password"
            type="password"
            autoComplete="new-password"
            required
            value={form.password}
            onChange={set('password')}
          />
        </Field>
        <FormError error={signUp.error} />
        <button type="submit" disabled={signUp.isPending}>
          {signUp.isPending ? 'Creating…' : 'Create account'}
        </button>
        <p>
          Already have an account? <Link to="/login">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
