import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Answer } from '../api/answers';
import { Field, FormError } from '../components/Field';
import { QueryState } from '../components/QueryState';
import { dateTime } from '../format';

type TwoFactorStatus = Answer<'/api/me/two-factor', 'get'>;

const KEY = ['me', 'two-factor'];

/**
 * Profile's two-step sign-in: set up an authenticator app from a QR code, confirm it with its first
 * code, keep the recovery codes shown once; or turn it off with the password and a code.
 */
export function TwoFactorCard() {
  const status = useQuery({
    queryKey: KEY,
    queryFn: () => unwrap(api.GET('/api/me/two-factor')),
  });
  return (
    <div className="card">
      <h2>Two-step sign-in</h2>
      <QueryState query={status}>{(s) => (s.enabled ? <TurnOff status={s} /> : <SetUp />)}</QueryState>
    </div>
  );
}

function SetUp() {
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const setup = useMutation({
    mutationFn: () => unwrap(api.POST('/api/me/two-factor/setup')),
  });
  const enable = useMutation({
    mutationFn: () => unwrap(api.POST('/api/me/two-factor/enable', { body: { code } })),
    onSuccess: (answer) => setRecoveryCodes(answer.recovery_codes),
  });
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    enable.mutate();
  };
  if (recoveryCodes) {
    return (
      <div>
        <p role="status">Two-step sign-in is on.</p>
        <p>
          Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only
          now.
        </p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => void queryClient.invalidateQueries({ queryKey: KEY })}>
          I have saved them
        </button>
      </div>
    );
  }
  if (!setup.data) {
    return (
      <div>
        <p>
          Off. With it on, sign-in also asks for a code from an authenticator app, and you can still sign in with it
          when someone else has used up your account&apos;s failed sign-ins.
        </p>
        <FormError error={setup.error} />
        <button type="button" onClick={() => setup.mutate()} disabled={setup.isPending}>
          Set up an authenticator app
        </button>
      </div>
    );
  }
  return (
    <form onSubmit={confirm}>
      <p>Scan this code with your authenticator app, or type the key into it, then enter the code it shows.</p>
      <img src={setup.data.qr_code} alt="QR code of your authenticator app's key" width={240} height={240} />
      <p>
        Key: <code>{setup.data.secret}</code>
      </p>
      <Field label="Code from the app" name="code" error={enable.error}>
        <input
          id="code"
          autoComplete="one-time-code"
          inputMode="numeric"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </Field>
      <FormError error={enable.error} />
      <button type="submit" disabled={enable.isPending}>
        Turn on
      </button>
    </form>
  );
}

function TurnOff({ status }: { status: TwoFactorStatus }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ password: '', code: '' });
  const disable = useMutation({
    mutationFn: () => unwrap(api.POST('/api/me/two-factor/disable', { body: form })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEY }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    disable.mutate();
  };
  return (
    <form onSubmit={submit}>
      <p>
        On since {dateTime(status.enabled_at)}; {status.recovery_codes_left} recovery codes left.
      </p>
      <Field label="Password" name="password" id="two-factor-password" error={disable.error}>
        <input
          id="two-factor-password"
          type="password"
          autoComplete="current-password"
          required
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
      </Field>
      <Field label="Code or recovery code" name="code" id="two-factor-code" error={disable.error}>
        <input
          id="two-factor-code"
          autoComplete="one-time-code"
          required
          value={form.code}
          onChange={(e) => setForm({ ...form, code: e.target.value })}
        />
      </Field>
      <FormError error={disable.error} />
      <button type="submit" disabled={disable.isPending}>
        Turn off two-step sign-in
      </button>
    </form>
  );
}
