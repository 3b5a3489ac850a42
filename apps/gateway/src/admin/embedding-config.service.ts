import { Inject, Injectable, Optional } from '@nestjs/common';
import { SecretBox, type DbClient, type EmbeddingConfig } from '@babble-buddy/db';
import type { TEmbeddingConfig, TEmbeddingConfigInput, TEmbeddingProvider } from '@babble-buddy/shared';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService, changes } from './audit.service';
import { assertTenantExists } from './tenant-scope';

function toDto(tenantId: string, row: EmbeddingConfig | null): TEmbeddingConfig {
  if (!row) return { tenantId, source: 'default', provider: null, model: null, baseUrl: null, hasApiKey: false, dimensions: null, updatedAt: null };
  return {
    tenantId,
    source: 'tenant',
    provider: row.provider as TEmbeddingProvider,
    model: row.model,
    baseUrl: row.baseUrl,
    hasApiKey: row.apiKeyEncrypted !== null,
    dimensions: row.dimensions,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * A tenant's embedding model (`embedding_configs`, read by ingestion and retrieval through
 * `resolveEmbeddingConfig`). No row: the deployment default. The provider API key is write-only.
 */
@Injectable()
export class EmbeddingConfigService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
    @Optional() @Inject(SecretBox) private readonly secrets: SecretBox | null = null,
  ) {}

  async get(tenantId: string): Promise<TEmbeddingConfig> {
    await assertTenantExists(this.db, tenantId);
    return toDto(tenantId, await this.db.embeddingConfig.findUnique({ where: { tenantId } }));
  }

  /** Replaces every field but `apiKey` (omitted keeps the stored key, null clears it). */
  async save(actor: Actor, tenantId: string, input: TEmbeddingConfigInput): Promise<TEmbeddingConfig> {
    await assertTenantExists(this.db, tenantId);
    const none = input.provider === 'none';
    const fields = {
      provider: input.provider,
      model: none ? null : (input.model ?? null),
      baseUrl: none ? null : (input.baseUrl ?? null),
      dimensions: none ? null : (input.dimensions ?? null),
    };
    const apiKey =
      none || input.apiKey === null
        ? { apiKeyEncrypted: null, apiKeyKeyId: null }
        : input.apiKey === undefined
          ? {}
          : { apiKeyEncrypted: this.box().encrypt(input.apiKey), apiKeyKeyId: this.box().keyId };
    const row = await this.db.$transaction(async (tx) => {
      const before = await tx.embeddingConfig.findUnique({ where: { tenantId } });
      const row = await tx.embeddingConfig.upsert({ where: { tenantId }, create: { tenantId, ...fields, ...apiKey }, update: { ...fields, ...apiKey } });
      const apiKeyChange = 'apiKeyEncrypted' in apiKey ? (apiKey.apiKeyEncrypted ? 'set' : before?.apiKeyEncrypted ? 'cleared' : 'none') : 'kept';
      await this.audit.record(
        actor,
        { tenantId, action: 'embedding.update', target: tenantId, details: { ...(before ? { changes: changes(before, fields) } : { ...fields }), apiKey: apiKeyChange } },
        tx,
      );
      return row;
    });
    return toDto(tenantId, row);
  }

  /** Back to the deployment default. */
  async reset(actor: Actor, tenantId: string): Promise<TEmbeddingConfig> {
    await assertTenantExists(this.db, tenantId);
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.embeddingConfig.deleteMany({ where: { tenantId } });
      if (count > 0) await this.audit.record(actor, { tenantId, action: 'embedding.reset', target: tenantId }, tx);
    });
    return toDto(tenantId, null);
  }

  private box(): SecretBox {
    if (!this.secrets) throw new Error('ENCRYPTION_KEY is needed to store provider API keys');
    return this.secrets;
  }
}
