/** Embedding sizes of the real models, so vectors fit the columns the app creates for them. */
export const DEFAULT_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  'nomic-embed-text': 768,
  'mxbai-embed-large': 1024,
  'all-minilm': 384,
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};
export const FALLBACK_EMBEDDING_DIMENSIONS = 768;

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can do does did for from had has have how i if in into is it its ' +
    'me my no not of on or our so that the their them then there these they this to was we were ' +
    'what when where which who why will with would you your'
  ).split(' '),
);

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.25;
const EMPTY_TEXT_FEATURE = '\u0000empty';

/**
 * A deterministic, meaningful stand-in for a real embedding model: feature hashing of stemmed
 * lowercase words (weight 1) plus their character trigrams (weight 0.25) into `dimensions` signed
 * buckets, L2-normalised. Texts sharing words are clearly closer (cosine) than unrelated ones.
 * Values are float32-exact, so they survive OpenAI's base64 (float32) encoding unchanged.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  if (!Number.isInteger(dimensions) || dimensions <= 0) {
    throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`);
  }
  const vector = new Float64Array(dimensions);
  const addFeature = (feature: string, weight: number): void => {
    const hash = hashFeature(feature);
    const bucket = hash % dimensions;
    const sign = hash >>> 31 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
  };

  const words = contentWords(text);
  if (words.length === 0) addFeature(EMPTY_TEXT_FEATURE, WORD_WEIGHT);
  for (const word of words) {
    addFeature(`w:${word}`, WORD_WEIGHT);
    const padded = `#${word}#`;
    for (let i = 0; i + 3 <= padded.length; i++) addFeature(`t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  }

  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return Array.from(vector, (value) => Math.fround(norm === 0 ? 0 : value / norm));
}

/** Cosine similarity of two equal-length vectors (0 when either is all zeros). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`vector lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** The `dimensions` a request asked for, when it is a positive integer. */
export function requestedDimensions(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Little-endian float32 bytes, base64 — OpenAI's `encoding_format: 'base64'`. */
export function encodeFloat32Base64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

function contentWords(text: string): string[] {
  const tokens = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter((token) => token.length > 0);
  const meaningful = tokens.filter((token) => !STOP_WORDS.has(token));
  // A text made only of stop words still deserves a vector of its own.
  return (meaningful.length > 0 ? meaningful : tokens).map(stem);
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** FNV-1a over UTF-16 code units, finished with murmur3's avalanche so every bit is well mixed. */
function hashFeature(feature: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < feature.length; i++) {
    hash ^= feature.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
