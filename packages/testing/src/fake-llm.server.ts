import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FakeLlm, FakeLlmOptions, FakeReply, LlmProtocol, RecordedRequest } from './fake-llm.types';
import { createExchange, readRawBody, type Exchange } from './http-exchange';
import { ModelCatalog } from './model-catalog';
import { handleOllamaRequest, sendOllamaError } from './ollama.protocol';
import { handleOpenAiRequest, sendOpenAiError } from './openai.protocol';
import type { ProtocolContext } from './protocol-context';

const CHAT_PATHS = new Set(['/api/chat', '/v1/chat/completions']);
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/**
 * Starts a fake LLM server speaking Ollama's API at `url` (/api/*) and OpenAI's at `openaiUrl` (/v1/*),
 * on one port. Replies are scripted per request; every request is recorded.
 */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const fake = new FakeLlmServer(options);
  await fake.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return fake;
}

class FakeLlmServer implements FakeLlm, ProtocolContext {
  readonly requests: RecordedRequest[] = [];
  readonly catalog: ModelCatalog;
  readonly openaiApiKey: string | undefined;
  url = '';
  openaiUrl = '';
  port = 0;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly queue: FakeReply[] = [];
  private readonly initialDefault: FakeReply;
  private readonly recordRequests: boolean;
  private defaultReply: FakeReply;
  private down = false;
  private closing: Promise<void> | undefined;
  private toolCallCount = 0;
  private completionCount = 0;

  constructor(options: FakeLlmOptions) {
    this.catalog = new ModelCatalog(options.models, options.embeddingDimensions);
    this.openaiApiKey = options.openaiApiKey;
    this.recordRequests = options.recordRequests ?? true;
    this.initialDefault = { ...options.defaultReply };
    this.defaultReply = this.initialDefault;

    this.server = createServer({ noDelay: true, keepAlive: true }, (req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
    this.server.on('connection', (socket: Socket) => {
      if (this.down) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A client that vanishes mid-request must not take the fake down with it.
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        this.port = address.port;
        const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.url = `http://${urlHost}:${address.port}`;
        this.openaiUrl = `${this.url}/v1`;
        resolve();
      });
    });
  }

  script(...replies: FakeReply[]): void {
    this.queue.push(...replies);
  }

  setDefault(reply: FakeReply): void {
    this.defaultReply = { ...reply };
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((request) => CHAT_PATHS.has(request.path));
  }

  reset(): void {
    this.queue.length = 0;
    this.requests.length = 0;
    this.defaultReply = this.initialDefault;
  }

  setDown(down: boolean): void {
    this.down = down;
    if (down) this.destroySockets();
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.destroySockets();
    });
    return this.closing;
  }

  nextReply(): FakeReply {
    return this.queue.shift() ?? this.defaultReply;
  }

  nextToolCallId(): string {
    this.toolCallCount += 1;
    return `call_fake_${this.toolCallCount}`;
  }

  nextCompletionId(): string {
    this.completionCount += 1;
    return `chatcmpl-fake${this.completionCount}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    let exchange: Exchange | undefined;
    try {
      const rawBody = await readRawBody(req, MAX_BODY_BYTES);
      exchange = createExchange(req, res, rawBody, protocolOf);
      if (this.recordRequests) this.requests.push(exchange.request);
      if (exchange.request.protocol === 'openai') await handleOpenAiRequest(exchange, this);
      else await handleOllamaRequest(exchange, this);
    } catch (error) {
      if (!exchange || res.headersSent) {
        req.socket.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (exchange.request.protocol === 'openai') sendOpenAiError(exchange, 500, `fake LLM failure: ${message}`);
      else sendOllamaError(exchange, 500, `fake LLM failure: ${message}`);
    }
  }

  private destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

function protocolOf(path: string): LlmProtocol {
  return path === '/v1' || path.startsWith('/v1/') ? 'openai' : 'ollama';
}
