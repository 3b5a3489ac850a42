-- Requests a minute allowed to each of the tenant's keys that has no limit of its own
-- (NULL: the deployment default, RATE_LIMIT_KEY_PER_MINUTE). Key checks read it, and gateways cache key
-- checks, so changing it must notify them like a change of the tenant's name or status does.
ALTER TABLE "tenants" ADD COLUMN "rate_limit_per_minute" INTEGER;

DROP TRIGGER "tenants_notify_changed" ON "tenants";
CREATE TRIGGER "tenants_notify_changed" AFTER UPDATE OF "status", "name", "rate_limit_per_minute" OR DELETE ON "tenants"
    FOR EACH ROW EXECUTE FUNCTION "bb_notify_tenant_changed"();
