import { ZEmbeddingEnv } from '@babble-buddy/shared';
import { DEFAULT_USER_AGENT } from '@babble-buddy/ingest';
import { z } from 'zod';


/** The worker's whole environment, parsed once at boot (.env.example describes each variable). */
export const ZWorkerConfig = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    DATABASE_URL: z.string().startsWith('postgres', 'must be a postgresql:// URL'),
    /** Connections in the worker's Postgres pool (DATABASE_POOL_SIZE is the gateway's). */
    WORKER_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
    REDIS_URL: z.string().startsWith('redis', 'must be a redis:// URL'),
    /** Prefix of the BullMQ keys in Redis; the gateway must use the same one. */
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('bb'),
    /** Decrypts tenants' embedding API keys; the gateway's value. */
    ENCRYPTION_KEY: z.string().regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/, 'must be 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)'),
    OLLAMA_BASE_URL: z.url().default('http://127.0.0.1:11434'),
    OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
    OPENAI_API_KEY: z.string().min(1).optional(),
    /** Texts per embedding request. */
    EMBEDDING_BATCH_SIZE: z.coerce.number().int().min(1).max(2048).default(64),
    /** Jobs processed at once by this process (each parse runs in its own thread). */
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /** A job's lock lifetime: a worker that dies mid-job has its job picked up again after this long. */
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
    /** On SIGTERM, time allowed to hand running jobs back to the queue before exiting anyway. */
    WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
    /** Attempts per job and the first retry delay (doubling each time). */
    INGEST_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    INGEST_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
    CHUNK_TOKENS: z.coerce.number().int().min(50).max(8000).default(400),
    CHUNK_OVERLAP_TOKENS: z.coerce.number().int().min(0).max(2000).default(60),
    PARSE_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
    PARSE_MAX_MEMORY_MB: z.coerce.number().int().min(64).default(512),
    FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
    FETCH_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
    CRAWL_USER_AGENT: z.string().min(3).default(DEFAULT_USER_AGENT),
    /** Longest pause between two pages of a crawl that a site's Crawl-delay may ask for. */
    CRAWL_MAX_DELAY_MS: z.coerce.number().int().min(0).default(2000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .extend(ZEmbeddingEnv.shape);
export type WorkerConfig = z.infer<typeof ZWorkerConfig>;

export class ConfigError extends Error {}

export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  // An empty value (OPENAI_API_KEY= in .env) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ZWorkerConfig.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid worker environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** The only place the worker reads process.env. */
export function loadWorkerConfig(): WorkerConfig {
  return parseWorkerConfig(process.env);
}
