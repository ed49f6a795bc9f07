import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** A labelled form field whose error, when the API's `field` names it, shows right beside it. */
export function Field({
  label,
  name,
  id = name,
  error,
  hint,
  children,
}: {
  label: string;
  name: string;
  id?: string;
  error: unknown;
  hint?: string;
  children: ReactNode;
}) {
  const message = error instanceof ApiError && error.field === name ? error.message : null;
  return (
    <div className={message ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <small className="muted">{hint}</small>}
      {message && (
        <small className="field-error" id={`${id}-error`} role="alert">
          {message}
        </small>
      )}
    </div>
  );
}

/** The error of a form, unless a field shows it. */
export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  if (error instanceof ApiError && error.field) return null;
  return (
    <p className="error" role="alert">
      {error instanceof Error ? error.message : 'Something went wrong'}
    </p>
  );
}
