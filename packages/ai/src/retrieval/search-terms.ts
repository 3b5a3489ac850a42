/**
 * Words that carry no meaning for search. Postgres' 'simple' text-search configuration (the one the
 * chunks' tsvector uses, so any language indexes) keeps every word, so questions are reduced to their
 * content words here before they become a full-text query.
 */
const STOP_WORDS = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below ' +
    'between both but by can could did do does doing down during each few for from further had has have ' +
    'having he her here hers herself him himself his how i if in into is it its itself just me more most ' +
    'my myself no nor not now of off on once only or other our ours ourselves out over own same she should ' +
    'so some such than that the their theirs them themselves then there these they this those through to ' +
    'too under until up very was we were what when where which while who whom why will with would you your ' +
    'yours yourself yourselves please tell know want need get got also may might must shall let lets ' +
    // The scaffolding of questions ("how long does it take", "how much"): in every question, telling none apart.
    'long much many take takes took taken taking get gets getting make makes made go goes going way thing things ' +
    // What is left of contractions once the apostrophe splits them (don't → don t).
    'don doesn didn isn aren wasn weren won wouldn couldn shouldn haven hasn t s m d ll re ve'
  ).split(' '),
);

/** At most this many distinct words reach the full-text query (a pasted essay is not a search). */
const MAX_TERMS = 24;

/** Lowercased words of a text: letters and digits of any script; everything else separates. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** The distinct content words of a text, in order of first appearance. */
export function contentWords(text: string): string[] {
  const seen = new Set<string>();
  for (const word of words(text)) {
    if (!STOP_WORDS.has(word) && !seen.has(word)) seen.add(word);
  }
  return [...seen];
}

/**
 * Plural and singular of an English-looking word ("policies" → policy, "refund" → refunds), so a
 * question and a document that differ only in number still match under the 'simple' configuration,
 * which does not stem.
 */
function variants(word: string): string[] {
  if (!/^[a-z]+$/.test(word) || word.length < 3) return [word];
  if (word.endsWith('ies') && word.length > 4) return [word, `${word.slice(0, -3)}y`];
  if (/(?:ss|sh|ch|x|z)es$/.test(word)) return [word, word.slice(0, -2)];
  if (word.endsWith('s') && !word.endsWith('ss')) return [word, word.slice(0, -1)];
  if (word.endsWith('y') && !/[aeiou]y$/.test(word)) return [word, `${word.slice(0, -1)}ies`];
  if (/(?:ss|sh|ch|x|z)$/.test(word)) return [word, `${word}es`];
  return [word, `${word}s`];
}

/**
 * The words a question is searched by in full text, each with its plural/singular forms: one group
 * per content word, at most MAX_TERMS groups. Only letters and digits: safe in `websearch_to_tsquery`.
 */
export function fullTextTermGroups(text: string): string[][] {
  return contentWords(text)
    .slice(0, MAX_TERMS)
    .map((word) => variants(word));
}

/** Every term of `fullTextTermGroups`, once. */
export function fullTextTerms(text: string): string[] {
  return [...new Set(fullTextTermGroups(text).flat())];
}

/**
 * The full-text query for a question, in `websearch_to_tsquery` syntax: its terms joined by `or`, so
 * a passage matching some of the words is found and one matching more ranks higher. `null` when the
 * text has no content words. websearch_to_tsquery never raises a syntax error, and only letters and
 * digits reach it ("or" itself is a stop word, so never a term).
 */
export function fullTextQuery(text: string): string | null {
  const terms = fullTextTerms(text);
  return terms.length === 0 ? null : terms.join(' or ');
}
