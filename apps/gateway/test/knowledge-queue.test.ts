import { createServer } from 'node:net';
import { createDbClient, createTestDatabase, type DbClient, type TestDatabase } from '@babble-buddy/db';
import { CLI_ACTOR } from '../src/admin/actor';
import { AuditService } from '../src/admin/audit.service';
import { KnowledgeQueue } from '../src/knowledge/knowledge-queue.service';
import { SourcesService } from '../src/knowledge/sources.service';
import { BASE_DATABASE_URL } from './harness';

/** Redis unreachable while a source is added: a clear 503, and no source left waiting forever as "queued". */
let database: TestDatabase;
let db: DbClient;
let queue: KnowledgeQueue;

beforeAll(async () => {
  database = await createTestDatabase(BASE_DATABASE_URL);
  db = createDbClient(database.url, { poolSize: 2 });
  // A port that was free a moment ago: nothing answers there.
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  queue = new KnowledgeQueue({ redisUrl: `redis://127.0.0.1:${port}`, prefix: 'bb-unreachable', attempts: 1, backoffMs: 10, enqueueTimeoutMs: 300 });
});

afterAll(async () => {
  await queue?.close();
  await db?.$disconnect();
  await database?.drop();
});

describe('the job queue unreachable', () => {
  it('answers SERVICE_UNAVAILABLE and marks the new source failed with a way out', async () => {
    const tenant = await db.tenant.create({ data: { name: 'No Redis', slug: 'no-redis' } });
    const sources = new SourcesService(db, new AuditService(db), queue, { maxFileBytes: 1024 * 1024 });
    await expect(sources.addUrl(CLI_ACTOR, tenant.id, { url: 'https://example.com/docs' })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      message: expect.stringContaining('nothing was queued, try again'),
    });
    const [row] = await db.knowledgeSource.findMany({ where: { tenantId: tenant.id } });
    expect(row).toMatchObject({ status: 'failed', errorCode: 'INGEST_FAILED', errorMessage: 'The job queue was unreachable; reindex the source to try again' });
  });
});
