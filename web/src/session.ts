import { useQuery } from '@tanstack/react-query';
import { api, ApiError, unwrap } from './api/client';

export const ME_KEY = ['me'] as const;

/** Who is signed in (GET /api/me, through the session cookie); null when nobody is. */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await unwrap(api.GET('/api/me'));
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 60_000,
  });
}
