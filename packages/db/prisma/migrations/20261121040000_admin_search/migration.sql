-- Admin SPA: full-text search over messages, dashboard series.

-- Conversations search (admin), always within one tenant: a GIN index on (tenant_id, text) — btree_gin
-- lets the uuid lead — so a search reads the postings of that tenant only, not of the whole platform.
-- An expression index: no column is added and the table is not rewritten. 'simple' (no stemming, any
-- language), like chunks.tsv; queries must use the same expression:
--   tenant_id = $1 AND to_tsvector('simple', content) @@ to_tsquery('simple', ...)
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX "messages_tenant_id_content_fts_idx" ON "messages" USING GIN ("tenant_id", to_tsvector('simple', "content"));

-- Dashboard "conversations started per day" for a set of tenants.
CREATE INDEX "conversations_tenant_id_created_at_idx" ON "conversations"("tenant_id", "created_at");
