import type { DbClient } from '@babble-buddy/db';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import type { DbTx } from './audit.service';

/**
 * 404 for a tenant that does not exist. Members of other tenants are stopped earlier by the guard
 * with the same answer; this covers platform owners (and the CLI) naming a deleted or mistyped tenant.
 */
export async function assertTenantExists(db: DbClient | DbTx, tenantId: string): Promise<void> {
  if ((await db.tenant.count({ where: { id: tenantId } })) === 0) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
}
