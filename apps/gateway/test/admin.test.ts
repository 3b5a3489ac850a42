import { createServer } from 'node:net';
import { hashApiKey, SecretBox } from '@babble-buddy/db';
import {
  ZAgent,
  ZApiKey,
  ZCreatedKey,
  ZCreateTenantResponse,
  ZLlmConfig,
  ZLlmTestResult,
  ZLoginResponse,
  ZMember,
  ZTenant,
} from '@babble-buddy/shared';
import { ApiKeysService } from '../src/auth/api-keys.service';
import { createTenant, eventually, startTenantCache, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { MAX_FAILURES_PER_ACCOUNT_AND_IP } from '../src/admin/login.service';
import { adminApi, createAdminUser, login, seedConversation, snapshotTenant, type AdminApi } from './admin.fixtures';

const PASSWORD = 'correct horse battery staple';

let gw: TestGateway;
let owner: AdminApi;
let ownerId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  ownerId = await createAdminUser(gw.db, { email: 'root@example.com', password: PASSWORD, isPlatformOwner: true });
  owner = adminApi(gw.url, await login(gw.url, 'root@example.com', PASSWORD));
});

afterAll(async () => {
  await gw?.close();
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('admin auth', () => {
  it('logs in with the right password and records the login time', async () => {
    const userId = await createAdminUser(gw.db, { email: 'ann@example.com', password: PASSWORD });
    const result = await adminApi(gw.url)('POST', 'auth/login', { email: 'Ann@Example.com', password: PASSWORD });
    expect(result.status).toBe(200);
    const body = ZLoginResponse.parse(result.body);
    expect(body.user).toMatchObject({ id: userId, email: 'ann@example.com', isPlatformOwner: false, memberships: [] });
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect((await gw.db.adminUser.findUniqueOrThrow({ where: { id: userId } })).lastLoginAt).not.toBeNull();

    const me = await adminApi(gw.url, body.token)('GET', 'auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: userId, email: 'ann@example.com' });
  });

  it('answers a wrong password and an unknown e-mail alike with 401 INVALID_CREDENTIALS', async () => {
    // Failed sign-ins are counted in Redis across test runs: fresh addresses keep this test clear of the lockout.
    const run = Date.now().toString(36);
    await createAdminUser(gw.db, { email: `bob-${run}@example.com`, password: PASSWORD });
    const wrong = await adminApi(gw.url)('POST', 'auth/login', { email: `bob-${run}@example.com`, password: 'nope' });
    const unknown = await adminApi(gw.url)('POST', 'auth/login', { email: `nobody-${run}@example.com`, password: PASSWORD });
    for (const result of [wrong, unknown]) {
      expect(result.status).toBe(401);
      expect(result.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('locks an account out after repeated wrong passwords, with Retry-After', async () => {
    const email = `guessed-${Date.now()}@example.com`;
    await createAdminUser(gw.db, { email, password: PASSWORD });
    const attempt = (password: string) =>
      fetch(`${gw.url}/api/v1/admin/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i += 1) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const locked = await attempt(PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await locked.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Other accounts are unaffected.
    expect((await adminApi(gw.url)('POST', 'auth/login', { email: 'root@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('refuses unknown login fields, missing and bad tokens', async () => {
    const extra = await adminApi(gw.url)('POST', 'auth/login', { email: 'bob@example.com', password: 'x', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.error.code).toBe('VALIDATION_FAILED');
    expect((await adminApi(gw.url)('GET', 'tenants')).body.error.code).toBe('UNAUTHENTICATED');
    const bad = await adminApi(gw.url, 'not-a-token')('GET', 'auth/me');
    expect(bad.status).toBe(401);
  });
});

describe('tenants', () => {
  it('creates a tenant with a default agent and a working key pair, shown once', async () => {
    const result = await owner('POST', 'tenants', { name: 'Café Olé', allowedOrigins: ['https://cafe.example.com'] });
    expect(result.status).toBe(201);
    const body = ZCreateTenantResponse.parse(result.body);
    expect(body.tenant).toMatchObject({ name: 'Café Olé', slug: 'cafe-ole', status: 'active' });
    expect(body.publishableKey).toMatch(/^pk_/);
    expect(body.secretKey).toMatch(/^sk_/);

    const keys = await gw.db.apiKey.findMany({ where: { tenantId: body.tenant.id } });
    expect(keys.map((k) => k.hash).sort()).toEqual([hashApiKey(body.publishableKey), hashApiKey(body.secretKey)].sort());
    expect(keys.find((k) => k.kind === 'publishable')?.allowedOrigins).toEqual(['https://cafe.example.com']);
    const agents = await gw.db.agent.findMany({ where: { tenantId: body.tenant.id } });
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ isDefault: true });
    expect(agents[0]?.systemPrompt).toContain('Café Olé');

    // The full keys are never shown again.
    const listed = await owner('GET', `tenants/${body.tenant.id}/keys`);
    expect(JSON.stringify(listed.body)).not.toContain(body.secretKey);
    expect(JSON.stringify(listed.body)).not.toContain('hash');

    const audit = await gw.db.auditLog.findFirst({ where: { tenantId: body.tenant.id, action: 'tenant.create' } });
    expect(audit).toMatchObject({ channel: 'api', actorId: ownerId, target: body.tenant.id });
    expect(JSON.stringify(audit?.details)).not.toContain(body.secretKey);
  });

  it('derives a free slug from the name, and refuses a slug that is asked for and taken', async () => {
    const first = await owner('POST', 'tenants', { name: 'Acme Corp' });
    const second = await owner('POST', 'tenants', { name: 'Acme Corp' });
    expect(first.body.tenant.slug).toBe('acme-corp');
    expect(second.body.tenant.slug).toBe('acme-corp-2');
    const taken = await owner('POST', 'tenants', { name: 'Other', slug: 'acme-corp' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('CONFLICT');
    expect(await gw.db.tenant.count({ where: { name: 'Other' } })).toBe(0);
  });

  it('validates tenant input', async () => {
    const unknown = await owner('POST', 'tenants', { name: 'X Co', color: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    const origin = await owner('POST', 'tenants', { name: 'X Co', allowedOrigins: ['https://x.example.com/path'] });
    expect(origin.status).toBe(400);
    expect(origin.body.error.code).toBe('VALIDATION_FAILED');
    const badId = await owner('GET', 'tenants/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(await gw.db.tenant.count({ where: { name: 'X Co' } })).toBe(0);
  });

  it('lists all tenants for platform owners and only their own for members', async () => {
    const a = await createTenant(gw.db, 'List A');
    await createTenant(gw.db, 'List B');
    await createAdminUser(gw.db, { email: 'lister@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'viewer' }] });
    const member = adminApi(gw.url, await login(gw.url, 'lister@example.com', PASSWORD));

    const all = await owner('GET', 'tenants');
    expect(all.status).toBe(200);
    expect(ZTenant.array().parse(all.body).length).toBe(await gw.db.tenant.count());
    const mine = await member('GET', 'tenants');
    expect(mine.body.map((t: { id: string }) => t.id)).toEqual([a.tenantId]);
    const one = await member('GET', `tenants/${a.tenantId}`);
    expect(one.status).toBe(200);
    expect(ZTenant.parse(one.body).id).toBe(a.tenantId);
  });

  it('lets owners and admins rename, only platform owners suspend or delete', async () => {
    const t = await createTenant(gw.db, 'Patchable');
    await createAdminUser(gw.db, { email: 'patcher@example.com', password: PASSWORD, memberships: [{ tenantId: t.tenantId, role: 'owner' }] });
    const tenantOwner = adminApi(gw.url, await login(gw.url, 'patcher@example.com', PASSWORD));

    const renamed = await tenantOwner('PATCH', `tenants/${t.tenantId}`, { name: 'Patched', plan: 'pro' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Patched', plan: 'pro' });
    const suspend = await tenantOwner('PATCH', `tenants/${t.tenantId}`, { status: 'suspended' });
    expect(suspend.status).toBe(403);
    expect(suspend.body.error.code).toBe('FORBIDDEN');
    expect((await gw.db.tenant.findUniqueOrThrow({ where: { id: t.tenantId } })).status).toBe('active');
    const deleteByOwner = await tenantOwner('DELETE', `tenants/${t.tenantId}`);
    expect(deleteByOwner.status).toBe(403);

    const suspended = await owner('PATCH', `tenants/${t.tenantId}`, { status: 'suspended' });
    expect(suspended.body.status).toBe('suspended');
    const audit = await gw.db.auditLog.findMany({ where: { tenantId: t.tenantId, action: 'tenant.update' }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.details)).toEqual([
      { changes: { name: { from: 'Patchable', to: 'Patched' }, plan: { from: 'free', to: 'pro' } } },
      { changes: { status: { from: 'active', to: 'suspended' } } },
    ]);

    const deleted = await owner('DELETE', `tenants/${t.tenantId}`);
    expect(deleted.status).toBe(204);
    expect(await gw.db.tenant.count({ where: { id: t.tenantId } })).toBe(0);
    expect(await gw.db.apiKey.count({ where: { tenantId: t.tenantId } })).toBe(0);
    expect(await gw.db.auditLog.findFirst({ where: { action: 'tenant.delete', target: t.tenantId } })).toMatchObject({ tenantId: null, channel: 'api', actorId: ownerId });
    expect((await owner('GET', `tenants/${t.tenantId}`)).status).toBe(404);
  });

  it('answers 404 to platform owners naming a tenant that does not exist', async () => {
    const ghost = '00000000-0000-4000-8000-000000000001';
    const calls: [string, string, unknown?][] = [
      ['GET', ''],
      ['PATCH', '', { name: 'Ghost' }],
      ['DELETE', ''],
      ['GET', '/keys'],
      ['POST', '/keys', { kind: 'secret' }],
      ['GET', '/llm'],
      ['PUT', '/llm/0', { provider: 'ollama', model: 'x' }],
      ['GET', '/agents'],
      ['POST', '/agents', { name: 'A', systemPrompt: 'x' }],
      ['GET', '/members'],
      ['POST', '/members', { email: 'ghost@example.com', role: 'viewer', password: 'password-123' }],
    ];
    for (const [method, path, body] of calls) {
      const result = await owner(method, `tenants/${ghost}${path}`, body);
      expect({ method, path, status: result.status, code: result.body?.error?.code }).toEqual({ method, path, status: 404, code: 'NOT_FOUND' });
    }
    expect(await gw.db.adminUser.count({ where: { email: 'ghost@example.com' } })).toBe(0);
  });

  it('only lets platform owners create tenants', async () => {
    const t = await createTenant(gw.db, 'Creator');
    await createAdminUser(gw.db, { email: 'creator@example.com', password: PASSWORD, memberships: [{ tenantId: t.tenantId, role: 'owner' }] });
    const tenantOwner = adminApi(gw.url, await login(gw.url, 'creator@example.com', PASSWORD));
    const result = await tenantOwner('POST', 'tenants', { name: 'Sneaky' });
    expect(result.status).toBe(403);
    expect(await gw.db.tenant.count({ where: { name: 'Sneaky' } })).toBe(0);
  });
});

describe('keys', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await createTenant(gw.db, 'Keys');
  });

  it('creates a publishable key with origins, rate limit, expiry and name, and lists it without secrets', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const result = await owner('POST', `tenants/${t.tenantId}/keys`, {
      kind: 'publishable',
      name: 'Shop widget',
      allowedOrigins: ['https://shop.example.com', 'http://localhost:5173/'],
      rateLimitPerMinute: 42,
      expiresAt,
    });
    expect(result.status).toBe(201);
    const created = ZCreatedKey.parse(result.body);
    expect(created.secret).toMatch(/^pk_/);
    expect(created.key).toMatchObject({
      tenantId: t.tenantId,
      kind: 'publishable',
      name: 'Shop widget',
      allowedOrigins: ['https://shop.example.com', 'http://localhost:5173'],
      rateLimitPerMinute: 42,
      expiresAt,
      revokedAt: null,
    });
    expect(created.secret.startsWith(created.key.prefix)).toBe(true);
    const row = await gw.db.apiKey.findUniqueOrThrow({ where: { id: created.key.id } });
    expect(row.hash).toBe(hashApiKey(created.secret));

    const list = await owner('GET', `tenants/${t.tenantId}/keys`);
    expect(list.status).toBe(200);
    const keys = ZApiKey.array().parse(list.body);
    expect(keys.map((k) => k.id)).toContain(created.key.id);
    expect(JSON.stringify(list.body)).not.toContain(row.hash);
    expect(JSON.stringify(list.body)).not.toContain(created.secret);
    expect(await gw.db.auditLog.count({ where: { tenantId: t.tenantId, action: 'key.create', target: created.key.id, channel: 'api' } })).toBe(1);
  });

  it('rejects bad key requests with VALIDATION_FAILED', async () => {
    const before = await gw.db.apiKey.count({ where: { tenantId: t.tenantId } });
    const cases = [
      { kind: 'publishable', allowedOrigins: ['not a url'] },
      { kind: 'publishable', allowedOrigins: ['https://example.com/with/path'] },
      { kind: 'secret', allowedOrigins: ['https://example.com'] },
      { kind: 'master' },
      { kind: 'secret', rateLimitPerMinute: 0 },
      { kind: 'secret', expiresAt: '2001-01-01T00:00:00Z' },
      { kind: 'secret', extra: 1 },
    ];
    for (const body of cases) {
      const result = await owner('POST', `tenants/${t.tenantId}/keys`, body);
      expect({ body, status: result.status, code: result.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await gw.db.apiKey.count({ where: { tenantId: t.tenantId } })).toBe(before);
  });

  it('edits a key in place: name, origins, limit and expiry, with the same secret', async () => {
    const created = ZCreatedKey.parse((await owner('POST', `tenants/${t.tenantId}/keys`, { kind: 'publishable', name: 'Old', allowedOrigins: ['https://old.example.com'] })).body);
    const path = `tenants/${t.tenantId}/keys/${created.key.id}`;
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const updated = await owner('PATCH', path, { name: 'New', allowedOrigins: ['https://new.example.com/', 'http://localhost:5173'], rateLimitPerMinute: 9, expiresAt });
    expect(updated.status).toBe(200);
    expect(ZApiKey.parse(updated.body)).toMatchObject({ name: 'New', allowedOrigins: ['https://new.example.com', 'http://localhost:5173'], rateLimitPerMinute: 9, expiresAt, prefix: created.key.prefix });
    expect((await gw.db.apiKey.findUniqueOrThrow({ where: { id: created.key.id } })).hash).toBe(hashApiKey(created.secret));

    const cleared = await owner('PATCH', path, { rateLimitPerMinute: null, expiresAt: null });
    expect(cleared.body).toMatchObject({ name: 'New', rateLimitPerMinute: null, expiresAt: null, allowedOrigins: ['https://new.example.com', 'http://localhost:5173'] });
    const audit = await gw.db.auditLog.findMany({ where: { action: 'key.update', target: created.key.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.details)).toEqual([
      { prefix: created.key.prefix, changes: { name: { from: 'Old', to: 'New' }, rateLimitPerMinute: { from: null, to: 9 }, expiresAt: { from: null, to: expiresAt } }, allowedOrigins: ['https://new.example.com', 'http://localhost:5173'] },
      { prefix: created.key.prefix, changes: { rateLimitPerMinute: { from: 9, to: null }, expiresAt: { from: expiresAt, to: null } } },
    ]);

    for (const body of [{ allowedOrigins: ['https://x.example.com/path'] }, { expiresAt: '2001-01-01T00:00:00Z' }, { kind: 'secret' }, { rateLimitPerMinute: 0 }]) {
      const result = await owner('PATCH', path, body);
      expect({ body, status: result.status, code: result.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    const secretOrigins = await owner('PATCH', `tenants/${t.tenantId}/keys/${t.secretKeyId}`, { allowedOrigins: ['https://x.example.com'] });
    expect(secretOrigins.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'allowedOrigins' }] } });

    await owner('DELETE', path);
    const revoked = await owner('PATCH', path, { name: 'Zombie' });
    expect(revoked.status).toBe(409);
    expect((await gw.db.apiKey.findUniqueOrThrow({ where: { id: created.key.id } })).name).toBe('New');
  });

  it('revokes a key once; revoking again changes nothing', async () => {
    const revoked = await owner('DELETE', `tenants/${t.tenantId}/keys/${t.secretKeyId}`);
    expect(revoked.status).toBe(200);
    expect(ZApiKey.parse(revoked.body).revokedAt).not.toBeNull();
    const row = await gw.db.apiKey.findUniqueOrThrow({ where: { id: t.secretKeyId } });
    expect(row.revokedAt?.toISOString()).toBe(revoked.body.revokedAt);
    const again = await owner('DELETE', `tenants/${t.tenantId}/keys/${t.secretKeyId}`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    expect(await gw.db.auditLog.count({ where: { action: 'key.revoke', target: t.secretKeyId } })).toBe(1);
    const missing = await owner('DELETE', `tenants/${t.tenantId}/keys/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
  });
});

describe('llm config', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await createTenant(gw.db, 'Models');
  });

  it('stores the provider API key encrypted and never returns it', async () => {
    const apiKey = 'sk-proj-very-secret-provider-key';
    const put = await owner('PUT', `tenants/${t.tenantId}/llm/0`, { provider: 'openai', model: 'gpt-4o-mini', baseUrl: 'https://llm.example.com/v1', apiKey, temperature: 0.3 });
    expect(put.status).toBe(200);
    const config = ZLlmConfig.parse(put.body);
    expect(config).toMatchObject({ priority: 0, provider: 'openai', model: 'gpt-4o-mini', hasApiKey: true, temperature: 0.3, maxTokens: null, enabled: true });
    expect(JSON.stringify(put.body)).not.toContain(apiKey);
    expect(put.body).not.toHaveProperty('apiKey');

    const row = await gw.db.llmConfig.findUniqueOrThrow({ where: { id: config.id } });
    expect(row.apiKeyEncrypted).not.toBeNull();
    expect(row.apiKeyEncrypted).not.toContain(apiKey);
    expect(row.apiKeyEncrypted).not.toContain(Buffer.from(apiKey).toString('base64url'));
    const box = new SecretBox(gw.config.ENCRYPTION_KEY);
    expect(box.decrypt(row.apiKeyEncrypted ?? '')).toBe(apiKey);
    expect(row.apiKeyKeyId).toBe(box.keyId);

    const list = await owner('GET', `tenants/${t.tenantId}/llm`);
    expect(JSON.stringify(list.body)).not.toContain(apiKey);
    expect(JSON.stringify(list.body)).not.toContain(row.apiKeyEncrypted);
    const audit = await gw.db.auditLog.findMany({ where: { tenantId: t.tenantId, action: { startsWith: 'llm.' } } });
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(apiKey);

    // Omitting apiKey keeps it; null clears it.
    const kept = await owner('PUT', `tenants/${t.tenantId}/llm/0`, { provider: 'openai', model: 'gpt-4.1-mini' });
    expect(kept.body).toMatchObject({ model: 'gpt-4.1-mini', hasApiKey: true, temperature: null, baseUrl: null });
    expect((await gw.db.llmConfig.findUniqueOrThrow({ where: { id: config.id } })).apiKeyEncrypted).toBe(row.apiKeyEncrypted);
    const cleared = await owner('PUT', `tenants/${t.tenantId}/llm/0`, { provider: 'openai', model: 'gpt-4.1-mini', apiKey: null });
    expect(cleared.body.hasApiKey).toBe(false);
    expect((await gw.db.llmConfig.findUniqueOrThrow({ where: { id: config.id } })).apiKeyEncrypted).toBeNull();
    const updates = await gw.db.auditLog.findMany({ where: { tenantId: t.tenantId, action: 'llm.update' }, orderBy: { createdAt: 'asc' } });
    expect(updates.map((u) => (u.details as { apiKey: string }).apiKey)).toEqual(['kept', 'cleared']);
  });

  it('lists configs by priority, deletes one, and validates input', async () => {
    await owner('PUT', `tenants/${t.tenantId}/llm/2`, { provider: 'ollama', model: 'llama3.2:1b' });
    await owner('PUT', `tenants/${t.tenantId}/llm/1`, { provider: 'ollama', model: 'qwen2.5:0.5b', maxTokens: 512 });
    const list = await owner('GET', `tenants/${t.tenantId}/llm`);
    expect(ZLlmConfig.array().parse(list.body).map((c) => c.priority)).toEqual([0, 1, 2]);

    const removed = await owner('DELETE', `tenants/${t.tenantId}/llm/2`);
    expect(removed.status).toBe(204);
    expect(await gw.db.llmConfig.count({ where: { tenantId: t.tenantId } })).toBe(2);
    expect((await owner('DELETE', `tenants/${t.tenantId}/llm/2`)).status).toBe(404);

    for (const [priority, body] of [
      ['1', { provider: 'anthropic', model: 'claude' }],
      ['1', { provider: 'ollama', model: 'x', baseUrl: 'ftp://example.com' }],
      ['1', { provider: 'ollama', model: 'x', temperature: 5 }],
      ['1', { provider: 'ollama', model: 'x', secret: 'y' }],
      ['10', { provider: 'ollama', model: 'x' }],
      ['-1', { provider: 'ollama', model: 'x' }],
    ] as const) {
      const result = await owner('PUT', `tenants/${t.tenantId}/llm/${priority}`, body);
      expect({ body, status: result.status, code: result.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await gw.db.llmConfig.findUniqueOrThrow({ where: { tenantId_priority: { tenantId: t.tenantId, priority: 1 } } })).model).toBe('qwen2.5:0.5b');
  });

  it('tests the connection: connected to the fake, unreachable on a closed port', async () => {
    await owner('PUT', `tenants/${t.tenantId}/llm/3`, { provider: 'ollama', model: 'llama3.2:1b', baseUrl: gw.fake.url });
    const ok = await owner('POST', `tenants/${t.tenantId}/llm/3/test`);
    expect(ok.status).toBe(200);
    const connected = ZLlmTestResult.parse(ok.body);
    expect(connected.status).toBe('connected');
    expect(connected.models?.length).toBeGreaterThan(0);

    await owner('PUT', `tenants/${t.tenantId}/llm/4`, { provider: 'ollama', model: 'llama3.2:1b', baseUrl: `http://127.0.0.1:${await closedPort()}` });
    const down = await owner('POST', `tenants/${t.tenantId}/llm/4/test`);
    expect(down.status).toBe(200);
    expect(ZLlmTestResult.parse(down.body)).toMatchObject({ status: 'unreachable', error: expect.any(String) });

    expect((await owner('POST', `tenants/${t.tenantId}/llm/9/test`)).status).toBe(404);
  });

  it('sends the decrypted key when testing an OpenAI-compatible provider', async () => {
    await owner('PUT', `tenants/${t.tenantId}/llm/5`, { provider: 'openai', model: 'gpt-4o-mini', baseUrl: gw.fake.openaiUrl, apiKey: 'sk-upstream-123' });
    const result = await owner('POST', `tenants/${t.tenantId}/llm/5/test`);
    expect(result.body.status).toBe('connected');
    const seen = gw.fake.requests.filter((r) => r.path.endsWith('/models'));
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer sk-upstream-123');
  });
});

describe('model listing of unsaved settings', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await createTenant(gw.db, 'Listing');
  });

  it('lists the models of a provider not saved yet, with latency, and says whether the chosen model is served', async () => {
    const result = await owner('POST', `tenants/${t.tenantId}/llm/models`, { provider: 'ollama', baseUrl: gw.fake.url, model: 'llama3.2' });
    expect(result.status).toBe(200);
    const body = ZLlmTestResult.parse(result.body);
    expect(body).toMatchObject({ status: 'connected', modelAvailable: true });
    expect(body.models).toContain('llama3.2:latest');
    expect(body.latencyMs).toBeGreaterThanOrEqual(0);
    const missing = await owner('POST', `tenants/${t.tenantId}/llm/models`, { provider: 'ollama', baseUrl: gw.fake.url, model: 'no-such-model' });
    expect(missing.body).toMatchObject({ status: 'connected', modelAvailable: false });
    expect(await gw.db.llmConfig.count({ where: { tenantId: t.tenantId } })).toBe(0);
  });

  it('gives the exact error of a provider that does not answer', async () => {
    const down = await owner('POST', `tenants/${t.tenantId}/llm/models`, { provider: 'ollama', baseUrl: `http://127.0.0.1:${await closedPort()}` });
    expect(down.status).toBe(200);
    expect(ZLlmTestResult.parse(down.body)).toMatchObject({ status: 'unreachable', error: expect.stringMatching(/ECONNREFUSED|refused|connect/i) });
    expect(down.body.modelAvailable).toBeUndefined();
  });

  it('uses the key stored at the given priority unless a new one is typed, and only for the same provider', async () => {
    await owner('PUT', `tenants/${t.tenantId}/llm/0`, { provider: 'openai', model: 'gpt-4o-mini', baseUrl: gw.fake.openaiUrl, apiKey: 'sk-stored-key' });
    const lastAuth = () => gw.fake.requests.filter((r) => r.path.endsWith('/models')).at(-1)?.headers.authorization;
    await owner('POST', `tenants/${t.tenantId}/llm/models`, { provider: 'openai', baseUrl: gw.fake.openaiUrl, priority: 0 });
    expect(lastAuth()).toBe('Bearer sk-stored-key');
    await owner('POST', `tenants/${t.tenantId}/llm/models`, { provider: 'openai', baseUrl: gw.fake.openaiUrl, priority: 0, apiKey: 'sk-typed-now' });
    expect(lastAuth()).toBe('Bearer sk-typed-now');
    await owner('POST', `tenants/${t.tenantId}/llm/models`, { provider: 'openai', baseUrl: gw.fake.openaiUrl, priority: 1 });
    expect(lastAuth()).toBeUndefined();
  });

  it('reports whether the stored model is served when testing a saved config', async () => {
    await owner('PUT', `tenants/${t.tenantId}/llm/2`, { provider: 'ollama', model: 'llama3.2', baseUrl: gw.fake.url });
    expect((await owner('POST', `tenants/${t.tenantId}/llm/2/test`)).body).toMatchObject({ status: 'connected', modelAvailable: true });
    // Ollama serves tags: llama3.2 is llama3.2:latest, and llama3.2:1b is another model.
    await owner('PUT', `tenants/${t.tenantId}/llm/2`, { provider: 'ollama', model: 'llama3.2:1b', baseUrl: gw.fake.url });
    expect((await owner('POST', `tenants/${t.tenantId}/llm/2/test`)).body).toMatchObject({ status: 'connected', modelAvailable: false });
  });

  it('validates the request', async () => {
    for (const body of [{ provider: 'anthropic' }, { provider: 'ollama', baseUrl: 'file:///etc/passwd' }, { provider: 'ollama', priority: 12 }, { provider: 'ollama', extra: 1 }]) {
      const result = await owner('POST', `tenants/${t.tenantId}/llm/models`, body);
      expect({ body, status: result.status, code: result.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
  });
});

describe('tenant rate limit', () => {
  it('sets the default limit of the tenant’s keys; a key’s own limit still wins', async () => {
    const t = await createTenant(gw.db, 'Limited');
    const set = await owner('PATCH', `tenants/${t.tenantId}`, { rateLimitPerMinute: 2 });
    expect(set.status).toBe(200);
    expect(ZTenant.parse(set.body).rateLimitPerMinute).toBe(2);
    const chat = (key: string) =>
      fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) });
    expect((await chat(t.secretKey)).status).toBe(200);
    expect((await chat(t.secretKey)).status).toBe(200);
    const limited = await chat(t.secretKey);
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');

    const own = await owner('POST', `tenants/${t.tenantId}/keys`, { kind: 'secret', rateLimitPerMinute: 5 });
    for (let i = 0; i < 3; i += 1) expect((await chat(own.body.secret)).status).toBe(200);

    const cleared = await owner('PATCH', `tenants/${t.tenantId}`, { rateLimitPerMinute: null });
    expect(cleared.body.rateLimitPerMinute).toBeNull();
    expect((await owner('PATCH', `tenants/${t.tenantId}`, { rateLimitPerMinute: 0 })).status).toBe(400);
    const audit = await gw.db.auditLog.findMany({ where: { tenantId: t.tenantId, action: 'tenant.update' }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((a) => a.details)).toEqual([{ changes: { rateLimitPerMinute: { from: null, to: 2 } } }, { changes: { rateLimitPerMinute: { from: 2, to: null } } }]);
  });

  it('reaches gateways that cached the key: a new tenant limit notifies them', async () => {
    const t = await createTenant(gw.db, 'Cached limit');
    const cache = await startTenantCache(gw.database.url, true);
    try {
      const verifier = new ApiKeysService(gw.db, cache);
      expect((await verifier.verify(t.secretKey, 'secret')).key.rateLimitPerMinute).toBeNull();
      expect((await verifier.verify(t.secretKey, 'secret')).key.rateLimitPerMinute).toBeNull();
      expect((await owner('PATCH', `tenants/${t.tenantId}`, { rateLimitPerMinute: 7 })).status).toBe(200);
      await eventually(async () => expect((await verifier.verify(t.secretKey, 'secret')).key.rateLimitPerMinute).toBe(7));
    } finally {
      await cache.onApplicationShutdown();
    }
  });

  it('can be given when creating a tenant', async () => {
    const created = await owner('POST', 'tenants', { name: 'Born Limited', plan: 'starter', rateLimitPerMinute: 30 });
    expect(created.body.tenant).toMatchObject({ plan: 'starter', rateLimitPerMinute: 30 });
  });
});

describe('agents', () => {
  it('keeps exactly one default agent per tenant', async () => {
    const tenant = await gw.db.tenant.create({ data: { name: 'Agents', slug: 'agents-test' } });
    const path = `tenants/${tenant.id}/agents`;
    const first = await owner('POST', path, { name: 'Sales', systemPrompt: 'You sell.' });
    expect(first.status).toBe(201);
    expect(ZAgent.parse(first.body).isDefault).toBe(true);
    const second = await owner('POST', path, { name: 'Support', systemPrompt: 'You help.', isDefault: true });
    expect(second.body.isDefault).toBe(true);
    const third = await owner('POST', path, { name: 'Billing', systemPrompt: 'You bill.' });
    expect(third.body.isDefault).toBe(false);

    const defaults = async () => (await gw.db.agent.findMany({ where: { tenantId: tenant.id, isDefault: true } })).map((a) => a.id);
    expect(await defaults()).toEqual([second.body.id]);

    const patched = await owner('PATCH', `${path}/${third.body.id}`, { isDefault: true, systemPrompt: 'You bill politely.' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ isDefault: true, systemPrompt: 'You bill politely.', name: 'Billing' });
    expect(await defaults()).toEqual([third.body.id]);

    const unset = await owner('PATCH', `${path}/${third.body.id}`, { isDefault: false });
    expect(unset.status).toBe(409);
    expect(await defaults()).toEqual([third.body.id]);

    const list = await owner('GET', path);
    expect(ZAgent.array().parse(list.body).map((a) => a.id)).toEqual([third.body.id, first.body.id, second.body.id]);

    expect((await owner('DELETE', `${path}/${third.body.id}`)).status).toBe(204);
    expect(await defaults()).toEqual([first.body.id]);

    const invalid = await owner('POST', path, { name: '', systemPrompt: 'x' });
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    const unknownField = await owner('PATCH', `${path}/${first.body.id}`, { tools: [] });
    expect(unknownField.body.error.code).toBe('VALIDATION_FAILED');

    const actions = (await gw.db.auditLog.findMany({ where: { tenantId: tenant.id }, orderBy: { createdAt: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['agent.create', 'agent.create', 'agent.create', 'agent.update', 'agent.delete']);
  });
});

describe('members', () => {
  it('adds new and existing users, changes roles, removes members', async () => {
    const t = await createTenant(gw.db, 'Team');
    await createAdminUser(gw.db, { email: 'team-admin@example.com', password: PASSWORD, memberships: [{ tenantId: t.tenantId, role: 'admin' }] });
    const admin = adminApi(gw.url, await login(gw.url, 'team-admin@example.com', PASSWORD));
    const path = `tenants/${t.tenantId}/members`;

    const noPassword = await admin('POST', path, { email: 'new@example.com', role: 'agent' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.error.code).toBe('VALIDATION_FAILED');

    const added = await admin('POST', path, { email: 'New@Example.com', role: 'agent', password: 'a-new-password' });
    expect(added.status).toBe(201);
    expect(ZMember.parse(added.body)).toMatchObject({ email: 'new@example.com', role: 'agent', tenantId: t.tenantId });
    const newcomer = await login(gw.url, 'new@example.com', 'a-new-password');
    expect((await adminApi(gw.url, newcomer)('GET', `tenants/${t.tenantId}`)).status).toBe(200);

    // An existing account keeps its password; only the role changes.
    const promoted = await admin('POST', path, { email: 'new@example.com', role: 'viewer', password: 'attacker-chosen' });
    expect(promoted.body.role).toBe('viewer');
    await expect(login(gw.url, 'new@example.com', 'attacker-chosen')).rejects.toThrow('401');

    const grantOwner = await admin('POST', path, { email: 'new@example.com', role: 'owner' });
    expect(grantOwner.status).toBe(403);

    const list = await admin('GET', path);
    expect(ZMember.array().parse(list.body).map((m) => m.email).sort()).toEqual(['new@example.com', 'team-admin@example.com']);

    const removed = await admin('DELETE', `${path}/${added.body.userId}`);
    expect(removed.status).toBe(204);
    expect(await gw.db.membership.count({ where: { tenantId: t.tenantId, userId: added.body.userId } })).toBe(0);
    expect((await adminApi(gw.url, newcomer)('GET', `tenants/${t.tenantId}`)).status).toBe(404);

    const actions = (await gw.db.auditLog.findMany({ where: { tenantId: t.tenantId }, orderBy: { createdAt: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['member.add', 'member.update', 'member.remove']);
  });

  it('never leaves a tenant without an owner', async () => {
    const t = await createTenant(gw.db, 'Owned');
    const soleOwner = await createAdminUser(gw.db, { email: 'sole@example.com', password: PASSWORD, memberships: [{ tenantId: t.tenantId, role: 'owner' }] });
    const api = adminApi(gw.url, await login(gw.url, 'sole@example.com', PASSWORD));
    const leave = await api('DELETE', `tenants/${t.tenantId}/members/${soleOwner}`);
    expect(leave.status).toBe(409);
    const demote = await api('POST', `tenants/${t.tenantId}/members`, { email: 'sole@example.com', role: 'admin' });
    expect(demote.status).toBe(409);
    expect(await gw.db.membership.findFirst({ where: { tenantId: t.tenantId, userId: soleOwner } })).toMatchObject({ role: 'owner' });
  });
});

describe('roles', () => {
  it.each(['viewer', 'agent'] as const)('the %s role reads but cannot change keys, models, agents or members', async (role) => {
    const t = await createTenant(gw.db, `Role ${role}`);
    await createAdminUser(gw.db, { email: `${role}@example.com`, password: PASSWORD, memberships: [{ tenantId: t.tenantId, role }] });
    const api = adminApi(gw.url, await login(gw.url, `${role}@example.com`, PASSWORD));
    await gw.db.llmConfig.create({ data: { tenantId: t.tenantId, priority: 0, provider: 'ollama', model: 'llama3.2:1b', baseUrl: gw.fake.url } });
    const agent = await gw.db.agent.findFirstOrThrow({ where: { tenantId: t.tenantId } });
    const { conversationId } = await seedConversation(gw.db, t.tenantId, { at: new Date(), messages: [{ role: 'user', content: 'keep me' }] });

    for (const path of ['keys', 'llm', 'agents', 'members', 'knowledge/embedding', 'conversations', `conversations/${conversationId}`]) {
      expect((await api('GET', `tenants/${t.tenantId}/${path}`)).status).toBe(200);
    }
    const writes: [string, string, unknown?][] = [
      ['POST', 'keys', { kind: 'secret' }],
      ['DELETE', `keys/${t.secretKeyId}`],
      ['PATCH', `keys/${t.publishableKeyId}`, { allowedOrigins: ['https://evil.example.com'] }],
      ['PUT', 'llm/0', { provider: 'openai', model: 'gpt-4o', apiKey: 'sk-x' }],
      ['PUT', 'llm/1', { provider: 'ollama', model: 'x' }],
      ['DELETE', 'llm/0'],
      ['POST', 'llm/0/test'],
      ['POST', 'agents', { name: 'New', systemPrompt: 'x' }],
      ['PATCH', `agents/${agent.id}`, { systemPrompt: 'hijacked' }],
      ['DELETE', `agents/${agent.id}`],
      ['POST', 'members', { email: 'friend@example.com', role: 'admin', password: 'password123' }],
      ['PATCH', '', { name: 'Renamed' }],
      ['PATCH', '', { rateLimitPerMinute: 1 }],
      ['POST', 'llm/models', { provider: 'ollama', baseUrl: gw.fake.url }],
      ['PUT', 'knowledge/embedding', { provider: 'none' }],
      ['DELETE', 'knowledge/embedding'],
      ['DELETE', `conversations/${conversationId}`],
    ];
    const before = await snapshotTenant(gw.db, t.tenantId);
    for (const [method, path, body] of writes) {
      const result = await api(method, `tenants/${t.tenantId}${path ? `/${path}` : ''}`, body);
      expect({ method, path, status: result.status, code: result.body?.error?.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
    }
    expect(await snapshotTenant(gw.db, t.tenantId)).toEqual(before);
    expect(await gw.db.message.count({ where: { conversationId } })).toBe(1);
    // Reads across tenants: the dashboard yes, the audit log no.
    expect((await api('GET', `stats?tenantId=${t.tenantId}`)).status).toBe(200);
    expect((await api('GET', `usage?tenantId=${t.tenantId}`)).status).toBe(200);
    const audit = await api('GET', `audit?tenantId=${t.tenantId}`);
    expect({ status: audit.status, code: audit.body.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });
});
