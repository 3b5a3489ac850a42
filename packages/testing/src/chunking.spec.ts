import { splitIntoChunks } from './chunking';

describe('splitIntoChunks', () => {
  it('splits into word-ish chunks that carry their leading whitespace', () => {
    expect(splitIntoChunks('Hello from the fake model.')).toEqual(['Hello', ' from', ' the', ' fake', ' model.']);
  });

  it.each(['', ' ', 'one', '  leading and trailing  ', 'line one\n\nline two\t tab', 'ünïcode – dash, 😀 emoji'])(
    'concatenates back to exactly %j',
    (text) => {
      expect(splitIntoChunks(text).join('')).toBe(text);
    },
  );

  it('returns no chunks for empty text', () => {
    expect(splitIntoChunks('')).toEqual([]);
  });
});
