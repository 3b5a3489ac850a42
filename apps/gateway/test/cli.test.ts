import { createDbClient, createTestDatabase, hashApiKey, SecretBox, type DbClient, type TestDatabase } from '@babble-buddy/db';
import { ZAgent, ZApiKey, ZCreatedKey, ZCreateTenantResponse, ZLlmConfig, ZTenant, ZWidgetConfig } from '@babble-buddy/shared';
import { AdminUsersService } from '../src/admin/admin-users.service';
import { AuditService } from '../src/admin/audit.service';
import { ApiKeysService } from '../src/auth/api-keys.service';
import { seedKnowledgeSource, startFakeLlm, type FakeLlm } from '@babble-buddy/testing';
import { ZKnowledgeSearchResponse } from '@babble-buddy/shared';
import { ensureBuilt, runCli, type RunResult } from './cli.fixtures';
import { BASE_DATABASE_URL, eventually, startTenantCache } from './harness';

/** The operator CLI as operators run it: the built `dist/cli/main.js` in a child process. */
const ENCRYPTION_KEY = 'cd'.repeat(32);

let database: TestDatabase;
let db: DbClient;

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCli(args, { DATABASE_URL: database.url, ...env });
}

async function runJson<T = any>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const result = await run([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`bb ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  ensureBuilt();
  database = await createTestDatabase(BASE_DATABASE_URL);
  db = createDbClient(database.url, { poolSize: 2 });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

describe('tenant create', () => {
  it('prints exactly { tenant, publishableKey, secretKey } with keys that work', async () => {
    const output = await runJson(['tenant', 'create', '--name', 'Cli Corp', '--origin', 'https://cli.example.com', '--origin', 'http://localhost:5173']);
    expect(Object.keys(output)).toEqual(['tenant', 'publishableKey', 'secretKey']);
    const created = ZCreateTenantResponse.parse(output);
    expect(created.tenant).toMatchObject({ name: 'Cli Corp', slug: 'cli-corp', status: 'active' });

    const keys = await db.apiKey.findMany({ where: { tenantId: created.tenant.id } });
    expect(keys.map((k) => k.hash).sort()).toEqual([hashApiKey(created.publishableKey), hashApiKey(created.secretKey)].sort());
    expect(keys.find((k) => k.kind === 'publishable')?.allowedOrigins).toEqual(['https://cli.example.com', 'http://localhost:5173']);
    const verifier = new ApiKeysService(db, await startTenantCache(database.url, false));
    await expect(verifier.verify(created.secretKey, 'secret')).resolves.toMatchObject({ tenant: { id: created.tenant.id } });
    await expect(verifier.verify(created.publishableKey, 'publishable')).resolves.toMatchObject({ tenant: { id: created.tenant.id } });

    expect(await db.agent.findMany({ where: { tenantId: created.tenant.id } })).toEqual([expect.objectContaining({ isDefault: true })]);
    const audit = await db.auditLog.findFirst({ where: { tenantId: created.tenant.id, action: 'tenant.create' } });
    expect(audit).toMatchObject({ channel: 'cli', actorId: null, target: created.tenant.id });
    expect(JSON.stringify(audit?.details)).not.toContain(created.secretKey);
  });

  it('prints the keys for people, lists tenants as a table and as JSON', async () => {
    const human = await run(['tenant', 'create', '--name', 'People Co', '--slug', 'people']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/publishable key: pk_\S+/);
    expect(human.stdout).toMatch(/secret key: +sk_\S+/);

    const table = await run(['tenant', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +SLUG +NAME +STATUS/);
    expect(table.stdout).toMatch(/people +People Co +active/);
    const list = ZTenant.array().parse(await runJson(['tenant', 'list']));
    expect(list.map((t) => t.slug)).toEqual(expect.arrayContaining(['cli-corp', 'people']));

    const taken = await run(['tenant', 'create', '--name', 'Again', '--slug', 'people']);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toMatch(/^error: .*already taken\n$/);
  });
});

describe('keys', () => {
  it('creates a publishable key with origins, rate limit, expiry and name', async () => {
    const created = ZCreatedKey.parse(
      await runJson(['key', 'create', '--tenant', 'people', '--kind', 'publishable', '--origin', 'https://shop.example.com', '--origin', 'https://www.shop.example.com', '--rate-limit', '25', '--expires', '2031-06-30', '--name', 'shop']),
    );
    expect(created.secret).toMatch(/^pk_/);
    expect(created.key).toMatchObject({ kind: 'publishable', name: 'shop', allowedOrigins: ['https://shop.example.com', 'https://www.shop.example.com'], rateLimitPerMinute: 25, expiresAt: '2031-06-30T00:00:00.000Z' });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: created.key.id } });
    expect(row).toMatchObject({ hash: hashApiKey(created.secret), rateLimitPerMinute: 25, allowedOrigins: ['https://shop.example.com', 'https://www.shop.example.com'] });
    expect(await db.auditLog.count({ where: { action: 'key.create', target: created.key.id, channel: 'cli' } })).toBe(1);

    const listed = ZApiKey.array().parse(await runJson(['key', 'list', '--tenant', 'people']));
    expect(listed.map((k) => k.id)).toContain(created.key.id);
    const table = await run(['key', 'list', '--tenant', row.tenantId]);
    expect(table.stdout).toContain(created.key.id);
    expect(table.stdout).toMatch(/https:\/\/shop\.example\.com,https:\/\/www\.shop\.example\.com +25/);
    for (const text of [table.stdout, JSON.stringify(listed)]) {
      expect(text).not.toContain(row.hash);
      expect(text).not.toContain(created.secret);
    }
  });

  it('revokes a key so it no longer authenticates', async () => {
    const created = ZCreatedKey.parse(await runJson(['key', 'create', '--tenant', 'people', '--kind', 'secret']));
    // A gateway's cache holds the key; the CLI's revoke (another process, SQL only) reaches it through Postgres.
    const cache = await startTenantCache(database.url, true);
    const verifier = new ApiKeysService(db, cache);
    await expect(verifier.verify(created.secret, 'secret')).resolves.toBeDefined();
    await expect(verifier.verify(created.secret, 'secret')).resolves.toBeDefined();

    const result = await run(['key', 'revoke', created.key.id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Revoked secret key ${created.key.id}`);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: created.key.id } })).revokedAt).not.toBeNull();
    await eventually(() => expect(verifier.verify(created.secret, 'secret')).rejects.toMatchObject({ code: 'KEY_REVOKED' }));
    await cache.onApplicationShutdown();
    expect(await db.auditLog.findFirst({ where: { action: 'key.revoke', target: created.key.id } })).toMatchObject({ channel: 'cli' });
  });
});

describe('tenant set-llm and set-prompt', () => {
  it('stores the provider API key encrypted, and needs ENCRYPTION_KEY to do so', async () => {
    const args = ['tenant', 'set-llm', '--tenant', 'people', '--provider', 'openai', '--model', 'gpt-4o-mini', '--base-url', 'https://llm.example.com/v1', '--api-key', 'sk-provider-secret-42', '--temperature', '0.4', '--max-tokens', '800'];
    const refused = await run(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: ENCRYPTION_KEY: .+\n$/);
    const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'people' } });
    expect(await db.llmConfig.count({ where: { tenantId: tenant.id } })).toBe(0);

    const config = ZLlmConfig.parse(await runJson(args, { ENCRYPTION_KEY }));
    expect(config).toMatchObject({ priority: 0, provider: 'openai', model: 'gpt-4o-mini', baseUrl: 'https://llm.example.com/v1', hasApiKey: true, temperature: 0.4, maxTokens: 800 });
    const row = await db.llmConfig.findUniqueOrThrow({ where: { id: config.id } });
    expect(row.apiKeyEncrypted).not.toContain('sk-provider-secret-42');
    expect(new SecretBox(ENCRYPTION_KEY).decrypt(row.apiKeyEncrypted ?? '')).toBe('sk-provider-secret-42');
    const audit = await db.auditLog.findFirst({ where: { action: 'llm.create', target: config.id } });
    expect(audit).toMatchObject({ channel: 'cli' });
    expect(JSON.stringify(audit?.details)).not.toContain('sk-provider-secret-42');

    // A fallback without a key needs no ENCRYPTION_KEY; the primary keeps its key.
    const fallback = await run(['tenant', 'set-llm', '--tenant', tenant.id, '--provider', 'ollama', '--model', 'llama3.2:1b', '--priority', '1']);
    expect(fallback.code).toBe(0);
    expect((await db.llmConfig.findMany({ where: { tenantId: tenant.id }, orderBy: { priority: 'asc' } })).map((c) => [c.priority, c.provider, c.apiKeyEncrypted !== null])).toEqual([
      [0, 'openai', true],
      [1, 'ollama', false],
    ]);
  });

  it("sets the default agent's prompt, creating the agent when there is none", async () => {
    const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'people' } });
    const agent = ZAgent.parse(await runJson(['tenant', 'set-prompt', '--tenant', 'people', '--prompt', 'You answer for People Co. Be brief.']));
    expect(agent).toMatchObject({ tenantId: tenant.id, isDefault: true, systemPrompt: 'You answer for People Co. Be brief.' });
    expect(await db.agent.count({ where: { tenantId: tenant.id } })).toBe(1);

    const bare = await db.tenant.create({ data: { name: 'Bare', slug: 'bare' } });
    const result = await run(['tenant', 'set-prompt', '--tenant', 'bare', '--prompt', 'Hello from Bare.']);
    expect(result.code).toBe(0);
    expect(await db.agent.findMany({ where: { tenantId: bare.id } })).toEqual([expect.objectContaining({ isDefault: true, systemPrompt: 'Hello from Bare.' })]);
  });
});

describe('admin create', () => {
  it('creates a platform owner, and a tenant member with a role', async () => {
    const users = new AdminUsersService(db, new AuditService(db));
    const owner = await run(['admin', 'create', '--email', 'Root@Example.com', '--password', 'root-password-1', '--name', 'Root']);
    expect(owner.code).toBe(0);
    await expect(users.authenticate('root@example.com', 'root-password-1')).resolves.toMatchObject({ isPlatformOwner: true, name: 'Root', memberships: [] });
    const stored = await db.adminUser.findUniqueOrThrow({ where: { email: 'root@example.com' } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);

    const tenant = await db.tenant.findUniqueOrThrow({ where: { slug: 'people' } });
    const member = await run(['admin', 'create', '--email', 'ops@example.com', '--password', 'ops-password-1', '--tenant', 'people', '--role', 'admin']);
    expect(member.code).toBe(0);
    await expect(users.authenticate('ops@example.com', 'ops-password-1')).resolves.toMatchObject({ isPlatformOwner: false, memberships: [{ tenantId: tenant.id, role: 'admin' }] });
    expect(await db.auditLog.findMany({ where: { action: { in: ['admin.create', 'member.add'] } } })).toHaveLength(2);

    const again = await run(['admin', 'create', '--email', 'root@example.com', '--password', 'root-password-2']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/^error: .*already exists\n$/);
  });
});

describe('widget get and set', () => {
  it('sets only what is given, edits the tenant-wide origins, restores defaults with "", and prints it all', async () => {
    const created = ZCreateTenantResponse.parse(await runJson(['tenant', 'create', '--name', 'Widget Works', '--origin', 'https://works.example']));
    const set = ZWidgetConfig.parse(
      await runJson(['widget', 'set', '--tenant', 'widget-works', '--color', '#0A7C4A', '--greeting', 'Hi there', '--position', 'bottom-left', '--send-on', 'mod-enter', '--add-origin', 'https://blog.works.example', '--add-origin', 'https://help.works.example']),
    );
    expect(set).toMatchObject({ tenantId: created.tenant.id, primaryColor: '#0a7c4a', greeting: 'Hi there', position: 'bottom-left', sendOn: 'mod-enter', theme: 'auto', allowedOrigins: ['https://blog.works.example', 'https://help.works.example'] });

    const edited = ZWidgetConfig.parse(await runJson(['widget', 'set', '--tenant', created.tenant.id, '--remove-origin', 'https://blog.works.example', '--greeting', '']));
    expect(edited).toMatchObject({ greeting: null, primaryColor: '#0a7c4a', allowedOrigins: ['https://help.works.example'] });

    const shown = await run(['widget', 'get', '--tenant', 'widget-works']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('widget-works: widget');
    expect(shown.stdout).toMatch(/color +#0a7c4a/);
    expect(shown.stdout).toMatch(/origins +https:\/\/help\.works\.example/);
    expect(shown.stdout).toMatch(/send on +mod-enter/);

    const audit = await db.auditLog.findMany({ where: { tenantId: created.tenant.id, action: 'widget.update' }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((row) => [row.channel, row.details])).toEqual([
      ['cli', expect.objectContaining({ originsAdded: ['https://blog.works.example', 'https://help.works.example'] })],
      ['cli', expect.objectContaining({ originsRemoved: ['https://blog.works.example'], changes: { greeting: { from: 'Hi there', to: null } } })],
    ]);
  });

  it.each([
    [['--position', 'top-left'], /--position: /],
    [['--color', 'red'], /--color: /],
    [['--add-origin', 'https://x.example/path'], /--add-origin: /],
    [['--origin', 'https://a.example', '--clear-origins'], /--origin: /],
    [[], /nothing to change/],
  ])('refuses %j with one line and exit code 2, changing nothing', async (args, message) => {
    const before = await db.widgetConfig.findMany({ orderBy: { tenantId: 'asc' } });
    const result = await run(['widget', 'set', '--tenant', 'widget-works', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    expect(await db.widgetConfig.findMany({ orderBy: { tenantId: 'asc' } })).toEqual(before);
  });
});

describe('bad arguments', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['tenant', 'explode'], /unknown command 'explode'/],
    ['unknown option', ['tenant', 'list', '--colour'], /unknown option '--colour'/],
    ['invalid origin', ['key', 'create', '--tenant', 'people', '--kind', 'publishable', '--origin', 'not a url'], /--origin: an origin like/],
    ['origin with a path', ['tenant', 'create', '--name', 'Paths', '--origin', 'https://x.example.com/app'], /--origin:/],
    ['origins on a secret key', ['key', 'create', '--tenant', 'people', '--kind', 'secret', '--origin', 'https://x.example.com'], /--origin: .*publishable/],
    ['bad kind', ['key', 'create', '--tenant', 'people', '--kind', 'master'], /--kind: /],
    ['missing tenant option', ['key', 'create', '--kind', 'secret'], /required option '--tenant/],
    ['unknown tenant', ['key', 'list', '--tenant', 'no-such-tenant'], /No tenant with slug no-such-tenant/],
    ['bad rate limit', ['key', 'create', '--tenant', 'people', '--kind', 'secret', '--rate-limit', 'fast'], /--rate-limit/],
    ['zero rate limit', ['key', 'create', '--tenant', 'people', '--kind', 'secret', '--rate-limit', '0'], /--rate-limit: /],
    ['bad expiry', ['key', 'create', '--tenant', 'people', '--kind', 'secret', '--expires', 'tomorrow'], /--expires: /],
    ['past expiry', ['key', 'create', '--tenant', 'people', '--kind', 'secret', '--expires', '2001-01-01'], /expiresAt: must be in the future/],
    ['bad provider', ['tenant', 'set-llm', '--tenant', 'people', '--provider', 'skynet', '--model', 'x'], /--provider: /],
    ['bad base URL', ['tenant', 'set-llm', '--tenant', 'people', '--provider', 'ollama', '--model', 'x', '--base-url', 'localhost'], /--base-url: /],
    ['priority out of range', ['tenant', 'set-llm', '--tenant', 'people', '--provider', 'ollama', '--model', 'x', '--priority', '10'], /--priority: /],
    ['bad key id', ['key', 'revoke', 'abc'], /KEY_ID: /],
    ['short password', ['admin', 'create', '--email', 'x@example.com', '--password', 'short'], /--password: /],
    ['bad e-mail', ['admin', 'create', '--email', 'nobody', '--password', 'long-enough-1'], /--email: /],
    ['role without tenant', ['admin', 'create', '--email', 'x@example.com', '--password', 'long-enough-1', '--role', 'admin'], /--role: /],
  ];

  it.each(cases)('%s: one line on stderr, exit code 2, nothing written', async (_name, args, message) => {
    const before = await Promise.all([db.tenant.count(), db.apiKey.count(), db.llmConfig.count(), db.adminUser.count(), db.auditLog.count()]);
    const result = await run(args, { ENCRYPTION_KEY });
    expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(await Promise.all([db.tenant.count(), db.apiKey.count(), db.llmConfig.count(), db.adminUser.count(), db.auditLog.count()])).toEqual(before);
  });

  it('exits 2 without DATABASE_URL and 1 when the database is unreachable', async () => {
    const missing = await run(['tenant', 'list'], { DATABASE_URL: undefined });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: DATABASE_URL: [^\n]+\n$/);
    const unreachable = await run(['tenant', 'list'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nothing' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: database: Can't reach database server[^\n]*\n$/);
  });

  it('prints help with exit code 0', async () => {
    const help = await run(['key', 'create', '--help'], { DATABASE_URL: undefined });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--rate-limit <n>');
  });
});

describe('kb search', () => {
  let fake: FakeLlm;
  let tenantId: string;
  let refunds: string;

  beforeAll(async () => {
    fake = await startFakeLlm();
    tenantId = (await db.tenant.create({ data: { name: 'Knowledge Co', slug: 'knowledge-co' } })).id;
    const exec = (sql: string, values: unknown[]) => db.$executeRawUnsafe(sql, ...values);
    refunds = (await seedKnowledgeSource(exec, { tenantId, title: 'Refund policy', chunks: [{ content: 'Refunds are issued within 14 days of purchase.', metadata: { page: 4 } }] })).sourceId;
    await seedKnowledgeSource(exec, { tenantId, title: 'Shipping', chunks: ['Standard shipping takes five business days.'] });
  });
  afterAll(() => fake.close());

  it('prints ranked results with scores, as JSON and as a table, embedding the query with the default model', async () => {
    const env = { OLLAMA_BASE_URL: fake.url };
    const result = ZKnowledgeSearchResponse.parse(await runJson(['kb', 'search', '--tenant', 'knowledge-co', 'How long do refunds take?', '--k', '1'], env));
    expect(result).toMatchObject({ mode: 'hybrid', embeddingModel: 'ollama:nomic-embed-text', notice: null });
    expect(result.results).toEqual([expect.objectContaining({ rank: 1, page: 4, source: { id: refunds, title: 'Refund policy', url: null }, scores: expect.objectContaining({ vectorRank: 1, textRank: 1 }) })]);
    expect(fake.requests.filter((r) => r.path === '/api/embed')).toHaveLength(1);

    const table = await run(['kb', 'search', '--tenant', tenantId, 'refunds'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^knowledge-co: 2 results for "refunds" — vector \(ollama:nomic-embed-text\) \+ full text/);
    expect(table.stdout).toMatch(/\n# +FUSED +VEC +SIM +TEXT +SOURCE +PAGE +CONTENT\n/);
    expect(table.stdout).toMatch(/1 +0\.\d{4} +1 +\S+ +1 +Refund policy +4 +Refunds are issued within 14 days of purchase\./);
  });

  it('searches by full text when the deployment has no embedding model', async () => {
    const result = ZKnowledgeSearchResponse.parse(await runJson(['kb', 'search', '--tenant', 'knowledge-co', 'shipping days'], { EMBEDDING_PROVIDER: 'none' }));
    expect(result.mode).toBe('text');
    expect(result.results[0]?.content).toBe('Standard shipping takes five business days.');
  });

  it('refuses bad arguments with exit code 2', async () => {
    for (const [args, message] of [
      [['kb', 'search', '--tenant', 'knowledge-co', 'x', '--k', '51'], /^error: --k: /],
      [['kb', 'search', '--tenant', 'knowledge-co', '   '], /^error: QUERY: query is empty/],
      [['kb', 'search', '--tenant', 'knowledge-co', 'x', '--agent', 'nope'], /^error: --agent: /],
      [['kb', 'search', '--tenant', 'no-such-tenant', 'x'], /^error: /],
    ] as const) {
      const result = await run([...args], { EMBEDDING_PROVIDER: 'none' });
      expect([args.join(' '), result.code]).toEqual([args.join(' '), 2]);
      expect(result.stderr).toMatch(message);
    }
  });
});
