import { contentWords, fullTextQuery } from './search-terms';

describe('search terms', () => {
  it('keeps the content words of a question, lowercased, once each', () => {
    expect(contentWords('How do I reset my Password? Reset it now!')).toEqual(['reset', 'password']);
  });

  it('splits contractions and drops what is left of them', () => {
    expect(contentWords("I can't log in and don't see the invoice")).toEqual(['log', 'see', 'invoice']);
  });

  it('builds an OR query with singular and plural forms', () => {
    expect(fullTextQuery('What is your refund policy?')).toBe('refund or refunds or policy or policies');
    expect(fullTextQuery('boxes of matches')).toBe('boxes or box or matches or match');
  });

  it('keeps words of other scripts and digits as they are', () => {
    expect(fullTextQuery('Что такое возврат 2024')).toBe('что or такое or возврат or 2024');
  });

  it('is null when only stop words or punctuation remain', () => {
    expect(fullTextQuery('what is it?')).toBeNull();
    expect(fullTextQuery('?!… -- "" ::')).toBeNull();
  });

  it('lets only letters and digits through, whatever the input', () => {
    const query = fullTextQuery(`C++ & <script>alert('x')</script> -minus OR "phrase" :* !`) ?? '';
    expect(query).toMatch(/^[\p{L}\p{N}]+(?: or [\p{L}\p{N}]+)*$/u);
  });
});
