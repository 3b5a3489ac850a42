import type { DbClient } from './client';
import type { SecretBox } from './secrets';

/** What a tenant embeds with. `null` from `resolveEmbeddingConfig` means full-text search only. */
export interface ResolvedEmbeddingConfig {
  provider: 'ollama' | 'openai';
  model: string;
  baseUrl?: string;
  apiKey?: string;
  /** Known in advance when configured; otherwise learnt from the first vector the model returns. */
  dimensions?: number;
}

/** The deployment default (EMBEDDING_PROVIDER / EMBEDDING_MODEL / …), used by tenants without their own row. */
export interface EmbeddingDefaults {
  provider: 'ollama' | 'openai' | 'none';
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  dimensions?: number;
  /**
   * The deployment's endpoint (and key) per provider (OLLAMA_BASE_URL, OPENAI_BASE_URL, OPENAI_API_KEY):
   * a tenant row naming a provider without its own base URL or key uses these.
   */
  providers?: Partial<Record<'ollama' | 'openai', { baseUrl?: string; apiKey?: string }>>;
}

/**
 * The tenant's effective embedding model: its `embedding_configs` row when it has one, else the deployment
 * default. Provider "none" (either level) means the tenant searches by full text only.
 * The worker (ingestion) and the gateway (retrieval) both call this, so they always agree.
 */
export async function resolveEmbeddingConfig(
  db: DbClient,
  secrets: SecretBox | undefined,
  tenantId: string,
  defaults: EmbeddingDefaults,
): Promise<ResolvedEmbeddingConfig | null> {
  const row = await db.embeddingConfig.findUnique({ where: { tenantId } });
  const deployment = row && row.provider !== 'none' ? defaults.providers?.[row.provider as 'ollama' | 'openai'] : undefined;
  const source: EmbeddingDefaults = row
    ? {
        provider: row.provider as EmbeddingDefaults['provider'],
        model: row.model ?? undefined,
        baseUrl: row.baseUrl ?? deployment?.baseUrl,
        apiKey: row.apiKeyEncrypted && secrets ? secrets.decrypt(row.apiKeyEncrypted) : deployment?.apiKey,
        dimensions: row.dimensions ?? undefined,
      }
    : defaults;
  if (source.provider === 'none' || !source.model) return null;
  return {
    provider: source.provider,
    model: source.model,
    ...(source.baseUrl ? { baseUrl: source.baseUrl } : {}),
    ...(source.apiKey ? { apiKey: source.apiKey } : {}),
    ...(source.dimensions ? { dimensions: source.dimensions } : {}),
  };
}

/** A stable label stored on chunks and sources ("ollama:nomic-embed-text"), so a model change is detectable. */
export function embeddingModelLabel(config: ResolvedEmbeddingConfig): string {
  return `${config.provider}:${config.model}`;
}
