import { randomUUID } from 'node:crypto';
import type { TKnowledgeSearchResponse } from '@babble-buddy/shared';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { adminApi, createAdminUser, login, type AdminApi } from './admin.fixtures';
import { seedSource, setEmbeddingModel } from './knowledge.fixtures';

const PASSWORD = 'correct horse battery staple';
const REFUNDS = 'Refunds are issued within 14 days of purchase. To request a refund, email billing with your order number.';

describe('POST /api/v1/admin/tenants/:tenantId/knowledge/search', () => {
  let gw: TestGateway;
  let a: TestTenant;
  let b: TestTenant;
  let viewerA: AdminApi;
  let adminB: AdminApi;
  let owner: AdminApi;
  let agentA: string;
  const docs: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startTestGateway();
    a = await createTenant(gw.db, 'Tenant A');
    b = await createTenant(gw.db, 'Tenant B');
    agentA = (await gw.db.agent.create({ data: { tenantId: a.tenantId, name: 'Support', systemPrompt: '' } })).id;
    docs.refunds = await seedSource(gw, { tenantId: a.tenantId, title: 'Refund policy', url: 'https://a.example/refunds', chunks: [{ content: REFUNDS, metadata: { page: 3, heading: 'Refunds' } }] });
    docs.shipping = await seedSource(gw, { tenantId: a.tenantId, title: 'Shipping', chunks: ['Standard shipping takes five business days.'] });
    docs.agentOnly = await seedSource(gw, { tenantId: a.tenantId, agentId: agentA, title: 'Support macros', chunks: ['Refund macro: apologise, then issue the refund within a day.'] });
    docs.b = await seedSource(gw, { tenantId: b.tenantId, title: 'B refunds', chunks: ['Refunds at B are issued within 14 days of purchase by B billing.'] });
    await createAdminUser(gw.db, { email: 'viewer-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'viewer' }] });
    await createAdminUser(gw.db, { email: 'admin-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'admin' }] });
    await createAdminUser(gw.db, { email: 'owner@example.com', password: PASSWORD, isPlatformOwner: true });
    viewerA = adminApi(gw.url, await login(gw.url, 'viewer-a@example.com', PASSWORD));
    adminB = adminApi(gw.url, await login(gw.url, 'admin-b@example.com', PASSWORD));
    owner = adminApi(gw.url, await login(gw.url, 'owner@example.com', PASSWORD));
  });
  afterAll(() => gw.close());
  afterEach(() => gw.fake.setDown(false));

  it('a viewer gets ranked chunks with fused, vector and text scores and their source', async () => {
    const res = await viewerA<TKnowledgeSearchResponse>('POST', `tenants/${a.tenantId}/knowledge/search`, { query: 'How do I request a refund for my order?', k: 5 });
    expect(res.status).toBe(200);
    const body = res.body;
    expect(body).toMatchObject({ query: 'How do I request a refund for my order?', mode: 'hybrid', embeddingModel: 'ollama:nomic-embed-text', notice: null });
    expect(body.tookMs).toBeGreaterThanOrEqual(0);
    expect(body.results[0]).toEqual({
      rank: 1,
      chunkId: expect.any(String),
      ordinal: 0,
      content: REFUNDS,
      page: 3,
      heading: 'Refunds',
      url: 'https://a.example/refunds',
      metadata: { page: 3, heading: 'Refunds' },
      scores: { fused: expect.any(Number), vectorRank: 1, similarity: expect.any(Number), textRank: expect.any(Number), textScore: expect.any(Number) },
      source: { id: docs.refunds, title: 'Refund policy', url: 'https://a.example/refunds' },
    });
    expect(body.results.map((r) => r.rank)).toEqual(body.results.map((_, i) => i + 1));
    const fused = body.results.map((r) => r.scores.fused);
    expect(fused).toEqual([...fused].sort((x, y) => y - x));
    // Without agentId the preview covers every ready source, agent-owned ones too.
    expect(body.results.map((r) => r.source.id)).toContain(docs.agentOnly);
    expect(body.results.map((r) => r.source.id)).not.toContain(docs.b);
  });

  it('k limits the results; agentId searches as that agent would in chat', async () => {
    const one = await viewerA<TKnowledgeSearchResponse>('POST', `tenants/${a.tenantId}/knowledge/search`, { query: 'refund', k: 1 });
    expect(one.body.results).toHaveLength(1);
    const asAgent = await viewerA<TKnowledgeSearchResponse>('POST', `tenants/${a.tenantId}/knowledge/search`, { query: 'refund macro', agentId: agentA });
    expect(asAgent.body.results[0]?.source.id).toBe(docs.agentOnly);
  });

  it('tenant isolation: another tenant’s admin gets 404 on A’s path and never sees A’s chunks from its own', async () => {
    const foreign = await adminB('POST', `tenants/${a.tenantId}/knowledge/search`, { query: 'refund' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
    const own = await adminB<TKnowledgeSearchResponse>('POST', `tenants/${b.tenantId}/knowledge/search`, { query: REFUNDS, k: 50 });
    expect(own.status).toBe(200);
    expect(new Set(own.body.results.map((r) => r.source.id))).toEqual(new Set([docs.b]));
    const agentOfA = await adminB('POST', `tenants/${b.tenantId}/knowledge/search`, { query: 'refund', agentId: agentA });
    expect(agentOfA.status).toBe(404);
    expect(agentOfA.body.error.code).toBe('NOT_FOUND');
  });

  it('authentication and unknown tenants', async () => {
    const anonymous = await adminApi(gw.url)('POST', `tenants/${a.tenantId}/knowledge/search`, { query: 'refund' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const missing = await owner('POST', `tenants/${randomUUID()}/knowledge/search`, { query: 'refund' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    const badId = await owner('POST', 'tenants/not-a-uuid/knowledge/search', { query: 'refund' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('bad bodies are VALIDATION_FAILED or MALFORMED_JSON', async () => {
    for (const body of [{}, { query: '   ' }, { query: 'x', k: 0 }, { query: 'x', k: 51 }, { query: 'x', extra: true }, { query: 'x'.repeat(2001) }, { query: 'x', agentId: 'nope' }]) {
      const res = await viewerA('POST', `tenants/${a.tenantId}/knowledge/search`, body);
      expect([JSON.stringify(body).slice(0, 40), res.status, res.body.error.code]).toEqual([JSON.stringify(body).slice(0, 40), 400, 'VALIDATION_FAILED']);
    }
    const token = await login(gw.url, 'viewer-a@example.com', PASSWORD);
    const malformed = await fetch(`${gw.url}/api/v1/admin/tenants/${a.tenantId}/knowledge/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"query": "refund",',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('MALFORMED_JSON');
  });

  it('with the embedding model down, searches by full text and says so', async () => {
    gw.fake.setDown(true);
    const res = await viewerA<TKnowledgeSearchResponse>('POST', `tenants/${a.tenantId}/knowledge/search`, { query: 'refund policy' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'text', embeddingModel: null, notice: expect.stringContaining('ollama:nomic-embed-text failed') });
    expect(res.body.results[0]?.scores).toMatchObject({ vectorRank: null, similarity: null, textRank: 1 });
  });

  it('a full-text-only tenant searches by full text without a notice', async () => {
    const tenant = await createTenant(gw.db, 'Text only');
    await setEmbeddingModel(gw, tenant.tenantId, { provider: 'none' });
    await seedSource(gw, { tenantId: tenant.tenantId, title: 'Handbook', embedding: null, chunks: ['Expense reports are due on the fifth.'] });
    const res = await owner<TKnowledgeSearchResponse>('POST', `tenants/${tenant.tenantId}/knowledge/search`, { query: 'expense report' });
    expect(res.body).toMatchObject({ mode: 'text', embeddingModel: null, notice: null });
    expect(res.body.results).toHaveLength(1);
  });
});
