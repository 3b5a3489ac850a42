/** Which wire protocol a request spoke: Ollama's `/api/*` or OpenAI's `/v1/*`. */
export type LlmProtocol = 'ollama' | 'openai';

export interface FakeToolCall {
  /** Tool call id; generated (`call_fake_N`) when omitted. Ollama's wire format carries no id. */
  id?: string;
  name: string;
  arguments: Record<string, unknown>;
}

export interface FakeUsage {
  promptTokens: number;
  completionTokens: number;
}

/** How the fake answers one generation request (chat or generate). */
export interface FakeReply {
  /** The answer; default 'Hello from the fake model.' ('' when `toolCalls` are given). */
  text?: string;
  /** Explicit chunk boundaries; overrides `text` and `echo` (the text becomes their concatenation). */
  chunks?: string[];
  /** Delay before the response headers / first chunk. */
  latencyMs?: number;
  /** Delay between chunks (token rate). Non-streamed answers wait for the same total time. */
  tokenDelayMs?: number;
  /** After sending N chunks, destroy the socket abruptly (mid-stream death). */
  disconnectAfterChunks?: number;
  /** After N chunks, send a garbage frame (invalid JSON line / invalid SSE data), then end the response. */
  malformedAfterChunks?: number;
  /** Answer with this status and a protocol-appropriate error body. */
  httpError?: { status: number; message?: string };
  /** Default: promptTokens = words in the request messages, completionTokens = number of chunks. */
  usage?: FakeUsage;
  /** Answer with tool calls in the protocol's format. */
  toolCalls?: FakeToolCall[];
  /** Reply with the last user message's content prefixed by 'You said: '. */
  echo?: boolean;
}

export interface FakeLlmOptions {
  /** 0 (default) picks a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Models listed by `/api/tags` and `/v1/models`; when given, generation requests for other models get a 404. */
  models?: string[];
  /** Reply used when the script queue is empty. */
  defaultReply?: FakeReply;
  /** Embedding dimensions per model name, merged over the built-in defaults. */
  embeddingDimensions?: Record<string, number>;
  /** When set, `/v1/*` requests must carry `Authorization: Bearer <openaiApiKey>` or get a 401. */
  openaiApiKey?: string;
  /** Record every request in `requests` (default true). Long benchmarks may turn this off. */
  recordRequests?: boolean;
}

export interface RecordedRequest {
  protocol: LlmProtocol;
  method: string;
  /** URL path without the query string, e.g. '/api/chat' or '/v1/chat/completions'. */
  path: string;
  /** Request headers with lower-cased names; repeated headers are joined with ', '. */
  headers: Record<string, string>;
  /** The parsed JSON body when it is a JSON object, otherwise null (empty, malformed or non-object JSON). */
  body: Record<string, unknown> | null;
  /** The body exactly as received. */
  rawBody: string;
  /** `Date.now()` when the request body had been read. */
  at: number;
}

export interface FakeLlm {
  /** Ollama base URL, e.g. 'http://127.0.0.1:PORT' (the API lives at /api/*). */
  readonly url: string;
  /** OpenAI base URL, e.g. 'http://127.0.0.1:PORT/v1'. */
  readonly openaiUrl: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Queue replies; each generation request (either protocol) consumes the next. */
  script(...replies: FakeReply[]): void;
  setDefault(reply: FakeReply): void;
  /** Only chat requests: Ollama `/api/chat` and OpenAI `/v1/chat/completions`. */
  chatRequests(): RecordedRequest[];
  /** Clear the queue and the recorded requests, restore the default reply given at start. */
  reset(): void;
  /** When down, every connection (open or new) is destroyed immediately. */
  setDown(down: boolean): void;
  /** Stop listening and destroy open sockets. Calling it again returns the same promise. */
  close(): Promise<void>;
}
