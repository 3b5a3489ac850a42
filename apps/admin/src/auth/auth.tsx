import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { TAdminUser, TLoginResponse } from '@babble-buddy/shared';
import { createContext, useCallback, useContext, useEffect, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { ErrorState, LoadingState } from '../components/states';
import { clearSession, onSessionExpired, readSession, reportSessionExpired, saveSession } from './session';

interface AuthValue {
  user: TAdminUser;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside <RequireAuth>');
  return value;
}

/** Where to come back to after signing in again: the page the operator was on. */
export function loginPath(location: { pathname: string; search: string }, reason?: 'expired' | 'signed-out'): string {
  const next = location.pathname === '/login' ? '/' : `${location.pathname}${location.search}`;
  const params = new URLSearchParams({ ...(reason ? { reason } : {}), ...(next !== '/' ? { next } : {}) });
  const query = params.toString();
  return `/login${query ? `?${query}` : ''}`;
}

/** Keeps only paths inside this app, so a crafted ?next= cannot send anyone elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function useSignIn(): (login: TLoginResponse, next: string) => void {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useCallback(
    (login: TLoginResponse, next: string) => {
      queryClient.clear();
      saveSession(login);
      queryClient.setQueryData(['me'], login.user);
      navigate(safeNext(next), { replace: true });
    },
    [navigate, queryClient],
  );
}

/**
 * Sends expired sessions back to the login page with a message and the way back, wherever they are
 * noticed: a 401 from any call, or the token's own expiry time passing while the page is open.
 */
export function SessionWatcher() {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  useEffect(
    () =>
      onSessionExpired(() => {
        queryClient.clear();
        navigate(loginPath(location, 'expired'), { replace: true });
      }),
    [navigate, location, queryClient],
  );
  const session = readSession();
  useEffect(() => {
    if (!session) return;
    const timer = window.setTimeout(reportSessionExpired, Math.max(0, Date.parse(session.expiresAt) - Date.now()));
    return () => window.clearTimeout(timer);
  }, [session?.expiresAt]);
  return null;
}

/** The signed-in part of the app: needs a session and the user's account. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const session = readSession();
  const me = useQuery({ queryKey: ['me'], queryFn: () => api.auth.me(), enabled: session !== null, staleTime: 60_000 });

  const signOut = useCallback(async () => {
    await api.auth.logout().catch(() => undefined);
    clearSession();
    queryClient.clear();
    navigate('/login?reason=signed-out', { replace: true });
  }, [navigate, queryClient]);

  if (!session) return <Navigate to={loginPath(location)} replace />;
  if (me.isPending) return <LoadingState label="Signing you in…" className="min-h-dvh" />;
  if (me.isError) {
    return (
      <div className="mx-auto max-w-lg p-6">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} title="Your account could not be loaded" />
      </div>
    );
  }
  return <AuthContext.Provider value={{ user: me.data, signOut }}>{children}</AuthContext.Provider>;
}
