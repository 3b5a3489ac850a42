import { chunkEmbeddingIndexName, chunkEmbeddingIndexSql, type DbClient, type Prisma } from '@babble-buddy/db';
import type { ChunkDraft } from '@babble-buddy/ingest';
import type { Logger } from 'pino';
import { SourceGoneError } from './progress';

type Tx = Prisma.TransactionClient;

/** Dimensions pgvector's HNSW index accepts for `vector` columns. */
const HNSW_MAX_DIMS = 2000;
/** Rows per INSERT: arrays travel as single parameters, this only bounds one statement's size. */
const INSERT_BATCH = 200;
/** Interactive transactions of Prisma time out after 5 s by default; a big document needs longer. */
const TX_OPTIONS = { timeout: 120_000, maxWait: 30_000 };

/** The tenant's embedding model changed while we embedded: the vectors must be computed again. */
export class StaleEmbeddingError extends Error {
  constructor(
    readonly embeddedWith: string | null,
    readonly current: string | null,
  ) {
    super(`embedded with ${embeddedWith ?? 'no model'}, but the tenant now uses ${current ?? 'no model'}`);
    this.name = 'StaleEmbeddingError';
  }
}

export interface StoredSource {
  chunkCount: number;
}

export interface ReplaceChunksInput {
  tenantId: string;
  sourceId: string;
  agentId: string | null;
  chunks: ChunkDraft[];
  vectors: number[][] | null;
  label: string | null;
  dims: number | null;
  /** Reads the tenant's current model label inside the transaction (after the source row is locked). */
  currentLabel: (tx: Tx) => Promise<string | null>;
  /** Extra columns of the source row written with the chunks. */
  source: { title?: string; pageCount?: number | null };
}

/**
 * Stores vectors and text search data, and creates the per-dimension HNSW index a new model needs.
 * Every write of a source's chunks is one transaction holding the source row's lock, so concurrent
 * or retried jobs of one source serialize and the last one leaves exactly one set of chunks.
 */
export class ChunkStore {
  private readonly indexedDims = new Set<number>([768, 1536]);

  constructor(
    private readonly db: DbClient,
    private readonly logger: Logger,
  ) {}

  /** Replaces all chunks of a source and marks it ready, in one transaction. */
  async replaceChunks(input: ReplaceChunksInput): Promise<StoredSource> {
    if (input.dims) await this.ensureVectorIndex(input.dims);
    return this.db.$transaction(async (tx) => {
      await lockSource(tx, input.sourceId, input.tenantId);
      const current = await input.currentLabel(tx);
      if (current !== input.label) throw new StaleEmbeddingError(input.label, current);
      await tx.$executeRaw`DELETE FROM chunks WHERE source_id = ${input.sourceId}::uuid`;
      for (let start = 0; start < input.chunks.length; start += INSERT_BATCH) {
        const batch = input.chunks.slice(start, start + INSERT_BATCH);
        const vectors = batch.map((_, i) => {
          const vector = input.vectors?.[start + i];
          return vector ? `[${vector.join(',')}]` : null;
        });
        await tx.$executeRaw`
          INSERT INTO chunks (id, tenant_id, source_id, agent_id, ordinal, content, metadata, token_count, embedding, embedding_model, embedding_dims)
          SELECT gen_random_uuid(), ${input.tenantId}::uuid, ${input.sourceId}::uuid, ${input.agentId}::uuid, c.ordinal, c.content, c.metadata::jsonb, c.token_count,
                 c.embedding::vector, ${input.label}, ${input.dims}::int
          FROM unnest(${batch.map((c) => c.ordinal)}::int[], ${batch.map((c) => c.content)}::text[], ${batch.map((c) => JSON.stringify(c.metadata))}::text[],
                      ${batch.map((c) => c.tokenCount)}::int[], ${vectors}::text[])
               AS c(ordinal, content, metadata, token_count, embedding)`;
      }
      await tx.knowledgeSource.update({
        where: { id: input.sourceId },
        data: {
          status: 'ready',
          stage: 'ready',
          progress: 100,
          chunkCount: input.chunks.length,
          embeddingModel: input.label,
          indexedAt: new Date(),
          errorCode: null,
          errorMessage: null,
          ...(input.source.title ? { title: input.source.title } : {}),
          ...(input.source.pageCount !== undefined ? { pageCount: input.source.pageCount } : {}),
        },
      });
      return { chunkCount: input.chunks.length };
    }, TX_OPTIONS);
  }

  /**
   * The stored chunks of a source, for re-embedding. Read after taking the source's lock, so a job
   * storing this source right now finishes first and its chunks are the ones read.
   */
  async chunksOf(sourceId: string, tenantId: string): Promise<{ id: string; content: string; metadata: unknown; embeddingModel: string | null; embeddingDims: number | null }[]> {
    return this.db.$transaction(async (tx) => {
      await lockSource(tx, sourceId, tenantId);
      return tx.chunk.findMany({ where: { sourceId }, orderBy: { ordinal: 'asc' }, select: { id: true, content: true, metadata: true, embeddingModel: true, embeddingDims: true } });
    }, TX_OPTIONS);
  }

  /**
   * New vectors for existing chunks (an embedding model change), in one transaction. Answers false
   * when the chunks changed meanwhile (a full reindex replaced them): the caller starts over.
   */
  async updateEmbeddings(input: { tenantId: string; sourceId: string; chunkIds: string[]; vectors: number[][] | null; label: string | null; dims: number | null; currentLabel: (tx: Tx) => Promise<string | null> }): Promise<boolean> {
    if (input.dims) await this.ensureVectorIndex(input.dims);
    return this.db.$transaction(async (tx) => {
      await lockSource(tx, input.sourceId, input.tenantId);
      const current = await input.currentLabel(tx);
      if (current !== input.label) throw new StaleEmbeddingError(input.label, current);
      const existing = await tx.chunk.count({ where: { sourceId: input.sourceId } });
      if (existing !== input.chunkIds.length) return false;
      let updated = 0;
      for (let start = 0; start < input.chunkIds.length; start += INSERT_BATCH) {
        const ids = input.chunkIds.slice(start, start + INSERT_BATCH);
        const vectors = ids.map((_, i) => {
          const vector = input.vectors?.[start + i];
          return vector ? `[${vector.join(',')}]` : null;
        });
        updated += await tx.$executeRaw`
          UPDATE chunks SET embedding = v.embedding::vector, embedding_model = ${input.label}, embedding_dims = ${input.dims}::int
          FROM unnest(${ids}::uuid[], ${vectors}::text[]) AS v(id, embedding)
          WHERE chunks.id = v.id AND chunks.source_id = ${input.sourceId}::uuid`;
      }
      if (updated !== input.chunkIds.length) return false;
      await tx.knowledgeSource.update({
        where: { id: input.sourceId },
        data: { status: 'ready', stage: 'ready', progress: 100, embeddingModel: input.label, indexedAt: new Date(), errorCode: null, errorMessage: null },
      });
      return true;
    }, TX_OPTIONS);
  }

  /**
   * The page of a crawl for `url`: created on first sight, found again on later crawls (unique per
   * crawl and URL), so a retried crawl never stores a page twice.
   */
  async crawlPage(parent: { id: string; tenantId: string; agentId: string | null }, url: string, title: string): Promise<{ id: string }> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO knowledge_sources (id, tenant_id, agent_id, parent_id, kind, title, url, status, stage, progress, updated_at)
      VALUES (gen_random_uuid(), ${parent.tenantId}::uuid, ${parent.agentId}::uuid, ${parent.id}::uuid, 'url', ${title}, ${url}, 'parsing', 'parsing', 10, now())
      ON CONFLICT (parent_id, url) WHERE parent_id IS NOT NULL
      DO UPDATE SET title = EXCLUDED.title, status = 'parsing', stage = 'parsing', progress = 10, error_code = NULL, error_message = NULL, updated_at = now()
      RETURNING id::text AS id`;
    const row = rows[0];
    if (!row) throw new SourceGoneError(parent.id);
    return row;
  }

  /** Pages of an earlier crawl that this crawl no longer reached: removed with their chunks. */
  async removeOtherPages(parentId: string, keepUrls: string[]): Promise<number> {
    const { count } = await this.db.knowledgeSource.deleteMany({ where: { parentId, url: { notIn: keepUrls } } });
    return count;
  }

  /**
   * `chunks_embedding_hnsw_<N>` for a dimension met for the first time (768 and 1536 come with the
   * migration). Built CONCURRENTLY so searches and writes go on meanwhile; an index left invalid by
   * an interrupted build is dropped and built again. pgvector's HNSW takes at most 2000 dimensions:
   * larger vectors are still stored and searched, exactly, without an index.
   */
  async ensureVectorIndex(dims: number): Promise<void> {
    if (this.indexedDims.has(dims)) return;
    if (!Number.isInteger(dims) || dims <= 0) throw new Error(`invalid embedding dimension ${dims}`);
    if (dims > HNSW_MAX_DIMS) {
      this.logger.warn({ dims }, `embeddings of ${dims} dimensions are stored without an HNSW index (pgvector indexes up to ${HNSW_MAX_DIMS}); search is exact`);
      this.indexedDims.add(dims);
      return;
    }
    const name = chunkEmbeddingIndexName(dims);
    const state = await this.db.$queryRaw<{ valid: boolean }[]>`
      SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = ${name}`;
    if (state[0]?.valid === false) await this.db.$executeRawUnsafe(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
    if (state[0]?.valid !== true) {
      this.logger.info({ dims, index: name }, 'creating the HNSW index for a new embedding dimension');
      try {
        // The same definition (and HNSW settings) as the migrations' indexes; `dims` is a checked integer.
        const sql = chunkEmbeddingIndexSql(dims);
        if (sql) await this.db.$executeRawUnsafe(sql);
      } catch (error) {
        // Another worker building the same index at the same moment: theirs will do.
        const again = await this.db.$queryRaw<{ valid: boolean }[]>`
          SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = ${name}`;
        if (!again[0]) throw error;
      }
    }
    this.indexedDims.add(dims);
  }
}

/** Locks the source row for the rest of the transaction; a deleted source ends the job. */
async function lockSource(tx: Tx, sourceId: string, tenantId: string): Promise<void> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM knowledge_sources WHERE id = ${sourceId}::uuid AND tenant_id = ${tenantId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw new SourceGoneError(sourceId);
}

