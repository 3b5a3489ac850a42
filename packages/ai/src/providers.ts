import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { Embeddings } from '@langchain/core/embeddings';
import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { MalformedFrameError } from './errors';
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
      fetch: ollamaFetch(signal),
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
    return new OllamaEmbeddings({ model: config.model, baseUrl, maxRetries: 0, fetch: ollamaFetch() });
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

/**
 * fetch for the Ollama client: joins an extra abort signal, and checks that every NDJSON line of a
 * streamed body is JSON (the client would otherwise log and skip a bad line, silently losing text).
 */
function ollamaFetch(signal?: AbortSignal): typeof fetch {
  return async (input, init) => {
    const signals = [init?.signal, signal].filter((s): s is AbortSignal => s !== undefined && s !== null);
    const joined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const response = await fetch(input, { ...init, ...(joined ? { signal: joined } : {}) });
    const streamed = response.headers.get('content-type')?.includes('ndjson') ?? false;
    if (!response.ok || !response.body || !streamed) return response;
    return new Response(validatedNdjson(response.body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function isJsonLine(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed) return true;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

/**
 * Re-emits an NDJSON body line by line, and errors at the first non-empty line that is not JSON, after
 * the reader has taken every good line before it (pull-based, so no line is lost to the error).
 */
function validatedNdjson(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  let failure: MalformedFrameError | undefined;

  /** Splits off the good complete lines; records the failure at the first bad one. */
  const takeLines = (lines: string[]): string => {
    let good = '';
    for (const line of lines) {
      if (!isJsonLine(line)) {
        failure = new MalformedFrameError(`invalid JSON line: ${line.trim().slice(0, 120)}`);
        reader.cancel(failure).catch(() => undefined);
        break;
      }
      good += `${line}\n`;
    }
    return good;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (!failure) {
          const { done, value } = await reader.read();
          if (done) {
            pending += decoder.decode();
            const good = takeLines(pending.trim() ? [pending] : []);
            pending = '';
            if (good) controller.enqueue(encoder.encode(good));
            if (!failure) controller.close();
            return;
          }
          pending += decoder.decode(value, { stream: true });
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          const good = takeLines(lines);
          if (good) {
            controller.enqueue(encoder.encode(good));
            return;
          }
        }
        controller.error(failure);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
