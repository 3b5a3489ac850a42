import { createEmbeddings } from '@babble-buddy/ai';
import { embeddingModelLabel, resolveEmbeddingConfig, type DbClient, type Prisma, type EmbeddingDefaults, type ResolvedEmbeddingConfig, type SecretBox } from '@babble-buddy/db';
import { IngestError } from '@babble-buddy/ingest';
import { KnowledgeErrorCode } from '@babble-buddy/shared';

export interface Embedded {
  /** One vector per text, or null for tenants searching by full text only. */
  vectors: number[][] | null;
  /** "ollama:nomic-embed-text", stored on chunks; null without a model. */
  label: string | null;
  dims: number | null;
}

/**
 * Embeds texts in batches through packages/ai (LangChain's Ollama or OpenAI embeddings) with the
 * tenant's model, as `resolveEmbeddingConfig` decides it for ingestion and retrieval alike.
 */
export class Embedder {
  constructor(
    private readonly db: DbClient,
    private readonly secrets: SecretBox,
    private readonly defaults: EmbeddingDefaults,
    private readonly batchSize: number,
  ) {}

  /** The tenant's model now; `client` may be an open transaction (read after locking a source). */
  config(tenantId: string, client: DbClient | Prisma.TransactionClient = this.db): Promise<ResolvedEmbeddingConfig | null> {
    return resolveEmbeddingConfig(client as DbClient, this.secrets, tenantId, this.defaults);
  }

  async label(tenantId: string, client?: DbClient | Prisma.TransactionClient): Promise<string | null> {
    const config = await this.config(tenantId, client);
    return config ? embeddingModelLabel(config) : null;
  }

  async embed(config: ResolvedEmbeddingConfig | null, texts: string[], options: { signal?: AbortSignal; onBatch?: (done: number, total: number) => Promise<void> } = {}): Promise<Embedded> {
    if (!config) return { vectors: null, label: null, dims: null };
    const label = embeddingModelLabel(config);
    const model = createEmbeddings({ provider: config.provider, model: config.model, ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), ...(config.apiKey ? { apiKey: config.apiKey } : {}), ...(config.dimensions ? { dimensions: config.dimensions } : {}) });
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(start, start + this.batchSize);
      let answer: number[][];
      try {
        answer = await untilAborted(model.embedDocuments(batch), options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason;
        const where = config.baseUrl ? ` at ${config.baseUrl}` : '';
        throw new IngestError(KnowledgeErrorCode.EmbeddingFailed, `The embedding model ${label}${where} failed: ${(error as Error).message}`, { retryable: true, cause: error });
      }
      if (answer.length !== batch.length) {
        throw new IngestError(KnowledgeErrorCode.EmbeddingFailed, `The embedding model ${label} returned ${answer.length} vectors for ${batch.length} texts`, { retryable: true });
      }
      vectors.push(...answer);
      await options.onBatch?.(Math.min(start + batch.length, texts.length), texts.length);
    }
    const dims = vectors[0]?.length ?? 0;
    if (dims === 0 || vectors.some((vector) => vector.length !== dims || !vector.every(Number.isFinite))) {
      throw new IngestError(KnowledgeErrorCode.EmbeddingFailed, `The embedding model ${label} returned empty or inconsistent vectors`);
    }
    if (config.dimensions && dims !== config.dimensions) {
      throw new IngestError(KnowledgeErrorCode.EmbeddingFailed, `The embedding model ${label} returned ${dims} dimensions, but ${config.dimensions} are configured`);
    }
    return { vectors, label, dims };
  }
}

/** The promise's value, or the signal's reason as soon as it aborts (the request itself is left to finish). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
