/** HNSW build settings of every chunks embedding index (see migration 20261121030000_retrieval_tuning). */
export const CHUNK_HNSW_SETTINGS = { m: 16, efConstruction: 128 } as const;

/** pgvector indexes `vector` columns of at most this many dimensions with HNSW. */
export const MAX_HNSW_DIMENSIONS = 2000;

export function chunkEmbeddingIndexName(dimensions: number): string {
  return `chunks_embedding_hnsw_${dimensions}`;
}

/**
 * The partial HNSW index for one embedding dimension, exactly as retrieval queries it
 * (`(embedding::vector(N)) vector_cosine_ops WHERE embedding_dims = N`), with the migration's build
 * settings; CONCURRENTLY and IF NOT EXISTS so ingestion can run it when a tenant's first vectors of a
 * new dimension arrive. Without the index, search still works (exact scan). `null` above
 * MAX_HNSW_DIMENSIONS, where pgvector cannot build one.
 */
export function chunkEmbeddingIndexSql(dimensions: number): string | null {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
  if (dimensions > MAX_HNSW_DIMENSIONS) return null;
  const { m, efConstruction } = CHUNK_HNSW_SETTINGS;
  return (
    `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${chunkEmbeddingIndexName(dimensions)}" ON "chunks" ` +
    `USING hnsw (("embedding"::vector(${dimensions})) vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction}) ` +
    `WHERE "embedding_dims" = ${dimensions}`
  );
}
