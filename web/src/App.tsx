import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useMe } from './session';
import { Layout } from './components/Layout';
import { ErrorNote } from './components/QueryState';
import { LoginPage } from './pages/Login';
import { SignUpPage } from './pages/SignUp';
import { AuditLogPage } from './pages/AuditLog';
import { HomePage } from './pages/Home';
import { StkPushPage } from './pages/StkPush';
import { TransactionsPage } from './pages/Transactions';
import { TransactionDetailPage } from './pages/TransactionDetail';
import { ApiKeysPage } from './pages/ApiKeys';
import { ChannelsPage } from './pages/Channels';
import { KycPage } from './pages/Kyc';
import { WalletPage } from './pages/Wallet';
import { PricingPage } from './pages/Pricing';
import { CustomersPage } from './pages/Customers';
import { ProfilePage } from './pages/Profile';
import { NotFoundPage } from './pages/NotFound';

// Pages only some people open are loaded on demand, so the first page stays small. (/docs itself is
// the API's generated reference, served by the API; the narrative documentation lives at /documentation.)
const DocsPage = lazy(() => import('./pages/Docs'));
const AdminOverviewPage = lazy(() => import('./pages/admin/Overview'));
const AdminUsersPage = lazy(() => import('./pages/admin/Users'));
const AdminTransactionsPage = lazy(() => import('./pages/admin/Transactions'));
const AdminReversalsPage = lazy(() => import('./pages/admin/Reversals'));
const AdminKycPage = lazy(() => import('./pages/admin/KycReviews'));
const AdminPricingPage = lazy(() => import('./pages/admin/Pricing'));
const AdminWalletsPage = lazy(() => import('./pages/admin/Wallets'));
const AdminReviewQueuePage = lazy(() => import('./pages/admin/ReviewQueue'));
const ReconciliationPage = lazy(() => import('./pages/Reconciliation'));
const PaymentLinksPage = lazy(() => import('./pages/PaymentLinks'));

export function App() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <p className="muted page-loading">Loading…</p>;
  if (me.isError) return <ErrorNote error={me.error} />;
  const user = me.data;
  const signedOut = (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignUpPage />} />
      <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
    </Routes>
  );
  if (!user) return signedOut;
  const isAdmin = user.user.role === 'admin';
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Routes>
        {/* Signing in or up changes the session, and the session picks the page: a newcomer goes on to verify their identity. */}
        <Route path="/login" element={<Navigate to={isAdmin ? '/admin' : '/'} replace />} />
        <Route path="/signup" element={<Navigate to="/kyc" replace />} />
        <Route element={<Layout me={user} />}>
          {isAdmin ? (
            <>
              <Route path="/" element={<Navigate to="/admin" replace />} />
              <Route path="/admin" element={<AdminOverviewPage />} />
              <Route path="/admin/users" element={<AdminUsersPage />} />
              <Route path="/admin/transactions" element={<AdminTransactionsPage />} />
              <Route path="/admin/reversals" element={<AdminReversalsPage />} />
              <Route path="/admin/kyc" element={<AdminKycPage />} />
              <Route path="/admin/review" element={<AdminReviewQueuePage />} />
              <Route path="/admin/pricing" element={<AdminPricingPage />} />
              <Route path="/admin/wallets" element={<AdminWalletsPage />} />
              <Route path="/admin/audit" element={<AuditLogPage admin />} />
              <Route path="/admin/reconciliation" element={<ReconciliationPage admin />} />
            </>
          ) : (
            <>
              <Route path="/" element={<HomePage me={user} />} />
              <Route path="/stk-push" element={<StkPushPage />} />
              <Route path="/transactions" element={<TransactionsPage />} />
              <Route path="/transactions/:id" element={<TransactionDetailPage />} />
              <Route path="/customers" element={<CustomersPage />} />
              <Route path="/customers/:id" element={<CustomersPage />} />
              <Route path="/channels" element={<ChannelsPage />} />
              <Route path="/payment-links" element={<PaymentLinksPage />} />
              <Route path="/wallet" element={<WalletPage />} />
              <Route path="/api-keys" element={<ApiKeysPage />} />
              <Route path="/kyc" element={<KycPage />} />
              <Route path="/pricing" element={<PricingPage />} />
              <Route path="/reconciliation" element={<ReconciliationPage />} />
              <Route path="/profile" element={<ProfilePage me={user} />} />
              <Route path="/security-log" element={<AuditLogPage admin={false} />} />
              <Route path="/documentation" element={<DocsPage />} />
            </>
          )}
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
