import { randomUUID } from 'node:crypto';
import { fakeEmbedding } from './embedding';

/** Runs one parameterised statement; Prisma's `$executeRawUnsafe` and pg's `query` both fit. */
export type SeedExecutor = (sql: string, values: unknown[]) => Promise<unknown>;

export interface SeedChunk {
  content: string;
  /** { page?, heading?, url?, title? } as the worker stores them. */
  metadata?: Record<string, unknown>;
}

export interface SeedSource {
  tenantId: string;
  title: string;
  /** Chunks in order; strings are chunks without metadata. */
  chunks: (string | SeedChunk)[];
  id?: string;
  agentId?: string | null;
  url?: string | null;
  status?: 'queued' | 'parsing' | 'embedding' | 'ready' | 'failed';
  /**
   * Vectors from `fakeEmbedding(content, dims)` under the model label (e.g. "ollama:nomic-embed-text",
   * 768), as the fake embedding server would return them; `null` for full-text-only tenants.
   */
  embedding?: { model: string; dims: number } | null;
}

/**
 * Writes a knowledge source and its chunks straight to the database, as ingestion would leave them
 * (status ready by default), so retrieval tests do not depend on the worker.
 */
export async function seedKnowledgeSource(exec: SeedExecutor, source: SeedSource): Promise<{ sourceId: string; chunkIds: string[] }> {
  const sourceId = source.id ?? randomUUID();
  const embedding = source.embedding === undefined ? { model: 'ollama:nomic-embed-text', dims: 768 } : source.embedding;
  const status = source.status ?? 'ready';
  await exec(
    `INSERT INTO knowledge_sources (id, tenant_id, agent_id, kind, title, url, status, progress, chunk_count, embedding_model, indexed_at, updated_at)
     VALUES ($1::uuid, $2::uuid, $3::uuid, 'text', $4, $5, $6::"KnowledgeSourceStatus", $7, $8, $9, now(), now())`,
    [sourceId, source.tenantId, source.agentId ?? null, source.title, source.url ?? null, status, status === 'ready' ? 100 : 0, source.chunks.length, embedding?.model ?? null],
  );
  const chunkIds: string[] = [];
  const rows: string[] = [];
  const values: unknown[] = [];
  source.chunks.forEach((entry, ordinal) => {
    const chunk = typeof entry === 'string' ? { content: entry } : entry;
    const id = randomUUID();
    chunkIds.push(id);
    const at = values.length;
    values.push(
      id,
      source.tenantId,
      sourceId,
      source.agentId ?? null,
      ordinal,
      chunk.content,
      JSON.stringify(chunk.metadata ?? {}),
      embedding ? `[${fakeEmbedding(chunk.content, embedding.dims).join(',')}]` : null,
      embedding?.model ?? null,
      embedding?.dims ?? null,
    );
    const p = (i: number) => `$${at + i}`;
    rows.push(`(${p(1)}::uuid, ${p(2)}::uuid, ${p(3)}::uuid, ${p(4)}::uuid, ${p(5)}::int, ${p(6)}, ${p(7)}::jsonb, ${p(8)}::vector, ${p(9)}, ${p(10)}::int)`);
  });
  if (rows.length > 0) {
    await exec(
      `INSERT INTO chunks (id, tenant_id, source_id, agent_id, ordinal, content, metadata, embedding, embedding_model, embedding_dims) VALUES ${rows.join(', ')}`,
      values,
    );
  }
  return { sourceId, chunkIds };
}
