import { LlmError, type AssembledPrompt, type SearchHit } from '@babble-buddy/ai';
import type { TPlaygroundDebugEvent } from '@babble-buddy/shared';
import { TurnKnowledge } from '../retrieval/turn-knowledge';
import { PlaygroundDebug } from './playground-debug';

const hit: SearchHit = {
  chunkId: 'c1',
  sourceId: 's1',
  title: 'Refund policy',
  sourceTitle: 'Refund policy',
  sourceUrl: null,
  page: 2,
  ordinal: 0,
  content: 'Refunds take 14 days.',
  metadata: { page: 2 },
  score: 0.0328,
  vectorRank: 1,
  similarity: 0.91,
  textRank: null,
  textScore: null,
};
const prompt: AssembledPrompt = { messages: [{ role: 'user', content: 'Refunds?' }], droppedTurns: 0, promptTokensEstimate: 4.4, contextTruncated: false };

describe('PlaygroundDebug', () => {
  it('holds what the pipeline reports before the stream is attached, then stamps it with the message id', () => {
    const debug = new PlaygroundDebug();
    const knowledge = new TurnKnowledge([{ index: 1, sourceId: 's1', title: 'Refund policy', page: 2, content: hit.content }], 'Refunds?', { result: { hits: [hit], mode: 'vector' }, embeddingModel: 'ollama:nomic-embed-text' });
    debug.prompt(knowledge, prompt);
    const written: TPlaygroundDebugEvent[] = [];
    debug.attach('m1', (event) => written.push(event));
    expect(written).toEqual([
      {
        type: 'debug_prompt',
        messageId: 'm1',
        retrieval: {
          query: 'Refunds?',
          mode: 'vector',
          embeddingModel: 'ollama:nomic-embed-text',
          results: [expect.objectContaining({ rank: 1, chunkId: 'c1', page: 2, scores: { fused: 0.0328, vectorRank: 1, similarity: 0.91, textRank: null, textScore: null }, source: { id: 's1', title: 'Refund policy', url: null } })],
        },
        messages: [{ role: 'user', content: 'Refunds?' }],
        promptTokensEstimate: 4,
        droppedTurns: 0,
      },
    ]);
  });

  it('reports a knowledge-only answer with the failed attempts, and a priced answer rounded as llm_requests stores it', () => {
    const written: TPlaygroundDebugEvent[] = [];
    const debug = new PlaygroundDebug();
    debug.attach('m2', (event) => written.push(event));
    debug.answered(null, [new LlmError({ kind: 'unreachable', message: 'connect ECONNREFUSED', provider: 'ollama', model: 'llama3.2' })]);
    debug.answered({ type: 'done', provider: 'openai', model: 'gpt-4o-mini', usage: { promptTokens: 10, completionTokens: 2 }, costUsd: 0.0000027, latencyMs: 40.6, ttftMs: 12.2, text: 'Hi' }, []);
    expect(written).toEqual([
      expect.objectContaining({ type: 'debug_usage', messageId: 'm2', provider: 'knowledge', knowledgeOnly: true, costUsd: 0, ttftMs: null, failedAttempts: [{ provider: 'ollama', model: 'llama3.2', error: 'unreachable: connect ECONNREFUSED' }] }),
      expect.objectContaining({ type: 'debug_usage', messageId: 'm2', provider: 'openai', knowledgeOnly: false, costUsd: 0.000003, ttftMs: 12, latencyMs: 41, failedAttempts: [] }),
    ]);
  });
});
