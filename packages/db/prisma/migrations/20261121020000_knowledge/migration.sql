-- Knowledge base: sources a tenant uploads or points at, their stored bytes, and the chunks retrieval searches.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TYPE "KnowledgeSourceKind" AS ENUM ('file', 'url', 'text');
CREATE TYPE "KnowledgeSourceStatus" AS ENUM ('queued', 'parsing', 'embedding', 'ready', 'failed');

-- Per-tenant embedding settings. A tenant without a row uses the deployment default
-- (EMBEDDING_PROVIDER/EMBEDDING_MODEL); provider 'none' means full-text search only.
CREATE TABLE "embedding_configs" (
    "tenant_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT,
    "base_url" TEXT,
    "api_key_encrypted" TEXT,
    "api_key_key_id" TEXT,
    "dimensions" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "embedding_configs_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "embedding_configs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE TABLE "knowledge_sources" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "agent_id" UUID,
    "parent_id" UUID,
    "kind" "KnowledgeSourceKind" NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "filename" TEXT,
    "mime_type" TEXT,
    "size_bytes" INTEGER,
    "checksum" TEXT,
    "options" JSONB NOT NULL DEFAULT '{}',
    "status" "KnowledgeSourceStatus" NOT NULL DEFAULT 'queued',
    "stage" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "error_code" TEXT,
    "error_message" TEXT,
    "chunk_count" INTEGER NOT NULL DEFAULT 0,
    "page_count" INTEGER,
    "embedding_model" TEXT,
    "indexed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "knowledge_sources_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "knowledge_sources_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "knowledge_sources_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "knowledge_sources_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "knowledge_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "knowledge_sources_tenant_id_created_at_idx" ON "knowledge_sources"("tenant_id", "created_at");
CREATE INDEX "knowledge_sources_parent_id_idx" ON "knowledge_sources"("parent_id");
-- Duplicate uploads: one file per checksum per tenant (url sources may share a checksum with a file).
CREATE UNIQUE INDEX "knowledge_sources_tenant_file_checksum_key" ON "knowledge_sources"("tenant_id", "checksum") WHERE "kind" = 'file';

-- Uploaded bytes, kept apart from the source row so listing sources never reads them.
CREATE TABLE "knowledge_blobs" (
    "source_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "data" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "knowledge_blobs_pkey" PRIMARY KEY ("source_id"),
    CONSTRAINT "knowledge_blobs_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "knowledge_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Chunks. The embedding column has no fixed dimension so tenants may use different models; HNSW indexes are
-- partial expression indexes per dimension ((embedding::vector(N)) WHERE embedding_dims = N), and queries must
-- use the same expression and predicate. 768 (nomic-embed-text) and 1536 (text-embedding-3-small) exist here;
-- others are created on first use (CREATE INDEX CONCURRENTLY IF NOT EXISTS "chunks_embedding_hnsw_<N>").
CREATE TABLE "chunks" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "agent_id" UUID,
    "ordinal" INTEGER NOT NULL,
    "content" TEXT NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "token_count" INTEGER NOT NULL DEFAULT 0,
    "embedding" vector,
    "embedding_model" TEXT,
    "embedding_dims" INTEGER,
    "tsv" tsvector GENERATED ALWAYS AS (to_tsvector('simple', "content")) STORED,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chunks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "chunks_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "chunks_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "knowledge_sources"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
-- Idempotent ingestion: one chunk per (source, ordinal); a retried job replaces the set inside one transaction.
CREATE UNIQUE INDEX "chunks_source_id_ordinal_key" ON "chunks"("source_id", "ordinal");
CREATE INDEX "chunks_tenant_id_idx" ON "chunks"("tenant_id");
CREATE INDEX "chunks_tsv_idx" ON "chunks" USING GIN ("tsv");
CREATE INDEX "chunks_embedding_hnsw_768" ON "chunks" USING hnsw (("embedding"::vector(768)) vector_cosine_ops) WHERE "embedding_dims" = 768;
CREATE INDEX "chunks_embedding_hnsw_1536" ON "chunks" USING hnsw (("embedding"::vector(1536)) vector_cosine_ops) WHERE "embedding_dims" = 1536;
