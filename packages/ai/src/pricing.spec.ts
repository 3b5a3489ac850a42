import { lookupPrice, priceFor, priceForConfig } from './pricing';
import { estimateTokens } from './tokens';

describe('estimateTokens', () => {
  it('is about one token per four characters, and at least one for any text', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('a')).toBe(1);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(400))).toBe(100);
  });
});

describe('priceFor', () => {
  const usage = { promptTokens: 1_000_000, completionTokens: 1_000_000 };

  it.each([
    ['gpt-4o', 12.5],
    ['gpt-4o-mini', 0.75],
    ['gpt-4.1', 10],
    ['gpt-4.1-mini', 2],
    ['gpt-4.1-nano', 0.5],
    ['gpt-3.5-turbo', 2],
  ])('knows %s', (model, cost) => {
    expect(priceFor(model, usage)).toBeCloseTo(cost, 10);
  });

  it('prices dated snapshots like their family, but not other models sharing a prefix', () => {
    expect(priceFor('gpt-4o-2024-08-06', usage)).toBe(priceFor('gpt-4o', usage));
    expect(priceFor('gpt-3.5-turbo-0125', usage)).toBe(priceFor('gpt-3.5-turbo', usage));
    expect(lookupPrice('gpt-4o-mini-2024-07-18')).toEqual(lookupPrice('gpt-4o-mini'));
    expect(lookupPrice('gpt-4o-something-new')).toBeUndefined();
  });

  it('returns null for an unknown model and honours overrides', () => {
    expect(priceFor('llama3.2', usage)).toBeNull();
    expect(priceFor('llama3.2', usage, { inputPricePer1M: 1, outputPricePer1M: 2 })).toBe(3);
    expect(priceFor('llama3.2', usage, { inputPricePer1M: 1 })).toBeNull();
    expect(priceFor('gpt-4o', usage, { outputPricePer1M: 0 })).toBe(2.5);
    expect(priceFor('gpt-4o-mini', { promptTokens: 1234, completionTokens: 56 })).toBeCloseTo(0.0002187, 10);
  });

  it('makes Ollama free unless prices are configured', () => {
    expect(priceForConfig({ provider: 'ollama', model: 'llama3.2' }, usage)).toBe(0);
    expect(priceForConfig({ provider: 'ollama', model: 'gpt-4o' }, usage)).toBe(0);
    expect(priceForConfig({ provider: 'ollama', model: 'llama3.2', inputPricePer1M: 0.5 }, usage)).toBe(0.5);
    expect(priceForConfig({ provider: 'openai', model: 'mystery' }, usage)).toBeNull();
  });
});
