import { io, type Socket } from 'socket.io-client';
import { createClient, type TResponseComplete, type TStreamEvent } from '@babble-buddy/shared';
import { TurnsService } from '../src/chat/turns.service';
import { createTenant, json, startTestGateway, type TestGateway, type TestTenant } from './harness';

const ORIGIN = 'https://app.example.com';
type ErrorBody = { error: { code: string; details?: Record<string, unknown> } };

async function widgetSession(gw: TestGateway, tenant: TestTenant, sessionId?: string): Promise<{ token: string; sessionId: string }> {
  const res = await fetch(`${gw.url}/api/v1/widget/session`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tenant.publishableKey}`, origin: ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify(sessionId ? { sessionId } : {}),
  });
  if (res.status !== 201) throw new Error(`widget session: ${res.status} ${await res.text()}`);
  return json(res);
}

function connect(gw: TestGateway, token: string): Socket {
  return io(`${gw.url}/chat`, { auth: { token }, transports: ['websocket'], extraHeaders: { origin: ORIGIN }, reconnection: false });
}

describe('sessions, resume, rate limits and tenant isolation', () => {
  let gw: TestGateway;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { RATE_LIMIT_SESSION_PER_MINUTE: '5' } });
    tenantA = await createTenant(gw.db, 'Tenant A', { allowedOrigins: [ORIGIN] });
    tenantB = await createTenant(gw.db, 'Tenant B', { allowedOrigins: [ORIGIN] });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.fake.reset());

  it('socket.io: a client that drops mid-answer resumes with exactly the model’s text, once', async () => {
    const chunks = Array.from({ length: 12 }, (_, i) => `w${i} `);
    gw.fake.script({ chunks, tokenDelayMs: 25 });
    const { token, sessionId } = await widgetSession(gw, tenantA);
    const first = connect(gw, token);
    const seen: { seq: number; text: string }[] = [];
    const threeChunks = new Promise<void>((resolve) =>
      first.on('response_chunk', (c) => {
        seen.push(c);
        if (seen.length === 3) resolve();
      }),
    );
    const ack = (await first.emitWithAck('send_message', { message: 'Long answer please' })) as { ok: true; messageId: string };
    await threeChunks;
    first.disconnect();

    // A new page load: a new widget session token for the same session, then resume.
    const again = await widgetSession(gw, tenantA, sessionId);
    expect(again.sessionId).toBe(sessionId);
    const second = connect(gw, again.token);
    try {
      const lastSeq = seen.at(-1)!.seq;
      const complete = new Promise<TResponseComplete>((resolve) => second.on('response_complete', resolve));
      second.on('response_chunk', (c) => seen.push(c));
      const resumed = await second.emitWithAck('resume', { messageId: ack.messageId, afterSeq: lastSeq });
      expect(resumed).toMatchObject({ ok: true, messageId: ack.messageId });
      const final = await complete;
      const seqs = seen.map((c) => c.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seen.map((c) => c.text).join('')).toBe(chunks.join(''));
      expect(final.response).toBe(chunks.join(''));
    } finally {
      second.disconnect();
    }
  });

  it('SSE: resume after a sequence number, while streaming and after the answer is stored', async () => {
    const chunks = ['alpha ', 'beta ', 'gamma ', 'delta'];
    gw.fake.script({ chunks, tokenDelayMs: 20 });
    const client = createClient({ apiUrl: gw.url, key: tenantA.secretKey });
    const controller = new AbortController();
    let messageId = '';
    let lastSeq = 0;
    for await (const event of client.stream({ message: 'Go' }, { signal: controller.signal })) {
      messageId = event.messageId;
      lastSeq = event.seq;
      if (event.type === 'chunk' && event.seq === 2) {
        controller.abort();
        break;
      }
    }
    const rest: TStreamEvent[] = [];
    for await (const event of client.resume(messageId, lastSeq)) rest.push(event);
    const texts = rest.filter((e) => e.type === 'chunk').map((e) => (e as { text: string }).text);
    expect(texts).toEqual(['gamma ', 'delta']);
    expect(rest.at(-1)).toMatchObject({ type: 'done', response: chunks.join('') });

    // Once its last event is in Redis the answer leaves this process's memory: later replays come from the
    // Redis log, and once that has expired, from the database.
    const turns = gw.app.get(TurnsService);
    for (let waited = 0; turns.get(messageId) && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(turns.get(messageId)).toBeUndefined();
    const replay: TStreamEvent[] = [];
    for await (const event of client.resume(messageId, 0)) replay.push(event);
    expect(replay.filter((e) => e.type === 'chunk').map((e) => (e as { text: string }).text)).toEqual(chunks);
    await gw.app.get<import('ioredis').Redis>(require('../src/infra/tokens').REDIS).del(`bb:turn:${messageId}`);
    const fromDb: TStreamEvent[] = [];
    for await (const event of client.resume(messageId, 2)) fromDb.push(event);
    expect(fromDb.at(-1)).toMatchObject({ type: 'done', response: chunks.join('') });
  });

  it('logs concurrent answers to Redis in order, each stream expiring even while it is still being written', async () => {
    const redis = gw.app.get<import('ioredis').Redis>(require('../src/infra/tokens').REDIS);
    const chunks = ['one ', 'two ', 'three ', 'four ', 'five'];
    gw.fake.script({ chunks, tokenDelayMs: 120 });
    const client = createClient({ apiUrl: gw.url, key: tenantA.secretKey });
    const answers = [0, 1, 2].map(async () => {
      const events: TStreamEvent[] = [];
      let inProgressTtl = -2;
      for await (const event of client.stream({ message: 'Count' })) {
        events.push(event);
        // Mid-answer (the first chunk is out, the next 120 ms away): once the batch window has passed,
        // the stream is in Redis with its TTL.
        if (event.type === 'chunk' && inProgressTtl === -2) {
          await new Promise((resolve) => setTimeout(resolve, 60));
          inProgressTtl = await redis.ttl(`bb:turn:${event.messageId}`);
          expect(events.some((e) => e.type === 'done')).toBe(false);
        }
      }
      return { events, inProgressTtl };
    });
    for (const { events, inProgressTtl } of await Promise.all(answers)) {
      expect(inProgressTtl).toBeGreaterThan(0);
      expect(inProgressTtl).toBeLessThanOrEqual(15 * 60);
      const messageId = events[0]?.messageId ?? '';
      const logged = (await redis.xrange(`bb:turn:${messageId}`, '-', '+')).map(([, fields]) => JSON.parse(fields[1] ?? 'null') as TStreamEvent);
      expect(logged).toEqual(events);
      expect(logged.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    }
  });

  it('a repeated clientMessageId is stored and answered once', async () => {
    gw.fake.script({ text: 'Only once.' });
    const client = createClient({ apiUrl: gw.url, key: tenantA.secretKey });
    const first = await client.chat({ message: 'Idempotent', clientMessageId: 'client-msg-1' });
    const again = await client.chat({ message: 'Idempotent', clientMessageId: 'client-msg-1', sessionId: first.sessionId });
    expect(again.messageId).toBe(first.messageId);
    expect(again.response).toBe('Only once.');
    expect(await gw.db.message.count({ where: { conversation: { sessionKey: first.sessionId } } })).toBe(2);
    expect(gw.fake.chatRequests()).toHaveLength(1);
  });

  it('a clientMessageId sent twice at once (a retry racing the original) is stored and answered once', async () => {
    gw.fake.script({ text: 'Raced.' });
    const client = createClient({ apiUrl: gw.url, key: tenantA.secretKey });
    const sessionId = (await client.chat({ message: 'Open the session' })).sessionId;
    gw.fake.reset();
    gw.fake.script({ text: 'Only once, raced.', latencyMs: 50 });
    const [first, second] = await Promise.all([0, 1].map(() => client.chat({ message: 'Race', clientMessageId: 'client-race-1', sessionId })));
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.response).toBe('Only once, raced.');
    expect(await gw.db.message.count({ where: { conversation: { sessionKey: sessionId }, content: 'Race' } })).toBe(1);
    expect(gw.fake.chatRequests()).toHaveLength(1);
  });

  it('rate limits per key with 429, Retry-After and RATE_LIMITED (REST and socket)', async () => {
    const limited = await createTenant(gw.db, 'Limited', { allowedOrigins: [ORIGIN], rateLimitPerMinute: 2 });
    const client = createClient({ apiUrl: gw.url, key: limited.secretKey });
    await client.chat({ message: 'one' });
    await client.chat({ message: 'two' });
    const res = await fetch(`${gw.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${limited.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'three' }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await json<ErrorBody>(res)).error.code).toBe('RATE_LIMITED');

    // A widget on the same tenant has its own key and its own budget.
    const { token } = await widgetSession(gw, limited);
    const socket = connect(gw, token);
    try {
      expect(await socket.emitWithAck('send_message', { message: 'widget one' })).toMatchObject({ ok: true });
      expect(await socket.emitWithAck('send_message', { message: 'widget two' })).toMatchObject({ ok: true });
      expect(await socket.emitWithAck('send_message', { message: 'widget three' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    } finally {
      socket.disconnect();
    }
  });

  it('rate limits per session', async () => {
    const client = createClient({ apiUrl: gw.url, key: tenantB.secretKey });
    const first = await client.chat({ message: 'm1' });
    for (let i = 2; i <= 5; i++) await client.chat({ message: `m${i}`, sessionId: first.sessionId });
    const res = await fetch(`${gw.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenantB.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'm6', sessionId: first.sessionId }),
    });
    expect(res.status).toBe(429);
    // Another session of the same key is not affected.
    expect((await client.chat({ message: 'other session' })).response.length).toBeGreaterThan(0);

    const { token } = await widgetSession(gw, tenantB, first.sessionId);
    const socket = connect(gw, token);
    try {
      const ack = await socket.emitWithAck('send_message', { message: 'over the limit' });
      expect(ack).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    } finally {
      socket.disconnect();
    }
  });

  it('tenant B’s credentials are refused on tenant A’s sessions and answers, and A’s data is untouched', async () => {
    gw.fake.script({ text: 'A private answer.' });
    const a = await createClient({ apiUrl: gw.url, key: tenantA.secretKey }).chat({ message: 'A secret question', sessionId: 'tenant-a-session-1' });
    const before = await gw.db.message.findMany({ where: { conversation: { sessionKey: a.sessionId } }, orderBy: { createdAt: 'asc' } });
    const asB = { authorization: `Bearer ${tenantB.secretKey}`, 'content-type': 'application/json' };

    const chat = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: asB, body: JSON.stringify({ message: 'Let me in', sessionId: a.sessionId }) });
    expect(chat.status).toBe(404);
    expect((await json<ErrorBody>(chat)).error.code).toBe('SESSION_NOT_FOUND');
    const stream = await fetch(`${gw.url}/api/v1/chat/stream`, { method: 'POST', headers: asB, body: JSON.stringify({ message: 'Let me in', sessionId: a.sessionId }) });
    expect(stream.status).toBe(404);
    const history = await fetch(`${gw.url}/api/v1/sessions/${a.sessionId}/history`, { headers: asB });
    expect(history.status).toBe(404);
    expect((await json<ErrorBody>(history)).error.code).toBe('SESSION_NOT_FOUND');
    const resume = await fetch(`${gw.url}/api/v1/messages/${a.messageId}/stream?afterSeq=0`, { headers: asB });
    expect(resume.status).toBe(404);
    expect((await json<ErrorBody>(resume)).error.code).toBe('MESSAGE_NOT_FOUND');
    const openai = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: asB, body: JSON.stringify({ model: 'x', user: 'u1', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(openai.status).toBe(200);
    expect(await gw.db.conversation.findUniqueOrThrow({ where: { sessionKey: `openai:${tenantB.tenantId}:u1` } })).toMatchObject({ tenantId: tenantB.tenantId });

    // B's widget cannot attach to A's session, and B's socket cannot resume A's answer.
    const widget = await fetch(`${gw.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenantB.publishableKey}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: a.sessionId }),
    });
    expect(widget.status).toBe(404);
    const bWidget = await widgetSession(gw, tenantB);
    const socket = connect(gw, bWidget.token);
    try {
      expect(await socket.emitWithAck('resume', { messageId: a.messageId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'MESSAGE_NOT_FOUND' } });
      expect(await socket.emitWithAck('send_message', { message: 'hi', sessionId: a.sessionId })).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
    } finally {
      socket.disconnect();
    }
    // Same tenant, other widget session: not allowed to read someone else's answer either.
    const otherVisitor = await widgetSession(gw, tenantA);
    const other = await fetch(`${gw.url}/api/v1/messages/${a.messageId}/stream`, { headers: { authorization: `Bearer ${otherVisitor.token}`, origin: ORIGIN } });
    expect(other.status).toBe(404);

    const after = await gw.db.message.findMany({ where: { conversation: { sessionKey: a.sessionId } }, orderBy: { createdAt: 'asc' } });
    expect(after).toEqual(before);
  });

  it('socket connections without valid credentials are refused at the handshake', async () => {
    const socket = io(`${gw.url}/chat`, { auth: { token: 'sk_invalid' }, transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.on('connect_error', resolve));
    expect(error.data?.code).toBe('INVALID_KEY');
    socket.disconnect();
  });
});
