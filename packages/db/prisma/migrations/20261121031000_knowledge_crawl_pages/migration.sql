-- Crawl pages: one source per URL under its crawl, so a crawl that is retried or run again replaces
-- its pages (INSERT … ON CONFLICT) instead of adding copies.
CREATE UNIQUE INDEX "knowledge_sources_parent_id_url_key" ON "knowledge_sources"("parent_id", "url") WHERE "parent_id" IS NOT NULL;
