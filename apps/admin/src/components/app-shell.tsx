import { LogOut, Menu, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router';
import { useAuth } from '../auth/auth';
import { can, canSomewhere, roleIn } from '../auth/permissions';
import { GLOBAL_PAGES, TENANT_PAGES } from '../navigation';
import { preferredTenant, useTenants } from '../tenant-context';
import { Badge } from './badge';
import { controlClass } from './fields';

function Logo() {
  return (
    <div className="flex items-center gap-2 px-2">
      <svg viewBox="0 0 32 32" className="size-8" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="#4f46e5" />
        <path d="M8 11a4 4 0 0 1 4-4h8a4 4 0 0 1 4 4v6a4 4 0 0 1-4 4h-5l-4 4v-4a3 3 0 0 1-3-3z" fill="#fff" />
        <circle cx="13" cy="14" r="1.5" fill="#4f46e5" />
        <circle cx="19" cy="14" r="1.5" fill="#4f46e5" />
      </svg>
      <span className="text-base font-semibold text-slate-900">Babble Buddy</span>
    </div>
  );
}

const navItem = ({ isActive }: { isActive: boolean }) =>
  `flex items-center gap-3 rounded-md px-2.5 py-2 text-sm font-medium ${isActive ? 'bg-indigo-50 text-indigo-800' : 'text-slate-700 hover:bg-slate-100 hover:text-slate-900'}`;

function Sidebar() {
  const { user } = useAuth();
  const tenants = useTenants();
  const navigate = useNavigate();
  const tenantMatch = useMatch('/t/:tenantId/*');
  const tenantId = tenantMatch?.params.tenantId ?? preferredTenant(tenants.data)?.id;
  const section = tenantMatch?.params['*']?.split('/')[0] || 'conversations';

  return (
    <nav aria-label="Main" className="flex h-full flex-col gap-6 overflow-y-auto px-3 py-4">
      <Logo />
      <ul className="space-y-1">
        {GLOBAL_PAGES.filter((page) => canSomewhere(user, page.minRole)).map((page) => (
          <li key={page.to}>
            <NavLink to={page.to} end={page.to === '/'} className={navItem}>
              <page.icon className="size-4 shrink-0" aria-hidden="true" />
              {page.label}
            </NavLink>
          </li>
        ))}
      </ul>
      <div className="space-y-2">
        <label htmlFor="tenant-switcher" className="px-2.5 text-xs font-semibold tracking-wide text-slate-600 uppercase">
          Tenant
        </label>
        {tenants.data && tenants.data.length > 0 ? (
          <select
            id="tenant-switcher"
            className={controlClass}
            value={tenantId ?? ''}
            onChange={(e) => navigate(`/t/${e.target.value}/${TENANT_PAGES.some((p) => p.path === section) ? section : 'conversations'}`)}
          >
            {tenants.data.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
                {t.status === 'suspended' ? ' (suspended)' : ''}
              </option>
            ))}
          </select>
        ) : (
          <p className="px-2.5 text-sm text-slate-600">{tenants.isPending ? 'Loading…' : 'No tenants yet.'}</p>
        )}
        {tenantId && (
          <ul className="space-y-1">
            {TENANT_PAGES.filter((page) => can(user, tenantId, page.minRole)).map((page) => (
              <li key={page.path}>
                <NavLink to={`/t/${tenantId}/${page.path}`} className={navItem}>
                  <page.icon className="size-4 shrink-0" aria-hidden="true" />
                  {page.label}
                </NavLink>
              </li>
            ))}
          </ul>
        )}
      </div>
    </nav>
  );
}

function UserMenu() {
  const { user, signOut } = useAuth();
  const tenantMatch = useMatch('/t/:tenantId/*');
  const role = user.isPlatformOwner ? null : roleIn(user, tenantMatch?.params.tenantId);
  const [pending, setPending] = useState(false);
  return (
    <div className="flex min-w-0 items-center gap-3">
      <div className="hidden min-w-0 text-right sm:block">
        <p className="truncate text-sm font-medium text-slate-900">{user.name ?? user.email}</p>
        <p className="truncate text-xs text-slate-600">{user.name ? user.email : ''}</p>
      </div>
      <span className="hidden sm:block">{user.isPlatformOwner ? <Badge tone="indigo">Platform owner</Badge> : role ? <Badge>{role}</Badge> : null}</span>
      <button
        type="button"
        onClick={() => {
          setPending(true);
          void signOut();
        }}
        disabled={pending}
        className="inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
      >
        <LogOut className="size-4" aria-hidden="true" />
        Sign out
      </button>
    </div>
  );
}

/** Sidebar on wide screens, a drawer behind a menu button on narrow ones; the page in <main>. */
export function AppShell() {
  const [menuOpen, setMenuOpen] = useState(false);
  const drawer = useRef<HTMLDialogElement>(null);
  const location = useLocation();

  useEffect(() => setMenuOpen(false), [location.pathname]);
  useEffect(() => {
    const dialog = drawer.current;
    if (!dialog) return;
    if (menuOpen && !dialog.open) dialog.showModal();
    if (!menuOpen && dialog.open) dialog.close();
  }, [menuOpen]);

  return (
    <div className="min-h-dvh bg-slate-50">
      <a href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }} className="sr-only focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <div className="lg:flex">
      <aside className="hidden w-64 shrink-0 border-r border-slate-200 bg-white lg:block">
        <div className="sticky top-0 h-dvh">
          <Sidebar />
        </div>
      </aside>
      <dialog
        ref={drawer}
        aria-label="Menu"
        onClose={() => setMenuOpen(false)}
        className="m-0 h-dvh max-h-none w-72 max-w-[85vw] bg-white p-0 shadow-xl backdrop:bg-slate-900/50 lg:hidden"
      >
        {menuOpen && (
          <div className="relative h-full">
            <button type="button" onClick={() => setMenuOpen(false)} className="absolute top-4 right-3 rounded-md p-1 text-slate-600 hover:bg-slate-100" aria-label="Close menu">
              <X className="size-5" aria-hidden="true" />
            </button>
            <Sidebar />
          </div>
        )}
      </dialog>
      <div className="min-w-0 flex-1">
        <header className="sticky top-0 z-30 flex h-14 items-center justify-between gap-3 border-b border-slate-200 bg-white/95 px-4 backdrop-blur sm:px-6">
          <button type="button" onClick={() => setMenuOpen(true)} className="-ml-1 inline-flex items-center gap-2 rounded-md p-1.5 text-slate-700 hover:bg-slate-100 lg:hidden" aria-label="Open menu">
            <Menu className="size-5" aria-hidden="true" />
          </button>
          <div className="min-w-0 flex-1 lg:hidden">
            <span className="block truncate text-sm font-semibold whitespace-nowrap text-slate-900">Babble Buddy</span>
          </div>
          <div className="hidden flex-1 lg:block" />
          <UserMenu />
        </header>
        <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 outline-none sm:px-6 lg:px-8">
          <Outlet />
        </main>
      </div>
      </div>
    </div>
  );
}
