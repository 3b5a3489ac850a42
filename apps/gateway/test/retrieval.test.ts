import { io } from 'socket.io-client';
import OpenAI from 'openai';
import { createClient, type TChatResponse, type TCitation, type THistoryResponse, type TResponseComplete, type TStreamEvent } from '@babble-buddy/shared';
import { createTenant, json, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { embedRequests, knowledgeSent, seedSource, setEmbeddingModel } from './knowledge.fixtures';

const ORIGIN = 'https://app.example.com';

const REFUNDS = 'Refunds are issued within 14 days of purchase. To request a refund, email billing with your order number.';
const SHIPPING = 'We ship worldwide. Standard shipping takes five business days; express shipping takes two days.';
const PASSWORD = 'To reset your password, open Settings, choose Security and click Reset password.';
const B_REFUNDS = 'Refunds at Bravo are issued within 90 days of purchase, no questions asked, by the Bravo billing team.';

async function chat(gw: TestGateway, key: string, body: Record<string, unknown>): Promise<TChatResponse> {
  const res = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed = await json<TChatResponse & { error?: unknown }>(res);
  if (res.status !== 200) throw new Error(`chat failed: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('grounded answers with citations (real Postgres + Redis, fake Ollama chat + embeddings over HTTP)', () => {
  let gw: TestGateway;
  let acme: TestTenant;
  let bravo: TestTenant;
  let acmeAgentId: string;
  const docs: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await createTenant(gw.db, 'Acme', { allowedOrigins: [ORIGIN] });
    bravo = await createTenant(gw.db, 'Bravo');
    acmeAgentId = (await gw.db.agent.create({ data: { tenantId: acme.tenantId, name: 'Security desk', systemPrompt: 'You help with accounts.' } })).id;
    docs.refunds = await seedSource(gw, { tenantId: acme.tenantId, title: 'Refund policy', url: 'https://acme.example/refunds', chunks: [{ content: REFUNDS, metadata: { page: 2 } }] });
    docs.shipping = await seedSource(gw, { tenantId: acme.tenantId, title: 'Shipping guide', chunks: [SHIPPING] });
    docs.password = await seedSource(gw, { tenantId: acme.tenantId, title: 'Account security', agentId: acmeAgentId, chunks: [PASSWORD] });
    docs.bravo = await seedSource(gw, { tenantId: bravo.tenantId, title: 'Bravo refunds', chunks: [B_REFUNDS] });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.fake.reset());

  it('REST: the document holding the answer is in the prompt as untrusted data and is cited; stored and in history', async () => {
    gw.fake.script({ chunks: ['Refunds take ', 'up to 14 days [1].'] });
    const answer = await chat(gw, acme.secretKey, { message: 'How long do refunds take?' });
    expect(answer.response).toBe('Refunds take up to 14 days [1].');
    expect(answer.citations).toEqual([
      { index: 1, sourceId: docs.refunds, title: 'Refund policy', url: 'https://acme.example/refunds', page: 2, snippet: REFUNDS },
    ]);
    const knowledge = knowledgeSent(gw, 0);
    expect(knowledge).toContain(`[1] Refund policy (https://acme.example/refunds, page 2)\n${REFUNDS}`);
    const system = (gw.fake.chatRequests()[0]!.body as { messages: { content: string }[] }).messages[0]!.content;
    expect(system).toMatch(/UNTRUSTED DATA/);
    expect(system).toMatch(/cite\s+the passages you use by their number/);

    const stored = await gw.db.message.findUniqueOrThrow({ where: { id: answer.messageId } });
    expect(stored.citations).toEqual(answer.citations);
    const history = await createClient({ apiUrl: gw.url, key: acme.secretKey }).history(answer.sessionId);
    expect(history.messages.at(-1)).toMatchObject({ id: answer.messageId, citations: answer.citations });
    expect(history.messages.at(-1)).not.toHaveProperty('knowledgeOnly');
  });

  it('SSE: a citation event follows the chunk that cites it, before done', async () => {
    gw.fake.script({ chunks: ['Express shipping ', 'takes two days [', '1]', '. Anything else?'], tokenDelayMs: 2 });
    const events: TStreamEvent[] = [];
    for await (const event of createClient({ apiUrl: gw.url, key: acme.secretKey }).stream({ message: 'How fast is express shipping?' })) events.push(event);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'citation')).toHaveLength(1);
    const citationAt = types.indexOf('citation');
    // After the chunk that closed the marker, before the rest of the text and before done.
    expect(events[citationAt - 1]).toMatchObject({ type: 'chunk', text: '1]' });
    expect(types.slice(citationAt + 1)).toEqual(['chunk', 'done']);
    expect(events[citationAt]).toMatchObject({ type: 'citation', citation: { index: 1, sourceId: docs.shipping, title: 'Shipping guide' } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  });

  it('socket.io: response_complete carries the citations', async () => {
    gw.fake.script({ text: 'Reset it under Settings, Security [1].' });
    const session = await fetch(`${gw.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.publishableKey}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: '{}',
    });
    const { token } = await json<{ token: string }>(session);
    const socket = io(`${gw.url}/chat`, { auth: { token }, transports: ['websocket'], extraHeaders: { origin: ORIGIN } });
    try {
      const complete = new Promise<TResponseComplete>((resolve) => socket.on('response_complete', resolve));
      const ack = await socket.emitWithAck('send_message', { message: 'How do I reset my password?', agentId: acmeAgentId });
      expect(ack).toMatchObject({ ok: true });
      const final = await complete;
      expect(final.status).toBe('complete');
      expect(final.citations).toEqual([expect.objectContaining({ index: 1, sourceId: docs.password, title: 'Account security' })]);
    } finally {
      socket.disconnect();
    }
  });

  it('OpenAI-compatible: citations as an extension field on the response and on the final stream chunk', async () => {
    const openai = new OpenAI({ apiKey: acme.secretKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    gw.fake.script({ text: 'Within 14 days [1].' }, { chunks: ['Within ', '14 days [1].'] });
    const completion = await openai.chat.completions.create({ model: 'babble-buddy', messages: [{ role: 'user', content: 'How long do refunds take?' }] });
    const citations = (completion as unknown as { citations: TCitation[] }).citations;
    expect(citations).toEqual([expect.objectContaining({ index: 1, sourceId: docs.refunds })]);

    const stream = await openai.chat.completions.create({ model: 'babble-buddy', messages: [{ role: 'user', content: 'How long do refunds take?' }], stream: true });
    const finals: unknown[] = [];
    for await (const chunk of stream) {
      const extra = chunk as unknown as { citations?: TCitation[] };
      if (extra.citations) finals.push({ finish: chunk.choices[0]?.finish_reason, citations: extra.citations });
    }
    expect(finals).toEqual([{ finish: 'stop', citations: [expect.objectContaining({ index: 1, sourceId: docs.refunds })] }]);
  });

  it('an answer without [n] markers cites every passage it was given', async () => {
    gw.fake.script({ text: 'We offer refunds and ship worldwide.' });
    const answer = await chat(gw, acme.secretKey, { message: 'Tell me about refunds and shipping' });
    expect(new Set(answer.citations.map((c) => c.sourceId))).toEqual(new Set([docs.refunds, docs.shipping]));
    expect(answer.citations.map((c) => c.index)).toEqual([1, 2]);
  });

  it('only passages the answer references are cited when it uses markers', async () => {
    gw.fake.script({ text: 'Shipping takes five days [2].' });
    const answer = await chat(gw, acme.secretKey, { message: 'Tell me about refunds and shipping' });
    expect(knowledgeSent(gw, 0)).toContain('[1]');
    expect(answer.citations).toHaveLength(1);
    expect(answer.citations[0]).toMatchObject({ index: 2 });
    const cited = knowledgeSent(gw, 0).split('\n\n').find((entry) => entry.startsWith('[2]'));
    expect(cited).toContain(answer.citations[0]!.title);
  });

  it('tenant isolation: neither tenant’s chat ever sees the other’s chunks', async () => {
    gw.fake.script({ text: 'Acme answer.' }, { text: 'Bravo answer [1].' });
    const a = await chat(gw, acme.secretKey, { message: B_REFUNDS });
    expect(knowledgeSent(gw, 0)).not.toContain('Bravo');
    expect(a.citations.map((c) => c.sourceId)).not.toContain(docs.bravo);
    const b = await chat(gw, bravo.secretKey, { message: `${REFUNDS} ${SHIPPING} ${PASSWORD}` });
    expect(knowledgeSent(gw, 1)).not.toMatch(/Acme|14 days|Settings|worldwide/);
    expect(b.citations.map((c) => c.sourceId)).toEqual([docs.bravo]);
  });

  it('a tenant whose only knowledge belongs to one agent: other agents’ turns make no embedding request', async () => {
    const tenant = await createTenant(gw.db, 'Scoped');
    const agent = (await gw.db.agent.create({ data: { tenantId: tenant.tenantId, name: 'Billing', systemPrompt: '' } })).id;
    const invoices = await seedSource(gw, { tenantId: tenant.tenantId, agentId: agent, title: 'Invoices', chunks: ['Invoices are sent on the first day of each month.'] });
    gw.fake.script({ text: 'No idea.' }, { text: 'On the first [1].' });
    const general = await chat(gw, tenant.secretKey, { message: 'When are invoices sent?' });
    expect(general.citations).toEqual([]);
    expect(embedRequests(gw)).toEqual([]);
    const billing = await chat(gw, tenant.secretKey, { message: 'When are invoices sent?', agentId: agent });
    expect(billing.citations.map((c) => c.sourceId)).toEqual([invoices]);
    expect(embedRequests(gw)).toHaveLength(1);
  });

  it('agent-scoped sources: the agent sees its own and tenant-wide ones; the default agent does not see them', async () => {
    gw.fake.script({ text: 'One.' }, { text: 'Two.' });
    await chat(gw, acme.secretKey, { message: 'How do I reset my password?', agentId: acmeAgentId });
    expect(knowledgeSent(gw, 0)).toContain(PASSWORD);
    await chat(gw, acme.secretKey, { message: 'How do I reset my password?' });
    expect(knowledgeSent(gw, 1)).not.toContain(PASSWORD);
  });

  it('follow-up questions search with the conversation’s subject', async () => {
    const tenant = await createTenant(gw.db, 'Plans');
    const billing = await seedSource(gw, { tenantId: tenant.tenantId, title: 'Enterprise billing', chunks: ['The Enterprise plan is billed at 99 euros per seat monthly.'] });
    await seedSource(gw, { tenantId: tenant.tenantId, title: 'Plans', chunks: ['Single sign-on is part of the Enterprise plan.'] });
    await seedSource(gw, { tenantId: tenant.tenantId, title: 'Shipping costs', chunks: ['Shipping costs five euros within Europe.'] });
    gw.fake.script({ text: 'The Enterprise plan has single sign-on [1].' }, { text: 'It is 99 euros per seat.' }, { text: 'Shipping costs five euros.' });
    const first = await chat(gw, tenant.secretKey, { message: 'Which plan includes single sign-on?' });
    const second = await chat(gw, tenant.secretKey, { message: 'How much does it cost?', sessionId: first.sessionId });
    expect(knowledgeSent(gw, 1)).toContain('99 euros per seat');
    expect(second.citations.map((c) => c.sourceId)).toContain(billing);
    // Asked alone, the same words find the shipping price, not the plan's.
    await chat(gw, tenant.secretKey, { message: 'How much does it cost?' });
    expect(knowledgeSent(gw, 2)).not.toContain('99 euros per seat');
    expect(knowledgeSent(gw, 2)).toContain('Shipping costs five euros');
  });

  it('full-text-only tenant (no embedding model): cited by word match, no embedding request made', async () => {
    const tenant = await createTenant(gw.db, 'Textual');
    await setEmbeddingModel(gw, tenant.tenantId, { provider: 'none' });
    const handbook = await seedSource(gw, { tenantId: tenant.tenantId, title: 'Handbook', embedding: null, chunks: ['Expense reports are due on the fifth of each month.', 'Holiday requests go to the team lead.'] });
    gw.fake.script({ text: 'By the fifth [1].' });
    const answer = await chat(gw, tenant.secretKey, { message: 'When are expense reports due?' });
    expect(answer.citations).toEqual([expect.objectContaining({ index: 1, sourceId: handbook, snippet: 'Expense reports are due on the fifth of each month.' })]);
    expect(embedRequests(gw)).toEqual([]);
  });

  it('a tenant with another embedding model and dimension (384) gets its document cited', async () => {
    const tenant = await createTenant(gw.db, 'Minilm');
    await setEmbeddingModel(gw, tenant.tenantId, { provider: 'ollama', model: 'all-minilm', baseUrl: gw.fake.url });
    const parking = await seedSource(gw, { tenantId: tenant.tenantId, title: 'Office guide', embedding: { model: 'ollama:all-minilm', dims: 384 }, chunks: ['Parking is available in the basement garage.', 'The cafeteria opens at eight.'] });
    gw.fake.script({ text: 'In the basement garage [1].' });
    const answer = await chat(gw, tenant.secretKey, { message: 'Where can I park?' });
    expect(answer.citations).toEqual([expect.objectContaining({ sourceId: parking, snippet: 'Parking is available in the basement garage.' })]);
    const embed = gw.fake.requests.find((r) => r.path === '/api/embed');
    expect(embed?.body).toMatchObject({ model: 'all-minilm' });
  });

  it('a tenant without knowledge makes no embedding request and its prompt has no knowledge section', async () => {
    const tenant = await createTenant(gw.db, 'Empty');
    gw.fake.script({ text: 'Hello.' });
    const answer = await chat(gw, tenant.secretKey, { message: 'How long do refunds take?' });
    expect(answer.citations).toEqual([]);
    expect(knowledgeSent(gw, 0)).toBe('');
    expect(embedRequests(gw)).toEqual([]);
    // Knowledge added later is seen on the next turn (its sources' rows notify every gateway).
    const doc = await seedSource(gw, { tenantId: tenant.tenantId, title: 'New policy', chunks: ['Refunds take ten days at Empty.'] });
    gw.fake.script({ text: 'Ten days [1].' });
    const again = await chat(gw, tenant.secretKey, { message: 'How long do refunds take?' });
    expect(again.citations.map((c) => c.sourceId)).toEqual([doc]);
  });

  describe('knowledge-only mode (no model reachable)', () => {
    afterEach(() => gw.fake.setDown(false));

    it('REST: answers with the best passages, labelled as search results, stored complete', async () => {
      gw.fake.setDown(true);
      const answer = await chat(gw, acme.secretKey, { message: 'What is your refund policy?', sessionId: 'kb-only-session' });
      expect(answer.knowledgeOnly).toBe(true);
      expect(answer.provider).toBe('knowledge');
      expect(answer.response.startsWith('Search results: the AI assistant is unavailable right now')).toBe(true);
      expect(answer.response).toContain(`[1] Refund policy (page 2)\n${REFUNDS}`);
      expect(answer.citations[0]).toMatchObject({ index: 1, sourceId: docs.refunds });

      const stored = await gw.db.message.findUniqueOrThrow({ where: { id: answer.messageId } });
      expect(stored).toMatchObject({ status: 'complete', content: answer.response, provider: 'knowledge' });
      expect(stored.citations).toEqual(answer.citations);
      const failed = await gw.db.llmRequest.findMany({ where: { messageId: answer.messageId } });
      expect(failed.map((r) => r.status)).toEqual(['error']);
      const history = await json<THistoryResponse>(await fetch(`${gw.url}/api/v1/sessions/kb-only-session/history`, { headers: { authorization: `Bearer ${acme.secretKey}` } }));
      expect(history.messages.at(-1)).toMatchObject({ id: answer.messageId, status: 'complete', knowledgeOnly: true, citations: answer.citations });
    });

    it('SSE: chunk, citations, then done flagged knowledgeOnly', async () => {
      gw.fake.setDown(true);
      const events: TStreamEvent[] = [];
      for await (const event of createClient({ apiUrl: gw.url, key: acme.secretKey }).stream({ message: 'How fast is express shipping?' })) events.push(event);
      expect(events.map((e) => e.type)).toEqual(['meta', 'chunk', ...events.filter((e) => e.type === 'citation').map(() => 'citation'), 'done']);
      expect(events.at(-1)).toMatchObject({ type: 'done', knowledgeOnly: true, provider: 'knowledge' });
      expect(events.find((e) => e.type === 'citation')).toMatchObject({ citation: { index: 1, sourceId: docs.shipping } });
    });

    it('OpenAI-compatible: knowledge_only and citations as extension fields', async () => {
      gw.fake.setDown(true);
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'babble-buddy', messages: [{ role: 'user', content: 'What is your refund policy?' }] }),
      });
      expect(res.status).toBe(200);
      const body = await json<{ knowledge_only?: boolean; citations: TCitation[]; choices: { message: { content: string } }[] }>(res);
      expect(body.knowledge_only).toBe(true);
      expect(body.choices[0]!.message.content.startsWith('Search results:')).toBe(true);
      expect(body.citations[0]).toMatchObject({ sourceId: docs.refunds });
    });

    it('nothing relevant in the knowledge base: the usual MODEL_UNAVAILABLE error', async () => {
      gw.fake.setDown(true);
      const res = await fetch(`${gw.url}/api/v1/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Tell me a joke about zebras' }),
      });
      expect(res.status).toBe(503);
      expect(await json<{ error: { code: string } }>(res)).toMatchObject({ error: { code: 'MODEL_UNAVAILABLE' } });
    });
  });
});

describe('follow-up rewriting by the model (RETRIEVAL_REWRITE=model)', () => {
  let gw: TestGateway;
  let tenant: TestTenant;
  let billing: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { RETRIEVAL_REWRITE: 'model', RETRIEVAL_REWRITE_TIMEOUT_MS: '2000' } });
    tenant = await createTenant(gw.db, 'Plans');
    billing = await seedSource(gw, { tenantId: tenant.tenantId, title: 'Enterprise billing', chunks: ['The Enterprise plan is billed at 99 euros per seat monthly.'] });
    await seedSource(gw, { tenantId: tenant.tenantId, title: 'Shipping costs', chunks: ['Shipping costs five euros within Europe.'] });
  });
  afterAll(() => gw.close());

  it('a follow-up is rewritten by one short model call, then searched; a standalone question makes no extra call', async () => {
    gw.fake.script({ text: 'Single sign-on comes with Enterprise.' }, { text: 'Enterprise plan price per seat' }, { text: 'It is 99 euros per seat.' });
    const first = await chat(gw, tenant.secretKey, { message: 'Which plan includes single sign-on?' });
    expect(gw.fake.chatRequests()).toHaveLength(1);
    const second = await chat(gw, tenant.secretKey, { message: 'How much does it cost?', sessionId: first.sessionId });
    const requests = gw.fake.chatRequests();
    expect(requests).toHaveLength(3);
    const rewrite = JSON.stringify(requests[1]!.body);
    expect(rewrite).toContain('standalone search query');
    expect(rewrite).toContain('Which plan includes single sign-on?');
    expect(knowledgeSent(gw, 2)).toContain('99 euros per seat');
    expect(knowledgeSent(gw, 2)).not.toContain('Shipping costs five euros');
    expect(second.citations.map((c) => c.sourceId)).toEqual([billing]);
  });
});
