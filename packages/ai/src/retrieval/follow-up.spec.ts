import { startFakeLlm, type FakeLlm } from '@babble-buddy/testing';
import type { ChatTurn } from '../types';
import { isFollowUp, rewriteWithModel, searchQueryFor } from './follow-up';

const history: ChatTurn[] = [
  { role: 'user', content: 'Which plan includes single sign-on?' },
  { role: 'assistant', content: 'Single sign-on is part of the Enterprise plan [1], together with audit logs.' },
];

describe('follow-up detection and the search query', () => {
  it('tells follow-ups from questions that stand alone', () => {
    for (const q of ['How much does it cost?', 'And for teams?', 'What about the other one?', 'why?', 'Tell me more', 'how much?']) expect([q, isFollowUp(q)]).toEqual([q, true]);
    for (const q of ['How do I reset my password?', 'Refund policy for annual plans', 'Do you ship to Canada?']) expect([q, isFollowUp(q)]).toEqual([q, false]);
  });

  it('searches a standalone question as it is', () => {
    expect(searchQueryFor('Do you ship to Canada?', history)).toEqual({ text: 'Do you ship to Canada?', rewritten: false });
  });

  it('folds the previous question and the opening of the last answer into a follow-up', () => {
    const query = searchQueryFor('How much does it cost?', history);
    expect(query.rewritten).toBe(true);
    expect(query.text).toBe('Which plan includes single sign-on? Single sign-on is part of the Enterprise plan , together with audit logs. How much does it cost?');
  });

  it('walks back through a chain of follow-ups to the question that set the subject', () => {
    const chain: ChatTurn[] = [
      { role: 'user', content: 'Tell me about the Enterprise plan' },
      { role: 'assistant', content: 'It has SSO.' },
      { role: 'user', content: 'And what does it cost?' },
      { role: 'assistant', content: '99 euros a month.' },
    ];
    const query = searchQueryFor('Is that per user?', chain);
    expect(query.text).toBe('Tell me about the Enterprise plan And what does it cost? 99 euros a month. Is that per user?');
  });

  it('has nothing to fold in without history', () => {
    expect(searchQueryFor('How much does it cost?', [])).toEqual({ text: 'How much does it cost?', rewritten: false });
  });
});

describe('rewriteWithModel (fake Ollama over HTTP)', () => {
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  const config = () => ({ provider: 'ollama' as const, model: 'llama3.2:1b', baseUrl: fake.url });

  it('asks the model for a standalone query when the question is a follow-up', async () => {
    fake.script({ text: 'Enterprise plan price\nextra line' });
    const query = await rewriteWithModel(config(), 'How much does it cost?', history, { timeoutMs: 5000 });
    expect(query).toEqual({ text: 'Enterprise plan price', rewritten: true, byModel: true });
    const sent = JSON.stringify(fake.chatRequests()[0]?.body);
    expect(sent).toContain('Which plan includes single sign-on?');
    expect(sent).toContain('How much does it cost?');
  });

  it('makes no model call for a question that stands alone', async () => {
    const query = await rewriteWithModel(config(), 'Do you ship to Canada?', history, { timeoutMs: 5000 });
    expect(query).toEqual({ text: 'Do you ship to Canada?', rewritten: false, byModel: false });
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it('falls back to the heuristic query when the model is too slow or down', async () => {
    fake.script({ text: 'too late', latencyMs: 2000 });
    const slow = await rewriteWithModel(config(), 'How much does it cost?', history, { timeoutMs: 100 });
    expect(slow).toEqual({ ...searchQueryFor('How much does it cost?', history), byModel: false });
    fake.setDown(true);
    const down = await rewriteWithModel(config(), 'How much does it cost?', history, { timeoutMs: 2000 });
    fake.setDown(false);
    expect(down.byModel).toBe(false);
    expect(down.rewritten).toBe(true);
  });
});
