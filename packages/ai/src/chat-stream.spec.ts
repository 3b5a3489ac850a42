import { type FakeLlm, startFakeLlm } from '@babble-buddy/testing';
import { closedPortUrl } from '../test/closed-port';
import { type ChatStreamEvent, streamChat } from './chat-stream';
import { LlmAbortedError, LlmError, LlmStreamError, LlmUnavailableError } from './errors';
import type { ChatTurn, ProviderConfig } from './types';

const messages: ChatTurn[] = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'Say hello' },
];

interface Outcome {
  events: ChatStreamEvent[];
  error?: unknown;
}

async function run(stream: AsyncGenerator<ChatStreamEvent>): Promise<Outcome> {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

function tokens(events: ChatStreamEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'token' ? [e.text] : []));
}

function doneOf(events: ChatStreamEvent[]): Extract<ChatStreamEvent, { type: 'done' }> {
  const done = events.find((e): e is Extract<ChatStreamEvent, { type: 'done' }> => e.type === 'done');
  if (!done) throw new Error(`no done event in ${JSON.stringify(events.map((e) => e.type))}`);
  return done;
}

function failuresOf(events: ChatStreamEvent[]): Array<Extract<ChatStreamEvent, { type: 'attempt_failed' }>> {
  return events.filter((e): e is Extract<ChatStreamEvent, { type: 'attempt_failed' }> => e.type === 'attempt_failed');
}

describe('streamChat', () => {
  let fake: FakeLlm;
  let backup: FakeLlm;
  let ollama: ProviderConfig;
  let openai: ProviderConfig;

  beforeAll(async () => {
    fake = await startFakeLlm();
    backup = await startFakeLlm();
    ollama = { id: 'cfg-ollama', provider: 'ollama', model: 'llama3.2', baseUrl: fake.url };
    openai = { id: 'cfg-openai', provider: 'openai', model: 'gpt-4o-mini', baseUrl: fake.openaiUrl, apiKey: 'sk-test' };
  });

  afterEach(() => {
    fake.setDown(false);
    backup.setDown(false);
    fake.reset();
    backup.reset();
  });

  afterAll(async () => {
    await fake.close();
    await backup.close();
  });

  describe('streaming', () => {
    it('relays Ollama chunks in order with usage, ttft and zero cost', async () => {
      fake.script({ chunks: ['Hel', 'lo', ', world'], usage: { promptTokens: 21, completionTokens: 3 }, latencyMs: 120 });

      const { events, error } = await run(streamChat([ollama], messages));

      expect(error).toBeUndefined();
      expect(events[0]).toEqual({ type: 'attempt', attempt: 1, provider: 'ollama', model: 'llama3.2', configId: 'cfg-ollama' });
      expect(tokens(events)).toEqual(['Hel', 'lo', ', world']);
      const done = doneOf(events);
      expect(done).toMatchObject({
        provider: 'ollama',
        model: 'llama3.2',
        configId: 'cfg-ollama',
        text: 'Hello, world',
        usage: { promptTokens: 21, completionTokens: 3 },
        costUsd: 0,
      });
      expect(done.fallbackFrom).toBeUndefined();
      expect(done.ttftMs).toBeGreaterThanOrEqual(100);
      expect(done.latencyMs).toBeGreaterThanOrEqual(done.ttftMs);
      expect(events[events.length - 1]).toBe(done);

      const [request] = fake.chatRequests();
      expect(request).toMatchObject({ protocol: 'ollama', path: '/api/chat' });
      expect(request?.body?.['model']).toBe('llama3.2');
      expect(request?.body?.['messages']).toEqual([
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'Say hello' },
      ]);
    });

    it('relays OpenAI chunks in order with streamed usage and the known gpt-4o-mini price', async () => {
      fake.script({ chunks: ['Good ', 'morning', '!'], usage: { promptTokens: 1000, completionTokens: 500 } });

      const { events, error } = await run(streamChat([openai], messages));

      expect(error).toBeUndefined();
      expect(tokens(events)).toEqual(['Good ', 'morning', '!']);
      const done = doneOf(events);
      expect(done).toMatchObject({
        provider: 'openai',
        model: 'gpt-4o-mini',
        text: 'Good morning!',
        usage: { promptTokens: 1000, completionTokens: 500 },
      });
      // 1000 × $0.15/1M + 500 × $0.60/1M
      expect(done.costUsd).toBeCloseTo(0.00045, 10);

      const [request] = fake.chatRequests();
      expect(request).toMatchObject({ protocol: 'openai', path: '/v1/chat/completions' });
      expect(request?.headers['authorization']).toBe('Bearer sk-test');
      expect(request?.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
    });

    it('reports a null cost for a model without a known price, and uses configured prices', async () => {
      fake.script({ text: 'hi', usage: { promptTokens: 10, completionTokens: 2 } }, { text: 'hi', usage: { promptTokens: 2_000_000, completionTokens: 1_000_000 } });

      const unknown = await run(streamChat([{ ...openai, model: 'my-finetune' }], messages));
      const priced = await run(
        streamChat([{ ...openai, model: 'my-finetune', inputPricePer1M: 1, outputPricePer1M: 3 }], messages),
      );

      expect(doneOf(unknown.events).costUsd).toBeNull();
      expect(doneOf(priced.events).costUsd).toBe(5);
    });

    it('sends temperature and max tokens to each provider', async () => {
      fake.script({ text: 'a' }, { text: 'b' });

      await run(streamChat([{ ...ollama, temperature: 0.2, maxTokens: 64 }], messages));
      await run(streamChat([{ ...openai, temperature: 0.2, maxTokens: 64 }], messages));

      const [ollamaRequest, openaiRequest] = fake.chatRequests();
      expect(ollamaRequest?.body?.['options']).toMatchObject({ temperature: 0.2, num_predict: 64 });
      expect(openaiRequest?.body).toMatchObject({ temperature: 0.2, max_tokens: 64 });
    });
  });

  describe('fallback before the first token', () => {
    it('falls back from an HTTP 500 to the next provider', async () => {
      fake.script({ httpError: { status: 500, message: 'model crashed' } }, { chunks: ['Back', 'up'] });

      const { events, error } = await run(streamChat([ollama, openai], messages));

      expect(error).toBeUndefined();
      expect(events.map((e) => e.type)).toEqual(['attempt', 'attempt_failed', 'attempt', 'token', 'token', 'done']);
      const [failed] = failuresOf(events);
      expect(failed).toMatchObject({ attempt: 1, provider: 'ollama', model: 'llama3.2', configId: 'cfg-ollama', willFallback: true });
      expect(failed?.error).toBeInstanceOf(LlmError);
      expect(failed?.error).toMatchObject({ kind: 'http', status: 500, provider: 'ollama' });
      expect(failed?.latencyMs).toBeGreaterThanOrEqual(0);
      expect(events[2]).toMatchObject({ type: 'attempt', attempt: 2, provider: 'openai' });
      expect(doneOf(events)).toMatchObject({
        provider: 'openai',
        text: 'Backup',
        fallbackFrom: { provider: 'ollama', model: 'llama3.2' },
      });
    });

    it('falls back from an OpenAI HTTP error status to Ollama', async () => {
      fake.script({ httpError: { status: 503 } }, { text: 'from ollama' });

      const { events, error } = await run(streamChat([openai, ollama], messages));

      expect(error).toBeUndefined();
      expect(failuresOf(events)[0]?.error).toMatchObject({ kind: 'http', status: 503, provider: 'openai' });
      expect(doneOf(events)).toMatchObject({ provider: 'ollama', text: 'from ollama' });
    });

    it('falls back from a closed port as unreachable', async () => {
      backup.script({ text: 'still here' });
      const dead: ProviderConfig = { provider: 'ollama', model: 'llama3.2', baseUrl: await closedPortUrl() };

      const { events, error } = await run(
        streamChat([dead, { ...openai, baseUrl: backup.openaiUrl }], messages),
      );

      expect(error).toBeUndefined();
      expect(failuresOf(events)[0]?.error).toMatchObject({ kind: 'unreachable', provider: 'ollama' });
      expect(doneOf(events).text).toBe('still here');
    });

    it('falls back from a server that drops every connection', async () => {
      fake.setDown(true);
      backup.script({ text: 'backup answer' });

      const { events, error } = await run(
        streamChat([openai, { ...ollama, baseUrl: backup.url }], messages),
      );

      expect(error).toBeUndefined();
      expect(failuresOf(events)[0]?.error).toMatchObject({ kind: 'unreachable', provider: 'openai' });
      expect(doneOf(events)).toMatchObject({ provider: 'ollama', text: 'backup answer', fallbackFrom: { provider: 'openai' } });
    });

    it('treats a missed first-token deadline as a timeout and falls back', async () => {
      fake.script({ latencyMs: 5000, text: 'too late' });
      backup.script({ text: 'on time' });

      const { events, error } = await run(
        streamChat([{ ...ollama, timeoutMs: 300 }, { ...openai, baseUrl: backup.openaiUrl }], messages),
      );

      expect(error).toBeUndefined();
      const [failed] = failuresOf(events);
      expect(failed?.error).toMatchObject({ kind: 'timeout', provider: 'ollama' });
      expect(failed?.latencyMs).toBeGreaterThanOrEqual(250);
      expect(failed?.latencyMs).toBeLessThan(5000);
      expect(doneOf(events)).toMatchObject({ text: 'on time', fallbackFrom: { provider: 'ollama' } });
      expect(tokens(events).join('')).toBe('on time');
    });

    it('falls back from a malformed first frame', async () => {
      fake.script({ chunks: ['never'], malformedAfterChunks: 0 }, { chunks: ['fine'] }, { chunks: ['never'], malformedAfterChunks: 0 }, { chunks: ['fine'] });

      const fromOllama = await run(streamChat([ollama, openai], messages));
      const fromOpenai = await run(streamChat([openai, ollama], messages));

      expect(failuresOf(fromOllama.events)[0]?.error).toMatchObject({ kind: 'malformed', provider: 'ollama' });
      expect(doneOf(fromOllama.events).text).toBe('fine');
      expect(failuresOf(fromOpenai.events)[0]?.error).toMatchObject({ kind: 'malformed', provider: 'openai' });
      expect(doneOf(fromOpenai.events).text).toBe('fine');
    });

    it('throws LlmUnavailableError listing every attempt when all providers fail', async () => {
      fake.setDown(true);
      const dead = await closedPortUrl();

      const { events, error } = await run(
        streamChat([ollama, openai, { provider: 'ollama', model: 'phi3', baseUrl: dead }], messages),
      );

      expect(error).toBeInstanceOf(LlmUnavailableError);
      const unavailable = error as LlmUnavailableError;
      expect(unavailable.attempts.map((e) => [e.provider, e.model, e.kind])).toEqual([
        ['ollama', 'llama3.2', 'unreachable'],
        ['openai', 'gpt-4o-mini', 'unreachable'],
        ['ollama', 'phi3', 'unreachable'],
      ]);
      expect(failuresOf(events).map((e) => e.willFallback)).toEqual([true, true, false]);
      expect(tokens(events)).toEqual([]);
    });

    it('throws LlmUnavailableError when given no provider', async () => {
      const { events, error } = await run(streamChat([], messages));

      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(LlmUnavailableError);
      expect((error as LlmUnavailableError).attempts).toEqual([]);
    });
  });

  describe('failure after tokens were relayed', () => {
    it.each(['ollama', 'openai'] as const)('does not fall back after a mid-stream disconnect (%s)', async (provider) => {
      fake.script({ chunks: ['one ', 'two ', 'three ', 'four'], disconnectAfterChunks: 2 }, { text: 'must not be used' });
      const first = provider === 'ollama' ? ollama : openai;
      const second = provider === 'ollama' ? openai : ollama;

      const { events, error } = await run(streamChat([first, second], messages));

      expect(error).toBeInstanceOf(LlmStreamError);
      const streamError = error as LlmStreamError;
      expect(streamError.partialText).toBe('one two ');
      expect(tokens(events)).toEqual(['one ', 'two ']);
      expect(streamError).toMatchObject({ provider, model: first.model, configId: first.id });
      expect(streamError.cause).toBeInstanceOf(LlmError);
      expect(streamError.cause.kind).toBe('unreachable');
      expect(streamError.usage.completionTokens).toBeGreaterThanOrEqual(1);
      expect(streamError.usage.promptTokens).toBeGreaterThanOrEqual(1);
      expect(streamError.latencyMs).toBeGreaterThanOrEqual(streamError.ttftMs);
      expect(failuresOf(events)).toEqual([]);
      expect(fake.chatRequests()).toHaveLength(1);
    });

    it.each(['ollama', 'openai'] as const)('reports a malformed frame after tokens as a stream error (%s)', async (provider) => {
      fake.script({ chunks: ['alpha ', 'beta ', 'gamma'], malformedAfterChunks: 2 });

      const { events, error } = await run(streamChat([provider === 'ollama' ? ollama : openai, backupOf(provider)], messages));

      expect(error).toBeInstanceOf(LlmStreamError);
      expect((error as LlmStreamError).partialText).toBe('alpha beta ');
      expect((error as LlmStreamError).cause.kind).toBe('malformed');
      expect(tokens(events)).toEqual(['alpha ', 'beta ']);
      expect(fake.chatRequests()).toHaveLength(1);
      expect(backup.chatRequests()).toHaveLength(0);
    });

    function backupOf(provider: 'ollama' | 'openai'): ProviderConfig {
      return provider === 'ollama' ? { ...openai, baseUrl: backup.openaiUrl } : { ...ollama, baseUrl: backup.url };
    }
  });

  describe('abort signal', () => {
    it('stops the stream mid-answer and keeps the partial text', async () => {
      fake.script({ chunks: ['first ', 'second ', 'third ', 'fourth ', 'fifth'], tokenDelayMs: 200 });
      const controller = new AbortController();
      const events: ChatStreamEvent[] = [];
      let caught: unknown;

      try {
        for await (const event of streamChat([ollama, openai], messages, { signal: controller.signal })) {
          events.push(event);
          if (event.type === 'token') controller.abort();
        }
      } catch (error) {
        caught = error;
      }

      expect(caught).toBeInstanceOf(LlmAbortedError);
      const aborted = caught as LlmAbortedError;
      expect(aborted.name).toBe('AbortError');
      expect(aborted.partialText).toBe('first ');
      expect(aborted).toMatchObject({ provider: 'ollama', model: 'llama3.2' });
      expect(tokens(events)).toEqual(['first ']);
      expect(events.some((e) => e.type === 'attempt_failed' || e.type === 'done')).toBe(false);
      expect(fake.chatRequests()).toHaveLength(1);
    });

    it.each(['ollama', 'openai'] as const)('aborts a request still waiting for its first token without falling back (%s)', async (provider) => {
      fake.script({ latencyMs: 10_000, text: 'never' });
      const controller = new AbortController();
      const stream = streamChat([provider === 'ollama' ? ollama : openai, { ...ollama, baseUrl: backup.url }], messages, {
        signal: controller.signal,
      });
      const started = Date.now();

      const first = await stream.next();
      expect(first.value).toMatchObject({ type: 'attempt', provider });
      const pending = stream.next();
      setTimeout(() => controller.abort(), 100);

      await expect(pending).rejects.toBeInstanceOf(LlmAbortedError);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(backup.chatRequests()).toHaveLength(0);
    });

    it('throws at once when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();

      const { events, error } = await run(streamChat([ollama], messages, { signal: controller.signal }));

      expect(error).toBeInstanceOf(LlmAbortedError);
      expect((error as LlmAbortedError).partialText).toBe('');
      expect(events).toEqual([]);
      expect(fake.chatRequests()).toHaveLength(0);
    });

    it('does not send a request when the signal fires while the consumer holds the attempt event', async () => {
      const controller = new AbortController();
      const stream = streamChat([ollama], messages, { signal: controller.signal });

      const first = await stream.next();
      controller.abort();

      expect(first.value).toMatchObject({ type: 'attempt' });
      await expect(stream.next()).rejects.toBeInstanceOf(LlmAbortedError);
      expect(fake.chatRequests()).toHaveLength(0);
    });

    it('lets the consumer stop early by returning from the generator', async () => {
      fake.script({ chunks: ['a', 'b', 'c', 'd'], tokenDelayMs: 100 }, { text: 'next request' });

      const seen: string[] = [];
      for await (const event of streamChat([openai], messages)) {
        if (event.type === 'token') {
          seen.push(event.text);
          break;
        }
      }
      const after = await run(streamChat([openai], messages));

      expect(seen).toEqual(['a']);
      expect(doneOf(after.events).text).toBe('next request');
    });
  });

  describe('measurements', () => {
    it('measures ttft from the successful attempt and latency from the start, with the injected clock', async () => {
      fake.script({ httpError: { status: 500 } }, { chunks: ['x', 'y'] });
      let clock = 0;
      const now = (): number => (clock += 10);

      const { events } = await run(streamChat([ollama, openai], messages, { now }));

      const done = doneOf(events);
      expect(done.ttftMs).toBeGreaterThan(0);
      expect(done.latencyMs).toBeGreaterThan(done.ttftMs);
      expect(done.latencyMs % 10).toBe(0);
    });

    it('estimates usage when the provider reports none', async () => {
      fake.script({ chunks: ['abcd', 'efgh'], usage: { promptTokens: 0, completionTokens: 0 } });

      const { events } = await run(streamChat([{ ...openai, model: 'gpt-4o' }], messages));

      const done = doneOf(events);
      expect(done.usage.completionTokens).toBe(2);
      expect(done.usage.promptTokens).toBeGreaterThan(0);
      expect(done.costUsd).toBeGreaterThan(0);
    });
  });
});
