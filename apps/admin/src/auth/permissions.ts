import type { TAdminUser, TRole } from '@babble-buddy/shared';

const RANK: Record<TRole, number> = { viewer: 0, agent: 1, admin: 2, owner: 3 };

/** The user's role in a tenant; platform owners act as owners everywhere. */
export function roleIn(user: Pick<TAdminUser, 'isPlatformOwner' | 'memberships'>, tenantId: string | undefined): TRole | null {
  if (user.isPlatformOwner) return 'owner';
  if (!tenantId) return null;
  return user.memberships.find((m) => m.tenantId === tenantId)?.role ?? null;
}

/** Mirrors the API's checks so the UI hides what it would refuse; the API still decides. */
export function can(user: Pick<TAdminUser, 'isPlatformOwner' | 'memberships'>, tenantId: string | undefined, needed: TRole): boolean {
  const role = roleIn(user, tenantId);
  return role !== null && RANK[role] >= RANK[needed];
}

/** Whether the user holds `needed` in at least one tenant (audit log, for instance). */
export function canSomewhere(user: Pick<TAdminUser, 'isPlatformOwner' | 'memberships'>, needed: TRole): boolean {
  return user.isPlatformOwner || user.memberships.some((m) => RANK[m.role] >= RANK[needed]);
}

/** The roles this user may hand out in a tenant: only owners grant the owner role. */
export function assignableRoles(user: Pick<TAdminUser, 'isPlatformOwner' | 'memberships'>, tenantId: string): TRole[] {
  return can(user, tenantId, 'owner') ? ['owner', 'admin', 'agent', 'viewer'] : ['admin', 'agent', 'viewer'];
}

export const ROLE_DESCRIPTIONS: Record<TRole, string> = {
  owner: 'Everything, including granting the owner role',
  admin: 'Keys, models, agents, team and conversations',
  agent: 'Reads and handles conversations, uses the playground; changes no settings',
  viewer: 'Reads everything; changes nothing',
};
