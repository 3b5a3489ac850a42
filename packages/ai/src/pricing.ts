import type { ProviderConfig, TokenUsage } from './types';

export interface ModelPrice {
  /** USD per million prompt tokens. */
  inputPer1M: number;
  /** USD per million completion tokens. */
  outputPer1M: number;
}

/** OpenAI list prices (USD per 1M tokens, standard tier). Dated snapshots (`gpt-4o-2024-08-06`) match their family. */
export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { inputPer1M: 1.25, outputPer1M: 10 },
  'gpt-5-mini': { inputPer1M: 0.25, outputPer1M: 2 },
  'gpt-5-nano': { inputPer1M: 0.05, outputPer1M: 0.4 },
  'gpt-4.1': { inputPer1M: 2, outputPer1M: 8 },
  'gpt-4.1-mini': { inputPer1M: 0.4, outputPer1M: 1.6 },
  'gpt-4.1-nano': { inputPer1M: 0.1, outputPer1M: 0.4 },
  'gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
  'gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'chatgpt-4o-latest': { inputPer1M: 5, outputPer1M: 15 },
  'gpt-4-turbo': { inputPer1M: 10, outputPer1M: 30 },
  'gpt-4': { inputPer1M: 30, outputPer1M: 60 },
  'gpt-3.5-turbo': { inputPer1M: 0.5, outputPer1M: 1.5 },
  o1: { inputPer1M: 15, outputPer1M: 60 },
  'o1-mini': { inputPer1M: 1.1, outputPer1M: 4.4 },
  o3: { inputPer1M: 2, outputPer1M: 8 },
  'o3-mini': { inputPer1M: 1.1, outputPer1M: 4.4 },
  'o4-mini': { inputPer1M: 1.1, outputPer1M: 4.4 },
  'text-embedding-3-small': { inputPer1M: 0.02, outputPer1M: 0 },
  'text-embedding-3-large': { inputPer1M: 0.13, outputPer1M: 0 },
  'text-embedding-ada-002': { inputPer1M: 0.1, outputPer1M: 0 },
};

/** Snapshot suffixes that keep a model in its family: `-2024-08-06`, `-0125`, `-preview`. */
const SNAPSHOT_SUFFIX = /^-(\d{4}-\d{2}-\d{2}|\d{4}|preview)$/;

/** The built-in price of a model, or `undefined` when the table does not know it. */
export function lookupPrice(model: string): ModelPrice | undefined {
  const name = model.trim().toLowerCase().replace(/^openai\//, '');
  const exact = PRICE_TABLE[name];
  if (exact) return exact;
  for (const [family, price] of Object.entries(PRICE_TABLE)) {
    if (name.startsWith(family) && SNAPSHOT_SUFFIX.test(name.slice(family.length))) return price;
  }
  return undefined;
}

function roundUsd(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

/**
 * Cost in USD of `usage` on `model`. Overrides win over the table, per direction; `null` when a price
 * is unknown.
 */
export function priceFor(
  model: string,
  usage: TokenUsage,
  overrides?: { inputPricePer1M?: number; outputPricePer1M?: number },
): number | null {
  const known = lookupPrice(model);
  const input = overrides?.inputPricePer1M ?? known?.inputPer1M;
  const output = overrides?.outputPricePer1M ?? known?.outputPer1M;
  if (input === undefined || output === undefined) return null;
  return roundUsd((usage.promptTokens * input + usage.completionTokens * output) / 1_000_000);
}

/** Cost of `usage` under a provider config: its overrides, else Ollama is free, else the OpenAI table. */
export function priceForConfig(config: ProviderConfig, usage: TokenUsage): number | null {
  const free = config.provider === 'ollama' ? 0 : undefined;
  return priceFor(config.model, usage, {
    inputPricePer1M: config.inputPricePer1M ?? free,
    outputPricePer1M: config.outputPricePer1M ?? free,
  });
}
