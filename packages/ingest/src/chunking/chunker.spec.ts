import { ZChunkMetadata } from '@babble-buddy/shared';
import type { ParsedDocument } from '../document';
import { chunkDocument } from './chunker';
import { countTokens } from './tokens';

const sentence = (i: number) => `Sentence number ${i} talks about topic ${i % 7} in some detail for the reader.`;

describe('chunkDocument', () => {
  it('sizes chunks in tokens, overlaps neighbours and keeps the page of each chunk', async () => {
    const page = Array.from({ length: 80 }, (_, i) => sentence(i)).join(' ');
    const document: ParsedDocument = { type: 'pdf', title: 'Manual', sections: [{ text: page, page: 3 }], pageCount: 3 };
    const chunks = await chunkDocument(document, { chunkTokens: 120, overlapTokens: 30 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(120);
      expect(chunk.tokenCount).toBe(countTokens(chunk.content));
      expect(chunk.metadata).toMatchObject({ type: 'pdf', page: 3, title: 'Manual', section: 0 });
    }
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    // Overlap: each chunk starts with words the previous one ended with.
    for (let i = 1; i < chunks.length; i++) {
      const previousTail = chunks[i - 1]!.content.split(' ').slice(-4).join(' ');
      expect(chunks[i]!.content).toContain(previousTail);
    }
    // Nothing lost: every sentence is in some chunk.
    for (let i = 0; i < 80; i++) expect(chunks.some((c) => c.content.includes(sentence(i)))).toBe(true);
  });

  it('never crosses sections, and puts the title and heading path in front of the embedded text only', async () => {
    const document: ParsedDocument = {
      type: 'markdown',
      title: 'Guide',
      sections: [
        { text: 'Intro.', markdown: true },
        { text: 'Add the domain.', headings: ['Install', 'Origins'], markdown: true },
      ],
    };
    const chunks = await chunkDocument(document, { chunkTokens: 400, overlapTokens: 60 }, { url: 'https://docs.example/guide' });
    expect(chunks.map((c) => c.content)).toEqual(['Intro.', 'Add the domain.']);
    expect(chunks[1]?.metadata).toMatchObject({ heading: 'Origins', headings: ['Install', 'Origins'], url: 'https://docs.example/guide', offset: 0 });
    expect(chunks[1]?.embeddingText).toBe('Guide › Install › Origins\n\nAdd the domain.');
  });

  it('packs whole CSV rows into chunks and records the row range', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ text: `Name: Person ${i + 1} | City: Town ${i + 1}`, row: i + 1 }));
    const chunks = await chunkDocument({ type: 'csv', title: null, sections: rows }, { chunkTokens: 60, overlapTokens: 10 });
    expect(chunks.length).toBeGreaterThan(2);
    let expectedFrom = 1;
    for (const chunk of chunks) {
      const lines = chunk.content.split('\n');
      expect(chunk.metadata.rows).toEqual({ from: expectedFrom, to: expectedFrom + lines.length - 1 });
      expect(lines[0]).toBe(`Name: Person ${expectedFrom} | City: Town ${expectedFrom}`);
      expectedFrom += lines.length;
    }
    expect(expectedFrom).toBe(31);
  });
});

describe('chunk metadata', () => {
  it('matches the shared contract readers parse it with', async () => {
    const chunks = await chunkDocument(
      { type: 'pdf', title: 'T', sections: [{ text: 'Page one text.', page: 1 }, { text: 'Under a heading.', headings: ['A', 'B'] }] },
      { chunkTokens: 100, overlapTokens: 10 },
      { url: 'https://example.com/t.pdf' },
    );
    for (const chunk of chunks) expect(ZChunkMetadata.strict().parse(chunk.metadata)).toEqual(chunk.metadata);
  });
});
