import { z } from 'zod';
import { ZUuid } from './common.schema';

export const KNOWLEDGE_SEARCH_MAX_K = 50;
export const KNOWLEDGE_SEARCH_QUERY_MAX_CHARS = 2000;

/** POST /api/v1/admin/tenants/:tenantId/knowledge/search */
export const ZKnowledgeSearchRequest = z.strictObject({
  query: z.string().trim().min(1, 'query is empty').max(KNOWLEDGE_SEARCH_QUERY_MAX_CHARS),
  /** Results wanted, best first. */
  k: z.number().int().min(1).max(KNOWLEDGE_SEARCH_MAX_K).default(10),
  /**
   * Search as this agent would in chat: tenant-wide sources plus the agent's own. Omitted: every
   * ready source of the tenant, whichever agent it belongs to.
   */
  agentId: ZUuid.optional(),
});
export type TKnowledgeSearchRequest = z.input<typeof ZKnowledgeSearchRequest>;

/** How a result ranked: the fused score and each ranking's own rank and score (null when absent from it). */
export const ZKnowledgeSearchScores = z.object({
  /** Reciprocal rank fusion: Σ 1/(60 + rank) over both rankings. */
  fused: z.number(),
  vectorRank: z.number().int().nullable(),
  /** Cosine similarity of the chunk to the query embedding. */
  similarity: z.number().nullable(),
  textRank: z.number().int().nullable(),
  /** Postgres ts_rank of the chunk for the query's words. */
  textScore: z.number().nullable(),
});

export const ZKnowledgeSearchResult = z.object({
  rank: z.number().int().positive(),
  chunkId: z.string(),
  ordinal: z.number().int(),
  content: z.string(),
  /** Where in its source the chunk is (from its metadata), as a citation would show it. */
  page: z.number().int().nullable(),
  heading: z.string().nullable(),
  /** The chunk's own URL (a crawled page's) or its source's. */
  url: z.string().nullable(),
  /** As stored by ingestion: page, heading, url, title … */
  metadata: z.record(z.string(), z.unknown()),
  scores: ZKnowledgeSearchScores,
  source: z.object({ id: z.string(), title: z.string(), url: z.string().nullable() }),
});
export type TKnowledgeSearchResult = z.infer<typeof ZKnowledgeSearchResult>;

export const ZKnowledgeSearchResponse = z.object({
  query: z.string(),
  /** Which rankings took part: hybrid (both), text (no embedding model, or the embedder failed), vector, none. */
  mode: z.enum(['hybrid', 'vector', 'text', 'none']),
  /** The model label the query was embedded with; null for full-text search. */
  embeddingModel: z.string().nullable(),
  /** Why the search ran with less than configured (the embedding model failed), if it did. */
  notice: z.string().nullable(),
  tookMs: z.number(),
  results: z.array(ZKnowledgeSearchResult),
});
export type TKnowledgeSearchResponse = z.infer<typeof ZKnowledgeSearchResponse>;
