// js-tiktoken ships CommonJS builds but ESM-only type declarations: required, typed from the ESM side.
type Lite = typeof import('js-tiktoken/lite', { with: { 'resolution-mode': 'import' } });
type Ranks = typeof import('js-tiktoken/ranks/cl100k_base', { with: { 'resolution-mode': 'import' } });

let encoder: InstanceType<Lite['Tiktoken']> | undefined;

/**
 * Tokens of `text` in cl100k_base (OpenAI's embedding models' tokenizer; close to what
 * nomic-embed-text's WordPiece counts for English). The ranks ship inside js-tiktoken, so nothing is
 * downloaded at run time (LangChain's own token splitter fetches them from a CDN).
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  if (!encoder) {
    const { Tiktoken } = require('js-tiktoken/lite') as Lite;
    // The CommonJS build exports the ranks object itself (module.exports), not a `default` property.
    const ranks = require('js-tiktoken/ranks/cl100k_base') as Ranks['default'];
    encoder = new Tiktoken(ranks);
  }
  return encoder.encode(text, [], []).length;
}
