import { type FakeLlm, startFakeLlm } from '@babble-buddy/testing';
import { closedPortUrl } from '../test/closed-port';
import { LlmError } from './errors';
import { checkProvider, listModels } from './health';

describe('checkProvider and listModels', () => {
  let fake: FakeLlm;
  let guarded: FakeLlm;

  beforeAll(async () => {
    fake = await startFakeLlm({ models: ['llama3.2', 'nomic-embed-text'] });
    guarded = await startFakeLlm({ models: ['gpt-4o-mini'], openaiApiKey: 'sk-right' });
  });

  afterEach(() => {
    fake.setDown(false);
    fake.reset();
    guarded.reset();
  });

  afterAll(async () => {
    await fake.close();
    await guarded.close();
  });

  it('reports a reachable Ollama as connected with its models (GET /api/tags)', async () => {
    const result = await checkProvider({ provider: 'ollama', baseUrl: fake.url });

    expect(result).toMatchObject({ status: 'connected', models: ['llama3.2:latest', 'nomic-embed-text:latest'] });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/tags']);
  });

  it('reports a reachable OpenAI-compatible server as connected, sending the key (GET /models)', async () => {
    const result = await checkProvider({ provider: 'openai', baseUrl: `${guarded.openaiUrl}/`, apiKey: 'sk-right' });

    expect(result).toMatchObject({ status: 'connected', models: ['gpt-4o-mini'] });
    expect(guarded.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(guarded.requests[0]?.headers['authorization']).toBe('Bearer sk-right');
  });

  it('reports a wrong OpenAI key as unreachable with the HTTP status', async () => {
    const result = await checkProvider({ provider: 'openai', baseUrl: guarded.openaiUrl, apiKey: 'sk-wrong' });

    expect(result.status).toBe('unreachable');
    expect(result.error).toMatch(/401/);
    expect(result.models).toBeUndefined();
  });

  it.each(['ollama', 'openai'] as const)('reports a closed port as unreachable (%s)', async (provider) => {
    const base = await closedPortUrl();

    const result = await checkProvider({ provider, baseUrl: provider === 'openai' ? `${base}/v1` : base });

    expect(result.status).toBe('unreachable');
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it.each(['ollama', 'openai'] as const)('reports a server dropping connections as unreachable (%s)', async (provider) => {
    fake.setDown(true);

    const result = await checkProvider({ provider, baseUrl: provider === 'openai' ? fake.openaiUrl : fake.url });

    expect(result.status).toBe('unreachable');
    expect(result.error).toBeTruthy();
  });

  it('gives up after the timeout', async () => {
    const silent = await import('node:net').then(({ createServer }) => createServer(() => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await checkProvider({ provider: 'ollama', baseUrl: `http://127.0.0.1:${port}` }, { timeoutMs: 200 });

      expect(result.status).toBe('unreachable');
      expect(result.error).toMatch(/200 ms/);
      expect(result.latencyMs).toBeLessThan(2000);
    } finally {
      silent.close();
    }
  });

  it('lists models, and throws a classified LlmError when the provider is unreachable', async () => {
    await expect(listModels({ provider: 'ollama', baseUrl: fake.url })).resolves.toEqual(['llama3.2:latest', 'nomic-embed-text:latest']);
    await expect(listModels({ provider: 'openai', baseUrl: guarded.openaiUrl, apiKey: 'sk-right' })).resolves.toEqual(['gpt-4o-mini']);

    const failure = listModels({ provider: 'ollama', baseUrl: await closedPortUrl() });
    await expect(failure).rejects.toBeInstanceOf(LlmError);
    await expect(failure).rejects.toMatchObject({ kind: 'unreachable', provider: 'ollama' });
  });
});
