/**
 * The floor under any gateway on this machine: a bare Node HTTP server, no framework, that does only
 * what SPEC.md requires on the way to the first token. It stores the turn (the gateway's own
 * ConversationsService, committed before the model is called), relays the fake model's NDJSON as the
 * gateway's SSE frames (`chunk`, then `done`), and finishes the turn. Nothing else: no key check,
 * rate limit, agent, prompt assembly, LangChain, turn log for resume, validation or logging.
 *
 * `pnpm bench gateway` runs it in its own process, with the gateway's node flags, and streams
 * through it exactly as through the gateway: what it adds over the direct path is what one Node hop
 * plus the durable store cost here, and the gateway's added time beyond that is its own.
 *
 * Env: PORT, UPSTREAM_URL (the fake's base URL), DATABASE_URL, TENANT_ID, AGENT_ID, MODEL.
 * Prints `floor proxy listening on http://127.0.0.1:PORT` when ready.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openTurnWrites } from './turn-writes.mjs';

const MAX_BODY_BYTES = 64 * 1024;
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`floor proxy: ${name} is not set`);
  return value;
};

const upstream = new URL('/api/chat', env('UPSTREAM_URL'));
const model = env('MODEL');
const writes = await openTurnWrites(env('DATABASE_URL'), { tenantId: env('TENANT_ID'), agentId: env('AGENT_ID'), model });
// As the gateway's model agent (packages/ai model-fetch.ts): idle sockets time out, so a server's Keep-Alive hint is honoured.
const agent = new http.Agent({ keepAlive: true, noDelay: true, maxSockets: 1024, timeout: 15_000 });

const sse = (event, data) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function refuse(res, status, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: 'FLOOR_PROXY', message } }));
}

async function chat(req, res) {
  const started = performance.now();
  let body = '';
  for await (const data of req.setEncoding('utf8')) {
    body += data;
    if (body.length > MAX_BODY_BYTES) return refuse(res, 413, 'body too large');
  }
  let message;
  try {
    ({ message } = JSON.parse(body));
  } catch {
    return refuse(res, 400, 'body is not JSON');
  }
  if (typeof message !== 'string' || message === '') return refuse(res, 400, 'message must be a non-empty string');

  const stored = await writes.store(randomUUID(), message);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const payload = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: message }] });
  let text = '';
  let ttftMs = null;
  let usage = { promptTokens: 0, completionTokens: 0 };
  let finished = false;
  /** Ends the stream and finishes the turn, once: `failure` is null for a complete answer, else why it failed. */
  const end = async (failure) => {
    if (finished) return;
    finished = true;
    const latencyMs = performance.now() - started;
    const error = failure === null ? null : { code: 'MODEL_STREAM_FAILED', message: failure };
    res.end(error ? sse('error', { ...error, partial: text }) : sse('done', { response: text }));
    await writes.finish(stored, { content: text, error, usage, latencyMs, ttftMs });
  };
  const request = http.request(upstream, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
    if (response.statusCode !== 200) {
      response.resume();
      return void end(`upstream answered HTTP ${response.statusCode}`);
    }
    response.setEncoding('utf8');
    let buffer = '';
    response.on('data', (data) => {
      buffer += data;
      let newline;
      while (!finished && (newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() === '') continue;
        const frame = JSON.parse(line);
        if (frame.done) {
          usage = { promptTokens: frame.prompt_eval_count ?? 0, completionTokens: frame.eval_count ?? 0 };
          void end(null);
          return;
        }
        const content = frame.message?.content;
        if (content) {
          ttftMs ??= performance.now() - started;
          text += content;
          res.write(sse('chunk', { text: content }));
        }
      }
    });
    response.on('end', () => void end('upstream ended early'));
  });
  request.on('error', (error) => void end(error.message));
  request.end(payload);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') return void res.end('ok');
  if (req.method !== 'POST' || req.url !== '/chat/stream') return refuse(res, 404, 'POST /chat/stream');
  chat(req, res).catch((error) => {
    if (!res.headersSent) refuse(res, 500, error.message);
    else res.end(sse('error', { code: 'FLOOR_PROXY', message: error.message }));
  });
});
server.listen(Number(env('PORT')), '127.0.0.1', () => console.log(`floor proxy listening on http://127.0.0.1:${server.address().port}`));
const stop = () => {
  server.close(() => void writes.close().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
