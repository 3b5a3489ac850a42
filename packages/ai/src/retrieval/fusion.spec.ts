import { fuseByReciprocalRank, RRF_K, type TextCandidate, type VectorCandidate } from './hybrid-search';

const row = (id: string) => ({ id, source_id: `s-${id}`, ordinal: 0, content: id, metadata: {}, source_title: `T ${id}`, source_url: null });
const vec = (id: string, distance: number): VectorCandidate => ({ ...row(id), distance });
const txt = (id: string, score: number): TextCandidate => ({ ...row(id), text_score: score });

describe('reciprocal rank fusion', () => {
  it('scores Σ 1/(60 + rank); a chunk both rankings found beats chunks only one found', () => {
    const hits = fuseByReciprocalRank([vec('a', 0.1), vec('b', 0.2)], [txt('b', 0.9), txt('c', 0.5)], { k: 10, minSimilarity: -1 });
    expect(hits.map((h) => h.chunkId)).toEqual(['b', 'a', 'c']);
    expect(hits[0]).toMatchObject({ vectorRank: 2, textRank: 1, score: 1 / (RRF_K + 2) + 1 / (RRF_K + 1) });
    expect(hits[0]!.similarity).toBeCloseTo(0.8, 10);
    expect(hits[1]).toMatchObject({ vectorRank: 1, textRank: null, textScore: null, score: 1 / (RRF_K + 1) });
    expect(hits[2]).toMatchObject({ vectorRank: null, similarity: null, textRank: 2, textScore: 0.5 });
  });

  it('breaks equal scores by vector rank, then text rank', () => {
    const hits = fuseByReciprocalRank([vec('v1', 0.3)], [txt('t1', 0.9)], { k: 10, minSimilarity: -1 });
    expect(hits.map((h) => h.chunkId)).toEqual(['v1', 't1']);
  });

  it('drops vector-only chunks below the similarity floor, never text matches', () => {
    const hits = fuseByReciprocalRank([vec('close', 0.2), vec('far', 0.9), vec('far-but-words', 0.95)], [txt('far-but-words', 0.1)], { k: 10, minSimilarity: 0.5 });
    expect(hits.map((h) => h.chunkId)).toEqual(['far-but-words', 'close']);
  });

  it('keeps the best k', () => {
    const hits = fuseByReciprocalRank([vec('a', 0.1), vec('b', 0.2), vec('c', 0.3)], [], { k: 2, minSimilarity: -1 });
    expect(hits.map((h) => h.chunkId)).toEqual(['a', 'b']);
  });
});
