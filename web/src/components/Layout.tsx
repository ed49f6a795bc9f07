import { NavLink, Outlet, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { Me } from '../api/answers';

const MERCHANT_NAV = [
  ['/', 'Home'],
  ['/stk-push', 'Create STK Push'],
  ['/payment-links', 'Payment links'],
  ['/transactions', 'Transactions'],
  ['/customers', 'Customers'],
  ['/channels', 'Payment channels'],
  ['/wallet', 'Service wallet'],
  ['/reconciliation', 'Reconciliation'],
  ['/api-keys', 'API Keys'],
  ['/kyc', 'Identity Verification'],
  ['/pricing', 'Pricing'],
  ['/profile', 'Profile'],
  ['/security-log', 'Security log'],
  ['/documentation', 'API Documentation'],
] as const;

const ADMIN_NAV = [
  ['/admin', 'Admin Overview'],
  ['/admin/users', 'All Users'],
  ['/admin/transactions', 'All Transactions'],
  ['/admin/reversals', 'Reversals'],
  ['/admin/kyc', 'KYC Reviews'],
  ['/admin/review', 'Review queue'],
  ['/admin/pricing', 'Pricing'],
  ['/admin/wallets', 'Wallet adjustments'],
  ['/admin/audit', 'Audit log'],
  ['/admin/reconciliation', 'Reconciliation'],
] as const;

/** The signed-in shell: navigation for the user's role, the account name, and sign-out. */
export function Layout({ me }: { me: Me }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: () => unwrap(api.POST('/api/auth/logout')),
    onSettled: async () => {
      queryClient.clear();
      await navigate('/login');
    },
  });
  const nav = me.user.role === 'admin' ? ADMIN_NAV : MERCHANT_NAV;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">ImaraPay</span>
        <span className="account">{me.merchant?.name ?? me.user.email}</span>
        <button type="button" className="link-button" onClick={() => logout.mutate()}>
          Log out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {nav.map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} end={to === '/' || to === '/admin'}>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}

/** The heading and subtitle every page starts with (the seed's wording). */
export function PageHeader({ title, subtitle }: { title: string; subtitle?: string }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {subtitle && <p className="muted">{subtitle}</p>}
    </div>
  );
}
