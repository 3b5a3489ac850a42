import { Redis } from 'ioredis';
import { ZConversationDetail, ZConversationPage } from '@babble-buddy/shared';
import { createTenant, REDIS_URL, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { adminApi, createAdminUser, login, seedConversation, type AdminApi } from './admin.fixtures';
import { toPrefixQuery } from '../src/admin/admin-conversations.service';
import { csvCell } from '../src/admin/transcript-export';

const PASSWORD = 'correct horse battery staple';
const citation = { index: 1, sourceId: 'src-1', title: 'Refund policy', url: 'https://a.example/refunds', snippet: 'Refunds take five days.' };
const toolCall = { name: 'lookup_order', id: 'call_1', arguments: { orderId: 42 }, result: { status: 'shipped' }, durationMs: 35 };

let gw: TestGateway;
let a: TestTenant;
let b: TestTenant;
let adminA: AdminApi;
let viewerA: AdminApi;
let adminB: AdminApi;
let redis: Redis;
const ids: Record<'refund' | 'order' | 'failed' | 'other', string> = { refund: '', order: '', failed: '', other: '' };
let refundMessages: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway();
  redis = new Redis(REDIS_URL);
  a = await createTenant(gw.db, 'Convo A');
  b = await createTenant(gw.db, 'Convo B');
  await createAdminUser(gw.db, { email: 'admin-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'admin' }] });
  await createAdminUser(gw.db, { email: 'viewer-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'viewer' }] });
  await createAdminUser(gw.db, { email: 'admin-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'admin' }] });
  [adminA, viewerA, adminB] = await Promise.all(
    ['admin-a', 'viewer-a', 'admin-b'].map(async (who) => adminApi(gw.url, await login(gw.url, `${who}@example.com`, PASSWORD))),
  ) as [AdminApi, AdminApi, AdminApi];

  const refund = await seedConversation(gw.db, a.tenantId, {
    sessionKey: 'session-refund',
    at: new Date('2026-03-01T10:00:00Z'),
    email: 'visitor@example.com',
    messages: [
      { role: 'user', content: 'I want a refund for my broken kettle' },
      {
        role: 'assistant',
        content: 'Sure: refunds take five days [1].',
        citations: [citation],
        toolCalls: [toolCall],
        promptTokens: 120,
        completionTokens: 18,
        latencyMs: 900,
        ttftMs: 120,
        provider: 'ollama',
        model: 'llama3.2:1b',
        feedback: 1,
        request: { provider: 'ollama', model: 'llama3.2:1b', promptTokens: 120, completionTokens: 18, costUsd: '0.000200', latencyMs: 900, ttftMs: 120 },
      },
    ],
  });
  ids.refund = refund.conversationId;
  refundMessages = refund.messageIds;
  ids.order = (
    await seedConversation(gw.db, a.tenantId, {
      sessionKey: 'session-order',
      at: new Date('2026-03-02T10:00:00Z'),
      status: 'closed',
      messages: [
        { role: 'user', content: 'Where is my order, "please"?' },
        { role: 'assistant', content: 'It shipped yesterday.', feedback: -1 },
      ],
    })
  ).conversationId;
  ids.failed = (
    await seedConversation(gw.db, a.tenantId, {
      sessionKey: 'session-failed',
      at: new Date('2026-03-03T10:00:00Z'),
      messages: [
        { role: 'user', content: '=HYPERLINK("http://evil.example","click")' },
        { role: 'assistant', content: 'Partial', status: 'failed', error: { code: 'MODEL_UNAVAILABLE', message: 'No AI model is reachable right now' } },
      ],
    })
  ).conversationId;
  ids.other = (
    await seedConversation(gw.db, b.tenantId, { sessionKey: 'session-b', at: new Date('2026-03-04T10:00:00Z'), messages: [{ role: 'user', content: 'B wants a refund too' }] })
  ).conversationId;
});

afterAll(async () => {
  redis?.disconnect();
  await gw?.close();
});

const path = (suffix = '') => `tenants/${a.tenantId}/conversations${suffix}`;
const listIds = async (query: string, api: AdminApi = adminA) => {
  const result = await api('GET', path(query));
  expect(result.status).toBe(200);
  return ZConversationPage.parse(result.body).items.map((item) => item.id);
};

describe('conversation list', () => {
  it('lists the tenant’s conversations, most recently active first, with their summary', async () => {
    const result = await viewerA('GET', path());
    const page = ZConversationPage.parse(result.body);
    expect(page.items.map((c) => c.id)).toEqual([ids.failed, ids.order, ids.refund]);
    expect(page.nextCursor).toBeNull();
    expect(page.items[2]).toMatchObject({
      sessionId: 'session-refund',
      status: 'open',
      email: 'visitor@example.com',
      messageCount: 2,
      firstMessage: 'I want a refund for my broken kettle',
      snippet: null,
      feedback: { positive: 1, negative: 0 },
      createdAt: '2026-03-01T10:00:00.000Z',
    });
  });

  it('filters by status, feedback and last activity', async () => {
    expect(await listIds('?status=closed')).toEqual([ids.order]);
    expect(await listIds('?status=handoff')).toEqual([]);
    expect(await listIds('?feedback=positive')).toEqual([ids.refund]);
    expect(await listIds('?feedback=negative')).toEqual([ids.order]);
    expect(await listIds('?feedback=any')).toEqual([ids.order, ids.refund]);
    expect(await listIds('?feedback=none')).toEqual([ids.failed]);
    expect(await listIds(`?from=${encodeURIComponent('2026-03-02T00:00:00Z')}&to=${encodeURIComponent('2026-03-03T00:00:00Z')}`)).toEqual([ids.order]);
  });

  it('searches message text by word prefixes, within the tenant only, and shows the match', async () => {
    const result = await adminA('GET', path('?q=REFU'));
    const page = ZConversationPage.parse(result.body);
    expect(page.items.map((c) => c.id)).toEqual([ids.refund]);
    expect(page.items[0]?.snippet).toContain('\u0002refund\u0003');
    expect(await listIds('?q=kettle%20refund')).toEqual([ids.refund]);
    expect(await listIds('?q=shipped')).toEqual([ids.order]);
    expect(await listIds('?q=refund%20shipped')).toEqual([]);
    expect(await listIds(`?q=${encodeURIComponent('!!! ***')}`)).toEqual([]);
    expect(await listIds(`?q=${encodeURIComponent("refund' | shipped:* & !(")}`)).toEqual([]);
    expect(await listIds('?q=refund&status=closed')).toEqual([]);
  });

  it('pages with an opaque cursor', async () => {
    const first = ZConversationPage.parse((await adminA('GET', path('?limit=2'))).body);
    expect(first.items.map((c) => c.id)).toEqual([ids.failed, ids.order]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = ZConversationPage.parse((await adminA('GET', path(`?limit=2&cursor=${first.nextCursor}`))).body);
    expect(second.items.map((c) => c.id)).toEqual([ids.refund]);
    expect(second.nextCursor).toBeNull();
  });

  it('rejects bad queries with VALIDATION_FAILED', async () => {
    for (const query of ['?status=pending', '?limit=1000', '?feedback=maybe', '?from=yesterday', '?cursor=not-ours', '?tenantId=x', `?q=${'x'.repeat(201)}`]) {
      const result = await adminA('GET', path(query));
      expect({ query, status: result.status, code: result.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('turns search text into a prefix query without operators', () => {
    expect(toPrefixQuery('Refund  kettle!')).toBe('refund:* & kettle:*');
    expect(toPrefixQuery("a' | b:* & !(c)")).toBe('a:* & b:* & c:*');
    expect(toPrefixQuery('Café über')).toBe('café:* & über:*');
    expect(toPrefixQuery(' !!! ')).toBeNull();
  });
});

describe('transcript', () => {
  it('shows every message with citations, tool calls, tokens, latency and cost', async () => {
    const result = await viewerA('GET', path(`/${ids.refund}`));
    expect(result.status).toBe(200);
    const detail = ZConversationDetail.parse(result.body);
    expect(detail.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(detail.messages[1]).toMatchObject({
      content: 'Sure: refunds take five days [1].',
      citations: [citation],
      toolCalls: [toolCall],
      promptTokens: 120,
      completionTokens: 18,
      latencyMs: 900,
      ttftMs: 120,
      model: 'llama3.2:1b',
      costUsd: 0.0002,
      feedback: 1,
    });
    expect(detail.totals).toEqual({ promptTokens: 120, completionTokens: 18, costUsd: 0.0002, llmRequests: 1 });

    const failed = ZConversationDetail.parse((await viewerA('GET', path(`/${ids.failed}`))).body);
    expect(failed.messages[1]).toMatchObject({ status: 'failed', error: { code: 'MODEL_UNAVAILABLE', message: 'No AI model is reachable right now' }, costUsd: null });
    expect(failed.totals.costUsd).toBeNull();
  });

  it('exports JSON and CSV as downloads, safe for spreadsheets, and records the export', async () => {
    const token = await login(gw.url, 'viewer-a@example.com', PASSWORD);
    const json = await fetch(`${gw.url}/api/v1/admin/${path(`/${ids.refund}/export?format=json`)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.headers.get('content-disposition')).toBe('attachment; filename="conversation-session-refund-2026-03-01.json"');
    const exported = (await json.json()) as { exportedAt: string; messages: unknown[] };
    expect(ZConversationDetail.parse(exported).messages).toHaveLength(2);
    expect(exported.exportedAt).toEqual(expect.any(String));

    const csv = await fetch(`${gw.url}/api/v1/admin/${path(`/${ids.failed}/export?format=csv`)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    // A UTF-8 byte-order mark first (TextDecoder drops it again).
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trimEnd().split('\r\n');
    expect(lines[0]).toBe('created_at,role,status,content,provider,model,prompt_tokens,completion_tokens,latency_ms,ttft_ms,cost_usd,feedback,citations,tool_calls,error');
    expect(lines[1]).toContain(`,user,complete,"'=HYPERLINK(""http://evil.example"",""click"")",`);
    expect(lines[2]).toContain('MODEL_UNAVAILABLE: No AI model is reachable right now');

    const exports = await gw.db.auditLog.findMany({ where: { tenantId: a.tenantId, action: 'conversation.export' }, orderBy: { createdAt: 'asc' } });
    expect(exports.map((e) => [e.target, (e.details as { format: string }).format])).toEqual([
      [ids.refund, 'json'],
      [ids.failed, 'csv'],
    ]);
    expect(JSON.stringify(exports)).not.toContain('kettle');
  });

  it('escapes CSV cells', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    expect(csvCell('+1 555')).toBe("'+1 555");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });

  it('answers 404 for a conversation of another tenant or none', async () => {
    for (const [api, target] of [
      [adminA, path(`/${ids.other}`)],
      [adminA, path(`/${ids.other}/export`)],
      [adminB, `tenants/${b.tenantId}/conversations/${ids.refund}`],
      [adminB, `tenants/${b.tenantId}/conversations/${ids.refund}/export?format=csv`],
      [adminA, path('/00000000-0000-4000-8000-000000000000')],
    ] as const) {
      const result = await api('GET', target);
      expect({ target, status: result.status, code: result.body?.error?.code }).toEqual({ target, status: 404, code: 'NOT_FOUND' });
    }
    const deleteOther = await adminB('DELETE', `tenants/${b.tenantId}/conversations/${ids.refund}`);
    expect(deleteOther.status).toBe(404);
    expect(await gw.db.conversation.count({ where: { id: ids.refund } })).toBe(1);
    const searchB = ZConversationPage.parse((await adminB('GET', `tenants/${b.tenantId}/conversations?q=refund`)).body);
    expect(searchB.items.map((c) => c.id)).toEqual([ids.other]);
  });
});

describe('deleting a conversation', () => {
  it('is refused to viewers and really deletes for admins: messages, resume logs, links', async () => {
    await redis.xadd(`bb:turn:${refundMessages[1]}`, '*', 'e', '{}');
    const refused = await viewerA('DELETE', path(`/${ids.refund}`));
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(await gw.db.message.count({ where: { conversationId: ids.refund } })).toBe(2);

    const deleted = await adminA('DELETE', path(`/${ids.refund}`));
    expect(deleted.status).toBe(204);
    expect(await gw.db.conversation.count({ where: { id: ids.refund } })).toBe(0);
    expect(await gw.db.message.count({ where: { id: { in: refundMessages } } })).toBe(0);
    expect(await redis.exists(`bb:turn:${refundMessages[1]}`)).toBe(0);
    // Model calls stay counted in usage, with no way back to the conversation.
    const calls = await gw.db.llmRequest.findMany({ where: { tenantId: a.tenantId } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ conversationId: null, messageId: null, promptTokens: 120 });
    const audit = await gw.db.auditLog.findFirst({ where: { action: 'conversation.delete', target: ids.refund } });
    expect(audit).toMatchObject({ tenantId: a.tenantId, details: { sessionId: 'session-refund', messages: 2 } });
    expect(JSON.stringify(audit)).not.toContain('kettle');

    expect((await adminA('GET', path(`/${ids.refund}`))).status).toBe(404);
    expect((await adminA('DELETE', path(`/${ids.refund}`))).status).toBe(404);
    expect(await listIds('?q=kettle')).toEqual([]);
    // The other tenant's conversation is untouched.
    expect(await gw.db.message.count({ where: { conversationId: ids.other } })).toBe(1);
  });
});
