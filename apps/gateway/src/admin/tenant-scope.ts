import type { DbClient } from '@babble-buddy/db';
import { ErrorCode, type TRole } from '@babble-buddy/shared';
import { roleAllows } from '../auth/admin-auth.guard';
import { AppError } from '../common/app-error';
import type { Actor } from './actor';
import type { DbTx } from './audit.service';

/**
 * 404 for a tenant that does not exist. Members of other tenants are stopped earlier by the guard
 * with the same answer; this covers platform owners (and the CLI) naming a deleted or mistyped tenant.
 */
export async function assertTenantExists(db: DbClient | DbTx, tenantId: string): Promise<void> {
  if ((await db.tenant.count({ where: { id: tenantId } })) === 0) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
}

/**
 * The tenants a cross-tenant query (dashboard, usage, audit: no `:tenantId` in the path, so the guard
 * has not checked one) may cover: the one asked for, when the actor holds at least `minRole` there, or
 * every tenant where they do (all of them for platform owners). Another tenant's id is a 404, as on
 * tenant paths.
 */
export async function tenantsInScope(db: DbClient, actor: Actor, requested: string | undefined, minRole: TRole): Promise<string[]> {
  if (actor.isPlatformOwner) {
    if (requested) {
      await assertTenantExists(db, requested);
      return [requested];
    }
    return (await db.tenant.findMany({ select: { id: true } })).map((tenant) => tenant.id);
  }
  if (requested) {
    const role = actor.roles.get(requested);
    if (!role) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
    if (!roleAllows(role, minRole)) throw new AppError(ErrorCode.Forbidden, `This needs the ${minRole} role or higher`);
    return [requested];
  }
  return [...actor.roles].filter(([, role]) => roleAllows(role, minRole)).map(([tenantId]) => tenantId);
}
