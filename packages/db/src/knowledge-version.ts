import { randomUUID } from 'node:crypto';

/**
 * The gateway caches, per tenant, whether it has any knowledge to search and which embedding model to
 * search with, so a tenant without knowledge pays nothing on the chat path. The cache is keyed by a
 * version stored in Redis: whoever changes what a tenant's retrieval can see bumps it.
 */
export function knowledgeVersionKey(tenantId: string): string {
  return `bb:kb:version:${tenantId}`;
}

/** The one Redis command needed (ioredis's `Redis` fits), so this package needs no Redis client. */
export interface KnowledgeVersionStore {
  set(key: string, value: string): Promise<unknown>;
}

/**
 * Call after any change to what a tenant's retrieval can see: a source reaching `ready`, failing,
 * being deleted or reindexed, its chunks replaced, or the tenant's embedding model changing.
 * Gateways notice on their next chat turn. The value is unique (not a counter), so a Redis restart
 * that loses the key can never make an old version look current.
 */
export async function markKnowledgeChanged(redis: KnowledgeVersionStore, tenantId: string): Promise<void> {
  await redis.set(knowledgeVersionKey(tenantId), randomUUID());
}
