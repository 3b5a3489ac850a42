import type { AIMessageChunk } from '@langchain/core/messages';
import { concat } from '@langchain/core/utils/stream';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import OpenAI from 'openai';
import { fakeEmbedding } from './embedding';
import { startFakeLlm } from './fake-llm.server';
import type { FakeLlm } from './fake-llm.types';

const API_KEY = 'sk-fake-test-key';
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

async function collect<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

const texts = (chunks: AIMessageChunk[]): string[] =>
  chunks.map((chunk) => chunk.content).filter((content): content is string => typeof content === 'string' && content !== '');

describe('OpenAI protocol with @langchain/openai', () => {
  let fake: FakeLlm;
  let chat: ChatOpenAI;

  beforeAll(async () => {
    fake = await startFakeLlm({ openaiApiKey: API_KEY });
    chat = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: API_KEY, configuration: { baseURL: fake.openaiUrl }, maxRetries: 0, streamUsage: true });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('streams the scripted chunks followed by usage', async () => {
    fake.script({ chunks: ['Hi', ' there', '!'] });
    const { items: chunks, error } = await collect(await chat.stream('hello you'));
    expect(error).toBeUndefined();
    expect(texts(chunks)).toEqual(['Hi', ' there', '!']);
    const merged = chunks.reduce((all, chunk) => concat(all, chunk));
    expect(merged.usage_metadata).toMatchObject({ input_tokens: 2, output_tokens: 3, total_tokens: 5 });
    expect(fake.chatRequests()[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('invokes (non-streamed) to the full text with usage', async () => {
    fake.script({ text: 'Paris is the capital.' });
    const message = await chat.invoke('capital of France?');
    expect(message.content).toBe('Paris is the capital.');
    expect(message.usage_metadata).toMatchObject({ input_tokens: 3, output_tokens: 4, total_tokens: 7 });
    expect(message.response_metadata).toMatchObject({ finish_reason: 'stop' });
  });

  it('echoes the last user message from a multi-turn history', async () => {
    fake.script({ echo: true });
    const message = await chat.invoke([
      ['system', 'be nice'],
      ['human', 'one'],
      ['ai', 'two'],
      ['human', 'three'],
    ]);
    expect(message.content).toBe('You said: three');
  });

  it('returns tool calls that LangChain parses, invoked and streamed', async () => {
    const withTools = chat.bindTools([WEATHER_TOOL]);
    fake.script({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] });
    const message = await withTools.invoke('weather in Paris?');
    expect(message.tool_calls).toEqual([expect.objectContaining({ id: 'call_1', name: 'get_weather', args: { city: 'Paris' } })]);
    expect(message.response_metadata).toMatchObject({ finish_reason: 'tool_calls' });

    fake.script({
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'Oslo' } },
        { name: 'get_weather', arguments: { city: 'Rome' } },
      ],
    });
    const { items: chunks } = await collect(await withTools.stream('weather in Oslo and Rome?'));
    expect(chunks.some((chunk) => (chunk.tool_call_chunks ?? []).length > 0)).toBe(true);
    const merged = chunks.reduce((all, chunk) => concat(all, chunk));
    expect(merged.tool_calls).toEqual([
      expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' }, id: expect.stringMatching(/^call_/) }),
      expect.objectContaining({ name: 'get_weather', args: { city: 'Rome' } }),
    ]);
  });

  it('dies mid-stream after disconnectAfterChunks, having yielded exactly those chunks', async () => {
    fake.script({ text: 'one two three four', disconnectAfterChunks: 3 });
    const { items: chunks, error } = await collect(await chat.stream('hi'));
    expect(texts(chunks)).toEqual(['one', ' two', ' three']);
    expect(error).toMatchObject({ message: expect.stringMatching(/terminated/) });
  });

  it('throws on the garbage SSE frame after malformedAfterChunks', async () => {
    // The SDK logs the unparseable frame before throwing; keep the test output quiet.
    const quiet = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: API_KEY, configuration: { baseURL: fake.openaiUrl, logLevel: 'off' }, maxRetries: 0 });
    fake.script({ text: 'one two three', malformedAfterChunks: 2 });
    const { items: chunks, error } = await collect(await quiet.stream('hi'));
    expect(texts(chunks)).toEqual(['one', ' two']);
    expect(error).toMatchObject({ name: 'SyntaxError' });
  });

  it('surfaces an httpError with its status, in OpenAI error shape', async () => {
    fake.script({ httpError: { status: 500, message: 'upstream exploded' } });
    await expect(chat.invoke('hi')).rejects.toMatchObject({ status: 500, message: expect.stringContaining('upstream exploded') });
  });

  it('answers 401 for a wrong API key', async () => {
    const wrongKey = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'sk-wrong-key-123', configuration: { baseURL: fake.openaiUrl }, maxRetries: 0 });
    await expect(wrongKey.invoke('hi')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('fails with a connection error while down', async () => {
    fake.setDown(true);
    await expect(chat.invoke('hi')).rejects.toMatchObject({ message: expect.stringMatching(/Connection error/i) });
    fake.setDown(false);
    await expect(chat.invoke('hi')).resolves.toMatchObject({ content: 'Hello from the fake model.' });
  });

  it('embeds with OpenAIEmbeddings (base64 by default), equal to fakeEmbedding', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: API_KEY, configuration: { baseURL: fake.openaiUrl } });
    const [first, second] = await embeddings.embedDocuments(['refund policy', 'shipping times']);
    expect(first).toHaveLength(1536);
    expect(first).toEqual(fakeEmbedding('refund policy', 1536));
    expect(second).toEqual(fakeEmbedding('shipping times', 1536));
    expect(fake.requests.at(-1)?.body).toMatchObject({ encoding_format: 'base64' });

    const large = new OpenAIEmbeddings({ model: 'text-embedding-3-large', apiKey: API_KEY, configuration: { baseURL: fake.openaiUrl }, encodingFormat: 'float' });
    expect(await large.embedQuery('refund policy')).toEqual(fakeEmbedding('refund policy', 3072));
    expect(fake.requests.at(-1)?.body).toMatchObject({ encoding_format: 'float' });
  });

  it('honours the dimensions parameter', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', dimensions: 256, apiKey: API_KEY, configuration: { baseURL: fake.openaiUrl } });
    expect(await embeddings.embedQuery('hello')).toEqual(fakeEmbedding('hello', 256));
  });
});

describe('OpenAI protocol with the official openai SDK', () => {
  let fake: FakeLlm;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeLlm({ models: ['gpt-4o-mini', 'text-embedding-3-small'] });
    client = new OpenAI({ apiKey: API_KEY, baseURL: fake.openaiUrl, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers a non-streamed completion', async () => {
    fake.script({ text: 'Plain answer.', usage: { promptTokens: 10, completionTokens: 3 } });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'q' }] });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Plain answer.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
    });
  });

  it('streams role, content deltas, finish_reason, usage and [DONE]', async () => {
    fake.script({ chunks: ['A', 'B', 'C'] });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'q' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { items: chunks, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('')).toBe('ABC');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 } });
  });

  it('streams without a usage chunk unless asked', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'q' }], stream: true });
    const { items: chunks } = await collect(stream);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !chunk.usage)).toBe(true);
  });

  it('answers 404 for an unknown model when a model list is given', async () => {
    await expect(
      client.chat.completions.create({ model: 'gpt-9', messages: [{ role: 'user', content: 'q' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('lists models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
  });

  it('embeds in float and in base64 (which the SDK decodes)', async () => {
    const float = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a b', 'c d'], encoding_format: 'float' });
    expect(float).toMatchObject({ object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 4, total_tokens: 4 } });
    expect(float.data.map((item) => item.index)).toEqual([0, 1]);
    expect(float.data[1]?.embedding).toEqual(fakeEmbedding('c d', 1536));
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a b' });
    expect(decoded.data[0]?.embedding).toEqual(fakeEmbedding('a b', 1536));
  });

  it('rejects malformed JSON with a 400 in OpenAI shape', async () => {
    const response = await fetch(`${fake.openaiUrl}/chat/completions`, { method: 'POST', body: 'not json' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null },
    });
  });
});
