import { Client } from 'pg';
import { createDbClient, createTestDatabase, migrate, readMigrations, SecretBox, seedDemo, type DbClient, type TestDatabase } from '../src';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

describe('migrations and schema', () => {
  let database: TestDatabase;
  let db: DbClient;

  beforeAll(async () => {
    database = await createTestDatabase(BASE_URL);
    db = createDbClient(database.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  it('records every migration in Prisma’s table with sha256 checksums, and re-running is a no-op', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    await client.end();
    const files = readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    expect(rows.map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);

    const again = await migrate(database.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toHaveLength(files.length);
  });

  it('round-trips every model through the generated client', async () => {
    const tenant = await db.tenant.create({ data: { name: 'Acme', slug: 'acme', settings: { a: 1 }, rateLimitPerMinute: 30 } });
    const user = await db.adminUser.create({ data: { email: 'a@acme.test', passwordHash: 'x', isPlatformOwner: true } });
    await db.membership.create({ data: { tenantId: tenant.id, userId: user.id, role: 'admin' } });
    const key = await db.apiKey.create({
      data: { tenantId: tenant.id, kind: 'publishable', prefix: 'pk_abc', hash: 'h1', allowedOrigins: ['https://a.test'], rateLimitPerMinute: 5 },
    });
    await db.llmConfig.create({
      data: { tenantId: tenant.id, provider: 'openai', model: 'gpt-4o-mini', baseUrl: 'http://x/v1', apiKeyEncrypted: 'v1.k', temperature: 0.2, maxTokens: 100, embeddingModel: 'e', inputPricePer1M: 0.15, outputPricePer1M: 0.6 },
    });
    const agent = await db.agent.create({ data: { tenantId: tenant.id, name: 'A', systemPrompt: 'p', isDefault: true, enabledTools: ['t'] } });
    const conversation = await db.conversation.create({
      data: { tenantId: tenant.id, agentId: agent.id, sessionKey: 's1', hostContext: { page: '/' }, origin: 'https://a.test' },
    });
    const message = await db.message.create({
      data: { tenantId: tenant.id, conversationId: conversation.id, role: 'assistant', content: 'hi', status: 'failed', citations: [{ index: 1 }], error: { code: 'X' }, ttftMs: 3, clientMessageId: 'c1' },
    });
    await db.llmRequest.create({
      data: { tenantId: tenant.id, conversationId: conversation.id, messageId: message.id, provider: 'openai', model: 'gpt-4o-mini', status: 'ok', promptTokens: 10, completionTokens: 5, costUsd: '0.000123', latencyMs: 50, ttftMs: 5 },
    });
    await db.auditLog.create({ data: { tenantId: tenant.id, actorId: user.id, channel: 'api', action: 'key.create', target: key.id, details: { kind: 'publishable' } } });
    await db.widgetConfig.create({
      data: { tenantId: tenant.id, title: 'Help', greeting: 'Hi!', primaryColor: '#0a7c4a', position: 'bottom-left', theme: 'dark', logoUrl: 'https://a.test/logo.png', launcherIcon: 'logo', locale: 'he', sendOn: 'mod-enter', allowedOrigins: ['https://b.test'] },
    });

    const loaded = await db.tenant.findUniqueOrThrow({
      where: { id: tenant.id },
      include: { memberships: true, apiKeys: true, llmConfigs: true, agents: true, conversations: { include: { messages: true } }, llmRequests: true, auditLogs: true, widgetConfig: true },
    });
    expect(loaded.settings).toEqual({ a: 1 });
    expect(loaded.rateLimitPerMinute).toBe(30);
    expect(loaded.apiKeys[0]?.allowedOrigins).toEqual(['https://a.test']);
    expect(loaded.llmConfigs[0]?.inputPricePer1M).toBeCloseTo(0.15);
    expect(loaded.conversations[0]?.messages[0]?.status).toBe('failed');
    expect(loaded.conversations[0]?.hostContext).toEqual({ page: '/' });
    expect(loaded.llmRequests[0]?.costUsd?.toString()).toBe('0.000123');
    expect(loaded.auditLogs[0]?.details).toEqual({ kind: 'publishable' });
    expect(loaded.memberships[0]?.role).toBe('admin');
    expect(loaded.widgetConfig).toMatchObject({ primaryColor: '#0a7c4a', position: 'bottom-left', locale: 'he', sendOn: 'mod-enter', allowedOrigins: ['https://b.test'] });
    // The SQL checks refuse values the widget does not know, even from hand-written queries.
    await expect(db.widgetConfig.update({ where: { tenantId: tenant.id }, data: { position: 'top-left' } })).rejects.toThrow();
    await expect(db.widgetConfig.update({ where: { tenantId: tenant.id }, data: { primaryColor: 'red;}' } })).rejects.toThrow();

    // Deleting a tenant removes everything it owns.
    await db.tenant.delete({ where: { id: tenant.id } });
    expect(await db.message.count()).toBe(0);
    expect(await db.adminUser.count()).toBe(1);
  });

  it('seeds the demo tenant once and prints the same keys again', async () => {
    const keysFile = join(mkdtempSync(join(tmpdir(), 'bb-seed-')), 'keys.json');
    const first = await seedDemo(db, { allowedOrigins: ['http://localhost:5180'], keysFile });
    const second = await seedDemo(db, { allowedOrigins: ['http://localhost:5180'], keysFile });
    expect(first.createdKeys).toBe(true);
    expect(second.createdKeys).toBe(false);
    expect(second.publishableKey).toBe(first.publishableKey);
    expect(first.publishableKey).toMatch(/^pk_/);
    expect(first.secretKey).toMatch(/^sk_/);
    expect(JSON.parse(readFileSync(keysFile, 'utf8')).secretKey).toBe(first.secretKey);
    expect(await db.agent.count({ where: { tenantId: first.tenant.id, isDefault: true } })).toBe(1);
    expect((await db.widgetConfig.findUnique({ where: { tenantId: first.tenant.id } }))?.greeting).toMatch(/Buddy/);

    await db.apiKey.updateMany({ where: { tenantId: first.tenant.id }, data: { revokedAt: new Date() } });
    const third = await seedDemo(db, { allowedOrigins: ['http://localhost:5180'], keysFile });
    expect(third.createdKeys).toBe(true);
    expect(third.secretKey).not.toBe(first.secretKey);
  });
});

describe('SecretBox', () => {
  const key = 'a'.repeat(64);
  it('seals and opens, with a fresh IV each time and a key id for rotation', () => {
    const box = new SecretBox(key);
    const a = box.encrypt('sk-live-123');
    const b = box.encrypt('sk-live-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-live-123');
    expect(box.decrypt(a)).toBe('sk-live-123');
    expect(a.split('.')[1]).toBe(box.keyId);
  });
  it('refuses tampered ciphertext, another key, and malformed keys', () => {
    const box = new SecretBox(key);
    const sealed = box.encrypt('secret');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
    expect(() => new SecretBox('b'.repeat(64)).decrypt(sealed)).toThrow(/sealed with key/);
    expect(() => new SecretBox('short')).toThrow(/32 bytes/);
  });
});
