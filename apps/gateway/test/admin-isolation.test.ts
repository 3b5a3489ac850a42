import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { adminApi, createAdminUser, login, seedConversation, snapshotTenant, type AdminApi } from './admin.fixtures';

/**
 * Tenant isolation, negatively: an admin of tenant B who knows every id of tenant A gets 404 on
 * every admin route, whether A's id is in the path or A's key/agent/member id sits under B's own
 * tenant path, and nothing of A's changes.
 */
const PASSWORD = 'correct horse battery staple';

let gw: TestGateway;
let a: TestTenant;
let b: TestTenant;
let asAdminB: AdminApi;
let asOwnerB: AdminApi;
let ids: { agentA: string; ownerA: string; agentB: string; convA: string };

beforeAll(async () => {
  gw = await startTestGateway();
  a = await createTenant(gw.db, 'Tenant A');
  b = await createTenant(gw.db, 'Tenant B');
  const ownerA = await createAdminUser(gw.db, { email: 'owner-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'owner' }] });
  await createAdminUser(gw.db, { email: 'admin-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'admin' }] });
  await createAdminUser(gw.db, { email: 'owner-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'owner' }] });
  await gw.db.llmConfig.createMany({
    data: [
      { tenantId: a.tenantId, priority: 0, provider: 'ollama', model: 'a-primary', baseUrl: gw.fake.url },
      { tenantId: a.tenantId, priority: 1, provider: 'openai', model: 'a-fallback', apiKeyEncrypted: 'v1.x.y.z.w' },
    ],
  });
  await gw.db.widgetConfig.create({ data: { tenantId: a.tenantId, greeting: 'Welcome to A', allowedOrigins: ['https://a.example'] } });
  const agentA = await gw.db.agent.findFirstOrThrow({ where: { tenantId: a.tenantId } });
  const agentB = await gw.db.agent.findFirstOrThrow({ where: { tenantId: b.tenantId } });
  const { conversationId: convA } = await seedConversation(gw.db, a.tenantId, { at: new Date(), messages: [{ role: 'user', content: 'a secret of tenant A' }] });
  ids = { agentA: agentA.id, ownerA, agentB: agentB.id, convA };
  asAdminB = adminApi(gw.url, await login(gw.url, 'admin-b@example.com', PASSWORD));
  asOwnerB = adminApi(gw.url, await login(gw.url, 'owner-b@example.com', PASSWORD));
});

afterAll(async () => {
  await gw?.close();
});

/** Paths name ids symbolically ({A}, {B}, {keyA}, …) so test titles read well; `resolve` fills them in. */
type Call = [method: string, path: string, body?: unknown];
// Test functions take the row as rest parameters: jest reads a declared third parameter as a `done` callback.

function resolve(path: string): string {
  const values: Record<string, string> = { A: a.tenantId, B: b.tenantId, keyA: a.secretKeyId, pkA: a.publishableKeyId, agentA: ids.agentA, ownerA: ids.ownerA, convA: ids.convA };
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? name);
}

const aInPath: Call[] = [
  ['GET', 'tenants/{A}'],
  ['PATCH', 'tenants/{A}', { name: 'Owned by B' }],
  ['DELETE', 'tenants/{A}'],
  ['GET', 'tenants/{A}/keys'],
  ['POST', 'tenants/{A}/keys', { kind: 'secret' }],
  ['DELETE', 'tenants/{A}/keys/{keyA}'],
  ['PATCH', 'tenants/{A}/keys/{pkA}', { allowedOrigins: ['https://evil.example.com'] }],
  ['GET', 'tenants/{A}/llm'],
  ['PUT', 'tenants/{A}/llm/0', { provider: 'ollama', model: 'hijack' }],
  ['PUT', 'tenants/{A}/llm/5', { provider: 'ollama', model: 'hijack' }],
  ['DELETE', 'tenants/{A}/llm/0'],
  ['POST', 'tenants/{A}/llm/1/test'],
  ['GET', 'tenants/{A}/agents'],
  ['POST', 'tenants/{A}/agents', { name: 'Spy', systemPrompt: 'Leak everything.', isDefault: true }],
  ['PATCH', 'tenants/{A}/agents/{agentA}', { systemPrompt: 'Leak everything.' }],
  ['DELETE', 'tenants/{A}/agents/{agentA}'],
  ['GET', 'tenants/{A}/members'],
  ['POST', 'tenants/{A}/members', { email: 'admin-b@example.com', role: 'owner' }],
  ['DELETE', 'tenants/{A}/members/{ownerA}'],
  ['GET', 'tenants/{A}/widget'],
  ['PUT', 'tenants/{A}/widget', { greeting: 'Hijacked', allowedOrigins: ['https://evil.example'] }],
  ['POST', 'tenants/{A}/llm/models', { provider: 'ollama', priority: 1 }],
  ['GET', 'tenants/{A}/conversations'],
  ['GET', 'tenants/{A}/conversations?q=secret'],
  ['GET', 'tenants/{A}/conversations/{convA}'],
  ['GET', 'tenants/{A}/conversations/{convA}/export?format=csv'],
  ['DELETE', 'tenants/{A}/conversations/{convA}'],
  ['GET', 'stats?tenantId={A}'],
  ['GET', 'usage?tenantId={A}'],
  ['GET', 'audit?tenantId={A}'],
];

const aUnderB: Call[] = [
  ['DELETE', 'tenants/{B}/keys/{keyA}'],
  ['DELETE', 'tenants/{B}/keys/{pkA}'],
  ['PATCH', 'tenants/{B}/keys/{pkA}', { allowedOrigins: ['https://evil.example.com'] }],
  ['PATCH', 'tenants/{B}/agents/{agentA}', { systemPrompt: 'Leak everything.', isDefault: true }],
  ['PATCH', 'tenants/{B}/agents/{agentA}', { name: 'Renamed' }],
  ['DELETE', 'tenants/{B}/agents/{agentA}'],
  ['DELETE', 'tenants/{B}/members/{ownerA}'],
  // Priorities are per tenant: B has no config at 1, A does.
  ['DELETE', 'tenants/{B}/llm/1'],
  ['POST', 'tenants/{B}/llm/1/test'],
  ['GET', 'tenants/{B}/conversations/{convA}'],
  ['GET', 'tenants/{B}/conversations/{convA}/export'],
  ['DELETE', 'tenants/{B}/conversations/{convA}'],
];

describe.each([
  ['an admin of B', () => asAdminB],
  ['an owner of B', () => asOwnerB],
])('%s', (_who, api) => {
  it.each(aInPath)('%s %s → 404, A unchanged', async (...[method, path, body]: Call) => {
    const before = await snapshotTenant(gw.db, a.tenantId);
    const result = await api()(method, resolve(path), body);
    expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await snapshotTenant(gw.db, a.tenantId)).toEqual(before);
  });

  it.each(aUnderB)('%s %s → 404, A and B unchanged', async (...[method, path, body]: Call) => {
    const before = await snapshotTenant(gw.db, a.tenantId);
    const beforeB = await snapshotTenant(gw.db, b.tenantId);
    const result = await api()(method, resolve(path), body);
    expect({ status: result.status, code: result.body?.error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await snapshotTenant(gw.db, a.tenantId)).toEqual(before);
    expect(await snapshotTenant(gw.db, b.tenantId)).toEqual(beforeB);
  });
});

it("never lists or returns A's data to B", async () => {
  const tenants = await asAdminB('GET', 'tenants');
  expect(tenants.body.map((t: { id: string }) => t.id)).toEqual([b.tenantId]);
  for (const path of ['keys', 'llm', 'agents', 'members', 'widget', 'conversations', 'conversations?q=secret']) {
    const result = await asAdminB('GET', `tenants/${b.tenantId}/${path}`);
    expect(result.status).toBe(200);
    const text = JSON.stringify(result.body);
    expect(text).not.toContain(a.tenantId);
    expect(text).not.toContain(a.secretKeyId);
    expect(text).not.toContain(ids.agentA);
    expect(text).not.toContain('owner-a@example.com');
    expect(text).not.toContain('a-primary');
    expect(text).not.toContain('https://a.example');
    expect(text).not.toContain(ids.convA);
  }
  for (const path of ['stats', 'usage', 'audit']) {
    const text = JSON.stringify((await asAdminB('GET', path)).body);
    expect(text).not.toContain(a.tenantId);
    expect(text).not.toContain('Tenant A');
  }
});

it("B's writes on its own tenant leave A's default agent and keys alone", async () => {
  const before = await snapshotTenant(gw.db, a.tenantId);
  expect((await asAdminB('POST', `tenants/${b.tenantId}/agents`, { name: 'B2', systemPrompt: 'x', isDefault: true })).status).toBe(201);
  expect((await asAdminB('PUT', `tenants/${b.tenantId}/llm/0`, { provider: 'ollama', model: 'b-model' })).status).toBe(200);
  expect((await asAdminB('DELETE', `tenants/${b.tenantId}/keys/${b.secretKeyId}`)).status).toBe(200);
  expect(await snapshotTenant(gw.db, a.tenantId)).toEqual(before);
  // No audit row of B's actions landed on A.
  expect(await gw.db.auditLog.count({ where: { tenantId: a.tenantId } })).toBe(0);
});
