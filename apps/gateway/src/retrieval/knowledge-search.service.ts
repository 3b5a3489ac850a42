import { createEmbeddings, hybridSearch, type HybridSearchResult, type QueryEmbedding, type SearchHit, type SourceScope, type SqlExecutor } from '@babble-buddy/ai';
import { embeddingModelLabel, resolveEmbeddingConfig, type DbClient, type EmbeddingDefaults, type SecretBox } from '@babble-buddy/db';
import { ErrorCode, type TKnowledgeSearchResponse, type TKnowledgeSearchResult, type ZKnowledgeSearchRequest } from '@babble-buddy/shared';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { assertTenantExists } from '../admin/tenant-scope';
import { AppError } from '../common/app-error';
import { prismaSqlExecutor } from './sql-executor';

export interface RetrievalSettings {
  embeddingDefaults: EmbeddingDefaults;
  /** Longest wait for a query embedding before searching by full text alone. */
  embedTimeoutMs: number;
}

/** A tenant's embedding model, ready to embed queries: the label its chunks carry, and the client. */
export interface TenantEmbedder {
  label: string;
  embeddings: { embedQuery(text: string): Promise<number[]> };
  dimensions?: number;
}

export interface SearchInput {
  tenantId: string;
  scope: SourceScope;
  query: string;
  k: number;
  minSimilarity?: number;
  /** The tenant's embedder; null searches by full text only. */
  embedder: TenantEmbedder | null;
}

export interface SearchOutcome {
  result: HybridSearchResult;
  /** Set when the search ran with less than configured (the embedder failed). */
  notice: string | null;
  tookMs: number;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]?.slice(0, 200) ?? 'failed';
}

/**
 * Searches a tenant's knowledge: embeds the query with the tenant's model (falling back to full text
 * when that fails or is too slow) and runs the hybrid search. Used by chat turns (through the cached
 * RetrievalService), the admin search endpoint and the CLI; holds no state of its own.
 */
export class KnowledgeSearchService {
  private readonly sql: SqlExecutor;

  constructor(
    private readonly db: DbClient,
    private readonly secrets: SecretBox | null,
    private readonly settings: RetrievalSettings,
    private readonly logger?: Logger,
  ) {
    this.sql = prismaSqlExecutor(db);
  }

  /** The tenant's embedding model, or null when it searches by full text only. Throws when its stored API key cannot be decrypted. */
  async embedderFor(tenantId: string): Promise<TenantEmbedder | null> {
    const config = await resolveEmbeddingConfig(this.db, this.secrets ?? undefined, tenantId, this.settings.embeddingDefaults);
    if (!config) return null;
    return {
      label: embeddingModelLabel(config),
      embeddings: createEmbeddings(config),
      ...(config.dimensions ? { dimensions: config.dimensions } : {}),
    };
  }

  async search(input: SearchInput): Promise<SearchOutcome> {
    const started = performance.now();
    let notice: string | null = null;
    // The full-text side starts at once; the vector side when the embedding arrives (or never, if it fails).
    const embedding: Promise<QueryEmbedding | null> = input.embedder ? this.embed(input.embedder, input.query).catch((error: unknown) => {
      notice = `The embedding model ${input.embedder?.label} failed (${messageOf(error)}); searched by full text only`;
      this.logger?.warn({ tenantId: input.tenantId, model: input.embedder?.label, err: messageOf(error) }, 'query embedding failed; full-text search only');
      return null;
    }) : Promise.resolve(null);
    const result = await hybridSearch(this.sql, {
      tenantId: input.tenantId,
      scope: input.scope,
      query: input.query,
      k: input.k,
      embedding,
      ...(input.minSimilarity !== undefined ? { minSimilarity: input.minSimilarity } : {}),
    });
    return { result, notice, tookMs: performance.now() - started };
  }

  private async embed(embedder: TenantEmbedder, query: string): Promise<QueryEmbedding> {
    const { label, dimensions } = embedder;
    const vector = await withTimeout(embedder.embeddings.embedQuery(query), this.settings.embedTimeoutMs, `embedding with ${label}`);
    if (vector.length === 0 || (dimensions !== undefined && vector.length !== dimensions)) {
      throw new Error(`got a ${vector.length}-dimensional vector${dimensions ? `, expected ${dimensions}` : ''}`);
    }
    return { vector, model: label };
  }

  /** The admin's search preview: ranked chunks with every score, and their sources. */
  async adminSearch(tenantId: string, request: z.output<typeof ZKnowledgeSearchRequest>): Promise<TKnowledgeSearchResponse> {
    await assertTenantExists(this.db, tenantId);
    if (request.agentId && (await this.db.agent.count({ where: { id: request.agentId, tenantId } })) === 0) {
      throw new AppError(ErrorCode.NotFound, 'No such agent for this tenant');
    }
    let embedder: TenantEmbedder | null = null;
    let notice: string | null = null;
    try {
      embedder = await this.embedderFor(tenantId);
    } catch (error) {
      notice = `The tenant's embedding settings could not be used (${messageOf(error)}); searched by full text only`;
    }
    const outcome = await this.search({ tenantId, scope: request.agentId ? { agentId: request.agentId } : 'all', query: request.query, k: request.k, embedder });
    return {
      query: request.query,
      mode: outcome.result.mode,
      embeddingModel: embeddedWith(outcome.result, embedder?.label ?? null),
      notice: notice ?? outcome.notice,
      tookMs: Math.round(outcome.tookMs * 100) / 100,
      results: searchResults(outcome.result.hits),
    };
  }
}

/** The model label the query was embedded with: null when the search ran on full text only. */
export function embeddedWith(result: HybridSearchResult, label: string | null): string | null {
  return result.mode === 'hybrid' || result.mode === 'vector' ? label : null;
}

/** Ranked hits as the admin API shows them: every score, and the source (search preview and playground). */
export function searchResults(hits: readonly SearchHit[]): TKnowledgeSearchResult[] {
  return hits.map((hit, i) => ({
    rank: i + 1,
    chunkId: hit.chunkId,
    ordinal: hit.ordinal,
    content: hit.content,
    page: hit.page ?? null,
    heading: hit.heading ?? null,
    url: hit.url ?? null,
    metadata: hit.metadata,
    scores: { fused: hit.score, vectorRank: hit.vectorRank, similarity: hit.similarity, textRank: hit.textRank, textScore: hit.textScore },
    source: { id: hit.sourceId, title: hit.sourceTitle, url: hit.sourceUrl },
  }));
}
