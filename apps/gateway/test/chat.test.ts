import { io } from 'socket.io-client';
import OpenAI from 'openai';
import { createClient, type TResponseComplete, type TStreamEvent } from '@babble-buddy/shared';
import { createTenant, json, startTestGateway, type TestGateway, type TestTenant } from './harness';

const ORIGIN = 'https://app.example.com';

describe('chat transports (real Postgres + Redis, fake Ollama over HTTP)', () => {
  let gw: TestGateway;
  let acme: TestTenant;

  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await createTenant(gw.db, 'Acme', { allowedOrigins: [ORIGIN], systemPrompt: 'You are Acme’s helper.' });
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.fake.reset());

  it('REST: answers with the model’s exact text and stores both messages', async () => {
    gw.fake.script({ chunks: ['Hello', ', ', 'world', '!'] });
    const res = await fetch(`${gw.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Hi there' }),
    });
    expect(res.status).toBe(200);
    const body = await json<{ response: string; sessionId: string; messageId: string; citations: unknown[] }>(res);
    expect(body.response).toBe('Hello, world!');
    expect(body.citations).toEqual([]);
    const stored = await gw.db.message.findMany({ where: { conversation: { sessionKey: body.sessionId } }, orderBy: { createdAt: 'asc' } });
    expect(stored.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'Hi there', 'complete'],
      ['assistant', 'Hello, world!', 'complete'],
    ]);
    const assistant = stored[1]!;
    expect(assistant.ttftMs).not.toBeNull();
    expect(assistant.latencyMs).not.toBeNull();
    expect(assistant.completionTokens).toBeGreaterThan(0);
    const requests = await gw.db.llmRequest.findMany({ where: { messageId: assistant.id } });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ provider: 'ollama', model: 'llama3.2:1b', status: 'ok' });
    expect(requests[0]!.costUsd?.toString()).toBe('0');
    // The agent prompt reached the model first.
    const sent = gw.fake.chatRequests()[0]!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages[0]).toEqual({ role: 'system', content: expect.stringContaining('You are Acme’s helper.') });
    expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'Hi there' });
  });

  it('SSE: streams meta, every chunk in order with sequence numbers, then done', async () => {
    const chunks = ['Stream', 'ing ', 'is ', 'fun', '.'];
    gw.fake.script({ chunks, tokenDelayMs: 5 });
    const client = createClient({ apiUrl: gw.url, key: acme.secretKey });
    const events: TStreamEvent[] = [];
    for await (const event of client.stream({ message: 'Tell me' })) events.push(event);
    expect(events[0]?.type).toBe('meta');
    const textChunks = events.filter((e): e is Extract<TStreamEvent, { type: 'chunk' }> => e.type === 'chunk');
    expect(textChunks.map((e) => e.text)).toEqual(chunks);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', response: 'Streaming is fun.' });
  });

  it('second turn sends the first turn as history', async () => {
    gw.fake.script({ text: 'Nice to meet you, Ada.' }, { text: 'Your name is Ada.' });
    const client = createClient({ apiUrl: gw.url, key: acme.secretKey });
    const first = await client.chat({ message: 'My name is Ada.' });
    const second = await client.chat({ message: 'What is my name?', sessionId: first.sessionId });
    expect(second.sessionId).toBe(first.sessionId);
    expect(second.response).toBe('Your name is Ada.');
    const sent = gw.fake.chatRequests()[1]!.body as { messages: { role: string; content: string }[] };
    const turns = sent.messages.filter((m) => m.role !== 'system').map((m) => [m.role, m.content]);
    expect(turns).toEqual([
      ['user', 'My name is Ada.'],
      ['assistant', 'Nice to meet you, Ada.'],
      ['user', 'What is my name?'],
    ]);
    const history = await client.history(first.sessionId);
    expect(history.messages.map((m) => m.content)).toEqual(['My name is Ada.', 'Nice to meet you, Ada.', 'What is my name?', 'Your name is Ada.']);
  });

  it('host context reaches the prompt as data', async () => {
    gw.fake.script({ text: 'You are on the pricing page.' });
    const client = createClient({ apiUrl: gw.url, key: acme.secretKey });
    await client.chat({ message: 'Where am I?', context: { page: '/pricing', plan: 'pro' } });
    const sent = JSON.stringify(gw.fake.chatRequests()[0]!.body);
    expect(sent).toContain('/pricing');
    expect(sent).toContain('pro');
  });

  it('socket.io: widget session, acked send, chunks in order, complete', async () => {
    const chunks = ['Sock', 'ets ', 'work', '!'];
    gw.fake.script({ chunks, tokenDelayMs: 5 });
    const session = await fetch(`${gw.url}/api/v1/widget/session`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.publishableKey}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(session.status).toBe(201);
    const { token, sessionId } = await json<{ token: string; sessionId: string }>(session);
    const socket = io(`${gw.url}/chat`, { auth: { token }, transports: ['websocket'], extraHeaders: { origin: ORIGIN } });
    try {
      const received: string[] = [];
      const complete = new Promise<TResponseComplete>((resolve) => socket.on('response_complete', resolve));
      socket.on('response_chunk', (c) => received.push(c.text));
      const ack = await socket.emitWithAck('send_message', { message: 'Hello socket' });
      expect(ack).toMatchObject({ ok: true, sessionId });
      const final = await complete;
      expect(final.status).toBe('complete');
      expect(final.response).toBe('Sockets work!');
      expect(received).toEqual(chunks);
    } finally {
      socket.disconnect();
    }
  });

  it('OpenAI-compatible endpoint works through the official openai SDK, streaming and not', async () => {
    const openai = new OpenAI({ apiKey: acme.secretKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    gw.fake.script({ text: 'Plain answer.' }, { chunks: ['Str', 'eamed', ' answer.'] });
    const completion = await openai.chat.completions.create({ model: 'babble-buddy', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Plain answer.');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);

    const stream = await openai.chat.completions.create({
      model: 'babble-buddy',
      messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const parts: string[] = [];
    let usage: unknown = null;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content;
      if (delta) parts.push(delta);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(parts).toEqual(['Str', 'eamed', ' answer.']);
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
    const sent = gw.fake.chatRequests()[1]!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(sent.messages[0]!.content).toContain('Be terse.');
  });
});
