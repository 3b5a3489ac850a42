import type { AddressInfo } from 'node:net';
import { createDbClient, createTestDatabase, generateApiKey, type DbClient, type TestDatabase } from '@babble-buddy/db';
import { startFakeLlm, type FakeLlm } from '@babble-buddy/testing';
import { createGatewayApp } from '../src/app.factory';
import { parseConfig, type GatewayConfig } from '../src/config/config.schema';
import type { NestExpressApplication } from '@nestjs/platform-express';
import pino from 'pino';
import { TenantCache } from '../src/infra/tenant-cache';

export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestGateway {
  url: string;
  app: NestExpressApplication;
  db: DbClient;
  fake: FakeLlm;
  config: GatewayConfig;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Boots the real gateway (same factory as main.ts) on a fresh database, real Redis and a fake LLM over HTTP. */
export async function startTestGateway(options: { env?: Record<string, string>; fake?: FakeLlm } = {}): Promise<TestGateway> {
  const database = await createTestDatabase(BASE_DATABASE_URL);
  const ownFake = !options.fake;
  const fake = options.fake ?? (await startFakeLlm());
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: '0',
    LLM_PROVIDER: 'ollama',
    OLLAMA_BASE_URL: fake.url,
    OLLAMA_MODEL: 'llama3.2:1b',
    LLM_FALLBACK: 'false',
    ENCRYPTION_KEY: 'ab'.repeat(32),
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const { app } = await createGatewayApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const db = createDbClient(database.url, { poolSize: 2 });
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    fake,
    config,
    database,
    async close() {
      await app.close();
      await db.$disconnect();
      if (ownFake) await fake.close();
      await database.drop();
    },
  };
}

export interface TestTenant {
  tenantId: string;
  publishableKey: string;
  secretKey: string;
  publishableKeyId: string;
  secretKeyId: string;
}

/** A tenant with a key pair, written straight to the database. */
export async function createTenant(
  db: DbClient,
  name: string,
  options: { allowedOrigins?: string[]; rateLimitPerMinute?: number; systemPrompt?: string } = {},
): Promise<TestTenant> {
  const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
  const tenant = await db.tenant.create({ data: { name, slug } });
  const pk = generateApiKey('publishable');
  const sk = generateApiKey('secret');
  const [publishable, secret] = await Promise.all([
    db.apiKey.create({ data: { tenantId: tenant.id, kind: 'publishable', prefix: pk.prefix, hash: pk.hash, allowedOrigins: options.allowedOrigins ?? ['https://app.example.com'], rateLimitPerMinute: options.rateLimitPerMinute ?? null } }),
    db.apiKey.create({ data: { tenantId: tenant.id, kind: 'secret', prefix: sk.prefix, hash: sk.hash, rateLimitPerMinute: options.rateLimitPerMinute ?? null } }),
  ]);
  await db.agent.create({ data: { tenantId: tenant.id, name: 'Default', isDefault: true, systemPrompt: options.systemPrompt ?? `You are the assistant of ${name}.` } });
  return { tenantId: tenant.id, publishableKey: pk.key, secretKey: sk.key, publishableKeyId: publishable.id, secretKeyId: secret.id };
}

export async function json<T = unknown>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A TenantCache outside Nest (for services built by hand in tests); `listening` subscribes to Postgres. */
export async function startTenantCache(databaseUrl: string, listening: boolean): Promise<TenantCache> {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    ENCRYPTION_KEY: 'ab'.repeat(32),
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    TENANT_CACHE: String(listening),
  });
  const cache = new TenantCache(config, pino({ level: 'silent' }));
  await cache.onModuleInit();
  return cache;
}

/** Retries `check` until it passes (for effects that arrive asynchronously, e.g. Postgres notifications). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
