import type { ReactNode } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';

/** The loading, error and empty states every list and page shares; `children` renders the data. */
export function QueryState<T>({
  query,
  empty,
  isEmpty,
  children,
}: {
  query: UseQueryResult<T>;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending)
    return (
      <p className="muted" role="status">
        Loading…
      </p>
    );
  if (query.isError) return <ErrorNote error={query.error} />;
  if (isEmpty?.(query.data)) return <p className="empty">{empty ?? 'Nothing here yet.'}</p>;
  return <>{children(query.data)}</>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error instanceof Error ? error.message : 'Something went wrong'}
    </p>
  );
}
