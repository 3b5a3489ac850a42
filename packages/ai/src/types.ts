/** The LLM back-ends Babble Buddy can talk to. */
export type ProviderName = 'ollama' | 'openai';

/** One configured model, as the gateway stores it (secrets already decrypted by the caller). */
export interface ProviderConfig {
  provider: ProviderName;
  model: string;
  /** Ollama default `http://127.0.0.1:11434`; OpenAI default `https://api.openai.com/v1` (any OpenAI-compatible base URL, `/v1` included). */
  baseUrl?: string;
  /** OpenAI API key, in plaintext. */
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  /** USD per million prompt tokens; overrides the built-in price table. */
  inputPricePer1M?: number;
  /** USD per million completion tokens; overrides the built-in price table. */
  outputPricePer1M?: number;
  /** Time allowed to the first token, in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** The caller's id for this config, echoed in stream events. */
  id?: string;
}

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';
export const DEFAULT_OPENAI_URL = 'https://api.openai.com/v1';

/** The base URL a provider is reached at, without trailing slashes. */
export function resolveBaseUrl(provider: ProviderName, baseUrl?: string): string {
  const url = baseUrl?.trim() || (provider === 'ollama' ? DEFAULT_OLLAMA_URL : DEFAULT_OPENAI_URL);
  return url.replace(/\/+$/, '');
}
