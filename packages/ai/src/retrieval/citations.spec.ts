import { CitationTracker, citedIndexes, knowledgeOnlyAnswer, passagesFromHits, snippetOf, type Citation } from './citations';
import type { SearchHit } from './hybrid-search';

const citation = (index: number): Citation => ({ index, sourceId: `s${index}`, title: `Doc ${index}`, snippet: `snippet ${index}` });

describe('citations', () => {
  it('reads [n], [n, m] and [n-m] markers in order of first mention', () => {
    expect(citedIndexes('See [2] and [1, 3]; also [2] again and [4-6].')).toEqual([2, 1, 3, 4, 5, 6]);
    expect(citedIndexes('Arrays like a[0] are not cited? [x] neither.')).toEqual([0]);
  });

  it('streams citations as markers appear, even split across chunks, each once', () => {
    const tracker = new CitationTracker([citation(1), citation(2), citation(3)]);
    let text = '';
    const seen: number[][] = [];
    for (const piece of ['Refunds take 14 days [', '2', ']. Shipping is free [1][', '2]', '.']) {
      text += piece;
      seen.push(tracker.update(text).map((c) => c.index));
    }
    expect(seen).toEqual([[], [], [2, 1], [], []]);
    expect(tracker.finish(text)).toEqual({ all: [citation(2), citation(1)], fresh: [] });
  });

  it('ignores markers for passages that were not given', () => {
    const tracker = new CitationTracker([citation(1)]);
    expect(tracker.update('As [7] says')).toEqual([]);
    expect(tracker.finish('As [7] says')).toEqual({ all: [citation(1)], fresh: [citation(1)] });
  });

  it('cites every passage given when the answer uses no markers', () => {
    const tracker = new CitationTracker([citation(1), citation(2)]);
    tracker.update('An answer without markers');
    expect(tracker.finish('An answer without markers.')).toEqual({ all: [citation(1), citation(2)], fresh: [citation(1), citation(2)] });
  });

  it('snippets start at the sentence that matches the query best', () => {
    const content = `${'Intro sentence about nothing much. '.repeat(10)}Refunds are issued within 14 days. More text follows here.`;
    const snippet = snippetOf(content, 'how long do refunds take', 60);
    expect(snippet.startsWith('…Refunds are issued within 14 days.')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(60);
    expect(snippetOf('Short passage.', 'anything')).toBe('Short passage.');
  });

  it('numbers passages from hits, heading in the title', () => {
    const hit = { sourceId: 's', title: 'Guide', heading: 'Returns', url: 'https://x.example', page: 3, content: 'c' } as SearchHit;
    expect(passagesFromHits([hit])).toEqual([{ index: 1, sourceId: 's', title: 'Guide — Returns', url: 'https://x.example', page: 3, content: 'c' }]);
  });

  it('labels a knowledge-only answer as search results', () => {
    const text = knowledgeOnlyAnswer([{ ...citation(1), page: 2 }, citation(2)]);
    expect(text.startsWith('Search results:')).toBe(true);
    expect(text).toContain('[1] Doc 1 (page 2)\nsnippet 1');
    expect(text).toContain('[2] Doc 2\nsnippet 2');
  });
});
