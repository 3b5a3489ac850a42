import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import { type FakeLlm, fakeEmbedding, startFakeLlm } from '@babble-buddy/testing';
import { createChatModel, createEmbeddings } from './providers';

describe('providers', () => {
  let fake: FakeLlm;

  beforeAll(async () => {
    fake = await startFakeLlm();
  });

  afterEach(() => fake.reset());

  afterAll(async () => {
    await fake.close();
  });

  it('returns the fake Ollama vectors through OllamaEmbeddings', async () => {
    const embeddings = createEmbeddings({ provider: 'ollama', model: 'nomic-embed-text', baseUrl: fake.url });

    const [first, second] = await embeddings.embedDocuments(['refund policy', 'opening hours']);
    const query = await embeddings.embedQuery('refund policy');

    expect(first).toEqual(fakeEmbedding('refund policy', 768));
    expect(second).toEqual(fakeEmbedding('opening hours', 768));
    expect(query).toEqual(first);
    expect(fake.requests[0]).toMatchObject({ protocol: 'ollama', path: '/api/embed' });
  });

  it('returns the fake OpenAI vectors through OpenAIEmbeddings', async () => {
    const embeddings = createEmbeddings({
      provider: 'openai',
      model: 'text-embedding-3-small',
      baseUrl: fake.openaiUrl,
      apiKey: 'sk-test',
    });

    const [vector] = await embeddings.embedDocuments(['refund policy']);

    expect(vector).toEqual(fakeEmbedding('refund policy', 1536));
    expect(fake.requests[0]).toMatchObject({ protocol: 'openai', path: '/v1/embeddings' });
    expect(fake.requests[0]?.headers['authorization']).toBe('Bearer sk-test');
  });

  it('builds ChatOllama and ChatOpenAI models that answer through the fake', async () => {
    fake.script({ text: 'from ollama' }, { text: 'from openai' });

    const ollama = createChatModel({ provider: 'ollama', model: 'llama3.2', baseUrl: fake.url });
    const openai = createChatModel({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: fake.openaiUrl, apiKey: 'k' });

    expect(ollama).toBeInstanceOf(ChatOllama);
    expect(openai).toBeInstanceOf(ChatOpenAI);
    expect((await ollama.invoke('hi')).content).toBe('from ollama');
    expect((await openai.invoke('hi')).content).toBe('from openai');
  });
});
