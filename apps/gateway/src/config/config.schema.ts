import type { EmbeddingDefaults } from '@babble-buddy/db';
import { embeddingDefaultsFromEnv, ZEmbeddingEnv as ZSharedEmbeddingEnv } from '@babble-buddy/shared';
import { z } from 'zod';

const ZBool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** The gateway's whole environment, parsed once at boot (see .env.example for each variable). */
export const ZGatewayConfig = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().startsWith('postgres', 'must be a postgresql:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  REDIS_URL: z.string().startsWith('redis', 'must be a redis:// URL'),
  LLM_PROVIDER: z.enum(['ollama', 'openai']).default('ollama'),
  OLLAMA_BASE_URL: z.url().default('http://127.0.0.1:11434'),
  OLLAMA_MODEL: z.string().min(1).default('llama3.2:1b'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Fall back to the other environment provider when the first fails (needs both configured). */
  LLM_FALLBACK: ZBool.default(true),
  LLM_FIRST_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  ENCRYPTION_KEY: z.string().regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/, 'must be 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)'),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters'),
  ADMIN_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).default(12 * 3600),
  /** When set, first-run setup (creating the first owner in the admin app) must quote it. */
  ADMIN_SETUP_TOKEN: z.string().min(16, 'ADMIN_SETUP_TOKEN must be at least 16 characters').optional(),
  /** The built admin app served at /admin: a directory, "off", or unset for apps/admin/dist of this checkout. */
  ADMIN_UI_DIR: z.string().min(1).optional(),
  WIDGET_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).default(3600),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
  RATE_LIMIT_KEY_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  RATE_LIMIT_SESSION_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Cache keys, models and agents per process, invalidated by Postgres notifications (off: read every request). */
  TENANT_CACHE: ZBool.default(true),
  HISTORY_TOKEN_BUDGET: z.coerce.number().int().min(100).default(3000),
  /** Knowledge passages put in the prompt per turn. */
  RETRIEVAL_TOP_K: z.coerce.number().int().min(1).max(20).default(5),
  /** Passages found only by meaning (no word in common) need at least this cosine similarity. */
  RETRIEVAL_MIN_SIMILARITY: z.coerce.number().min(-1).max(1).default(0.3),
  /** Longest wait for the question's embedding before searching by full text alone (ms). */
  RETRIEVAL_EMBED_TIMEOUT_MS: z.coerce.number().int().min(50).default(3000),
  /** Follow-up questions: "heuristic" folds recent turns into the search (no model call); "model" asks the tenant's model to rewrite (bounded). */
  RETRIEVAL_REWRITE: z.enum(['heuristic', 'model']).default('heuristic'),
  RETRIEVAL_REWRITE_TIMEOUT_MS: z.coerce.number().int().min(50).default(1500),
  /** Behind a proxy, trust X-Forwarded-For for client IPs (number of hops, or false). */
  TRUST_PROXY: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of the BullMQ keys in Redis; the worker must use the same one. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('bb'),
  /** Largest file accepted by POST …/knowledge/files, and files per request. */
  KNOWLEDGE_MAX_FILE_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  KNOWLEDGE_MAX_FILES: z.coerce.number().int().min(1).max(100).default(10),
  /** Attempts per ingestion job and the first retry delay (doubling each time). */
  INGEST_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  INGEST_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
}).extend(ZSharedEmbeddingEnv.shape);
export type GatewayConfig = z.infer<typeof ZGatewayConfig>;

export class ConfigError extends Error {}

/** The embedding variables, also read by the CLI (kb search). */
export const ZEmbeddingEnv = ZGatewayConfig.pick({
  EMBEDDING_PROVIDER: true,
  EMBEDDING_MODEL: true,
  EMBEDDING_BASE_URL: true,
  EMBEDDING_API_KEY: true,
  EMBEDDING_DIMENSIONS: true,
  OLLAMA_BASE_URL: true,
  OPENAI_BASE_URL: true,
  OPENAI_API_KEY: true,
});
export type EmbeddingEnv = z.infer<typeof ZEmbeddingEnv>;

/** The deployment's default embedding model, for tenants without an embedding config of their own (same rules as the worker). */
export function embeddingDefaults(env: EmbeddingEnv): EmbeddingDefaults {
  return embeddingDefaultsFromEnv(env, { ollamaBaseUrl: env.OLLAMA_BASE_URL, openaiBaseUrl: env.OPENAI_BASE_URL, openaiApiKey: env.OPENAI_API_KEY });
}

export function parseConfig(env: Record<string, string | undefined>): GatewayConfig {
  // An empty value (OPENAI_API_KEY= in .env) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ZGatewayConfig.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid gateway environment:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.LLM_PROVIDER === 'openai' && !config.OPENAI_API_KEY) {
    throw new ConfigError('Invalid gateway environment:\n  OPENAI_API_KEY: required when LLM_PROVIDER=openai');
  }
  return config;
}
