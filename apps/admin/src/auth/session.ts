import type { TLoginResponse } from '@babble-buddy/shared';

/** The signed-in operator's bearer token, kept across reloads and tabs until it expires or they sign out. */
export interface StoredSession {
  token: string;
  expiresAt: string;
  userId: string;
}

const KEY = 'babble-buddy-admin.session';

export function readSession(): StoredSession | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof session.token !== 'string' || typeof session.expiresAt !== 'string' || typeof session.userId !== 'string') return null;
    if (Date.parse(session.expiresAt) <= Date.now()) return null;
    return session as StoredSession;
  } catch {
    return null;
  }
}

export function saveSession(login: TLoginResponse): StoredSession {
  const session = { token: login.token, expiresAt: login.expiresAt, userId: login.user.id };
  window.localStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

export function clearSession(): void {
  window.localStorage.removeItem(KEY);
}

export function currentToken(): string | null {
  return readSession()?.token ?? null;
}

type Listener = () => void;
const expiredListeners = new Set<Listener>();

/** Any call answered 401 UNAUTHENTICATED (token expired, signed out elsewhere, account gone) ends the session. */
export function reportSessionExpired(): void {
  if (!window.localStorage.getItem(KEY)) return;
  clearSession();
  for (const listener of expiredListeners) listener();
}

export function onSessionExpired(listener: Listener): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}
