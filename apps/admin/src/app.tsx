import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BabbleBuddyError } from '@babble-buddy/shared';
import { HashRouter, Navigate, Route, Routes } from 'react-router';
import { isUnauthenticated } from './api/errors';
import { RequireAuth, SessionWatcher } from './auth/auth';
import { reportSessionExpired } from './auth/session';
import { AppShell } from './components/app-shell';
import { ToastProvider } from './components/toast';
import { TENANT_PAGES } from './navigation';
import { AuditPage } from './pages/audit-page';
import { ConversationPage } from './pages/conversation-page';
import { DashboardPage } from './pages/dashboard-page';
import { LoginPage } from './pages/login-page';
import { NotFoundPage } from './pages/not-found-page';
import { SetupPage } from './pages/setup-page';
import { TenantsPage } from './pages/tenants-page';
import { UsagePage } from './pages/usage-page';
import { RequireTenantRole, TenantScope } from './tenant-context';

/** A 401 from any call means the session is over; other 4xx answers are not worth retrying. */
const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error) => isUnauthenticated(error) && reportSessionExpired() }),
  mutationCache: new MutationCache({ onError: (error) => isUnauthenticated(error) && reportSessionExpired() }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (count, error) => !(error instanceof BabbleBuddyError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

/**
 * Hash routing (#/t/…/keys): dist/ works from any static server and any path, with no rewrite rules,
 * and a reload lands on the same page.
 */
export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <HashRouter>
          <SessionWatcher />
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="/setup" element={<SetupPage />} />
            <Route
              element={
                <RequireAuth>
                  <AppShell />
                </RequireAuth>
              }
            >
              <Route index element={<DashboardPage />} />
              <Route path="tenants" element={<TenantsPage />} />
              <Route path="usage" element={<UsagePage />} />
              <Route path="audit" element={<AuditPage />} />
              <Route path="t/:tenantId" element={<TenantScope />}>
                <Route index element={<Navigate to="conversations" replace />} />
                {TENANT_PAGES.map((page) => (
                  <Route key={page.path} path={page.path} element={<RequireTenantRole minRole={page.minRole}>{page.element}</RequireTenantRole>} />
                ))}
                <Route path="conversations/:conversationId" element={<ConversationPage />} />
              </Route>
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </HashRouter>
      </ToastProvider>
    </QueryClientProvider>
  );
}
