import { AppError } from '../domain/errors';
import type { Merchant } from '../db/entities';
import type { ApiCaller } from './auth';

/** Payment channels, STK pushes and API keys need a verified merchant (KYC). */
export function assertVerified(merchant: Merchant, action: string): void {
  if (merchant.kycStatus !== 'verified') {
    throw new AppError('kyc_required', `Identity verification (KYC) is required before you can ${action}`);
  }
}

/** Endpoints meant for a person in the dashboard, not for a system holding an API key. */
export function assertDashboardUser(caller: ApiCaller): asserts caller is ApiCaller & { user: NonNullable<ApiCaller['user']> } {
  if (!caller.user) throw new AppError('forbidden', 'Sign in to the dashboard for this: API keys cannot manage the account');
}

/** The caller of a dashboard-only endpoint (a signed-in person, never an API key). */
export function dashboardCallerOf(state: { caller?: ApiCaller }): ApiCaller & { user: NonNullable<ApiCaller['user']> } {
  const caller = state.caller!;
  assertDashboardUser(caller);
  return caller;
}
