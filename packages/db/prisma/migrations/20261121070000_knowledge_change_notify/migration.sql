-- What a tenant's retrieval can see (which sources are ready, and for which agents) is cached by gateways
-- like keys and models (TenantCache); a source appearing, changing status or owner, or going away notifies.
-- Progress updates during ingestion do not.
CREATE TRIGGER "knowledge_sources_notify_changed"
    AFTER INSERT OR DELETE OR UPDATE OF "status", "agent_id", "tenant_id", "embedding_model" ON "knowledge_sources"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
