import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { countWords, summarizeMessages, summarizePrompt, type Conversation } from './conversation';
import { fakeEmbedding, requestedDimensions } from './embedding';
import { pause, send, sendJson, type Exchange } from './http-exchange';
import { isEmbeddingModel, withOllamaTag } from './model-catalog';
import type { ProtocolContext } from './protocol-context';
import { deliverWholeReply, streamReply, type StreamFraming } from './reply-delivery';
import { planReply, type ReplyPlan } from './reply-plan';

export const FAKE_OLLAMA_VERSION = '0.6.0';
const NDJSON = 'application/x-ndjson';
const MODIFIED_AT = new Date('2025-01-01T00:00:00Z').toISOString();

/** Serves Ollama's native API (`/`, `/api/*`) the way the real server answers it. */
export async function handleOllamaRequest(exchange: Exchange, context: ProtocolContext): Promise<void> {
  const { method, path } = exchange.request;
  const route = `${method === 'HEAD' ? 'GET' : method} ${path}`;
  switch (route) {
    case 'GET /':
      return send(exchange, 200, 'text/plain; charset=utf-8', 'Ollama is running');
    case 'GET /api/version':
      return sendJson(exchange, 200, { version: FAKE_OLLAMA_VERSION });
    case 'GET /api/tags':
      return sendJson(exchange, 200, { models: context.catalog.names.map(describeModel) });
    case 'GET /api/ps':
      return sendJson(exchange, 200, { models: [] });
  }
  if (method !== 'POST' || !path.startsWith('/api/')) return send(exchange, 404, 'text/plain; charset=utf-8', '404 page not found');

  const body = exchange.request.body;
  if (!body) return sendOllamaError(exchange, 400, bodyProblemMessage(exchange));
  switch (path) {
    case '/api/chat':
      return handleGeneration(exchange, context, body, 'chat');
    case '/api/generate':
      return handleGeneration(exchange, context, body, 'generate');
    case '/api/embed':
      return handleEmbed(exchange, context, body);
    case '/api/embeddings':
      return handleLegacyEmbeddings(exchange, context, body);
    case '/api/show':
      return handleShow(exchange, context, body);
    case '/api/pull':
      return handlePull(exchange, body);
    default:
      return send(exchange, 404, 'text/plain; charset=utf-8', '404 page not found');
  }
}

export function sendOllamaError(exchange: Exchange, status: number, message?: string): void {
  sendJson(exchange, status, { error: message ?? STATUS_CODES[status] ?? `HTTP ${status}` });
}

type GenerationKind = 'chat' | 'generate';

async function handleGeneration(exchange: Exchange, context: ProtocolContext, body: Record<string, unknown>, kind: GenerationKind): Promise<void> {
  const model = body.model;
  if (typeof model !== 'string' || model === '') return sendOllamaError(exchange, 400, 'model is required');
  if (!context.catalog.has(model)) return sendOllamaError(exchange, 404, `model "${model}" not found, try pulling it first`);

  const conversation: Conversation =
    kind === 'chat' ? summarizeMessages(body.messages) : summarizePrompt(typeof body.prompt === 'string' ? body.prompt : '');
  const plan = planReply(context.nextReply(), conversation, () => context.nextToolCallId());
  if (plan.httpError) {
    await pause(plan.latencyMs, exchange.signal);
    return sendOllamaError(exchange, plan.httpError.status, plan.httpError.message);
  }

  const frames = new OllamaFrames(exchange, model, plan, kind);
  // Ollama streams unless the request says `stream: false`.
  if (body.stream === false) return deliverWholeReply(exchange, plan, () => frames.whole());
  return streamReply(exchange, plan, frames);
}

/** Ollama's NDJSON lines for one reply (`message` for /api/chat, `response` for /api/generate). */
class OllamaFrames implements StreamFraming {
  readonly contentType = NDJSON;
  readonly garbage = '{"model": this is not JSON\n';

  constructor(
    private readonly exchange: Exchange,
    private readonly model: string,
    private readonly plan: ReplyPlan,
    private readonly kind: GenerationKind,
  ) {}

  opening(): string[] {
    return [];
  }

  chunk(text: string): string {
    return line({ ...this.head(), ...this.payload(text, false), done: false });
  }

  closing(): string[] {
    const lines: string[] = [];
    if (this.kind === 'chat' && this.plan.toolCalls.length > 0) {
      lines.push(line({ ...this.head(), ...this.payload('', true), done: false }));
    }
    lines.push(line({ ...this.head(), ...this.payload('', false), ...this.final() }));
    return lines;
  }

  whole(): Record<string, unknown> {
    return { ...this.head(), ...this.payload(this.plan.text, true), ...this.final() };
  }

  private head(): Record<string, unknown> {
    return { model: this.model, created_at: new Date().toISOString() };
  }

  private payload(content: string, withToolCalls: boolean): Record<string, unknown> {
    if (this.kind === 'generate') return { response: content };
    const message: Record<string, unknown> = { role: 'assistant', content };
    if (withToolCalls && this.plan.toolCalls.length > 0) {
      message.tool_calls = this.plan.toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments } }));
    }
    return { message };
  }

  private final(): Record<string, unknown> {
    const totalNs = Number(process.hrtime.bigint() - this.exchange.startedAt);
    const promptNs = Math.min(this.plan.latencyMs * 1e6, totalNs);
    return {
      done: true,
      done_reason: 'stop',
      ...(this.kind === 'generate' ? { context: [] } : {}),
      total_duration: totalNs,
      load_duration: 0,
      prompt_eval_count: this.plan.usage.promptTokens,
      prompt_eval_duration: promptNs,
      eval_count: this.plan.usage.completionTokens,
      eval_duration: Math.max(totalNs - promptNs, 1),
    };
  }
}

function handleEmbed(exchange: Exchange, context: ProtocolContext, body: Record<string, unknown>): void {
  const model = body.model;
  if (typeof model !== 'string' || model === '') return sendOllamaError(exchange, 400, 'model is required');
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : input === undefined ? [] : input;
  if (!Array.isArray(texts) || !texts.every((text): text is string => typeof text === 'string')) {
    return sendOllamaError(exchange, 400, 'invalid input type');
  }
  const dimensions = requestedDimensions(body.dimensions) ?? context.catalog.embeddingDimensions(model);
  sendJson(exchange, 200, {
    model,
    embeddings: texts.map((text) => fakeEmbedding(text, dimensions)),
    total_duration: Number(process.hrtime.bigint() - exchange.startedAt),
    load_duration: 0,
    prompt_eval_count: texts.reduce((words, text) => words + countWords(text), 0),
  });
}

function handleLegacyEmbeddings(exchange: Exchange, context: ProtocolContext, body: Record<string, unknown>): void {
  const model = body.model;
  if (typeof model !== 'string' || model === '') return sendOllamaError(exchange, 400, 'model is required');
  const prompt = typeof body.prompt === 'string' ? body.prompt : '';
  sendJson(exchange, 200, { embedding: fakeEmbedding(prompt, context.catalog.embeddingDimensions(model)) });
}

function handleShow(exchange: Exchange, context: ProtocolContext, body: Record<string, unknown>): void {
  const model = typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
  if (model === '') return sendOllamaError(exchange, 400, 'model is required');
  if (!context.catalog.has(model)) return sendOllamaError(exchange, 404, `model '${model}' not found`);
  const embedding = isEmbeddingModel(model);
  sendJson(exchange, 200, {
    license: '',
    modelfile: `FROM ${withOllamaTag(model)}\n`,
    parameters: '',
    template: '{{ .Prompt }}',
    details: modelDetails(model),
    model_info: {
      'general.architecture': modelFamily(model),
      ...(embedding ? { [`${modelFamily(model)}.embedding_length`]: context.catalog.embeddingDimensions(model) } : {}),
    },
    capabilities: embedding ? ['embedding'] : ['completion', 'tools'],
    modified_at: MODIFIED_AT,
  });
}

function handlePull(exchange: Exchange, body: Record<string, unknown>): void {
  // Nothing to download; every model is "already pulled".
  if (body.stream === false) return sendJson(exchange, 200, { status: 'success' });
  send(exchange, 200, NDJSON, line({ status: 'success' }));
}

function describeModel(name: string): Record<string, unknown> {
  const tagged = withOllamaTag(name);
  return {
    name: tagged,
    model: tagged,
    modified_at: MODIFIED_AT,
    size: isEmbeddingModel(name) ? 274_302_450 : 2_019_393_189,
    digest: createHash('sha256').update(tagged).digest('hex'),
    details: modelDetails(name),
  };
}

function modelDetails(name: string): Record<string, unknown> {
  const family = modelFamily(name);
  return {
    parent_model: '',
    format: 'gguf',
    family,
    families: [family],
    parameter_size: isEmbeddingModel(name) ? '137M' : '3.2B',
    quantization_level: isEmbeddingModel(name) ? 'F16' : 'Q4_K_M',
  };
}

function modelFamily(name: string): string {
  if (isEmbeddingModel(name)) return 'bert';
  const base = (name.split(':')[0] ?? name).toLowerCase();
  return base.match(/^[a-z]+/)?.[0] ?? 'llama';
}

function bodyProblemMessage(exchange: Exchange): string {
  switch (exchange.bodyProblem) {
    case 'empty':
      return 'missing request body';
    case 'not-an-object':
      return 'json: cannot unmarshal request body into an object';
    default:
      return 'invalid character in request body: not valid JSON';
  }
}

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
