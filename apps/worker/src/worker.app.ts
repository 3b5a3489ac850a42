import { createDbClient, SecretBox, type DbClient } from '@babble-buddy/db';
import { ParseSandbox } from '@babble-buddy/ingest';
import { embeddingDefaultsFromEnv, QUEUES } from '@babble-buddy/shared';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from './config';
import { ChunkStore } from './knowledge/chunk-store';
import { Embedder } from './knowledge/embedder';
import { KnowledgeProcessor } from './knowledge/knowledge.processor';
import { knowledgeJobOptions } from './knowledge/knowledge-queue';
import { SourceIngestion } from './knowledge/source-ingestion';
import { createLogger } from './logger';

export interface WorkerApp {
  worker: Worker;
  db: DbClient;
  /**
   * Stops taking jobs, hands running ones back to the queue (they are retried, not lost) and closes
   * every connection. Jobs that do not let go within WORKER_SHUTDOWN_GRACE_MS are left to BullMQ's
   * stalled-job check, which gives them to another worker once their lock expires.
   */
  stop(): Promise<void>;
}

/**
 * Builds the worker: plain Node, no Nest. It serves no HTTP and has no request scope, so dependency
 * injection would only add start-up time; the composition is this one function, which main.ts, the
 * tests and the benchmark share.
 */
export async function createWorkerApp(config: WorkerConfig, options: { logger?: Logger } = {}): Promise<WorkerApp> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const db = createDbClient(config.DATABASE_URL, { poolSize: config.WORKER_DATABASE_POOL_SIZE });
  // BullMQ needs maxRetriesPerRequest: null on the connections it blocks on.
  const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const producer = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const publisher = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2 });
  const queue = new Queue(QUEUES.knowledge, { connection: producer, prefix: config.QUEUE_PREFIX });
  const sandbox = new ParseSandbox({ threads: config.WORKER_CONCURRENCY, timeoutMs: config.PARSE_TIMEOUT_MS, maxMemoryMb: config.PARSE_MAX_MEMORY_MB });
  const defaults = embeddingDefaultsFromEnv(config, { ollamaBaseUrl: config.OLLAMA_BASE_URL, openaiBaseUrl: config.OPENAI_BASE_URL, openaiApiKey: config.OPENAI_API_KEY });
  const embedder = new Embedder(db, new SecretBox(config.ENCRYPTION_KEY), defaults, config.EMBEDDING_BATCH_SIZE);
  const store = new ChunkStore(db, logger);
  const ingestion = new SourceIngestion({ db, publisher, store, embedder, sandbox, config, logger });
  const processor = new KnowledgeProcessor(db, ingestion, queue, knowledgeJobOptions({ attempts: config.INGEST_ATTEMPTS, backoffMs: config.INGEST_BACKOFF_MS }), logger);

  const worker = new Worker(QUEUES.knowledge, processor.process, {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    // A job whose worker died twice (SIGKILL, OOM) is failed rather than tried forever.
    maxStalledCount: 2,
  });
  worker.on('failed', (job, error) => void processor.onFailed(job, error));
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  queue.on('error', (error) => logger.warn({ err: error }, 'job queue connection error'));
  await worker.waitUntilReady();
  logger.info({ queue: QUEUES.knowledge, concurrency: config.WORKER_CONCURRENCY, embedding: defaults.provider === 'none' ? 'none' : `${defaults.provider}:${defaults.model}` }, 'worker ready');

  let stopping: Promise<void> | undefined;
  return {
    worker,
    db,
    stop() {
      stopping ??= (async () => {
        processor.beginShutdown();
        worker.cancelAllJobs('worker shutting down');
        const graceful = worker.close();
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          graceful.then(() => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(true), config.WORKER_SHUTDOWN_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          logger.warn({ graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'jobs did not stop in time; leaving them to the stalled-job check');
          await worker.close(true);
        }
        await sandbox.close();
        await queue.close();
        await Promise.allSettled([connection.quit(), producer.quit(), publisher.quit(), db.$disconnect()]);
        logger.info('worker stopped');
      })();
      return stopping;
    },
  };
}
