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
