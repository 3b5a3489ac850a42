import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import type { ChatGenerationChunk } from '@langchain/core/outputs';
import {
  LlmAbortedError,
  LlmError,
  LlmStreamError,
  LlmUnavailableError,
  toLlmError,
} from './errors';
import { priceForConfig } from './pricing';
import { buildChatModel } from './providers';
import { estimateMessagesTokens, estimateTokens } from './tokens';
import type { ChatTurn, ProviderConfig, ProviderName, TokenUsage } from './types';

export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 30_000;

export type ChatStreamEvent =
  | { type: 'attempt'; attempt: number; provider: ProviderName; model: string; configId?: string }
  | { type: 'token'; text: string }
  | {
      type: 'attempt_failed';
      attempt: number;
      provider: ProviderName;
      model: string;
      configId?: string;
      error: LlmError;
      /** Duration of this attempt, in ms. */
      latencyMs: number;
      willFallback: boolean;
    }
  | {
      type: 'done';
      provider: ProviderName;
      model: string;
      configId?: string;
      usage: TokenUsage;
      /** USD; `null` when the model's price is unknown. */
      costUsd: number | null;
      /** Overall latency from the start of `streamChat` (failed attempts included) to the end, in ms. */
      latencyMs: number;
      /** From the start of the successful attempt's request to its first non-empty token, in ms. */
      ttftMs: number;
      text: string;
      /** The first provider tried, when the answer came from a fallback. */
      fallbackFrom?: { provider: ProviderName; model: string };
    };

export interface StreamChatOptions {
  /** Fires when the client went away: the upstream request is stopped and `LlmAbortedError` thrown. */
  signal?: AbortSignal;
  /** Clock in ms, for latency measurements. Default `performance.now`. */
  now?: () => number;
}

/** Why our per-attempt controller fired. */
type StopReason = 'timeout' | 'caller' | 'cleanup';

/**
 * The reason every finished attempt's request is stopped with. By then nothing reads it (the body has
 * ended, or the consumer left); one shared instance spares each answer a DOMException and the stack
 * trace it captures, about 1% of the gateway's CPU per streamed answer in a profile at 50 streams.
 */
const CLEANUP_REASON = new DOMException('The model request was stopped after its attempt ended', 'AbortError');

function toLangChainMessages(messages: readonly ChatTurn[]): BaseMessage[] {
  return messages.map((turn) => {
    switch (turn.role) {
      case 'system':
        return new SystemMessage(turn.content);
      case 'assistant':
        return new AIMessage(turn.content);
      case 'user':
        return new HumanMessage(turn.content);
    }
  });
}

function chunkText(chunk: BaseMessage): string {
  return typeof chunk.content === 'string' ? chunk.content : chunk.text;
}

/** Provider-reported usage on a chunk, if any (LangChain's `usage_metadata`). */
function chunkUsage(chunk: BaseMessage): TokenUsage | undefined {
  const usage = (chunk as { usage_metadata?: { input_tokens?: number; output_tokens?: number } }).usage_metadata;
  const promptTokens = usage?.input_tokens ?? 0;
  const completionTokens = usage?.output_tokens ?? 0;
  return promptTokens > 0 || completionTokens > 0 ? { promptTokens, completionTokens } : undefined;
}

function target(config: ProviderConfig): { provider: ProviderName; model: string; configId?: string } {
  return config.id === undefined
    ? { provider: config.provider, model: config.model }
    : { provider: config.provider, model: config.model, configId: config.id };
}

/**
 * Streams a chat completion from the first config, falling back to the next one when a provider fails
 * before its first token. See `ChatStreamEvent` for what is yielded.
 *
 * @throws LlmStreamError a provider failed after tokens were relayed (no fallback: text would repeat)
 * @throws LlmUnavailableError every provider failed before its first token
 * @throws LlmAbortedError `options.signal` fired
 */
export async function* streamChat(
  configs: ProviderConfig[],
  messages: ChatTurn[],
  options: StreamChatOptions = {},
): AsyncGenerator<ChatStreamEvent> {
  const now = options.now ?? (() => performance.now());
  const callerSignal = options.signal;
  const startedAt = now();
  const elapsed = (since: number): number => Math.max(0, Math.round(now() - since));
  const promptEstimate = estimateMessagesTokens(messages);
  const lcMessages = toLangChainMessages(messages);
  const failures: LlmError[] = [];
  const first = configs[0];

  for (const [index, config] of configs.entries()) {
    if (callerSignal?.aborted) {
      throw new LlmAbortedError({
        partialText: '',
        usage: { promptTokens: promptEstimate, completionTokens: 0 },
        latencyMs: elapsed(startedAt),
        ...target(config),
      });
    }
    const attempt = index + 1;
    yield { type: 'attempt', attempt, ...target(config) };

    const attemptStart = now();
    const controller = new AbortController();
    let stopReason: StopReason | undefined;
    const stop = (reason: StopReason): void => {
      if (stopReason === undefined) stopReason = reason;
      controller.abort(reason === 'cleanup' ? CLEANUP_REASON : undefined);
    };
    const onCallerAbort = (): void => stop('caller');
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    if (callerSignal?.aborted) stop('caller'); // fired while the consumer held the 'attempt' event
    let timer: NodeJS.Timeout | undefined = setTimeout(() => stop('timeout'), config.timeoutMs ?? DEFAULT_FIRST_TOKEN_TIMEOUT_MS);
    const clearTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };

    let text = '';
    let ttftMs: number | undefined;
    let reported: TokenUsage | undefined;
    let iterator: AsyncIterator<ChatGenerationChunk> | undefined;
    try {
      try {
        const model = buildChatModel(config, controller.signal);
        // The provider's own chunk generator, not `stream()`: that wrapper adds callback dispatch and merges every
        // chunk into a running aggregate, a third of the CPU a streamed token costs, for tracing we do not use.
        const parsed = { signal: controller.signal } as Parameters<typeof model._streamResponseChunks>[1];
        iterator = model._streamResponseChunks(lcMessages, parsed);
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          reported = chunkUsage(next.value.message) ?? reported;
          const piece = chunkText(next.value.message);
          if (!piece) continue;
          if (ttftMs === undefined) {
            ttftMs = elapsed(attemptStart);
            clearTimer();
          }
          text += piece;
          yield { type: 'token', text: piece };
        }
        // LangChain may end a stream quietly when its signal fires: an abort is never a success.
        if (stopReason !== undefined) throw new Error('Request aborted');
      } catch (caught) {
        clearTimer();
        const usageSoFar = { promptTokens: promptEstimate, completionTokens: estimateTokens(text) };
        if (stopReason === 'caller' || callerSignal?.aborted) {
          throw new LlmAbortedError({
            partialText: text,
            usage: usageSoFar,
            latencyMs: elapsed(startedAt),
            ...(ttftMs === undefined ? {} : { ttftMs }),
            ...target(config),
          });
        }
        const timeoutMs = config.timeoutMs ?? DEFAULT_FIRST_TOKEN_TIMEOUT_MS;
        const classified =
          stopReason === 'timeout'
            ? new LlmError({ kind: 'timeout', message: `No token within ${timeoutMs} ms`, ...target(config), cause: caught })
            : toLlmError(caught, target(config));
        if (ttftMs !== undefined) {
          throw new LlmStreamError({
            partialText: text,
            usage: usageSoFar,
            ttftMs,
            latencyMs: elapsed(startedAt),
            ...target(config),
            cause: classified,
          });
        }
        failures.push(classified);
        const willFallback = index < configs.length - 1;
        yield {
          type: 'attempt_failed',
          attempt,
          ...target(config),
          error: classified,
          latencyMs: elapsed(attemptStart),
          willFallback,
        };
        continue;
      }
    } finally {
      clearTimer();
      callerSignal?.removeEventListener('abort', onCallerAbort);
      // Stop the upstream request whatever happened (consumer returned early, error, or done).
      stop('cleanup');
      iterator?.return?.().catch(() => undefined);
    }

    const usage: TokenUsage = reported ?? { promptTokens: promptEstimate, completionTokens: estimateTokens(text) };
    const done: ChatStreamEvent = {
      type: 'done',
      ...target(config),
      usage,
      costUsd: priceForConfig(config, usage),
      latencyMs: elapsed(startedAt),
      ttftMs: ttftMs ?? elapsed(attemptStart),
      text,
    };
    if (index > 0 && first) done.fallbackFrom = { provider: first.provider, model: first.model };
    yield done;
    return;
  }
  throw new LlmUnavailableError(failures);
}
