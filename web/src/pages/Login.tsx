import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../api/client';
import { Field, FormError } from '../components/Field';
import { ME_KEY } from '../session';

/** Sign in: the API answers with the session in an HttpOnly cookie; the page keeps no token. */
export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const queryClient = useQueryClient();
  const login = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/auth/login', { body: { email, password, ...(code.trim() ? { code: code.trim() } : {}) } })),
    // The session cookie is set; with "who am I" known, the app's routes take the user on.
    // GET /api/me is then asked once more for what only it tells (an admin's Temporal UI address).
    onSuccess: (me) => {
      queryClient.setQueryData(ME_KEY, { user: me.user, merchant: me.merchant, expires_at: me.expires_at });
      void queryClient.invalidateQueries({ queryKey: ME_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  // Asked for by the account's two-step sign-in, or offered when the account's limit of failed sign-ins is reached.
  const askCode =
    code !== '' ||
    (login.error instanceof ApiError && ['second_factor_required', 'rate_limited'].includes(login.error.code));
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Sign in to ImaraPay</h1>
        <Field label="Email" name="email" error={login.error}>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </Field>
        <Field label="Password" name="password" error={login.error}>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        {askCode && (
          <Field
            label="Authentication code"
            name="code"
            error={login.error}
            hint="The 6-digit code from your authenticator app, or one of your recovery codes"
          >
            <input
              id="code"
              autoComplete="one-time-code"
              inputMode="text"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </Field>
        )}
        <FormError error={login.error} />
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p>
          New to ImaraPay? <Link to="/signup">Create an account</Link>
        </p>
      </form>
    </main>
  );
}
