import { Inject, Injectable } from '@nestjs/common';
import { apiKeyKindOf, hashApiKey, Prisma, type ApiKeyKind, type DbClient } from '@babble-buddy/db';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { TenantCache } from '../infra/tenant-cache';
import { DB } from '../infra/tokens';

const LAST_USED_RESOLUTION_MS = 60_000;

/** What a request needs to know about its key and tenant. */
export interface VerifiedKey {
  /** `allowedOrigins`: the key's own list plus the tenant's widget origins. */
  key: { id: string; tenantId: string; kind: ApiKeyKind; allowedOrigins: string[]; rateLimitPerMinute: number | null };
  tenant: { id: string; name: string };
}

interface KeyRow {
  id: string;
  tenant_id: string;
  kind: ApiKeyKind;
  allowed_origins: string[] | null;
  /** The key's own limit, else its tenant's default. */
  rate_limit_per_minute: number | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  tenant_name: string;
  tenant_status: 'active' | 'suspended';
}

/**
 * Checks a key: known, right kind, not revoked or expired, tenant active. One query when not cached; rows are
 * cached per process and dropped when Postgres notifies a change to the key or its tenant (TenantCache).
 */
@Injectable()
export class ApiKeysService {
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly byHash;
  private readonly byId;

  constructor(
    @Inject(DB) private readonly db: DbClient,
    cache: TenantCache,
  ) {
    this.byHash = cache.store<KeyRow>();
    this.byId = cache.store<KeyRow>();
  }

  async verify(raw: string, expected: ApiKeyKind): Promise<VerifiedKey> {
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
    const hash = hashApiKey(raw);
    const row = await this.byHash.get(hash, () => this.lookup(Prisma.sql`k.hash = ${hash}`));
    if (!row) throw new AppError(ErrorCode.InvalidKey, 'Unknown API key');
    return this.check(row, '');
  }

  /** For widget sessions: the key that opened the session must still be valid. */
  async verifyById(keyId: string, tenantId: string): Promise<VerifiedKey> {
    const row = await this.byId.get(`${tenantId}:${keyId}`, () => this.lookup(Prisma.sql`k.id = ${keyId}::uuid AND k.tenant_id = ${tenantId}::uuid`));
    if (!row) throw new AppError(ErrorCode.InvalidSessionToken, 'The key behind this session no longer exists');
    return this.check(row, 'behind this session ');
  }

  private async lookup(where: Prisma.Sql): Promise<{ tenantId: string; value: KeyRow } | undefined> {
    const rows = await this.db.$queryRaw<KeyRow[]>`
      SELECT k.id, k.tenant_id, k.kind, COALESCE(k.rate_limit_per_minute, t.rate_limit_per_minute) AS rate_limit_per_minute,
             k.expires_at, k.revoked_at,
             -- A publishable key accepts its own origins and the tenant's widget origins.
             k.allowed_origins || COALESCE(w.allowed_origins, ARRAY[]::text[]) AS allowed_origins,
             t.name AS tenant_name, t.status AS tenant_status
      FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
      LEFT JOIN widget_configs w ON w.tenant_id = k.tenant_id
      WHERE ${where}`;
    const row = rows[0];
    return row && { tenantId: row.tenant_id, value: row };
  }

  private check(row: KeyRow, which: string): VerifiedKey {
    if (row.revoked_at) throw new AppError(ErrorCode.KeyRevoked, `The API key ${which}was revoked`);
    if (row.expires_at && row.expires_at <= new Date()) throw new AppError(ErrorCode.KeyExpired, `The API key ${which}has expired`);
    if (row.tenant_status !== 'active') throw new AppError(ErrorCode.TenantSuspended, 'This tenant is suspended');
    this.touch(row.id);
    return {
      key: { id: row.id, tenantId: row.tenant_id, kind: row.kind, allowedOrigins: row.allowed_origins ?? [], rateLimitPerMinute: row.rate_limit_per_minute },
      tenant: { id: row.tenant_id, name: row.tenant_name },
    };
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
