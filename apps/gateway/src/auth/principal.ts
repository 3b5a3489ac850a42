import type { TRole } from '@babble-buddy/shared';

/** Who is calling a chat endpoint: a server with a secret key, or a widget with a session token. */
export type ChatPrincipal =
  | { kind: 'secret'; tenantId: string; keyId: string; rateLimitPerMinute: number | null }
  | { kind: 'widget'; tenantId: string; keyId: string; sessionId: string; origin: string | null; rateLimitPerMinute: number | null };

/** A signed-in operator (admin SPA, admin REST). */
export interface AdminPrincipal {
  userId: string;
  email: string;
  isPlatformOwner: boolean;
  roles: Map<string, TRole>;
}

declare module 'express' {
  interface Request {
    chatPrincipal?: ChatPrincipal;
    adminPrincipal?: AdminPrincipal;
    /** The bearer token of an admin request and its expiry (for logout). */
    adminSession?: { token: string; expiresAt: Date };
  }
}
