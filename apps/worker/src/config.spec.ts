import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddingDefaultsFromEnv } from '@babble-buddy/shared';
import { parseWorkerConfig } from './config';

/** .env.example as up.sh turns it into .env: secrets filled in, everything else as written. */
function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(join(__dirname, '..', '..', '..', '.env.example'), 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match?.[1]) env[match[1]] = match[2] ?? '';
  }
  return { ...env, ENCRYPTION_KEY: 'ab'.repeat(32), JWT_SECRET: 'x'.repeat(40) };
}

describe('worker config', () => {
  it('accepts .env.example, with the embedding default the gateway reads too', () => {
    const config = parseWorkerConfig(exampleEnv());
    expect(config).toMatchObject({ WORKER_CONCURRENCY: 2, CHUNK_TOKENS: 400, QUEUE_PREFIX: 'bb', EMBEDDING_PROVIDER: 'ollama', WORKER_DATABASE_POOL_SIZE: 5 });
    expect(config.CRAWL_USER_AGENT).toMatch(/^BabbleBuddyBot\//);
    expect(embeddingDefaultsFromEnv(config, { ollamaBaseUrl: config.OLLAMA_BASE_URL, openaiBaseUrl: config.OPENAI_BASE_URL })).toMatchObject({
      provider: 'ollama',
      model: 'nomic-embed-text',
      baseUrl: 'http://127.0.0.1:11434',
    });
  });

  it('names every wrong variable', () => {
    expect(() => parseWorkerConfig({ DATABASE_URL: 'mysql://x', REDIS_URL: 'redis://x', WORKER_CONCURRENCY: '0', EMBEDDING_PROVIDER: 'cohere' })).toThrow(
      /DATABASE_URL: must be a postgresql:\/\/ URL[\s\S]*ENCRYPTION_KEY[\s\S]*WORKER_CONCURRENCY[\s\S]*EMBEDDING_PROVIDER/,
    );
  });
});
