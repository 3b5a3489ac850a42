import { Inject, Injectable } from '@nestjs/common';
import { generateApiKey, type ApiKey, type DbClient } from '@babble-buddy/db';
import { ErrorCode, type TApiKey, type TCreateKeyRequest, type TCreatedKey, type TUpdateKeyRequest } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService, changes } from './audit.service';
import { assertTenantExists } from './tenant-scope';

/** What the API shows of a key: its prefix, never the key or its hash. */
export function toApiKeyDto(key: ApiKey): TApiKey {
  return {
    id: key.id,
    tenantId: key.tenantId,
    kind: key.kind,
    name: key.name,
    prefix: key.prefix,
    allowedOrigins: key.allowedOrigins,
    rateLimitPerMinute: key.rateLimitPerMinute,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
  };
}

@Injectable()
export class KeysService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string): Promise<TApiKey[]> {
    await assertTenantExists(this.db, tenantId);
    const keys = await this.db.apiKey.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
    return keys.map(toApiKeyDto);
  }

  /** The full key is in `secret`, returned this once; only its sha256 is stored. */
  async create(actor: Actor, tenantId: string, request: TCreateKeyRequest): Promise<TCreatedKey> {
    const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalid('expiresAt', 'must be in the future');
    await assertTenantExists(this.db, tenantId);
    const generated = generateApiKey(request.kind);
    const key = await this.db.$transaction(async (tx) => {
      const key = await tx.apiKey.create({
        data: {
          tenantId,
          kind: request.kind,
          name: request.name ?? null,
          prefix: generated.prefix,
          hash: generated.hash,
          allowedOrigins: request.allowedOrigins ?? [],
          rateLimitPerMinute: request.rateLimitPerMinute ?? null,
          expiresAt,
        },
      });
      await this.audit.record(
        actor,
        {
          tenantId,
          action: 'key.create',
          target: key.id,
          details: { kind: key.kind, name: key.name, prefix: key.prefix, allowedOrigins: key.allowedOrigins, rateLimitPerMinute: key.rateLimitPerMinute, expiresAt: key.expiresAt?.toISOString() ?? null },
        },
        tx,
      );
      return key;
    });
    return { key: toApiKeyDto(key), secret: generated.key };
  }

  /** Edits a live key in place. Origins only apply to publishable keys; a revoked key stays as it was. */
  async update(actor: Actor, tenantId: string, keyId: string, request: TUpdateKeyRequest): Promise<TApiKey> {
    const expiresAt = request.expiresAt === undefined ? undefined : request.expiresAt === null ? null : new Date(request.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalid('expiresAt', 'must be in the future');
    const key = await this.db.$transaction(async (tx) => {
      const before = await tx.apiKey.findFirst({ where: { id: keyId, tenantId } });
      if (!before) throw new AppError(ErrorCode.NotFound, 'Key not found');
      if (before.revokedAt) throw new AppError(ErrorCode.Conflict, 'This key is revoked; create a new one instead');
      if (before.kind === 'secret' && request.allowedOrigins?.length) throw invalid('allowedOrigins', 'allowed origins apply to publishable keys only');
      const data = {
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(request.allowedOrigins !== undefined ? { allowedOrigins: request.allowedOrigins } : {}),
        ...(request.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: request.rateLimitPerMinute } : {}),
        ...(expiresAt !== undefined ? { expiresAt } : {}),
      };
      const key = await tx.apiKey.update({ where: { id: before.id }, data });
      const { allowedOrigins, expiresAt: _date, ...scalars } = data;
      await this.audit.record(
        actor,
        {
          tenantId,
          action: 'key.update',
          target: key.id,
          details: {
            prefix: key.prefix,
            changes: changes(before, { ...scalars, ...(expiresAt !== undefined ? { expiresAt: expiresAt?.toISOString() ?? null } : {}) }),
            ...(allowedOrigins ? { allowedOrigins } : {}),
          },
        },
        tx,
      );
      return key;
    });
    return toApiKeyDto(key);
  }

  /** Revoking is immediate and final; revoking a revoked key changes nothing. */
  async revoke(actor: Actor, tenantId: string, keyId: string): Promise<TApiKey> {
    const existing = await this.db.apiKey.findFirst({ where: { id: keyId, tenantId } });
    if (!existing) throw new AppError(ErrorCode.NotFound, 'Key not found');
    if (existing.revokedAt) return toApiKeyDto(existing);
    const key = await this.db.$transaction(async (tx) => {
      // Filtered by tenant and by "not yet revoked", so a concurrent revoke is recorded once.
      const { count } = await tx.apiKey.updateMany({ where: { id: keyId, tenantId, revokedAt: null }, data: { revokedAt: new Date() } });
      if (count === 1) {
        await this.audit.record(actor, { tenantId, action: 'key.revoke', target: keyId, details: { kind: existing.kind, prefix: existing.prefix } }, tx);
      }
      return tx.apiKey.findFirstOrThrow({ where: { id: keyId, tenantId } });
    });
    return toApiKeyDto(key);
  }

  /** For the CLI, where a key id is given on its own: the tenant it belongs to. */
  async tenantOf(keyId: string): Promise<string> {
    const key = await this.db.apiKey.findUnique({ where: { id: keyId }, select: { tenantId: true } });
    if (!key) throw new AppError(ErrorCode.NotFound, `No key with id ${keyId}`);
    return key.tenantId;
  }

}

function invalid(path: string, message: string): AppError {
  return new AppError(ErrorCode.ValidationFailed, `Invalid request body: ${path}: ${message}`, { issues: [{ path, message }] });
}
