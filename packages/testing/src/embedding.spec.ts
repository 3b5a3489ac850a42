import { cosineSimilarity, encodeFloat32Base64, fakeEmbedding } from './embedding';

describe('fakeEmbedding', () => {
  const query = 'refund policy for orders';

  it('is deterministic and has the requested dimension', () => {
    const first = fakeEmbedding(query, 768);
    expect(first).toHaveLength(768);
    expect(fakeEmbedding(query, 768)).toEqual(first);
  });

  it('is L2-normalised', () => {
    const norm = Math.sqrt(fakeEmbedding(query, 1536).reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
  });

  it('puts texts that share words clearly closer than unrelated ones', () => {
    const related = cosineSimilarity(fakeEmbedding(query, 768), fakeEmbedding('how do I get a refund on my order', 768));
    const unrelated = cosineSimilarity(fakeEmbedding(query, 768), fakeEmbedding('the weather in paris is sunny', 768));
    expect(related).toBeGreaterThan(0.3);
    expect(Math.abs(unrelated)).toBeLessThan(0.15);
    expect(related - unrelated).toBeGreaterThan(0.25);
  });

  it('ignores case and punctuation', () => {
    expect(fakeEmbedding('Refund, policy!', 384)).toEqual(fakeEmbedding('refund policy', 384));
  });

  it('gives empty and stop-word-only texts a non-zero vector', () => {
    for (const text of ['', 'the and of']) {
      expect(fakeEmbedding(text, 64).some((value) => value !== 0)).toBe(true);
    }
  });

  it('holds float32-exact values, so base64 float32 encoding round-trips unchanged', () => {
    const vector = fakeEmbedding(query, 256);
    const bytes = Buffer.from(encodeFloat32Base64(vector), 'base64');
    const decoded = Array.from({ length: vector.length }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toEqual(vector);
  });

  it('rejects a non-positive dimension', () => {
    expect(() => fakeEmbedding('x', 0)).toThrow(RangeError);
  });
});
