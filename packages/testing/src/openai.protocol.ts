import { STATUS_CODES } from 'node:http';
import { countWords, isRecord, summarizeMessages } from './conversation';
import { encodeFloat32Base64, fakeEmbedding, requestedDimensions } from './embedding';
import { pause, sendJson, type Exchange } from './http-exchange';
import type { ProtocolContext } from './protocol-context';
import { deliverWholeReply, streamReply, type StreamFraming } from './reply-delivery';
import { planReply, type ReplyPlan } from './reply-plan';

const SYSTEM_FINGERPRINT = 'fp_fake';
const MODEL_CREATED = 1_700_000_000;

/** Serves OpenAI's API (`/v1/*`) the way api.openai.com answers it. */
export async function handleOpenAiRequest(exchange: Exchange, context: ProtocolContext): Promise<void> {
  const { method, path } = exchange.request;
  const authError = checkApiKey(exchange, context.openaiApiKey);
  if (authError) return sendOpenAiError(exchange, 401, authError, 'invalid_api_key');

  if (method === 'GET' && path === '/v1/models') {
    return sendJson(exchange, 200, { object: 'list', data: context.catalog.names.map(describeModel) });
  }
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    if (!context.catalog.has(id)) return sendModelNotFound(exchange, id);
    return sendJson(exchange, 200, describeModel(id));
  }
  if (method === 'POST' && path === '/v1/chat/completions') return handleChatCompletion(exchange, context);
  if (method === 'POST' && path === '/v1/embeddings') return handleEmbeddings(exchange, context);
  return sendOpenAiError(exchange, 404, `Invalid URL (${method} ${path})`);
}

export function sendOpenAiError(exchange: Exchange, status: number, message?: string, code: string | null = null): void {
  sendJson(exchange, status, {
    error: {
      message: message ?? STATUS_CODES[status] ?? `HTTP ${status}`,
      type: errorType(status),
      param: null,
      code,
    },
  });
}

async function handleChatCompletion(exchange: Exchange, context: ProtocolContext): Promise<void> {
  const body = exchange.request.body;
  if (!body) return sendUnparseableBody(exchange);
  const model = body.model;
  if (typeof model !== 'string' || model === '') return sendOpenAiError(exchange, 400, 'you must provide a model parameter');
  if (!Array.isArray(body.messages)) return sendOpenAiError(exchange, 400, "Missing required parameter: 'messages'.", 'missing_required_parameter');
  if (!context.catalog.has(model)) return sendModelNotFound(exchange, model);

  const plan = planReply(context.nextReply(), summarizeMessages(body.messages), () => context.nextToolCallId());
  if (plan.httpError) {
    await pause(plan.latencyMs, exchange.signal);
    return sendOpenAiError(exchange, plan.httpError.status, plan.httpError.message);
  }

  const completion = new CompletionFrames(context.nextCompletionId(), model, plan, includeUsage(body.stream_options));
  if (body.stream === true) return streamReply(exchange, plan, completion);
  return deliverWholeReply(exchange, plan, () => completion.whole());
}

/** The `chat.completion` object and the SSE `chat.completion.chunk` frames of one reply. */
class CompletionFrames implements StreamFraming {
  readonly contentType = 'text/event-stream; charset=utf-8';
  readonly garbage = 'data: {"id": this is not JSON\n\n';
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly id: string,
    private readonly model: string,
    private readonly plan: ReplyPlan,
    private readonly withUsage: boolean,
  ) {}

  opening(): string[] {
    return [this.frame({ role: 'assistant', content: '', refusal: null })];
  }

  chunk(text: string): string {
    return this.frame({ content: text });
  }

  closing(): string[] {
    const frames = this.plan.toolCalls.flatMap((call, index) => [
      this.frame({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
      this.frame({ tool_calls: [{ index, function: { arguments: JSON.stringify(call.arguments) } }] }),
    ]);
    frames.push(this.frame({}, this.finishReason()));
    if (this.withUsage) frames.push(sse({ ...this.head(), choices: [], usage: this.usage() }));
    frames.push('data: [DONE]\n\n');
    return frames;
  }

  whole(): Record<string, unknown> {
    const hasToolCalls = this.plan.toolCalls.length > 0;
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: hasToolCalls && this.plan.text === '' ? null : this.plan.text,
      refusal: null,
    };
    if (hasToolCalls) {
      message.tool_calls = this.plan.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      }));
    }
    return {
      ...this.head('chat.completion'),
      choices: [{ index: 0, message, logprobs: null, finish_reason: this.finishReason() }],
      usage: this.usage(),
    };
  }

  private frame(delta: Record<string, unknown>, finishReason: string | null = null): string {
    return sse({
      ...this.head(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.withUsage ? { usage: null } : {}),
    });
  }

  private head(object = 'chat.completion.chunk'): Record<string, unknown> {
    return { id: this.id, object, created: this.created, model: this.model, system_fingerprint: SYSTEM_FINGERPRINT };
  }

  private finishReason(): string {
    return this.plan.toolCalls.length > 0 ? 'tool_calls' : 'stop';
  }

  private usage(): Record<string, number> {
    const { promptTokens, completionTokens } = this.plan.usage;
    return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  }
}

function handleEmbeddings(exchange: Exchange, context: ProtocolContext): void {
  const body = exchange.request.body;
  if (!body) return sendUnparseableBody(exchange);
  const model = body.model;
  if (typeof model !== 'string' || model === '') return sendOpenAiError(exchange, 400, 'you must provide a model parameter');
  const texts = embeddingInputs(body.input);
  if (!texts) return sendOpenAiError(exchange, 400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");

  const dimensions = requestedDimensions(body.dimensions) ?? context.catalog.embeddingDimensions(model);
  const asBase64 = body.encoding_format === 'base64';
  const promptTokens = texts.reduce((words, text) => words + countWords(text), 0);
  sendJson(exchange, 200, {
    object: 'list',
    data: texts.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      return { object: 'embedding', index, embedding: asBase64 ? encodeFloat32Base64(vector) : vector };
    }),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

/** `input` as texts: a string, strings, or token arrays (whose ids are embedded as text). */
function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item): item is string => typeof item === 'string')) return input;
  if (input.every((item): item is number => typeof item === 'number')) return [input.join(' ')];
  if (input.every((item): item is number[] => Array.isArray(item) && item.every((token) => typeof token === 'number'))) {
    return input.map((tokens) => tokens.join(' '));
  }
  return undefined;
}

function checkApiKey(exchange: Exchange, expectedKey: string | undefined): string | undefined {
  if (expectedKey === undefined) return undefined;
  const authorization = exchange.request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(authorization);
  if (!match) return "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
  const key = match[1] ?? '';
  if (key === expectedKey) return undefined;
  return `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
}

function maskKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

function sendModelNotFound(exchange: Exchange, model: string): void {
  sendOpenAiError(exchange, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'model_not_found');
}

function sendUnparseableBody(exchange: Exchange): void {
  sendOpenAiError(
    exchange,
    400,
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
  );
}

function describeModel(id: string): Record<string, unknown> {
  return { id, object: 'model', created: MODEL_CREATED, owned_by: 'babble-buddy-fake' };
}

function includeUsage(streamOptions: unknown): boolean {
  return isRecord(streamOptions) && streamOptions.include_usage === true;
}

function errorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function sse(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}
