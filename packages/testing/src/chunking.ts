const WORDISH_CHUNK = /\s*\S+|\s+/g;

/**
 * Splits text into word-ish chunks the way a tokenizer streams them: each chunk carries the
 * whitespace before its word ('Hello', ' from', ' the'). Concatenating the chunks gives back the text exactly.
 */
export function splitIntoChunks(text: string): string[] {
  return text.match(WORDISH_CHUNK) ?? [];
}
