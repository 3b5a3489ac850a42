import { randomUUID } from 'node:crypto';
import {
  BabbleBuddyError,
  createAdminClient,
  createClient,
  PLAYGROUND_ORIGIN,
  type TConversationPage,
  type TPlaygroundChatRequest,
  type TPlaygroundEvent,
} from '@babble-buddy/shared';
import { TenantCache } from '../src/infra/tenant-cache';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { adminApi, createAdminUser, login, snapshotTenant } from './admin.fixtures';
import { seedSource } from './knowledge.fixtures';

const PASSWORD = 'correct horse battery staple';
const REFUNDS = 'Refunds are issued within 14 days of purchase. To request a refund, email billing with your order number.';
const MACROS = 'Warranty macro: a kettle that breaks within two years is replaced free of charge.';

type Event<T extends TPlaygroundEvent['type']> = Extract<TPlaygroundEvent, { type: T }>;

/** Every event of one playground turn, in arrival order. */
async function turn(gw: TestGateway, token: string, tenantId: string, request: TPlaygroundChatRequest): Promise<TPlaygroundEvent[]> {
  const events: TPlaygroundEvent[] = [];
  for await (const event of createAdminClient({ apiUrl: gw.url, token }).playground.chat(tenantId, request)) events.push(event);
  return events;
}

function only<T extends TPlaygroundEvent['type']>(events: TPlaygroundEvent[], type: T): Event<T> {
  const found = events.filter((e): e is Event<T> => e.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The refusal of a call that must not open a stream: its HTTP status and error code. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof BabbleBuddyError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error('the call was not refused');
}

describe('POST /api/v1/admin/tenants/:tenantId/playground/chat (real pipeline, real Postgres + Redis, fake Ollama)', () => {
  let gw: TestGateway;
  let a: TestTenant;
  let b: TestTenant;
  let supportA: string;
  let agentOfB: string;
  let refundsSource: string;
  const tokens: Record<'agentA' | 'viewerA' | 'adminB' | 'owner', string> = { agentA: '', viewerA: '', adminB: '', owner: '' };

  beforeAll(async () => {
    gw = await startTestGateway();
    a = await createTenant(gw.db, 'Acme', { systemPrompt: 'You are the Acme assistant.' });
    b = await createTenant(gw.db, 'Bravo');
    supportA = (await gw.db.agent.create({ data: { tenantId: a.tenantId, name: 'Support', systemPrompt: 'You handle warranty claims for Acme.' } })).id;
    agentOfB = (await gw.db.agent.create({ data: { tenantId: b.tenantId, name: 'Bravo sales', systemPrompt: 'You sell for Bravo.' } })).id;
    refundsSource = await seedSource(gw, { tenantId: a.tenantId, title: 'Refund policy', url: 'https://acme.example/refunds', chunks: [{ content: REFUNDS, metadata: { page: 2 } }] });
    await seedSource(gw, { tenantId: a.tenantId, agentId: supportA, title: 'Support macros', chunks: [MACROS] });
    // Acme's model has its own prices, so the playground can show what a turn costs.
    await gw.db.llmConfig.create({ data: { tenantId: a.tenantId, priority: 0, provider: 'ollama', model: 'llama3.2', baseUrl: gw.fake.url, inputPricePer1M: 2, outputPricePer1M: 10 } });
    gw.app.get(TenantCache).invalidate(a.tenantId);
    await createAdminUser(gw.db, { email: 'agent-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'agent' }] });
    await createAdminUser(gw.db, { email: 'viewer-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'viewer' }] });
    await createAdminUser(gw.db, { email: 'admin-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'admin' }] });
    await createAdminUser(gw.db, { email: 'owner@example.com', password: PASSWORD, isPlatformOwner: true });
    tokens.agentA = await login(gw.url, 'agent-a@example.com', PASSWORD);
    tokens.viewerA = await login(gw.url, 'viewer-a@example.com', PASSWORD);
    tokens.adminB = await login(gw.url, 'admin-b@example.com', PASSWORD);
    tokens.owner = await login(gw.url, 'owner@example.com', PASSWORD);
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.fake.reset());
  afterEach(() => gw.fake.setDown(false));

  it('streams the answer with its citation, the retrieved chunks with scores, the prompt as sent, tokens, TTFT and cost; stored like any turn', async () => {
    gw.fake.script({ chunks: ['Refunds take ', 'up to 14 days [1].'], usage: { promptTokens: 1000, completionTokens: 500 }, tokenDelayMs: 2 });
    const events = await turn(gw, tokens.agentA, a.tenantId, { message: 'How long do refunds take?' });
    expect(events.map((e) => e.type)).toEqual(['meta', 'debug_prompt', 'chunk', 'chunk', 'citation', 'debug_usage', 'done']);

    const prompt = only(events, 'debug_prompt');
    expect(prompt.retrieval).toMatchObject({ query: 'How long do refunds take?', mode: 'hybrid', embeddingModel: 'ollama:nomic-embed-text' });
    expect(prompt.retrieval?.results[0]).toMatchObject({
      rank: 1,
      content: REFUNDS,
      page: 2,
      source: { id: refundsSource, title: 'Refund policy', url: 'https://acme.example/refunds' },
      scores: { fused: expect.any(Number), vectorRank: 1, similarity: expect.any(Number), textRank: 1, textScore: expect.any(Number) },
    });
    // The default agent sees tenant-wide sources only, not Support's own.
    expect(prompt.retrieval?.results.map((r) => r.content)).not.toContain(MACROS);
    // Exactly what the model received.
    const sent = gw.fake.chatRequests()[0]?.body as { messages: { role: string; content: string }[] };
    expect(prompt.messages).toEqual(sent.messages.map(({ role, content }) => ({ role, content })));
    expect(prompt.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You are the Acme assistant.') });
    expect(prompt.messages[0]?.content).toContain(`[1] Refund policy (https://acme.example/refunds, page 2)\n${REFUNDS}`);
    expect(prompt.messages.at(-1)).toEqual({ role: 'user', content: 'How long do refunds take?' });
    expect(prompt.promptTokensEstimate).toBeGreaterThan(0);

    const usage = only(events, 'debug_usage');
    // 1000 prompt tokens at $2/M + 500 completion tokens at $10/M.
    expect(usage).toMatchObject({ provider: 'ollama', model: 'llama3.2', promptTokens: 1000, completionTokens: 500, costUsd: 0.007, knowledgeOnly: false, failedAttempts: [] });
    expect(usage.ttftMs).toBeGreaterThanOrEqual(0);
    expect(usage.latencyMs).toBeGreaterThanOrEqual(usage.ttftMs ?? 0);
    expect(only(events, 'citation').citation).toMatchObject({ index: 1, sourceId: refundsSource, title: 'Refund policy', page: 2 });
    const done = only(events, 'done');
    expect(done).toMatchObject({ response: 'Refunds take up to 14 days [1].', usage: { promptTokens: 1000, completionTokens: 500 } });
    // Debug events stay out of the answer's resumable sequence.
    expect(events.filter((e) => 'seq' in e).map((e) => ('seq' in e ? e.seq : -1))).toEqual([0, 1, 2, 3, 4]);

    const meta = only(events, 'meta');
    const conversation = await gw.db.conversation.findUniqueOrThrow({ where: { sessionKey: meta.sessionId }, include: { messages: { orderBy: { createdAt: 'asc' } }, llmRequests: true } });
    expect(conversation).toMatchObject({ tenantId: a.tenantId, origin: PLAYGROUND_ORIGIN, messageCount: 2 });
    expect(conversation.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'How long do refunds take?', 'complete'],
      ['assistant', 'Refunds take up to 14 days [1].', 'complete'],
    ]);
    expect(conversation.messages[1]?.citations).toEqual([expect.objectContaining({ index: 1, sourceId: refundsSource })]);
    expect(conversation.llmRequests.map((r) => ({ status: r.status, promptTokens: r.promptTokens, completionTokens: r.completionTokens, costUsd: Number(r.costUsd) }))).toEqual([
      { status: 'ok', promptTokens: 1000, completionTokens: 500, costUsd: 0.007 },
    ]);
    // Found on the Conversations page like any other, marked as the playground's.
    const list = await adminApi(gw.url, tokens.agentA)<TConversationPage>('GET', `tenants/${a.tenantId}/conversations?q=refunds`);
    expect(list.body.items.find((c) => c.sessionId === meta.sessionId)).toMatchObject({ origin: PLAYGROUND_ORIGIN, firstMessage: 'How long do refunds take?' });
  });

  it('continues its own conversation (history in the prompt), answers as the chosen agent, and never continues a visitor’s session', async () => {
    gw.fake.script({ text: 'Refunds take 14 days [1].' }, { text: 'A broken kettle is replaced [1].' });
    const first = await turn(gw, tokens.agentA, a.tenantId, { message: 'How long do refunds take?' });
    const { sessionId } = only(first, 'meta');
    const second = await turn(gw, tokens.agentA, a.tenantId, { message: 'My kettle broke, is it under warranty?', sessionId, agentId: supportA });
    expect(only(second, 'meta').sessionId).toBe(sessionId);
    const prompt = only(second, 'debug_prompt');
    expect(prompt.messages[0]?.content).toContain('You handle warranty claims for Acme.');
    expect(prompt.messages.slice(1)).toEqual([
      { role: 'user', content: 'How long do refunds take?' },
      { role: 'assistant', content: 'Refunds take 14 days [1].' },
      { role: 'user', content: 'My kettle broke, is it under warranty?' },
    ]);
    expect(prompt.retrieval?.results.map((r) => r.content)).toContain(MACROS);

    const visitor = await createClient({ apiUrl: gw.url, key: a.secretKey }).chat({ message: 'Hello from a real visitor' });
    const before = await gw.db.message.count({ where: { conversation: { sessionKey: visitor.sessionId } } });
    expect(await refusal(turn(gw, tokens.agentA, a.tenantId, { message: 'Injected into a visitor chat', sessionId: visitor.sessionId }))).toEqual({ status: 404, code: 'SESSION_NOT_FOUND' });
    expect(await gw.db.message.count({ where: { conversation: { sessionKey: visitor.sessionId } } })).toBe(before);
  });

  it('tenant isolation: B’s admin gets 404 on A’s playground; A’s agent and A’s sessions are 404 from B’s; nothing of A changes', async () => {
    gw.fake.script({ text: 'A answer' });
    const ownA = await turn(gw, tokens.agentA, a.tenantId, { message: 'A private playground question' });
    const aSession = only(ownA, 'meta').sessionId;
    const snapshot = await snapshotTenant(gw.db, a.tenantId);
    const requests = gw.fake.chatRequests().length;

    expect(await refusal(turn(gw, tokens.adminB, a.tenantId, { message: 'Let me in' }))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(turn(gw, tokens.adminB, b.tenantId, { message: 'Speak as A', agentId: supportA }))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(turn(gw, tokens.adminB, b.tenantId, { message: 'Continue A', sessionId: aSession }))).toEqual({ status: 404, code: 'SESSION_NOT_FOUND' });
    // And the other way round: A's agent role does not reach B's agent.
    expect(await refusal(turn(gw, tokens.agentA, a.tenantId, { message: 'Speak as B', agentId: agentOfB }))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await refusal(turn(gw, tokens.agentA, a.tenantId, { message: 'No such agent', agentId: randomUUID() }))).toEqual({ status: 404, code: 'NOT_FOUND' });

    expect(await snapshotTenant(gw.db, a.tenantId)).toEqual(snapshot);
    expect(gw.fake.chatRequests()).toHaveLength(requests);
    // B's admin still uses B's own playground, and sees none of A's knowledge there.
    gw.fake.script({ text: 'B answer' });
    const ownB = await turn(gw, tokens.adminB, b.tenantId, { message: 'How long do refunds take?' });
    expect(only(ownB, 'debug_prompt').retrieval).toBeNull();
    expect(JSON.stringify(ownB)).not.toContain(REFUNDS);
  });

  it('a viewer is refused with 403 FORBIDDEN and nothing is stored; a platform owner may use any tenant’s', async () => {
    const before = await gw.db.message.count({ where: { tenantId: a.tenantId } });
    expect(await refusal(turn(gw, tokens.viewerA, a.tenantId, { message: 'Can I try?' }))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await gw.db.message.count({ where: { tenantId: a.tenantId } })).toBe(before);
    gw.fake.script({ text: 'Hello owner' });
    expect(only(await turn(gw, tokens.owner, b.tenantId, { message: 'Owner checks Bravo' }), 'done').response).toBe('Hello owner');
    expect(await refusal(turn(gw, tokens.owner, randomUUID(), { message: 'Nobody here' }))).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('bad input is a 400 with a code: malformed JSON, unknown fields, an empty or oversized message, a bad agent id', async () => {
    const post = async (body: string) => {
      const response = await fetch(`${gw.url}/api/v1/admin/tenants/${a.tenantId}/playground/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.agentA}`, 'content-type': 'application/json' },
        body,
      });
      return { status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code };
    };
    const before = await gw.db.message.count({ where: { tenantId: a.tenantId } });
    expect(await post('{"message": "unterminated')).toEqual({ status: 400, code: 'MALFORMED_JSON' });
    expect(await post(JSON.stringify({ message: 'hi', clientMessageId: 'x' }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await post(JSON.stringify({ message: '   ' }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await post(JSON.stringify({ message: 'x'.repeat(8001) }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await post(JSON.stringify({ message: 'hi', agentId: 'not-a-uuid' }))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(await gw.db.message.count({ where: { tenantId: a.tenantId } })).toBe(before);
  });

  it('model down: knowledge-only answer with citations (debug says so), or the error event with the message kept', async () => {
    gw.fake.setDown(true);
    const events = await turn(gw, tokens.agentA, a.tenantId, { message: 'How long do refunds take?' });
    expect(events.map((e) => e.type)).toEqual(['meta', 'debug_prompt', 'chunk', 'citation', 'debug_usage', 'done']);
    expect(only(events, 'done')).toMatchObject({ knowledgeOnly: true, provider: 'knowledge' });
    const usage = only(events, 'debug_usage');
    expect(usage).toMatchObject({ knowledgeOnly: true, provider: 'knowledge', promptTokens: 0, completionTokens: 0, ttftMs: null, costUsd: 0 });
    expect(usage.failedAttempts).toEqual([expect.objectContaining({ provider: 'ollama', model: 'llama3.2', error: expect.stringMatching(/^unreachable/) })]);

    // Bravo has no knowledge: the same error event a visitor gets, and the question is stored.
    const failed = await turn(gw, tokens.adminB, b.tenantId, { message: 'Anyone there?' });
    expect(failed.map((e) => e.type)).toEqual(['meta', 'debug_prompt', 'error']);
    expect(only(failed, 'error')).toMatchObject({ code: 'MODEL_UNAVAILABLE', partial: '' });
    const stored = await gw.db.message.findFirstOrThrow({ where: { tenantId: b.tenantId, content: 'Anyone there?' } });
    expect(stored.role).toBe('user');
  });

  it('cost is null when the model’s price is unknown (an OpenAI-compatible model with no prices set)', async () => {
    const c = await createTenant(gw.db, 'Charlie');
    await gw.db.llmConfig.create({ data: { tenantId: c.tenantId, priority: 0, provider: 'openai', model: 'house-model-7b', baseUrl: gw.fake.openaiUrl } });
    gw.app.get(TenantCache).invalidate(c.tenantId);
    gw.fake.script({ text: 'Priced nowhere', usage: { promptTokens: 40, completionTokens: 3 } });
    const usage = only(await turn(gw, tokens.owner, c.tenantId, { message: 'What does this cost?' }), 'debug_usage');
    expect(usage).toMatchObject({ provider: 'openai', model: 'house-model-7b', promptTokens: 40, completionTokens: 3, costUsd: null });
  });
});
