import type { RouteModule } from './module';
import { paymentRoutes } from './payments';
import { pricingRoutes } from './pricing';
import { expressRoutes } from './expressApi';
import { dashboardAuthRoutes } from './dashboardAuth';
import { kycRoutes } from './kyc';
import { apiKeyRoutes } from './apiKeys';
import { adminUserRoutes } from './admin/users';
import { adminKycRoutes } from './admin/kyc';
import { settingsRoutes } from './settings';
import { webhookDeliveryRoutes } from './webhookDeliveries';
import { adminOverviewRoutes } from './admin/overview';
import { docsRoutes } from './docs';
import { channelRoutes } from './channels';
import { bankRoutes } from './banks';
import { walletRoutes } from './wallet';
import { transactionRoutes } from './transactions';
import { customerRoutes } from './customers';
import { adminPricingRoutes } from './admin/pricing';
import { adminWalletRoutes } from './admin/wallets';
import { adminTransactionRoutes } from './admin/transactions';
import { dashboardViewRoutes } from './dashboardViews';
import { dashboardAccountRoutes } from './dashboardAccount';
import { adminReviewRoutes } from './admin/review';
import { adminReconciliationRoutes } from './admin/reconciliation';
import { darajaHookRoutes, darajaResultRoutes } from './darajaHooks';
import { statementRoutes } from './statements';
import { adminStatementRoutes } from './admin/statements';
import { opsRoutes } from './ops';
import { auditRoutes } from './audit';
import { twoFactorRoutes } from './twoFactor';
import { paymentLinkRoutes } from './paymentLinks';
import { checkoutRoutes } from './checkout';
import { reversalRoutes } from './reversals';

/** Every route module, in registration order. */
export const ROUTE_MODULES: RouteModule[] = [
  paymentRoutes,
  pricingRoutes,
  expressRoutes,
  dashboardAuthRoutes,
  kycRoutes,
  apiKeyRoutes,
  adminUserRoutes,
  adminKycRoutes,
  settingsRoutes,
  webhookDeliveryRoutes,
  adminOverviewRoutes,
  channelRoutes,
  bankRoutes,
  walletRoutes,
  transactionRoutes,
  reversalRoutes,
  customerRoutes,
  adminPricingRoutes,
  adminWalletRoutes,
  adminTransactionRoutes,
  adminReviewRoutes,
  adminReconciliationRoutes,
  statementRoutes,
  adminStatementRoutes,
  dashboardViewRoutes,
  dashboardAccountRoutes,
  twoFactorRoutes,
  auditRoutes,
  paymentLinkRoutes,
  checkoutRoutes,
  darajaHookRoutes,
  darajaResultRoutes,
  docsRoutes,
  opsRoutes,
];
