import { useQuery } from '@tanstack/react-query';
import { Lock } from 'lucide-react';
import type { TRole, TTenant } from '@babble-buddy/shared';
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { Outlet, useParams } from 'react-router';
import { api } from './api/client';
import { useAuth } from './auth/auth';
import { can, roleIn } from './auth/permissions';
import { EmptyState, ErrorState, LoadingState } from './components/states';
import { NotFoundPage } from './pages/not-found-page';

interface TenantValue {
  tenant: TTenant;
  role: TRole;
  /** May change settings (admin or owner). */
  canAdmin: boolean;
}

const TenantContext = createContext<TenantValue | null>(null);
const LAST_TENANT_KEY = 'babble-buddy-admin.tenant';

export function useTenant(): TenantValue {
  const value = useContext(TenantContext);
  if (!value) throw new Error('useTenant outside a /t/:tenantId route');
  return value;
}

export function useTenants() {
  return useQuery({ queryKey: ['tenants'], queryFn: () => api.tenants.list() });
}

/** The tenant the tenant pages open on: the last one used, if the user still sees it, else the first. */
export function preferredTenant(tenants: readonly TTenant[] | undefined): TTenant | undefined {
  if (!tenants?.length) return undefined;
  const last = window.localStorage.getItem(LAST_TENANT_KEY);
  return tenants.find((t) => t.id === last) ?? tenants[0];
}

/** Routes under /t/:tenantId: the tenant must be one the user sees; its role decides what is shown. */
export function TenantScope() {
  const { tenantId } = useParams();
  const { user } = useAuth();
  const tenants = useTenants();
  const tenant = tenants.data?.find((t) => t.id === tenantId);
  useEffect(() => {
    if (tenant) window.localStorage.setItem(LAST_TENANT_KEY, tenant.id);
  }, [tenant]);
  if (tenants.isPending) return <LoadingState />;
  if (tenants.isError) return <ErrorState error={tenants.error} onRetry={() => void tenants.refetch()} />;
  const role = roleIn(user, tenant?.id);
  if (!tenant || !role) return <NotFoundPage what="tenant" />;
  return (
    <TenantContext.Provider value={{ tenant, role, canAdmin: can(user, tenant.id, 'admin') }}>
      <Outlet />
    </TenantContext.Provider>
  );
}

/** A tenant page for `minRole` and up. The sidebar hides it from other roles; a link typed by hand says why it is not there. */
export function RequireTenantRole({ minRole, children }: { minRole: TRole; children: ReactNode }) {
  const { user } = useAuth();
  const { tenant, role } = useTenant();
  if (can(user, tenant.id, minRole)) return children;
  return (
    <div className="py-10">
      <EmptyState level={1} icon={<Lock className="size-8" />} title="Not available with your role">
        This page needs the {minRole} role or higher; you have the {role} role in {tenant.name}.
      </EmptyState>
    </div>
  );
}
