import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { modelFetch } from './model-fetch';
import { type ProviderConfig, type ProviderName, resolveBaseUrl } from './types';

/** Sent when an OpenAI-compatible server needs no key (the SDK refuses to start without one). */
const NO_API_KEY = 'no-key';

/**
 * The OpenAI SDK logs raw stream frames (model output) on parse errors; our classified `LlmError` carries
 * what the caller needs, so its logger is off.
 */
const OPENAI_SDK_LOG_LEVEL = 'off';

export interface EmbeddingsConfig {
  provider: ProviderName;
  model: string;
  baseUrl?: string;
  apiKey?: string;
  /** Shortened vectors, for models that offer them (OpenAI text-embedding-3-*); Ollama ignores it. */
  dimensions?: number;
}

/**
 * A LangChain chat model for the config: ChatOllama or ChatOpenAI (Chat Completions API, usage streamed).
 * LangChain's own retries are off: fallback to the next provider is `streamChat`'s job.
 */
export function createChatModel(config: ProviderConfig): BaseChatModel {
  return buildChatModel(config);
}

/**
 * `createChatModel` with an extra signal that aborts the upstream HTTP request: Ollama's client does not
 * listen to the LangChain call signal, so `streamChat` wires this one into its fetch.
 */
export function buildChatModel(config: ProviderConfig, signal?: AbortSignal): BaseChatModel {
  const baseUrl = resolveBaseUrl(config.provider, config.baseUrl);
  if (config.provider === 'ollama') {
    return new ChatOllama({
      model: config.model,
      baseUrl,
      temperature: config.temperature,
      numPredict: config.maxTokens,
      maxRetries: 0,
      fetch: modelFetch(signal ? { signal } : {}),
    });
  }
  return new ChatOpenAI({
    model: config.model,
    apiKey: config.apiKey || NO_API_KEY,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    streamUsage: true,
    useResponsesApi: false,
    maxRetries: 0,
    configuration: { baseURL: baseUrl, logLevel: OPENAI_SDK_LOG_LEVEL },
  });
}

/** OllamaEmbeddings or OpenAIEmbeddings (float vectors, so any OpenAI-compatible server works). */
export function createEmbeddings(config: EmbeddingsConfig): Embeddings {
  const baseUrl = resolveBaseUrl(config.provider, config.baseUrl);
  if (config.provider === 'ollama') {
    return new OllamaEmbeddings({ model: config.model, baseUrl, maxRetries: 0, fetch: modelFetch() });
  }
  return new OpenAIEmbeddings({
    model: config.model,
    apiKey: config.apiKey || NO_API_KEY,
    encodingFormat: 'float',
    ...(config.dimensions ? { dimensions: config.dimensions } : {}),
    maxRetries: 0,
    configuration: { baseURL: baseUrl, logLevel: OPENAI_SDK_LOG_LEVEL },
  });
}
