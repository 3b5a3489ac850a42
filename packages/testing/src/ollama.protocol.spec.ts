import type { AIMessageChunk } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';
import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { fakeEmbedding } from './embedding';
import { startFakeLlm } from './fake-llm.server';
import type { FakeLlm } from './fake-llm.types';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<{ chunks: AIMessageChunk[]; error: unknown }> {
  const chunks: AIMessageChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

const texts = (chunks: AIMessageChunk[]): string[] =>
  chunks.map((chunk) => chunk.content).filter((content): content is string => typeof content === 'string' && content !== '');

describe('Ollama protocol with @langchain/ollama', () => {
  let fake: FakeLlm;
  let chat: ChatOllama;

  beforeAll(async () => {
    fake = await startFakeLlm({ models: ['llama3.2', 'nomic-embed-text', 'mxbai-embed-large:latest'] });
    chat = new ChatOllama({ baseUrl: fake.url, model: 'llama3.2' });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('streams exactly the scripted chunks', async () => {
    fake.script({ chunks: ['Bon', 'jour', ' à', ' vous'] });
    const { chunks, error } = await collect(await chat.stream('hi'));
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(['Bon', 'jour', ' à', ' vous']);
  });

  it('invokes to the full text with usage metadata', async () => {
    fake.script({ text: 'The answer is 42.' });
    const message = await chat.invoke([
      ['system', 'You are terse'],
      ['human', 'what is the answer'],
    ]);
    expect(message.content).toBe('The answer is 42.');
    expect(message.usage_metadata).toMatchObject({ input_tokens: 7, output_tokens: 4, total_tokens: 11 });
    expect(message.response_metadata).toMatchObject({ done_reason: 'stop', model: 'llama3.2' });
  });

  it('reports scripted usage verbatim', async () => {
    fake.script({ text: 'ok', usage: { promptTokens: 120, completionTokens: 30 } });
    const message = await chat.invoke('hi');
    expect(message.usage_metadata).toMatchObject({ input_tokens: 120, output_tokens: 30, total_tokens: 150 });
  });

  it('uses the default reply when the script is empty', async () => {
    const message = await chat.invoke('hi');
    expect(message.content).toBe('Hello from the fake model.');
  });

  it('echoes the last user message', async () => {
    fake.script({ echo: true });
    const message = await chat.invoke([
      ['human', 'first'],
      ['ai', 'noted'],
      ['human', 'second question'],
    ]);
    expect(message.content).toBe('You said: second question');
  });

  it('records the chat request as sent by the client', async () => {
    await chat.invoke('record me');
    const [request] = fake.chatRequests();
    expect(request).toMatchObject({ protocol: 'ollama', method: 'POST', path: '/api/chat' });
    expect(request?.body).toMatchObject({ model: 'llama3.2', stream: true, messages: [{ role: 'user', content: 'record me' }] });
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('waits for the latency and spaces chunks by the token delay', async () => {
    fake.script({ text: 'one two three', latencyMs: 150, tokenDelayMs: 80 });
    const started = Date.now();
    const arrivals: number[] = [];
    for await (const chunk of await chat.stream('hi')) {
      if (chunk.content !== '') arrivals.push(Date.now() - started);
    }
    expect(arrivals).toHaveLength(3);
    expect(arrivals[0]).toBeGreaterThanOrEqual(120);
    expect((arrivals[2] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(120);
  });

  it('dies mid-stream after disconnectAfterChunks, having yielded exactly those chunks', async () => {
    fake.script({ text: 'one two three four five', disconnectAfterChunks: 2 });
    const { chunks, error } = await collect(await chat.stream('hi'));
    expect(texts(chunks)).toEqual(['one', ' two']);
    // undici reports the premature close as `TypeError: terminated` (from Node's realm, not Jest's).
    expect(error).toMatchObject({ name: 'TypeError', message: 'terminated' });
  });

  it('sends a garbage line after malformedAfterChunks, which ends the stream in an error', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    fake.script({ text: 'one two three', malformedAfterChunks: 1 });
    const { chunks, error } = await collect(await chat.stream('hi'));
    expect(texts(chunks)).toEqual(['one']);
    expect(error).toBeInstanceOf(Error);
    expect(warn).toHaveBeenCalledWith('invalid json: ', expect.stringContaining('not JSON'));
    warn.mockRestore();
  });

  it('surfaces an httpError with its status and message', async () => {
    fake.script({ httpError: { status: 500, message: 'model runner crashed' } });
    await expect(chat.invoke('hi')).rejects.toMatchObject({ status_code: 500, message: 'model runner crashed' });
  });

  it('answers 404 for a model it does not have, with or without the :latest tag', async () => {
    const unknown = new ChatOllama({ baseUrl: fake.url, model: 'mistral' });
    await expect(unknown.invoke('hi')).rejects.toMatchObject({
      status_code: 404,
      message: 'model "mistral" not found, try pulling it first',
    });
    const tagged = new ChatOllama({ baseUrl: fake.url, model: 'llama3.2:latest' });
    await expect(tagged.invoke('hi')).resolves.toMatchObject({ content: 'Hello from the fake model.' });
  });

  it('fails with a connection error while down, and recovers when up again', async () => {
    fake.setDown(true);
    await expect(chat.invoke('hi')).rejects.toThrow(/fetch failed/);
    fake.setDown(false);
    await expect(chat.invoke('hi')).resolves.toMatchObject({ content: 'Hello from the fake model.' });
  });

  it('returns tool calls that LangChain parses, streamed and invoked', async () => {
    const withTools = chat.bindTools([WEATHER_TOOL]);
    fake.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] });
    const message = await withTools.invoke('weather in Paris?');
    expect(message.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } })]);
    expect(fake.chatRequests()[0]?.body?.tools).toEqual([WEATHER_TOOL]);

    fake.script({ text: 'Checking.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const { chunks } = await collect(await withTools.stream('weather in Oslo?'));
    const toolChunks = chunks.flatMap((chunk) => chunk.tool_call_chunks ?? []);
    expect(toolChunks).toEqual([expect.objectContaining({ name: 'get_weather', args: '{"city":"Oslo"}' })]);
    const merged = chunks.reduce((all, chunk) => concat(all, chunk));
    expect(merged.content).toBe('Checking.');
  });

  it('embeds with OllamaEmbeddings: the default dimension, equal to fakeEmbedding', async () => {
    const embeddings = new OllamaEmbeddings({ baseUrl: fake.url, model: 'nomic-embed-text' });
    const [first, second] = await embeddings.embedDocuments(['refund policy', 'shipping times']);
    expect(first).toHaveLength(768);
    expect(first).toEqual(fakeEmbedding('refund policy', 768));
    expect(second).toEqual(fakeEmbedding('shipping times', 768));
    expect(await embeddings.embedQuery('refund policy')).toEqual(first);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/api/embed', body: { model: 'nomic-embed-text', input: ['refund policy'] } });
  });

  it('honours embeddingDimensions overrides and tagged model names', async () => {
    const custom = await startFakeLlm({ embeddingDimensions: { 'my-embedder': 32 } });
    try {
      const vector = await new OllamaEmbeddings({ baseUrl: custom.url, model: 'my-embedder:latest' }).embedQuery('x');
      expect(vector).toHaveLength(32);
      const large = await new OllamaEmbeddings({ baseUrl: custom.url, model: 'all-minilm' }).embedQuery('x');
      expect(large).toHaveLength(384);
    } finally {
      await custom.close();
    }
  });
});

describe('Ollama protocol over raw HTTP', () => {
  let fake: FakeLlm;

  beforeAll(async () => {
    fake = await startFakeLlm({ models: ['llama3.2'] });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('answers stream:false chat with one object carrying the full message and counters', async () => {
    fake.script({ text: 'Whole answer.' });
    const response = await post('/api/chat', { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: 'hi' }] });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: 'Whole answer.' },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 1,
      eval_count: 2,
    });
  });

  it('streams NDJSON lines ending with a done line that carries the counters', async () => {
    fake.script({ chunks: ['a', 'b'] });
    const response = await post('/api/chat', { model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => (line.message as { content: string }).content)).toEqual(['a', 'b', '']);
    expect(lines.map((line) => line.done)).toEqual([false, false, true]);
    expect(lines[2]).toEqual(
      expect.objectContaining({
        done_reason: 'stop',
        total_duration: expect.any(Number),
        load_duration: expect.any(Number),
        prompt_eval_count: 1,
        prompt_eval_duration: expect.any(Number),
        eval_count: 2,
        eval_duration: expect.any(Number),
      }),
    );
  });

  it('serves /api/generate with the response field and consumes the script', async () => {
    fake.script({ text: 'generated text' });
    const response = await post('/api/generate', { model: 'llama3.2', prompt: 'go', stream: false });
    expect(await response.json()).toMatchObject({ response: 'generated text', done: true });
  });

  it('serves the legacy /api/embeddings endpoint', async () => {
    const response = await post('/api/embeddings', { model: 'all-minilm', prompt: 'hello' });
    expect(await response.json()).toEqual({ embedding: fakeEmbedding('hello', 384) });
  });

  it('lists models, version, show and the root health check', async () => {
    const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: Array<Record<string, unknown>> };
    expect(tags.models).toEqual([
      expect.objectContaining({ name: 'llama3.2:latest', model: 'llama3.2:latest', digest: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
    expect(await (await fetch(`${fake.url}/api/version`)).json()).toEqual({ version: '0.6.0' });
    expect(await (await post('/api/show', { model: 'llama3.2' })).json()).toMatchObject({ details: { format: 'gguf' } });
    expect((await post('/api/show', { model: 'nope' })).status).toBe(404);
    expect(await (await fetch(fake.url)).text()).toBe('Ollama is running');
  });

  it('rejects malformed JSON with a 400 in Ollama shape, and records the raw body', async () => {
    const response = await fetch(`${fake.url}/api/chat`, { method: 'POST', body: '{"model": ' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
    expect(fake.requests.at(-1)).toMatchObject({ body: null, rawBody: '{"model": ' });
  });

  it('answers unknown routes with 404', async () => {
    expect((await fetch(`${fake.url}/api/nope`)).status).toBe(404);
  });
});
