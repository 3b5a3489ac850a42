import { Inject, Injectable, Optional } from '@nestjs/common';
import { embeddingModelLabel, resolveEmbeddingConfig, SecretBox, type DbClient, type EmbeddingConfig, type EmbeddingDefaults, type Prisma, type ResolvedEmbeddingConfig } from '@babble-buddy/db';
import {
  ErrorCode,
  KNOWLEDGE_JOBS,
  ZKnowledgeSettings,
  type TEmbeddingConfig,
  type TEmbeddingConfigInput,
  type TEmbeddingConfigUpdate,
  type TKnowledgeSettings,
} from '@babble-buddy/shared';
import type { Actor } from '../admin/actor';
import { AuditService } from '../admin/audit.service';
import { assertTenantExists } from '../admin/tenant-scope';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import { KnowledgeQueue } from './knowledge-queue.service';

export const EMBEDDING_DEFAULTS = Symbol('EMBEDDING_DEFAULTS');

function labelOf(config: ResolvedEmbeddingConfig | null): string | null {
  return config ? embeddingModelLabel(config) : null;
}

/** Vectors made by one model cannot be searched with another's: a different label or size means re-embedding. */
function needsReindex(before: ResolvedEmbeddingConfig | null, after: ResolvedEmbeddingConfig | null): boolean {
  return labelOf(before) !== labelOf(after) || (before?.dimensions ?? null) !== (after?.dimensions ?? null);
}

/**
 * A tenant's embedding model (its own, or the deployment default) and its URL-fetching allow-list.
 * Changing the model queues a reindex of every source, because stored vectors only match queries
 * embedded by the same model.
 */
@Injectable()
export class KnowledgeSettingsService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
    private readonly queue: KnowledgeQueue,
    @Inject(EMBEDDING_DEFAULTS) private readonly defaults: EmbeddingDefaults,
    @Optional() @Inject(SecretBox) private readonly secrets: SecretBox | null = null,
  ) {}

  async getEmbedding(tenantId: string): Promise<TEmbeddingConfig> {
    await assertTenantExists(this.db, tenantId);
    const row = await this.db.embeddingConfig.findUnique({ where: { tenantId } });
    if (row) {
      return {
        tenantId,
        source: 'tenant',
        provider: row.provider as TEmbeddingConfig['provider'],
        model: row.model,
        baseUrl: row.baseUrl,
        hasApiKey: row.apiKeyEncrypted !== null,
        dimensions: row.dimensions,
        label: row.provider === 'none' || !row.model ? null : `${row.provider}:${row.model}`,
        updatedAt: row.updatedAt.toISOString(),
      };
    }
    const d = this.defaults;
    return {
      tenantId,
      source: 'default',
      provider: d.provider,
      model: d.model ?? null,
      baseUrl: d.baseUrl ?? null,
      hasApiKey: Boolean(d.apiKey),
      dimensions: d.dimensions ?? null,
      label: d.provider === 'none' || !d.model ? null : `${d.provider}:${d.model}`,
      updatedAt: null,
    };
  }

  /** Sets the tenant's model; `apiKey` omitted keeps the stored key, null clears it. */
  async setEmbedding(actor: Actor, tenantId: string, input: TEmbeddingConfigInput): Promise<TEmbeddingConfigUpdate> {
    await assertTenantExists(this.db, tenantId);
    const apiKey =
      input.apiKey === undefined ? {} : input.apiKey === null ? { apiKeyEncrypted: null, apiKeyKeyId: null } : { apiKeyEncrypted: this.box().encrypt(input.apiKey), apiKeyKeyId: this.box().keyId };
    const fields = {
      provider: input.provider,
      model: input.provider === 'none' ? null : (input.model ?? null),
      baseUrl: input.provider === 'none' ? null : (input.baseUrl ?? null),
      dimensions: input.provider === 'none' ? null : (input.dimensions ?? null),
    };
    return this.change(actor, tenantId, 'knowledge.embedding_update', async (tx) => {
      await tx.embeddingConfig.upsert({ where: { tenantId }, create: { tenantId, ...fields, ...apiKey }, update: { ...fields, ...apiKey } });
      return { ...fields, apiKey: input.apiKey === undefined ? 'kept' : input.apiKey === null ? 'cleared' : 'set' };
    });
  }

  /** Back to the deployment default. */
  async resetEmbedding(actor: Actor, tenantId: string): Promise<TEmbeddingConfigUpdate> {
    await assertTenantExists(this.db, tenantId);
    return this.change(actor, tenantId, 'knowledge.embedding_reset', async (tx) => {
      await tx.embeddingConfig.deleteMany({ where: { tenantId } });
      return {};
    });
  }

  async getSettings(tenantId: string): Promise<TKnowledgeSettings> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } });
    if (!tenant) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
    return knowledgeSettingsOf(tenant.settings);
  }

  async setSettings(actor: Actor, tenantId: string, input: TKnowledgeSettings): Promise<TKnowledgeSettings> {
    const allowedPrivateHosts = [...new Set(input.allowedPrivateHosts)];
    await this.db.$transaction(async (tx) => {
      const tenant = await tx.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } });
      if (!tenant) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
      const before = knowledgeSettingsOf(tenant.settings);
      const current: Record<string, Prisma.InputJsonValue> = isObject(tenant.settings) ? tenant.settings : {};
      const settings = { ...current, knowledge: { allowedPrivateHosts } };
      await tx.tenant.update({ where: { id: tenantId }, data: { settings } });
      await this.audit.record(actor, { tenantId, action: 'knowledge.settings_update', target: tenantId, details: { allowedPrivateHosts: { from: before.allowedPrivateHosts, to: allowedPrivateHosts } } }, tx);
    });
    return { allowedPrivateHosts };
  }

  /**
   * Applies a change to the tenant's embedding row, audits it, and queues the reindex when the
   * effective model changed. If the queue cannot take the reindex, the change is undone: stored
   * vectors must never silently belong to another model than the tenant's.
   */
  private async change(actor: Actor, tenantId: string, action: string, apply: (tx: Prisma.TransactionClient) => Promise<Prisma.InputJsonObject>): Promise<TEmbeddingConfigUpdate> {
    const previousRow = await this.db.embeddingConfig.findUnique({ where: { tenantId } });
    const before = await resolveEmbeddingConfig(this.db, this.secrets ?? undefined, tenantId, this.defaults);
    const after = await this.db.$transaction(async (tx) => {
      const details = await apply(tx);
      const after = await resolveEmbeddingConfig(tx as DbClient, this.secrets ?? undefined, tenantId, this.defaults);
      await this.audit.record(actor, { tenantId, action, target: tenantId, details: { ...details, from: labelOf(before), to: labelOf(after) } }, tx);
      return after;
    });
    const reindexing = needsReindex(before, after);
    if (reindexing) {
      try {
        await this.queue.enqueue(KNOWLEDGE_JOBS.reindexTenant, { tenantId, embeddingModel: labelOf(after) });
      } catch (error) {
        await this.restore(tenantId, previousRow);
        throw error;
      }
    }
    return { config: await this.getEmbedding(tenantId), reindexing };
  }

  private async restore(tenantId: string, row: EmbeddingConfig | null): Promise<void> {
    if (!row) {
      await this.db.embeddingConfig.deleteMany({ where: { tenantId } });
      return;
    }
    const { tenantId: _id, updatedAt: _at, ...fields } = row;
    await this.db.embeddingConfig.upsert({ where: { tenantId }, create: { tenantId, ...fields }, update: fields });
  }

  private box(): SecretBox {
    if (!this.secrets) throw new Error('ENCRYPTION_KEY is needed to store embedding API keys');
    return this.secrets;
  }
}

function isObject(value: unknown): value is Record<string, Prisma.InputJsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function knowledgeSettingsOf(settings: unknown): TKnowledgeSettings {
  const parsed = ZKnowledgeSettings.safeParse(isObject(settings) ? settings.knowledge : undefined);
  return parsed.success ? parsed.data : { allowedPrivateHosts: [] };
}
