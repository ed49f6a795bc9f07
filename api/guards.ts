import { AppError } from '../domain/errors';
import type { Merchant } from '../db/entities';

/** Payment channels, STK pushes and API keys need a verified merchant (KYC). */
export function assertVerified(merchant: Merchant, action: string): void {
  if (merchant.kycStatus !== 'verified') {
    throw new AppError('kyc_required', `Identity verification (KYC) is required before you can ${action}`);
  }
}
