import { Inject, Injectable } from '@nestjs/common';
import { apiKeyKindOf, hashApiKey, type ApiKey, type ApiKeyKind, type DbClient, type Tenant } from '@babble-buddy/db';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';

const LAST_USED_RESOLUTION_MS = 60_000;

/** Checks a raw key: known, right kind, not revoked or expired, tenant active. */
@Injectable()
export class ApiKeysService {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(@Inject(DB) private readonly db: DbClient) {}

  async verify(raw: string, expected: ApiKeyKind): Promise<{ key: ApiKey; tenant: Tenant }> {
    const kind = apiKeyKindOf(raw);
    if (!kind) throw new AppError(ErrorCode.InvalidKey, 'Unknown API key');
    if (kind !== expected) {
      throw new AppError(
        ErrorCode.WrongKeyKind,
        expected === 'secret'
          ? 'This endpoint needs a secret key (sk_…); publishable keys only open widget sessions'
          : 'This endpoint needs a publishable key (pk_…)',
      );
    }
    const key = await this.db.apiKey.findUnique({ where: { hash: hashApiKey(raw) }, include: { tenant: true } });
    if (!key) throw new AppError(ErrorCode.InvalidKey, 'Unknown API key');
    if (key.revokedAt) throw new AppError(ErrorCode.KeyRevoked, 'This API key was revoked');
    if (key.expiresAt && key.expiresAt <= new Date()) throw new AppError(ErrorCode.KeyExpired, 'This API key has expired');
    if (key.tenant.status !== 'active') throw new AppError(ErrorCode.TenantSuspended, 'This tenant is suspended');
    this.touch(key.id);
    const { tenant, ...rest } = key;
    return { key: rest, tenant };
  }

  /** For widget sessions: the key that opened the session must still be valid. */
  async verifyById(keyId: string, tenantId: string): Promise<{ key: ApiKey; tenant: Tenant }> {
    const key = await this.db.apiKey.findFirst({ where: { id: keyId, tenantId }, include: { tenant: true } });
    if (!key) throw new AppError(ErrorCode.InvalidSessionToken, 'The key behind this session no longer exists');
    if (key.revokedAt) throw new AppError(ErrorCode.KeyRevoked, 'The key behind this session was revoked');
    if (key.expiresAt && key.expiresAt <= new Date()) throw new AppError(ErrorCode.KeyExpired, 'The key behind this session has expired');
    if (key.tenant.status !== 'active') throw new AppError(ErrorCode.TenantSuspended, 'This tenant is suspended');
    this.touch(key.id);
    const { tenant, ...rest } = key;
    return { key: rest, tenant };
  }

  /** Records last use at most once a minute per key per process, off the request path. */
  private touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(keyId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(keyId, now);
    void this.db.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}
