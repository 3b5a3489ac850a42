import { markKnowledgeChanged } from '@babble-buddy/db';
import { seedKnowledgeSource, type SeedSource } from '@babble-buddy/testing';
import type { Redis } from 'ioredis';
import { REDIS } from '../src/infra/tokens';
import type { TestGateway } from './harness';

/**
 * A ready knowledge source with chunks, written straight to the database (as ingestion would leave
 * it; vectors from fakeEmbedding under "ollama:nomic-embed-text" unless given), then the tenant's
 * knowledge version bumped as ingestion does, so the gateway sees it on the next turn.
 */
export async function seedSource(gw: TestGateway, source: SeedSource): Promise<string> {
  const { sourceId } = await seedKnowledgeSource((sql, values) => gw.db.$executeRawUnsafe(sql, ...values), source);
  await markKnowledgeChanged(gw.app.get<Redis>(REDIS), source.tenantId);
  return sourceId;
}

/** The tenant's own embedding model (provider "none": full-text search only), as the admin would set it. */
export async function setEmbeddingModel(gw: TestGateway, tenantId: string, config: { provider: 'ollama' | 'openai' | 'none'; model?: string; baseUrl?: string }): Promise<void> {
  await gw.db.embeddingConfig.upsert({
    where: { tenantId },
    create: { tenantId, provider: config.provider, model: config.model ?? null, baseUrl: config.baseUrl ?? null },
    update: { provider: config.provider, model: config.model ?? null, baseUrl: config.baseUrl ?? null },
  });
  await markKnowledgeChanged(gw.app.get<Redis>(REDIS), tenantId);
}

/** The knowledge section of the system prompt the fake model received in request `index`. */
export function knowledgeSent(gw: TestGateway, index: number): string {
  const body = gw.fake.chatRequests()[index]?.body as { messages?: { role: string; content: string }[] } | undefined;
  const system = body?.messages?.find((m) => m.role === 'system')?.content ?? '';
  const match = /<untrusted_knowledge>([\s\S]*)<\/untrusted_knowledge>/.exec(system);
  return match?.[1] ?? '';
}

/** Paths of the embedding requests the fake received. */
export function embedRequests(gw: TestGateway): string[] {
  return gw.fake.requests.filter((r) => r.path === '/api/embed' || r.path === '/api/embeddings' || r.path === '/v1/embeddings').map((r) => r.path);
}
