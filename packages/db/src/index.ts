export * from './generated/prisma/client';
export { createDbClient, preparedQuery, type DbClient, type DbClientOptions, type PreparedStatement } from './client';
export { migrate, ensureDatabase, readMigrations, MigrationError, MIGRATIONS_DIR, type MigrateResult } from './migrate';
export { generateApiKey, hashApiKey, apiKeyKindOf, type ApiKeyKind } from './api-keys';
export { SecretBox } from './secrets';
export { seedDemo, DEMO_TENANT_SLUG, type DemoSeed, type SeedOptions } from './seed';
export { createTestDatabase, type TestDatabase } from './test-database';
export {
  resolveEmbeddingConfig,
  embeddingModelLabel,
  type ResolvedEmbeddingConfig,
  type EmbeddingDefaults,
} from './embedding-config';
export { listenTenantChanges, TENANT_CHANGED_CHANNEL, type TenantChangeHandlers, type TenantChangeListener } from './tenant-changes';
export { CHUNK_HNSW_SETTINGS, chunkEmbeddingIndexName, chunkEmbeddingIndexSql, MAX_HNSW_DIMENSIONS } from './chunk-index';
