import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DbClient } from '@babble-buddy/db';
import { ErrorCode, type TLoginResponse, type TSetupRequest, type TSetupStatus } from '@babble-buddy/shared';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/app-error';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { DB } from '../infra/tokens';
import { hashPassword, toAdminUserDto } from './admin-users.service';
import { AuditService } from './audit.service';

/**
 * First-run setup: while no admin user exists, anyone who reaches the admin app may create the first
 * platform owner (quoting ADMIN_SETUP_TOKEN when the deployment sets one). Race-safe: the check and the
 * insert run under a table lock, so two concurrent setups create exactly one owner.
 */
@Injectable()
export class SetupService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
  ) {}

  async status(): Promise<TSetupStatus> {
    const anyUser = await this.db.adminUser.findFirst({ select: { id: true } });
    return { needsSetup: anyUser === null, tokenRequired: this.config.ADMIN_SETUP_TOKEN !== undefined };
  }

  async createFirstOwner(request: TSetupRequest): Promise<TLoginResponse> {
    if (!(await this.status()).needsSetup) throw alreadyDone();
    this.checkSetupToken(request.setupToken);
    const email = request.email.trim().toLowerCase();
    const passwordHash = await hashPassword(request.password);
    const user = await this.db.$transaction(async (tx) => {
      // EXCLUSIVE blocks every other insert into admin_users (setup, CLI, members) until this commits; reads go on.
      await tx.$executeRaw`LOCK TABLE admin_users IN EXCLUSIVE MODE`;
      if ((await tx.adminUser.count()) > 0) throw alreadyDone();
      const user = await tx.adminUser.create({
        data: { email, name: request.name ?? null, passwordHash, isPlatformOwner: true, lastLoginAt: new Date() },
        include: { memberships: true },
      });
      await tx.auditLog.create({ data: { channel: 'api', actorId: user.id, tenantId: null, action: 'admin.setup', target: user.id, details: { email } } });
      return user;
    });
    const { token, expiresAt } = this.tokens.signAdmin(user.id);
    return { token, expiresAt: expiresAt.toISOString(), user: toAdminUserDto(user) };
  }

  private checkSetupToken(given: string | undefined): void {
    const expected = this.config.ADMIN_SETUP_TOKEN;
    if (expected === undefined) return;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    if (given === undefined || !timingSafeEqual(digest(given), digest(expected))) {
      throw new AppError(ErrorCode.Forbidden, 'Wrong setup token: it is ADMIN_SETUP_TOKEN in the server\'s environment', {
        issues: [{ path: 'setupToken', message: 'does not match ADMIN_SETUP_TOKEN' }],
      });
    }
  }
}

function alreadyDone(): AppError {
  return new AppError(ErrorCode.Conflict, 'Setup is already done: sign in with an existing account');
}
