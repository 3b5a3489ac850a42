import { Inject, Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import type { AdminUser, DbClient, Membership } from '@babble-buddy/db';
import {
  ErrorCode,
  type TAddMemberRequest,
  type TAdminUser,
  type TCreateAdminUserRequest,
  type TMember,
  type TRole,
} from '@babble-buddy/shared';
import { roleAllows } from '../auth/admin-auth.guard';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService } from './audit.service';
import { isUniqueViolation } from './db-errors';
import { assertTenantExists } from './tenant-scope';

/** OWASP's argon2id baseline (19 MiB, 2 passes): a login costs tens of milliseconds. */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

export function toAdminUserDto(user: AdminUser & { memberships: Membership[] }): TAdminUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isPlatformOwner: user.isPlatformOwner,
    memberships: user.memberships.map((m) => ({ tenantId: m.tenantId, role: m.role })),
  };
}

export function toMemberDto(membership: Membership & { user: AdminUser }): TMember {
  return {
    userId: membership.userId,
    tenantId: membership.tenantId,
    email: membership.user.email,
    name: membership.user.name,
    role: membership.role,
    lastLoginAt: membership.user.lastLoginAt?.toISOString() ?? null,
    createdAt: membership.createdAt.toISOString(),
  };
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Operator accounts (argon2id passwords) and their memberships in tenants. */
@Injectable()
export class AdminUsersService {
  /** Verified against when the e-mail is unknown, so both failures take about as long. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
  ) {}

  /** The account behind an e-mail and password, or INVALID_CREDENTIALS (same answer for both mistakes). */
  async authenticate(email: string, password: string): Promise<TAdminUser> {
    const user = await this.db.adminUser.findUnique({ where: { email: normaliseEmail(email) } });
    const valid = await argon2.verify(user?.passwordHash ?? (await this.getDummyHash()), password).catch(() => false);
    if (!user || !valid) throw new AppError(ErrorCode.InvalidCredentials, 'Wrong e-mail address or password');
    const updated = await this.db.adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() }, include: { memberships: true } });
    return toAdminUserDto(updated);
  }

  async get(userId: string): Promise<TAdminUser> {
    const user = await this.db.adminUser.findUnique({ where: { id: userId }, include: { memberships: true } });
    if (!user) throw new AppError(ErrorCode.NotFound, 'User not found');
    return toAdminUserDto(user);
  }

  /** A platform owner (CLI `admin create` without a tenant). */
  async createPlatformOwner(actor: Actor, request: TCreateAdminUserRequest): Promise<TAdminUser> {
    const email = normaliseEmail(request.email);
    const passwordHash = await hashPassword(request.password);
    try {
      const user = await this.db.$transaction(async (tx) => {
        const user = await tx.adminUser.create({ data: { email, name: request.name ?? null, passwordHash, isPlatformOwner: true }, include: { memberships: true } });
        await this.audit.record(actor, { tenantId: null, action: 'admin.create', target: user.id, details: { email, isPlatformOwner: true } }, tx);
        return user;
      });
      return toAdminUserDto(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError(ErrorCode.Conflict, `An admin user with e-mail ${email} already exists`);
      throw error;
    }
  }

  async listMembers(tenantId: string): Promise<TMember[]> {
    await assertTenantExists(this.db, tenantId);
    const memberships = await this.db.membership.findMany({ where: { tenantId }, include: { user: true }, orderBy: { createdAt: 'asc' } });
    return memberships.map(toMemberDto);
  }

  /**
   * Adds a member, or changes the role of one who already belongs. Unknown e-mails get a new
   * account (password required); an existing account's password is never touched. Granting or
   * taking away the owner role needs an owner.
   */
  async addMember(actor: Actor, tenantId: string, request: TAddMemberRequest): Promise<{ member: TMember; createdUser: boolean }> {
    const email = normaliseEmail(request.email);
    const existingUser = await this.db.adminUser.findUnique({ where: { email } });
    if (!existingUser && !request.password) {
      throw new AppError(ErrorCode.ValidationFailed, `Invalid request body: password: ${email} has no account yet; give a password to create one`, {
        issues: [{ path: 'password', message: 'required to create a new account' }],
      });
    }
    const passwordHash = existingUser || !request.password ? null : await hashPassword(request.password);
    try {
      return await this.db.$transaction(async (tx) => {
        await assertTenantExists(tx, tenantId);
        const user = existingUser ?? (await tx.adminUser.create({ data: { email, name: request.name ?? null, passwordHash: passwordHash ?? '' } }));
        const before = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId, userId: user.id } } });
        if (request.role === 'owner' || before?.role === 'owner') this.requireOwner(actor, tenantId);
        if (before?.role === 'owner' && request.role !== 'owner') await this.keepAnOwner(tx, tenantId, user.id);
        const membership = await tx.membership.upsert({
          where: { tenantId_userId: { tenantId, userId: user.id } },
          create: { tenantId, userId: user.id, role: request.role },
          update: { role: request.role },
          include: { user: true },
        });
        await this.audit.record(
          actor,
          {
            tenantId,
            action: before ? 'member.update' : 'member.add',
            target: user.id,
            details: { email, role: request.role, ...(before ? { previousRole: before.role } : {}), createdUser: !existingUser },
          },
          tx,
        );
        return { member: toMemberDto(membership), createdUser: !existingUser };
      });
    } catch (error) {
      // Two requests creating the same new account at once: the loser asks again and finds it.
      if (isUniqueViolation(error) && !existingUser) return this.addMember(actor, tenantId, { ...request, password: undefined });
      throw error;
    }
  }

  async removeMember(actor: Actor, tenantId: string, userId: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const membership = await tx.membership.findUnique({ where: { tenantId_userId: { tenantId, userId } }, include: { user: true } });
      if (!membership) throw new AppError(ErrorCode.NotFound, 'Member not found');
      if (membership.role === 'owner') {
        this.requireOwner(actor, tenantId);
        await this.keepAnOwner(tx, tenantId, userId);
      }
      await tx.membership.delete({ where: { id: membership.id } });
      await this.audit.record(actor, { tenantId, action: 'member.remove', target: userId, details: { email: membership.user.email, role: membership.role } }, tx);
    });
  }

  private requireOwner(actor: Actor, tenantId: string): void {
    if (!actor.isPlatformOwner && !roleAllows(actor.roles.get(tenantId), 'owner' satisfies TRole)) {
      throw new AppError(ErrorCode.Forbidden, 'Only owners may grant or take away the owner role');
    }
  }

  /** Refuses to leave a tenant that has owners without any. */
  private async keepAnOwner(tx: Pick<DbClient, 'membership'>, tenantId: string, leavingUserId: string): Promise<void> {
    const others = await tx.membership.count({ where: { tenantId, role: 'owner', userId: { not: leavingUserId } } });
    if (others === 0) throw new AppError(ErrorCode.Conflict, 'This is the tenant\'s last owner: make someone else owner first');
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= argon2.hash('not-a-real-password', HASH_OPTIONS);
    return this.dummyHash;
  }
}
