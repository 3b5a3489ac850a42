import type { TRole } from '@babble-buddy/shared';
import type { AdminPrincipal } from '../auth/principal';

/** Who performs an admin operation, for permission checks inside services and for the audit log. */
export interface Actor {
  channel: 'api' | 'cli';
  /** The signed-in admin user; null for CLI operators (whoever holds DATABASE_URL). */
  userId: string | null;
  isPlatformOwner: boolean;
  roles: ReadonlyMap<string, TRole>;
}

export function actorFromPrincipal(principal: AdminPrincipal): Actor {
  return { channel: 'api', userId: principal.userId, isPlatformOwner: principal.isPlatformOwner, roles: principal.roles };
}

/** The operator at the terminal: the CLI talks to the database directly, so it acts as platform owner. */
export const CLI_ACTOR: Actor = { channel: 'cli', userId: null, isPlatformOwner: true, roles: new Map() };
