-- Retrieval tuning, measured with `pnpm bench retrieval`.
-- Keep each chunk's vector and tsvector inside its row (STORAGE MAIN: compressed when that helps, moved out of
-- line only when the row would not fit a page at all). With the default (EXTENDED), a 768-dimension vector
-- (3 KB) goes to the TOAST table, so every distance computed outside the index (exact scans for small tenants,
-- dimensions without an index) and every ts_rank_cd reads a second table. Applies to rows written from now on.
ALTER TABLE "chunks" ALTER COLUMN "embedding" SET STORAGE MAIN;
ALTER TABLE "chunks" ALTER COLUMN "tsv" SET STORAGE MAIN;
-- lz4 decompresses several times faster than pglz; servers built without lz4 keep pglz.
DO $$
BEGIN
  ALTER TABLE "chunks" ALTER COLUMN "embedding" SET COMPRESSION lz4;
  ALTER TABLE "chunks" ALTER COLUMN "tsv" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: chunks keep pglz compression';
END $$;

-- HNSW graph: ef_construction 128 (pgvector's default is 64). On clustered data (chunks of one document
-- resemble each other far more than the rest) the default graph let about 1 query in 20 of `pnpm bench retrieval`
-- descend into the wrong cluster (recall 0 for that query, 0.94 overall at ef_search 100); with 128, 0.99.
-- m stays 16: 24 measured no better on recall and costs half again as many distance computations per search.
-- Indexes for other dimensions, created when first needed, use the same settings (chunkEmbeddingIndexSql in
-- packages/db).
DROP INDEX IF EXISTS "chunks_embedding_hnsw_768";
DROP INDEX IF EXISTS "chunks_embedding_hnsw_1536";
CREATE INDEX "chunks_embedding_hnsw_768" ON "chunks" USING hnsw (("embedding"::vector(768)) vector_cosine_ops) WITH (m = 16, ef_construction = 128) WHERE "embedding_dims" = 768;
CREATE INDEX "chunks_embedding_hnsw_1536" ON "chunks" USING hnsw (("embedding"::vector(1536)) vector_cosine_ops) WITH (m = 16, ef_construction = 128) WHERE "embedding_dims" = 1536;
