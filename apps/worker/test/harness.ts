import { createHash, randomBytes } from 'node:crypto';
import { createDbClient, createTestDatabase, type DbClient, type KnowledgeSource, type TestDatabase } from '@babble-buddy/db';
import { startFakeLlm, type FakeLlm } from '@babble-buddy/testing';
import {
  KNOWLEDGE_JOBS,
  KNOWLEDGE_PROGRESS_CHANNEL,
  QUEUES,
  ZKnowledgeProgressEvent,
  type TCrawlOptions,
  type TIngestSourceJob,
  type TKnowledgeProgressEvent,
} from '@babble-buddy/shared';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { parseWorkerConfig, type WorkerConfig } from '../src/config';
import { knowledgeJobOptions } from '../src/knowledge/knowledge-queue';
import { createWorkerApp, type WorkerApp } from '../src/worker.app';

export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ENCRYPTION_KEY = 'ab'.repeat(32);

/** Settings that make retries and stalled-job recovery quick enough for tests. */
export function testEnv(database: TestDatabase, fake: FakeLlm, prefix: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    WORKER_DATABASE_POOL_SIZE: '4',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    ENCRYPTION_KEY,
    OLLAMA_BASE_URL: fake.url,
    OPENAI_BASE_URL: fake.openaiUrl,
    WORKER_LOCK_MS: '2000',
    WORKER_SHUTDOWN_GRACE_MS: '5000',
    INGEST_ATTEMPTS: '2',
    INGEST_BACKOFF_MS: '50',
    CHUNK_TOKENS: '120',
    CHUNK_OVERLAP_TOKENS: '20',
    FETCH_TIMEOUT_MS: '3000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  };
}

/** Progress events of the knowledge channel, for awaiting a source's state instead of polling. */
export class ProgressWatcher {
  readonly events: TKnowledgeProgressEvent[] = [];
  private readonly listeners = new Set<(event: TKnowledgeProgressEvent) => void>();
  private constructor(private readonly subscriber: Redis) {}

  static async start(): Promise<ProgressWatcher> {
    const subscriber = new Redis(REDIS_URL);
    const watcher = new ProgressWatcher(subscriber);
    subscriber.on('message', (_channel, message: string) => {
      const event = ZKnowledgeProgressEvent.parse(JSON.parse(message));
      watcher.events.push(event);
      for (const listener of watcher.listeners) listener(event);
    });
    await subscriber.subscribe(KNOWLEDGE_PROGRESS_CHANNEL);
    return watcher;
  }

  of(sourceId: string): TKnowledgeProgressEvent[] {
    return this.events.filter((event) => event.sourceId === sourceId);
  }

  /** Resolves with the first event (from now on, or already seen) matching `predicate`. */
  next(predicate: (event: TKnowledgeProgressEvent) => boolean, timeoutMs = 30_000, seen = true): Promise<TKnowledgeProgressEvent> {
    const earlier = seen ? this.events.find(predicate) : undefined;
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no matching progress event within ${timeoutMs} ms; last: ${JSON.stringify(this.events.at(-1))}`));
      }, timeoutMs);
      const listener = (event: TKnowledgeProgressEvent) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(event);
      };
      this.listeners.add(listener);
    });
  }

  close(): Promise<unknown> {
    return this.subscriber.quit();
  }
}

export interface TestStack {
  db: DbClient;
  database: TestDatabase;
  fake: FakeLlm;
  queue: Queue;
  prefix: string;
  watcher: ProgressWatcher;
  env(extra?: Record<string, string>): Record<string, string>;
  /** Starts an in-process worker (several may run; each is stopped at close). */
  startWorker(extra?: Record<string, string>): Promise<{ app: WorkerApp; config: WorkerConfig }>;
  createTenant(name?: string, options?: { allowedPrivateHosts?: string[] }): Promise<string>;
  addFile(tenantId: string, bytes: Uint8Array, filename: string, mimeType?: string): Promise<string>;
  addUrl(tenantId: string, url: string, crawl?: TCrawlOptions): Promise<string>;
  enqueue(payload: TIngestSourceJob): Promise<Job>;
  /** BullMQ's event stream of the test queue (for job.waitUntilFinished). */
  queueEvents(): Promise<QueueEvents>;
  /** Waits for the source to be ready or failed, then answers its row. */
  settled(sourceId: string, timeoutMs?: number): Promise<KnowledgeSource>;
  close(): Promise<void>;
}

/** A fresh database, a fake LLM over HTTP, a private queue prefix in the real Redis. */
export async function startStack(): Promise<TestStack> {
  const database = await createTestDatabase(BASE_DATABASE_URL);
  const db = createDbClient(database.url, { poolSize: 3 });
  const fake = await startFakeLlm({ recordRequests: true });
  const prefix = `bbtest-${process.pid}-${randomBytes(3).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.knowledge, { connection, prefix });
  const watcher = await ProgressWatcher.start();
  const workers: WorkerApp[] = [];
  const jobOptions = knowledgeJobOptions({ attempts: 2, backoffMs: 50 });
  let events: QueueEvents | undefined;

  const stack: TestStack = {
    db,
    database,
    fake,
    queue,
    prefix,
    watcher,
    env: (extra = {}) => testEnv(database, fake, prefix, extra),
    async startWorker(extra = {}) {
      const config = parseWorkerConfig(testEnv(database, fake, prefix, extra));
      const app = await createWorkerApp(config);
      workers.push(app);
      return { app, config };
    },
    async createTenant(name = 'Tenant', options = {}) {
      const tenant = await db.tenant.create({
        data: {
          name,
          slug: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(3).toString('hex')}`,
          settings: options.allowedPrivateHosts ? { knowledge: { allowedPrivateHosts: options.allowedPrivateHosts } } : {},
        },
      });
      return tenant.id;
    },
    async addFile(tenantId, bytes, filename, mimeType) {
      const source = await db.knowledgeSource.create({
        data: {
          tenantId,
          kind: 'file',
          title: filename,
          filename,
          mimeType: mimeType ?? null,
          sizeBytes: bytes.byteLength,
          checksum: createHash('sha256').update(bytes).digest('hex'),
          blob: { create: { tenantId, data: Buffer.from(bytes) } },
        },
      });
      await stack.enqueue({ tenantId, sourceId: source.id, mode: 'full', reason: 'created' });
      return source.id;
    },
    async addUrl(tenantId, url, crawl) {
      const source = await db.knowledgeSource.create({ data: { tenantId, kind: 'url', title: url, url, options: crawl ? { crawl } : {} } });
      await stack.enqueue({ tenantId, sourceId: source.id, mode: 'full', reason: 'created' });
      return source.id;
    },
    enqueue(payload) {
      return queue.add(KNOWLEDGE_JOBS.ingestSource, payload, jobOptions);
    },
    async queueEvents() {
      if (!events) {
        events = new QueueEvents(QUEUES.knowledge, { connection: { url: REDIS_URL }, prefix });
        await events.waitUntilReady();
      }
      return events;
    },
    async settled(sourceId, timeoutMs = 30_000) {
      const done = watcher.next((event) => event.sourceId === sourceId && (event.status === 'ready' || event.status === 'failed'), timeoutMs);
      const row = await db.knowledgeSource.findUniqueOrThrow({ where: { id: sourceId } });
      if (row.status !== 'ready' && row.status !== 'failed') await done;
      else done.catch(() => undefined);
      return db.knowledgeSource.findUniqueOrThrow({ where: { id: sourceId } });
    },
    async close() {
      await Promise.allSettled(workers.map((worker) => worker.stop()));
      await events?.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await connection.quit();
      await watcher.close();
      await db.$disconnect();
      await fake.close();
      await database.drop();
    },
  };
  return stack;
}

/** A tenant's chunks of one source, in order, with their vectors' model and size. */
export async function chunksOf(db: DbClient, sourceId: string): Promise<{ ordinal: number; content: string; metadata: Record<string, unknown>; embedding_model: string | null; embedding_dims: number | null; has_vector: boolean; has_tsv: boolean; tenant_id: string }[]> {
  return db.$queryRaw`
    SELECT ordinal, content, metadata, embedding_model, embedding_dims, embedding IS NOT NULL AS has_vector, tsv IS NOT NULL AND tsv <> ''::tsvector AS has_tsv, tenant_id::text
    FROM chunks WHERE source_id = ${sourceId}::uuid ORDER BY ordinal`;
}
