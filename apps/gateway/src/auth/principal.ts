import type { TRole } from '@babble-buddy/shared';

/**
 * Who is calling a chat endpoint: a server with a secret key, a widget with a session token, or an
 * operator in the admin playground (`keyId` is then `operator:<userId>`, the rate limit's bucket).
 */
export type ChatPrincipal =
  | { kind: 'secret'; tenantId: string; keyId: string; rateLimitPerMinute: number | null }
  | { kind: 'widget'; tenantId: string; keyId: string; sessionId: string; origin: string | null; rateLimitPerMinute: number | null }
  | { kind: 'operator'; tenantId: string; keyId: string; userId: string; rateLimitPerMinute: null };

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
