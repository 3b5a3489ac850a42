-- Gateways cache what every chat request reads (key → tenant, the tenant's models and agents). Any change to
-- those rows, by the admin API, the CLI or plain SQL, notifies channel 'bb_tenant_changed' with the tenant id,
-- so every gateway drops that tenant's cached entries at once (see apps/gateway/src/infra/tenant-cache.ts).
CREATE FUNCTION "bb_notify_tenant_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed uuid;
BEGIN
    IF TG_TABLE_NAME = 'tenants' THEN
        changed := COALESCE(NEW.id, OLD.id);
    ELSIF TG_OP = 'DELETE' THEN
        changed := OLD.tenant_id;
    ELSE
        changed := NEW.tenant_id;
        IF TG_OP = 'UPDATE' AND OLD.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
            PERFORM pg_notify('bb_tenant_changed', OLD.tenant_id::text);
        END IF;
    END IF;
    PERFORM pg_notify('bb_tenant_changed', changed::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER "tenants_notify_changed" AFTER UPDATE OF "status", "name" OR DELETE ON "tenants"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
-- last_used_at is written once a minute per key and changes nothing a request checks, so it does not notify.
CREATE TRIGGER "api_keys_notify_changed"
    AFTER INSERT OR DELETE OR UPDATE OF "tenant_id", "kind", "hash", "allowed_origins", "rate_limit_per_minute", "expires_at", "revoked_at" ON "api_keys"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
CREATE TRIGGER "llm_configs_notify_changed" AFTER INSERT OR UPDATE OR DELETE ON "llm_configs"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
CREATE TRIGGER "agents_notify_changed" AFTER INSERT OR UPDATE OR DELETE ON "agents"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
CREATE TRIGGER "embedding_configs_notify_changed" AFTER INSERT OR UPDATE OR DELETE ON "embedding_configs"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
-- A tenant's widget origins are accepted by all its publishable keys, so they are part of a cached key.
CREATE TRIGGER "widget_configs_notify_changed" AFTER INSERT OR DELETE OR UPDATE OF "allowed_origins" ON "widget_configs"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
