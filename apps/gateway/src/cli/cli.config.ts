import { SecretBox, type EmbeddingDefaults } from '@babble-buddy/db';
import { z } from 'zod';
import { ConfigError, embeddingDefaults, ZEmbeddingEnv } from '../config/config.schema';

/**
 * The CLI's environment: the only place it reads process.env. Only what commands need: the
 * database, the encryption key for commands that store secrets, and the default embedding model
 * (the gateway's EMBEDDING_* variables) for `kb search`. No Redis, no JWT secret.
 */
const ZCliEnv = z.object({
  DATABASE_URL: z
    .string({ error: 'required (e.g. postgresql://user@127.0.0.1:5432/babble_buddy)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  /** Checked only by commands that encrypt (tenant set-llm --api-key). */
  ENCRYPTION_KEY: z.string().optional(),
  /** Only `kb add` (it queues jobs for the worker and follows their progress). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('bb'),
  INGEST_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  INGEST_BACKOFF_MS: z.coerce.number().int().min(0).default(2000),
  KNOWLEDGE_MAX_FILE_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
});

export interface CliConfig {
  databaseUrl: string;
  knowledge: { queuePrefix: string; attempts: number; backoffMs: number; maxFileBytes: number };
  /** REDIS_URL; throws ConfigError when it is missing. */
  redisUrl(): string;
  /** The deployment's default embedding model (EMBEDDING_*), as the gateway reads it. */
  embeddingDefaults(): EmbeddingDefaults;
  /** The box when ENCRYPTION_KEY is set (to use tenants' stored embedding API keys), else null. */
  optionalSecretBox(): SecretBox | null;
  /** AES-256-GCM box from ENCRYPTION_KEY; throws ConfigError when it is missing or malformed. */
  secretBox(): SecretBox;
}

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const pick = (name: string) => env[name] || undefined;
  const result = ZCliEnv.safeParse({
    DATABASE_URL: pick('DATABASE_URL'),
    ENCRYPTION_KEY: pick('ENCRYPTION_KEY'),
    REDIS_URL: pick('REDIS_URL'),
    QUEUE_PREFIX: pick('QUEUE_PREFIX'),
    INGEST_ATTEMPTS: pick('INGEST_ATTEMPTS'),
    INGEST_BACKOFF_MS: pick('INGEST_BACKOFF_MS'),
    KNOWLEDGE_MAX_FILE_BYTES: pick('KNOWLEDGE_MAX_FILE_BYTES'),
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${issue?.path.join('.') || 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  const { DATABASE_URL, ENCRYPTION_KEY, REDIS_URL } = result.data;
  let box: SecretBox | undefined;
  return {
    databaseUrl: DATABASE_URL,
    knowledge: { queuePrefix: result.data.QUEUE_PREFIX, attempts: result.data.INGEST_ATTEMPTS, backoffMs: result.data.INGEST_BACKOFF_MS, maxFileBytes: result.data.KNOWLEDGE_MAX_FILE_BYTES },
    redisUrl() {
      if (!REDIS_URL) throw new ConfigError('REDIS_URL: required to queue knowledge sources for the worker (the gateway and worker use the same one)');
      return REDIS_URL;
      },
    embeddingDefaults() {
      const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
      const parsed = ZEmbeddingEnv.safeParse(present);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(`${issue?.path.join('.') || 'environment'}: ${issue?.message ?? 'invalid'}`);
      }
      return embeddingDefaults(parsed.data);
    },
    optionalSecretBox() {
      return ENCRYPTION_KEY ? this.secretBox() : null;
    },
    secretBox() {
      if (!ENCRYPTION_KEY) throw new ConfigError('ENCRYPTION_KEY: required to store provider API keys (the gateway must use the same value)');
      try {
        box ??= new SecretBox(ENCRYPTION_KEY);
      } catch (error) {
        throw new ConfigError(`ENCRYPTION_KEY: ${(error as Error).message}`);
      }
      return box;
    },
  };
}
