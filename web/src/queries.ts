import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './api/client';
import type { ApiKey, Bank, Channel, KycState, PricingTier, Wallet } from './api/models';

/** Queries several pages share, under one key each so a change on one page refreshes the others. */
export const useChannels = () =>
  useQuery({ queryKey: ['channels'], queryFn: () => unwrap<Channel[]>(api.GET('/api/accounts')) });
export const usePricing = () =>
  useQuery({
    queryKey: ['pricing'],
    queryFn: () => unwrap<PricingTier[]>(api.GET('/api/pricing')),
    staleTime: 300_000,
  });
export const useWallet = () =>
  useQuery({ queryKey: ['wallet'], queryFn: () => unwrap<Wallet>(api.GET('/api/wallet')) });
export const useApiKeys = () =>
  useQuery({ queryKey: ['api-keys'], queryFn: () => unwrap<ApiKey[]>(api.GET('/api/api-keys')) });
export const useKyc = () => useQuery({ queryKey: ['kyc'], queryFn: () => unwrap<KycState>(api.GET('/api/kyc')) });
export const useBanks = () =>
  useQuery({ queryKey: ['banks'], queryFn: () => unwrap<Bank[]>(api.GET('/api/banks')), staleTime: Infinity });
