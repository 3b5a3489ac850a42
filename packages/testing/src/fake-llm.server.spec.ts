import { setTimeout as delay } from 'node:timers/promises';
import { startFakeLlm } from './fake-llm.server';
import type { FakeLlm } from './fake-llm.types';

interface OllamaLine {
  message?: { content: string };
  done: boolean;
}

const chatBody = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content }], ...extra });

async function ollamaChat(fake: FakeLlm, content: string, init: RequestInit = {}): Promise<string> {
  const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: chatBody(content), ...init });
  const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as OllamaLine);
  return lines.map((line) => line.message?.content ?? '').join('');
}

async function openAiChat(fake: FakeLlm, content: string): Promise<string> {
  const response = await fetch(`${fake.openaiUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-anything', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });
  const completion = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  return completion.choices[0]?.message.content ?? '';
}

/** Polls a condition the test cannot await directly (server-side timers), failing after `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}

const activeTimers = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('startFakeLlm', () => {
  let fake: FakeLlm;

  beforeEach(async () => {
    fake = await startFakeLlm({ defaultReply: { text: 'default answer' } });
  });
  afterEach(() => fake.close());

  it('listens on a random port of 127.0.0.1 and exposes both base URLs', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.openaiUrl).toBe(`${fake.url}/v1`);
  });

  it('feeds scripted replies to chat requests of either protocol in order, then the default', async () => {
    fake.script({ text: 'first' }, { text: 'second' });
    expect(await ollamaChat(fake, 'a')).toBe('first');
    expect(await openAiChat(fake, 'b')).toBe('second');
    expect(await ollamaChat(fake, 'c')).toBe('default answer');
  });

  it('does not consume the script on non-chat requests', async () => {
    fake.script({ text: 'scripted' });
    await fetch(`${fake.url}/api/tags`);
    await fetch(`${fake.url}/api/embed`, { method: 'POST', body: JSON.stringify({ model: 'nomic-embed-text', input: 'x' }) });
    expect(await ollamaChat(fake, 'a')).toBe('scripted');
  });

  it('records every request, with chatRequests() keeping only chat ones', async () => {
    await fetch(`${fake.url}/api/version`);
    await ollamaChat(fake, 'hello ollama');
    await openAiChat(fake, 'hello openai');
    expect(fake.requests.map((request) => `${request.protocol} ${request.method} ${request.path}`)).toEqual([
      'ollama GET /api/version',
      'ollama POST /api/chat',
      'openai POST /v1/chat/completions',
    ]);
    const [ollama, openai] = fake.chatRequests();
    expect(ollama?.body).toMatchObject({ messages: [{ role: 'user', content: 'hello ollama' }] });
    expect(openai?.headers.authorization).toBe('Bearer sk-anything');
    expect(openai?.at).toEqual(expect.any(Number));
  });

  it('reset() clears the script and the requests and restores the starting default', async () => {
    fake.script({ text: 'never used' });
    fake.setDefault({ text: 'temporary default' });
    await fetch(`${fake.url}/api/version`);
    fake.reset();
    expect(fake.requests).toEqual([]);
    expect(await ollamaChat(fake, 'a')).toBe('default answer');
  });

  it('setDown(true) makes health checks fail; setDown(false) brings the fake back', async () => {
    fake.setDown(true);
    await expect(fetch(`${fake.url}/api/tags`)).rejects.toThrow(/fetch failed/);
    fake.setDown(false);
    expect((await fetch(`${fake.url}/api/tags`)).status).toBe(200);
  });

  it('setDown(true) kills streams already in flight', async () => {
    fake.script({ text: 'a b c d e f', tokenDelayMs: 1_000 });
    const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: chatBody('x') });
    fake.setDown(true);
    await expect(response.text()).rejects.toThrow(/terminated/);
  });

  it('stops streaming and clears its timers when the client goes away', async () => {
    const baseline = activeTimers();
    fake.script({ text: 'slow slow slow slow', tokenDelayMs: 60_000 });
    const controller = new AbortController();
    const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: chatBody('x'), signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    await eventually(() => activeTimers() > baseline);
    controller.abort();
    await eventually(() => activeTimers() === baseline);
    expect(activeTimers()).toBe(baseline);
  });

  it('close() resolves while a slow stream is open, ending that stream', async () => {
    fake.script({ text: 'a b c d', tokenDelayMs: 60_000 });
    const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: chatBody('x') });
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(response.text()).rejects.toThrow(/terminated/);
  });

  it('serves 200 concurrent streams', async () => {
    fake.setDefault({ text: 'one two three four five six seven eight', tokenDelayMs: 10 });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => ollamaChat(fake, `request ${i}`)));
    expect(new Set(answers)).toEqual(new Set(['one two three four five six seven eight']));
    expect(fake.chatRequests()).toHaveLength(200);
  });
});

describe('startFakeLlm options', () => {
  it('can skip recording requests for long benchmarks', async () => {
    const fake = await startFakeLlm({ recordRequests: false });
    try {
      expect(await ollamaChat(fake, 'x')).toBe('Hello from the fake model.');
      expect(fake.requests).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await startFakeLlm();
    try {
      await expect(startFakeLlm({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
