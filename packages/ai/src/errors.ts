import type { ProviderName, TokenUsage } from './types';

/**
 * Why a provider call failed:
 * - `unreachable`: connection refused, reset or dropped (also mid-stream), DNS failure
 * - `http`: the provider answered with an HTTP error status (see `status`)
 * - `timeout`: no first token within the configured time
 * - `malformed`: the provider's answer was not valid protocol (bad JSON frame, truncated stream)
 * - `aborted`: the request was cancelled
 * - `unknown`: anything else
 */
export type LlmErrorKind = 'unreachable' | 'http' | 'timeout' | 'malformed' | 'aborted' | 'unknown';

export interface LlmErrorInit {
  kind: LlmErrorKind;
  message: string;
  provider: ProviderName;
  model: string;
  status?: number;
  configId?: string;
  cause?: unknown;
}

/** A failed call to one provider, classified. */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly kind: LlmErrorKind;
  readonly status?: number;
  readonly provider: ProviderName;
  readonly model: string;
  readonly configId?: string;

  constructor(init: LlmErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.provider = init.provider;
    this.model = init.model;
    if (init.status !== undefined) this.status = init.status;
    if (init.configId !== undefined) this.configId = init.configId;
  }
}

interface PartialStreamInfo {
  partialText: string;
  /** Usage so far; estimated (the provider reports usage only at the end). */
  usage: TokenUsage;
  /** Time to first token of the failed attempt, in ms. */
  ttftMs: number;
  /** Overall latency from the start of `streamChat`, in ms. */
  latencyMs: number;
  provider: ProviderName;
  model: string;
  configId?: string;
}

export interface LlmStreamErrorInit extends PartialStreamInfo {
  cause: LlmError;
}

/**
 * The provider failed after tokens were relayed. There is no fallback in that case (the text would be
 * duplicated): the caller keeps `partialText` and marks the message failed.
 */
export class LlmStreamError extends Error {
  override readonly name = 'LlmStreamError';
  override readonly cause: LlmError;
  readonly partialText: string;
  readonly usage: TokenUsage;
  readonly ttftMs: number;
  readonly latencyMs: number;
  readonly provider: ProviderName;
  readonly model: string;
  readonly configId?: string;

  constructor(init: LlmStreamErrorInit) {
    super(`${init.provider}/${init.model} failed mid-stream: ${init.cause.message}`, { cause: init.cause });
    this.cause = init.cause;
    this.partialText = init.partialText;
    this.usage = init.usage;
    this.ttftMs = init.ttftMs;
    this.latencyMs = init.latencyMs;
    this.provider = init.provider;
    this.model = init.model;
    if (init.configId !== undefined) this.configId = init.configId;
  }
}

/** Every configured provider failed before producing a token. `attempts` holds one error per provider, in order. */
export class LlmUnavailableError extends Error {
  override readonly name = 'LlmUnavailableError';
  readonly attempts: LlmError[];

  constructor(attempts: LlmError[]) {
    super(
      attempts.length === 0
        ? 'No LLM provider is configured'
        : `No LLM provider is available: ${attempts.map((e) => `${e.provider}/${e.model}: ${e.message}`).join('; ')}`,
    );
    this.attempts = attempts;
  }
}

export interface LlmAbortedErrorInit {
  partialText: string;
  usage: TokenUsage;
  latencyMs: number;
  /** Time to first token, when a token had arrived before the abort. */
  ttftMs?: number;
  provider?: ProviderName;
  model?: string;
  configId?: string;
}

/**
 * The caller's AbortSignal fired (the client went away). Its `name` is `'AbortError'`, like the DOM's,
 * so generic abort checks recognise it.
 */
export class LlmAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly partialText: string;
  readonly usage: TokenUsage;
  readonly latencyMs: number;
  readonly ttftMs?: number;
  readonly provider?: ProviderName;
  readonly model?: string;
  readonly configId?: string;

  constructor(init: LlmAbortedErrorInit) {
    super('The chat stream was aborted');
    this.partialText = init.partialText;
    this.usage = init.usage;
    this.latencyMs = init.latencyMs;
    if (init.ttftMs !== undefined) this.ttftMs = init.ttftMs;
    if (init.provider !== undefined) this.provider = init.provider;
    if (init.model !== undefined) this.model = init.model;
    if (init.configId !== undefined) this.configId = init.configId;
  }
}

/** Raised by our own stream validation when a provider sends a frame that is not JSON. */
export class MalformedFrameError extends Error {
  override readonly name = 'MalformedFrameError';
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const NETWORK_MESSAGES = /fetch failed|terminated|other side closed|socket hang up|connection error|econnrefused|econnreset|network/i;
const MALFORMED_MESSAGES = /json|unexpected token|did not receive done|missing body|no body/i;

interface ErrorFacts {
  status?: number;
  codes: string[];
  names: string[];
  messages: string[];
}

/** Walks an error and its `cause` chain, collecting what classification needs. */
function collectFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = { codes: [], names: [], messages: [] };
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (typeof current !== 'object') {
      facts.messages.push(String(current));
      break;
    }
    const record = current as Record<string, unknown>;
    if (facts.status === undefined) {
      const status = record['status'] ?? record['status_code'] ?? record['statusCode'];
      if (typeof status === 'number' && status >= 100 && status <= 599) facts.status = status;
    }
    if (typeof record['code'] === 'string') facts.codes.push(record['code']);
    if (typeof record['name'] === 'string') facts.names.push(record['name']);
    if (typeof record['message'] === 'string') facts.messages.push(record['message']);
    current = record['cause'];
  }
  return facts;
}

/** The message of anything thrown (duck-typed: errors from another realm fail `instanceof Error`). */
export function messageOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  }
  return typeof error === 'string' && error ? error : 'Unknown error';
}

/** Turns anything thrown by LangChain, the provider SDKs or fetch into a classified `LlmError`. */
export function toLlmError(
  error: unknown,
  target: { provider: ProviderName; model: string; configId?: string },
): LlmError {
  if (error instanceof LlmError) return error;
  const facts = collectFacts(error);
  const base = { provider: target.provider, model: target.model, configId: target.configId, cause: error };
  const message = messageOf(error);
  if (facts.names.includes('MalformedFrameError')) {
    return new LlmError({ ...base, kind: 'malformed', message: `Malformed response: ${message}` });
  }
  if (facts.status !== undefined) {
    return new LlmError({ ...base, kind: 'http', status: facts.status, message: `HTTP ${facts.status}: ${message}` });
  }
  if (facts.names.includes('SyntaxError') || facts.messages.some((m) => MALFORMED_MESSAGES.test(m))) {
    return new LlmError({ ...base, kind: 'malformed', message: `Malformed response: ${message}` });
  }
  if (facts.codes.some((c) => NETWORK_CODES.has(c)) || facts.messages.some((m) => NETWORK_MESSAGES.test(m))) {
    const code = facts.codes.find((c) => NETWORK_CODES.has(c));
    const detail = facts.messages[facts.messages.length - 1] ?? message;
    return new LlmError({ ...base, kind: 'unreachable', message: code ? `Unreachable (${code}): ${detail}` : `Unreachable: ${detail}` });
  }
  if (facts.names.includes('TimeoutError')) {
    return new LlmError({ ...base, kind: 'timeout', message: `Timed out: ${message}` });
  }
  if (facts.names.includes('AbortError') || facts.messages.some((m) => /abort/i.test(m))) {
    return new LlmError({ ...base, kind: 'aborted', message: 'Request aborted' });
  }
  return new LlmError({ ...base, kind: 'unknown', message });
}
