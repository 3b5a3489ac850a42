import { ZAuditPage, ZStatsResponse, ZUsageResponse } from '@babble-buddy/shared';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { adminApi, createAdminUser, login, seedConversation, type AdminApi } from './admin.fixtures';

const PASSWORD = 'correct horse battery staple';
const RANGE = `from=${encodeURIComponent('2026-03-01T00:00:00Z')}&to=${encodeURIComponent('2026-03-04T00:00:00Z')}`;

let gw: TestGateway;
let a: TestTenant;
let b: TestTenant;
let root: AdminApi;
let adminA: AdminApi;
let viewerA: AdminApi;

beforeAll(async () => {
  gw = await startTestGateway();
  a = await createTenant(gw.db, 'Stats A');
  b = await createTenant(gw.db, 'Stats B');
  await createAdminUser(gw.db, { email: 'root@example.com', password: PASSWORD, isPlatformOwner: true });
  await createAdminUser(gw.db, { email: 'admin-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'admin' }] });
  await createAdminUser(gw.db, { email: 'viewer-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'viewer' }] });
  [root, adminA, viewerA] = (await Promise.all(
    ['root', 'admin-a', 'viewer-a'].map(async (who) => adminApi(gw.url, await login(gw.url, `${who}@example.com`, PASSWORD))),
  )) as [AdminApi, AdminApi, AdminApi];

  const model = { provider: 'ollama', model: 'llama3.2:1b' };
  // 23:30 UTC on 1 March is already 2 March in Paris.
  await seedConversation(gw.db, a.tenantId, {
    at: new Date('2026-03-01T23:30:00Z'),
    messages: [
      { role: 'user', content: 'late question' },
      { role: 'assistant', content: 'late answer', request: { ...model, promptTokens: 100, completionTokens: 20, costUsd: '0.001000', latencyMs: 400, ttftMs: 100 } },
    ],
  });
  await seedConversation(gw.db, a.tenantId, {
    at: new Date('2026-03-02T12:00:00Z'),
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'failed', status: 'failed', request: { provider: 'openai', model: 'gpt-4o-mini', promptTokens: 0, completionTokens: 0, costUsd: null, latencyMs: 30, status: 'error' } },
      { role: 'assistant', content: 'a', request: { ...model, promptTokens: 50, completionTokens: 10, costUsd: null, latencyMs: 600, ttftMs: 200 } },
    ],
  });
  await seedConversation(gw.db, b.tenantId, {
    at: new Date('2026-03-02T08:00:00Z'),
    messages: [{ role: 'user', content: 'b', request: { ...model, promptTokens: 10, completionTokens: 5, costUsd: '0.500000', latencyMs: 100 } }],
  });
  // Active now: open with recent activity. A closed one, and an old open one, are not.
  await seedConversation(gw.db, a.tenantId, { at: new Date(), messages: [{ role: 'user', content: 'hello now' }] });
  await seedConversation(gw.db, a.tenantId, { at: new Date(), status: 'closed', messages: [{ role: 'user', content: 'bye now' }] });
  await seedConversation(gw.db, b.tenantId, { at: new Date(Date.now() - 3_600_000), messages: [{ role: 'user', content: 'an hour ago' }] });
});

afterAll(async () => {
  await gw?.close();
});

describe('stats', () => {
  it('counts conversations, messages, tokens and cost per day, every day of the range, for all tenants', async () => {
    const result = await root('GET', `stats?${RANGE}`);
    expect(result.status).toBe(200);
    const stats = ZStatsResponse.parse(result.body);
    expect(stats.series).toEqual([
      { date: '2026-03-01', conversations: 1, messages: 2, promptTokens: 100, completionTokens: 20, costUsd: 0.001 },
      { date: '2026-03-02', conversations: 2, messages: 4, promptTokens: 60, completionTokens: 15, costUsd: 0.5 },
      { date: '2026-03-03', conversations: 0, messages: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 },
    ]);
    expect(stats.totals).toEqual({ conversations: 3, messages: 6, promptTokens: 160, completionTokens: 35, costUsd: 0.501, llmRequests: 4, llmErrors: 1 });
    expect(stats.activeConversations).toBe(1);
    expect(stats.tenants.map((t) => [t.name, t.conversations, t.messages, t.activeConversations, t.llmErrors])).toEqual([
      ['Stats A', 2, 5, 1, 1],
      ['Stats B', 1, 1, 0, 0],
    ]);
  });

  it('counts days in the asked time zone', async () => {
    const stats = ZStatsResponse.parse((await root('GET', `stats?${RANGE}&tz=Europe/Paris`)).body);
    expect(stats.series.map((p) => [p.date, p.conversations, p.messages])).toEqual([
      ['2026-03-01', 0, 0],
      ['2026-03-02', 3, 6],
      ['2026-03-03', 0, 0],
      ['2026-03-04', 0, 0],
    ]);
    expect(stats.tz).toBe('Europe/Paris');
  });

  it('shows members only their own tenants, and viewers may read it', async () => {
    for (const api of [adminA, viewerA]) {
      const stats = ZStatsResponse.parse((await api('GET', `stats?${RANGE}`)).body);
      expect(stats.tenants.map((t) => t.tenantId)).toEqual([a.tenantId]);
      expect(stats.totals).toMatchObject({ conversations: 2, messages: 5, costUsd: 0.001 });
      expect(JSON.stringify(stats)).not.toContain(b.tenantId);
    }
    const one = ZStatsResponse.parse((await root('GET', `stats?${RANGE}&tenantId=${b.tenantId}`)).body);
    expect(one.tenants.map((t) => t.tenantId)).toEqual([b.tenantId]);
    expect(one.totals.costUsd).toBe(0.5);
  });

  it("answers 404 for another tenant's id and 400 for bad ranges", async () => {
    for (const path of [`stats?tenantId=${b.tenantId}`, `usage?tenantId=${b.tenantId}`, `audit?tenantId=${b.tenantId}`]) {
      const result = await adminA('GET', path);
      expect({ path, status: result.status, code: result.body.error?.code }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
    }
    expect((await root('GET', 'stats?tenantId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    for (const query of ['tz=Mars/Olympus', 'from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z', 'from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=yesterday', 'group=day']) {
      const result = await root('GET', `stats?${query}`);
      expect({ query, status: result.status, code: result.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('defaults to the last 30 days', async () => {
    const stats = ZStatsResponse.parse((await viewerA('GET', 'stats')).body);
    expect(stats.series.length).toBeGreaterThanOrEqual(30);
    expect(stats.series.length).toBeLessThanOrEqual(31);
    expect(stats.totals.conversations).toBe(2);
  });
});

describe('usage', () => {
  it('groups model calls by day, tenant, provider and model', async () => {
    const usage = ZUsageResponse.parse((await root('GET', `usage?${RANGE}`)).body);
    expect(usage.rows).toEqual([
      { date: '2026-03-02', tenantId: a.tenantId, tenantName: 'Stats A', provider: 'ollama', model: 'llama3.2:1b', requests: 1, errors: 0, promptTokens: 50, completionTokens: 10, costUsd: null, avgLatencyMs: 600, avgTtftMs: 200 },
      { date: '2026-03-02', tenantId: a.tenantId, tenantName: 'Stats A', provider: 'openai', model: 'gpt-4o-mini', requests: 1, errors: 1, promptTokens: 0, completionTokens: 0, costUsd: null, avgLatencyMs: 30, avgTtftMs: null },
      { date: '2026-03-02', tenantId: b.tenantId, tenantName: 'Stats B', provider: 'ollama', model: 'llama3.2:1b', requests: 1, errors: 0, promptTokens: 10, completionTokens: 5, costUsd: 0.5, avgLatencyMs: 100, avgTtftMs: null },
      { date: '2026-03-01', tenantId: a.tenantId, tenantName: 'Stats A', provider: 'ollama', model: 'llama3.2:1b', requests: 1, errors: 0, promptTokens: 100, completionTokens: 20, costUsd: 0.001, avgLatencyMs: 400, avgTtftMs: 100 },
    ]);
    const mine = ZUsageResponse.parse((await viewerA('GET', `usage?${RANGE}`)).body);
    expect(new Set(mine.rows.map((r) => r.tenantId))).toEqual(new Set([a.tenantId]));
  });
});

describe('audit log', () => {
  let keyA: string;
  beforeAll(async () => {
    keyA = (await adminA('POST', `tenants/${a.tenantId}/keys`, { kind: 'secret', name: 'audit me' })).body.key.id;
    await root('POST', `tenants/${b.tenantId}/keys`, { kind: 'secret' });
    await adminA('PATCH', `tenants/${a.tenantId}`, { plan: 'pro' });
    const doomed = await createTenant(gw.db, 'Doomed');
    await root('DELETE', `tenants/${doomed.tenantId}`);
  });

  it('shows admins their tenants’ entries, newest first, with who did what', async () => {
    const page = ZAuditPage.parse((await adminA('GET', 'audit')).body);
    expect(page.entries.map((e) => e.action)).toEqual(['tenant.update', 'key.create']);
    expect(page.entries[1]).toMatchObject({ tenantId: a.tenantId, tenantName: 'Stats A', actorEmail: 'admin-a@example.com', channel: 'api', target: keyA, details: { kind: 'secret', name: 'audit me' } });
    expect(JSON.stringify(page)).not.toContain(b.tenantId);
  });

  it('refuses viewers', async () => {
    for (const path of ['audit', `audit?tenantId=${a.tenantId}`]) {
      const result = await viewerA('GET', path);
      expect({ path, status: result.status, code: result.body.error?.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
    }
  });

  it('shows platform owners everything, platform-level entries included, filtered and paged', async () => {
    const all = ZAuditPage.parse((await root('GET', 'audit')).body);
    expect(all.entries.map((e) => e.action)).toEqual(['tenant.delete', 'tenant.update', 'key.create', 'key.create']);
    expect(all.entries[0]).toMatchObject({ tenantId: null, tenantName: null, actorEmail: 'root@example.com', details: { name: 'Doomed' } });
    const keys = ZAuditPage.parse((await root('GET', 'audit?action=key.')).body);
    expect(keys.entries.map((e) => e.action)).toEqual(['key.create', 'key.create']);
    const exact = ZAuditPage.parse((await root('GET', `audit?action=tenant.update&tenantId=${a.tenantId}`)).body);
    expect(exact.entries).toHaveLength(1);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `audit?limit=1${cursor ? `&before=${cursor}` : ''}`;
      const page = ZAuditPage.parse((await root('GET', query)).body);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.entries.map((e) => e.id));
    expect((await root('GET', 'audit?before=garbage')).status).toBe(400);
    expect((await root('GET', 'audit?action=DROP%20TABLE')).status).toBe(400);
  });
});
