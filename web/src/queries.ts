import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './api/client';

/** Queries several pages share, under one key each so a change on one page refreshes the others. */
export const useChannels = () => useQuery({ queryKey: ['channels'], queryFn: () => unwrap(api.GET('/api/accounts')) });
export const usePricing = () =>
  useQuery({
    queryKey: ['pricing'],
    queryFn: () => unwrap(api.GET('/api/pricing')),
    staleTime: 300_000,
  });
/**
 * The fee the API charges a push of `amount` KES (GET /api/pricing/fee, the payment's own rule);
 * not asked for an amount that is not a whole number of KES from 1.
 */
export const useFeeQuote = (amount: number) =>
  useQuery({
    queryKey: ['pricing', 'fee', amount],
    queryFn: () => unwrap(api.GET('/api/pricing/fee', { params: { query: { amount } } })),
    enabled: Number.isSafeInteger(amount) && amount >= 1,
    staleTime: 300_000,
    retry: false,
  });
export const useWallet = () => useQuery({ queryKey: ['wallet'], queryFn: () => unwrap(api.GET('/api/wallet')) });
export const useApiKeys = () => useQuery({ queryKey: ['api-keys'], queryFn: () => unwrap(api.GET('/api/api-keys')) });
export const useKyc = () => useQuery({ queryKey: ['kyc'], queryFn: () => unwrap(api.GET('/api/kyc')) });
export const useBanks = () =>
  useQuery({ queryKey: ['banks'], queryFn: () => unwrap(api.GET('/api/banks')), staleTime: Infinity });
