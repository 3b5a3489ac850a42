import { SecretBox } from '@babble-buddy/db';
import { z } from 'zod';
import { ConfigError } from '../config/config.schema';

/**
 * The CLI's environment: the only place it reads process.env. Only what commands need: the
 * database, and the encryption key for commands that store secrets. No Redis, no JWT secret.
 */
const ZCliEnv = z.object({
  DATABASE_URL: z
    .string({ error: 'required (e.g. postgresql://user@127.0.0.1:5432/babble_buddy)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  /** Checked only by commands that encrypt (tenant set-llm --api-key). */
  ENCRYPTION_KEY: z.string().optional(),
});

export interface CliConfig {
  databaseUrl: string;
  /** AES-256-GCM box from ENCRYPTION_KEY; throws ConfigError when it is missing or malformed. */
  secretBox(): SecretBox;
}

export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const result = ZCliEnv.safeParse({ DATABASE_URL: env.DATABASE_URL || undefined, ENCRYPTION_KEY: env.ENCRYPTION_KEY || undefined });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${issue?.path.join('.') || 'environment'}: ${issue?.message ?? 'invalid'}`);
  }
  const { DATABASE_URL, ENCRYPTION_KEY } = result.data;
  let box: SecretBox | undefined;
  return {
    databaseUrl: DATABASE_URL,
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
