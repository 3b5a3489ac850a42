import { HANDBOOK_PAGES, makePdf } from '@babble-buddy/ingest/fixtures';
import { KNOWLEDGE_JOBS } from '@babble-buddy/shared';
import { knowledgeJobOptions } from '../src/knowledge/knowledge-queue';
import { SecretBox } from '@babble-buddy/db';
import { chunksOf, ENCRYPTION_KEY, startStack, type TestStack } from './harness';
import { startSlowProxy } from './slow-proxy';

/** Idempotency, reindex, delete and embedding model changes. */
let stack: TestStack;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack();
  // Two workers on one queue: concurrent jobs of one source really run at the same time.
  await stack.startWorker();
  await stack.startWorker();
  tenantId = await stack.createTenant('Reindex');
});
afterAll(() => stack?.close());

async function ids(sourceId: string): Promise<string[]> {
  return (await stack.db.chunk.findMany({ where: { sourceId }, orderBy: { ordinal: 'asc' }, select: { id: true } })).map((c) => c.id);
}

describe('idempotent ingestion', () => {
  it('the same source ingested by several jobs at once ends with exactly one set of chunks', async () => {
    const pdf = await makePdf(HANDBOOK_PAGES);
    const sourceId = await stack.addFile(tenantId, pdf, 'handbook.pdf');
    const events = await stack.queueEvents();
    const jobs = await Promise.all([1, 2, 3].map(() => stack.enqueue({ tenantId, sourceId, mode: 'full', reason: 'reindex' })));
    await Promise.all(jobs.map((job) => job.waitUntilFinished(events)));
    await stack.settled(sourceId);
    const chunks = await chunksOf(stack.db, sourceId);
    const source = await stack.db.knowledgeSource.findUniqueOrThrow({ where: { id: sourceId } });
    expect(chunks.length).toBe(source.chunkCount);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    expect(new Set(chunks.map((c) => c.content)).size).toBe(chunks.length);
  });

  it('reindex rebuilds the chunks (new rows, same content)', async () => {
    const sourceId = await stack.addFile(tenantId, Buffer.from('The library lends laptops for two weeks.'), 'library.txt');
    await stack.settled(sourceId);
    const before = await ids(sourceId);
    const ready = stack.watcher.next((e) => e.sourceId === sourceId && e.status === 'ready', 30_000, false);
    await stack.enqueue({ tenantId, sourceId, mode: 'full', reason: 'reindex' });
    await ready;
    const after = await ids(sourceId);
    expect(after).toHaveLength(before.length);
    expect(after.some((id) => before.includes(id))).toBe(false);
  });

  it('a source deleted while its job waits or runs stores nothing, and the job ends quietly', async () => {
    const sourceId = await stack.addFile(tenantId, await makePdf(HANDBOOK_PAGES), 'deleted.pdf');
    await stack.db.knowledgeSource.delete({ where: { id: sourceId } });
    await stack.enqueue({ tenantId, sourceId, mode: 'full', reason: 'reindex' });
    const completed = await new Promise<unknown>((resolve) => {
      const check = async () => {
        const jobs = await stack.queue.getJobs(['completed']);
        const mine = jobs.filter((job) => job.data.sourceId === sourceId);
        if (mine.length === 2) return resolve(mine.map((job) => job.returnvalue));
        setTimeout(check, 50);
      };
      void check();
    });
    expect(completed).toEqual([{ stored: false, reason: 'the source was deleted' }, { stored: false, reason: 'the source was deleted' }]);
    expect(await stack.db.chunk.count({ where: { sourceId } })).toBe(0);
  });

  it('rejects a malformed payload without retrying it', async () => {
    const job = await stack.queue.add(KNOWLEDGE_JOBS.ingestSource, { tenantId, sourceId: 'not-a-uuid', mode: 'full' } as never, knowledgeJobOptions({ attempts: 3, backoffMs: 10 }));
    const failed = await job.waitUntilFinished(await stack.queueEvents()).catch((error: Error) => error.message);
    expect(failed).toMatch(/invalid ingest-source payload/);
    expect((await stack.queue.getJob(job.id ?? ''))?.attemptsMade).toBe(1);
  });
});

describe('embedding model changes', () => {
  it('re-embeds every source with the new model and dimensions, creating that dimension’s HNSW index', async () => {
    const tenant = await stack.createTenant('Model change');
    const fileId = await stack.addFile(tenant, await makePdf(HANDBOOK_PAGES), 'handbook.pdf');
    const noteId = await stack.addFile(tenant, Buffer.from('Visitors sign in at the front desk.'), 'visitors.txt');
    await stack.settled(fileId);
    await stack.settled(noteId);
    const contentBefore = (await chunksOf(stack.db, fileId)).map((c) => c.content);
    expect((await chunksOf(stack.db, fileId))[0]).toMatchObject({ embedding_dims: 768, embedding_model: 'ollama:nomic-embed-text' });

    // OpenAI's text-embedding-3-small shortened to 384 dimensions, through the fake's /v1 endpoint, with a stored key.
    await stack.db.embeddingConfig.create({
      data: { tenantId: tenant, provider: 'openai', model: 'text-embedding-3-small', baseUrl: stack.fake.openaiUrl, dimensions: 384, apiKeyEncrypted: new SecretBox(ENCRYPTION_KEY).encrypt('sk-test') },
    });
    const bothReady = Promise.all(
      [fileId, noteId].map((id) => stack.watcher.next((e) => e.sourceId === id && e.status === 'ready', 30_000, false)),
    );
    await stack.queue.add(KNOWLEDGE_JOBS.reindexTenant, { tenantId: tenant, embeddingModel: 'openai:text-embedding-3-small' }, knowledgeJobOptions({ attempts: 2, backoffMs: 10 }));
    await bothReady;

    const after = await chunksOf(stack.db, fileId);
    expect(after.map((c) => c.content)).toEqual(contentBefore);
    for (const chunk of [...after, ...(await chunksOf(stack.db, noteId))]) expect(chunk).toMatchObject({ embedding_model: 'openai:text-embedding-3-small', embedding_dims: 384, has_vector: true });
    expect(await stack.db.knowledgeSource.findUniqueOrThrow({ where: { id: fileId } })).toMatchObject({ embeddingModel: 'openai:text-embedding-3-small', status: 'ready' });
    const request = stack.fake.requests.find((r) => r.path === '/v1/embeddings');
    expect(request?.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 384 });
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    const index = await stack.db.$queryRaw<{ indexdef: string }[]>`SELECT indexdef FROM pg_indexes WHERE indexname = 'chunks_embedding_hnsw_384'`;
    expect(index[0]?.indexdef).toContain('(embedding)::vector(384)');
    expect(index[0]?.indexdef).toContain('WHERE (embedding_dims = 384)');

    // Switching to full text only clears the vectors.
    await stack.db.embeddingConfig.update({ where: { tenantId: tenant }, data: { provider: 'none', model: null } });
    const cleared = stack.watcher.next((e) => e.sourceId === noteId && e.status === 'ready', 30_000, false);
    await stack.queue.add(KNOWLEDGE_JOBS.reindexTenant, { tenantId: tenant, embeddingModel: null }, knowledgeJobOptions({ attempts: 2, backoffMs: 10 }));
    await cleared;
    expect(await chunksOf(stack.db, noteId)).toEqual([expect.objectContaining({ has_vector: false, embedding_model: null, embedding_dims: null, has_tsv: true })]);
  });

  it('a job that embedded with the old model while the model changed stores with the new one', async () => {
    const tenant = await stack.createTenant('Race');
    // The tenant's first model answers slowly, so the change lands while the job is embedding.
    const slow = await startSlowProxy(stack.fake.url, 1500);
    try {
      await stack.db.embeddingConfig.create({ data: { tenantId: tenant, provider: 'ollama', model: 'nomic-embed-text', baseUrl: slow.url } });
      const sourceId = await stack.addFile(tenant, Buffer.from('Bikes are parked in the courtyard.'), 'race.txt');
      await stack.watcher.next((e) => e.sourceId === sourceId && e.stage === 'embedding');
      await stack.db.embeddingConfig.update({ where: { tenantId: tenant }, data: { model: 'all-minilm', baseUrl: stack.fake.url } });
      const source = await stack.settled(sourceId);
      expect(slow.count).toBe(1);
      expect(source.embeddingModel).toBe('ollama:all-minilm');
      expect(await chunksOf(stack.db, sourceId)).toEqual([expect.objectContaining({ embedding_model: 'ollama:all-minilm', embedding_dims: 384 })]);
    } finally {
      await slow.close();
    }
  });
});
