import './principal';
import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { DbClient } from '@babble-buddy/db';
import { ErrorCode, type TRole } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import { AdminSessionsService } from './admin-sessions.service';
import { bearerToken } from './api-keys.service';
import type { AdminPrincipal } from './principal';
import { TokensService } from './tokens.service';

/** Least role a route needs on the `:tenantId` in its path (platform owners pass everywhere). */
export const MinRole = (role: TRole) => SetMetadata('bb:minRole', role);
/** Routes only platform owners may call (creating tenants, for instance). */
export const PlatformOwnerOnly = () => SetMetadata('bb:platformOwner', true);

const RANK: Record<TRole, number> = { viewer: 0, agent: 1, admin: 2, owner: 3 };

export function roleAllows(role: TRole | undefined, needed: TRole): boolean {
  return role !== undefined && RANK[role] >= RANK[needed];
}

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly tokens: TokensService,
    private readonly sessions: AdminSessionsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new AppError(ErrorCode.Unauthenticated, 'Sign in first: POST /api/v1/admin/auth/login');
    const { userId, expiresAt } = this.tokens.verifyAdminSession(token);
    const [user, signedOut] = await Promise.all([
      this.db.adminUser.findUnique({ where: { id: userId }, include: { memberships: true } }),
      this.sessions.isRevoked(token),
    ]);
    if (signedOut) throw new AppError(ErrorCode.Unauthenticated, 'Signed out; sign in again');
    if (!user) throw new AppError(ErrorCode.Unauthenticated, 'This account no longer exists');
    const principal: AdminPrincipal = {
      userId: user.id,
      email: user.email,
      isPlatformOwner: user.isPlatformOwner,
      roles: new Map(user.memberships.map((m) => [m.tenantId, m.role])),
    };
    request.adminPrincipal = principal;
    request.adminSession = { token, expiresAt };

    const handlers = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>('bb:platformOwner', handlers) && !principal.isPlatformOwner) {
      throw new AppError(ErrorCode.Forbidden, 'Only platform owners may do this');
    }
    const needed = this.reflector.getAllAndOverride<TRole | undefined>('bb:minRole', handlers);
    const tenantId = typeof request.params.tenantId === 'string' ? request.params.tenantId : undefined;
    if (tenantId !== undefined && !principal.isPlatformOwner) {
      const role = principal.roles.get(tenantId);
      // Another tenant's ids look exactly like ids that do not exist.
      if (!role) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
      if (needed && !roleAllows(role, needed)) throw new AppError(ErrorCode.Forbidden, `This needs the ${needed} role or higher`);
    }
    return true;
  }
}
