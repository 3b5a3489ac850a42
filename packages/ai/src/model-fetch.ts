import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { MalformedFrameError } from './errors';

/**
 * How long a pooled connection may sit idle. Without a timeout Node's agent keeps idle sockets forever
 * and ignores a server's `Keep-Alive: timeout=N` hint, so a server that closed one (Node servers after
 * 5 s) failed the next request sent on it; with one, the hint shortens it to just under the server's.
 * Only idle pooled sockets are closed: a streamed answer may pause for as long as it likes.
 */
const IDLE_SOCKET_TIMEOUT_MS = 15_000;

/**
 * Model servers are called over node:http with keep-alive agents shared by every client of the process.
 * A streamed answer then reaches its reader through one web stream fed straight from the socket,
 * instead of undici's fetch machinery (WASM parser, several stream layers, per-request Response
 * bookkeeping) plus a second stream for the NDJSON check: measured at about a fifth less CPU per
 * streamed Ollama answer through `streamChat` (40 tokens, 25 ms apart, 10 at a time).
 */
const agents = {
  'http:': new HttpAgent({ keepAlive: true, noDelay: true, timeout: IDLE_SOCKET_TIMEOUT_MS }),
  'https:': new HttpsAgent({ keepAlive: true, noDelay: true, timeout: IDLE_SOCKET_TIMEOUT_MS }),
};

export interface ModelFetchOptions {
  /** Aborts the request too, besides the signal the client passes in `init`. */
  signal?: AbortSignal;
}

/**
 * A `fetch` for model clients: HTTP(S) with a string or byte body goes over node:http (anything else,
 * such as a `Request` object or a streamed body, over global fetch). A newline-delimited JSON body is
 * checked line by line on the way: the first line that is not JSON errors the body, after every good
 * line before it was read (clients would otherwise log and skip it, silently losing text).
 * Redirects are not followed: a model endpoint that redirects is reported with its 3xx status.
 */
export function modelFetch(options: ModelFetchOptions = {}): typeof fetch {
  return async (input, init) => {
    const signals = [init?.signal, options.signal].filter((s): s is AbortSignal => s !== undefined && s !== null);
    const body = init?.body;
    const url = typeof input === 'string' || input instanceof URL ? new URL(input) : null;
    const agent = url ? agents[url.protocol as keyof typeof agents] : undefined;
    if (!url || !agent || (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))) {
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      const response = await fetch(input, { ...init, ...(signal ? { signal } : {}) });
      if (!response.body || !isNdjsonStream(response)) return response;
      return new Response(validatedNdjson(response.body), { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body));
    const method = init?.method ?? 'GET';
    const res = await send(url, { method, headers, agent }, body ?? undefined, signals);
    return toResponse(res, method);
  };
}

/**
 * One HTTP request; resolves with the response once its head arrived. A pooled connection that the
 * server closed while it sat idle fails before any response (a server closing an idle connection has
 * read nothing from it): the request then goes once more, on a fresh connection of its own (Node's
 * documented remedy for that race).
 */
function send(url: URL, options: { method: string; headers: Record<string, string>; agent: HttpAgent | false }, body: string | Uint8Array | undefined, signals: AbortSignal[]): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    let response: IncomingMessage | undefined;
    // Either signal ends the request, or the body while it is being read; a finished body's socket is
    // back in the pool by then and is left alone. (Listeners, not AbortSignal.any: one fewer signal per call.)
    const abort = (): void => {
      const reason = abortError(signals.find((s) => s.aborted));
      if (!response) req.destroy(reason);
      else if (!response.complete) response.destroy(reason);
    };
    const detach = (): void => {
      for (const signal of signals) signal.removeEventListener('abort', abort);
    };
    const req = request(url, options, (res) => {
      response = res;
      // Errors reach the body's reader; this listener only keeps a late one from being "unhandled".
      res.on('error', () => undefined);
      res.once('end', detach).once('close', detach);
      resolve(res);
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      detach();
      const staleSocket = req.reusedSocket && !response && error.code === 'ECONNRESET' && !signals.some((s) => s.aborted);
      if (staleSocket && options.agent !== false) resolve(send(url, { ...options, agent: false }, body, signals));
      else reject(error);
    });
    if (signals.some((s) => s.aborted)) return abort();
    for (const signal of signals) signal.addEventListener('abort', abort, { once: true });
    req.end(body);
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  return signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted', 'AbortError');
}

function toResponse(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
  const status = res.statusCode ?? 502;
  const init = { status, statusText: res.statusMessage ?? '', headers };
  if (method === 'HEAD' || status === 204 || status === 304) {
    res.resume();
    return new Response(null, init);
  }
  return new Response(nodeBody(res, isNdjsonStream(init) ? new NdjsonCheck() : null), init);
}

/** An ok newline-delimited JSON stream: its lines are checked on the way. */
function isNdjsonStream(init: { status: number; headers: Headers }): boolean {
  return init.status >= 200 && init.status < 300 && (init.headers.get('content-type')?.includes('ndjson') ?? false);
}

/** Bytes a node body may hold in its web stream before the socket is paused (model answers stay far below it). */
const BODY_HIGH_WATER_BYTES = 64 * 1024;

/**
 * A node response as a web stream, fed from its `data` events: a chunk reaches a waiting reader with
 * no async iterator or pull in between (a streamed token is one socket read). The socket pauses
 * while more than `BODY_HIGH_WATER_BYTES` wait unread. An error (a bad NDJSON line, a cut connection,
 * an abort) ends the stream only once the reader has taken every chunk before it: erroring a web
 * stream drops what it still queues.
 */
function nodeBody(res: IncomingMessage, check: NdjsonCheck | null): ReadableStream<Uint8Array> {
  let failure: unknown;
  let failed = false;
  let ended = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const drained = (): boolean => (controller.desiredSize ?? 0) >= BODY_HIGH_WATER_BYTES;
  const fail = (error: unknown): void => {
    if (failed || ended) return;
    failed = true;
    failure = error;
    if (drained()) controller.error(failure);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        res.on('data', (chunk: Buffer) => {
          if (failed) return;
          const out = check ? check.push(chunk) : chunk;
          if (out) controller.enqueue(out);
          if (check?.failure) {
            fail(check.failure);
            res.destroy();
          } else if ((controller.desiredSize ?? 0) <= 0) res.pause();
        });
        res.on('end', () => {
          if (failed) return;
          const out = check?.end();
          if (out) controller.enqueue(out);
          if (check?.failure) return fail(check.failure);
          ended = true;
          controller.close();
        });
        // A cut connection or an abort (`destroy(reason)`); a close before the end without an error is a cut too.
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        });
      },
      pull() {
        if (failed) {
          if (drained()) controller.error(failure);
        } else res.resume();
      },
      cancel: () => void res.destroy(),
    },
    new ByteLengthQueuingStrategy({ highWaterMark: BODY_HIGH_WATER_BYTES }),
  );
}

const NEWLINE = 0x0a;

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
 * Checks an NDJSON body line by line as its chunks come: each chunk gives the good complete lines it
 * ends (the chunk itself when nothing was held back), and `failure` is set at the first non-empty line
 * that is not JSON, after the good lines before it were given.
 */
class NdjsonCheck {
  failure: MalformedFrameError | undefined;
  private pending = '';
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  /** The bytes to pass on for `value`, or null when it ended no good line. */
  push(value: Uint8Array): Uint8Array | null {
    if (this.failure) return null;
    const whole = this.pending === '';
    this.pending += this.decoder.decode(value, { stream: true });
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const good = this.take(lines);
    if (!good) return null;
    // Nothing carried over, held back (a line or a character cut in two) or dropped: pass the chunk itself on.
    return whole && !this.failure && value[value.length - 1] === NEWLINE ? value : this.encoder.encode(good);
  }

  /** The last line, when the body did not end with a newline. */
  end(): Uint8Array | null {
    if (this.failure) return null;
    const rest = this.pending + this.decoder.decode();
    this.pending = '';
    const good = rest.trim() ? this.take([rest]) : '';
    return good ? this.encoder.encode(good) : null;
  }

  /** The good lines, joined; records the failure at the first bad one. */
  private take(lines: string[]): string {
    let good = '';
    for (const line of lines) {
      if (!isJsonLine(line)) {
        this.failure = new MalformedFrameError(`invalid JSON line: ${line.trim().slice(0, 120)}`);
        break;
      }
      good += `${line}\n`;
    }
    return good;
  }
}

/**
 * Re-emits a web NDJSON body (global fetch's), and errors at the first non-empty line that is not JSON,
 * after the reader has taken every good line before it (pull-based, so no line is lost to the error).
 */
function validatedNdjson(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const check = new NdjsonCheck();
  const reader = body.getReader();
  const cancel = (reason: unknown): void => void reader.cancel(reason).catch(() => undefined);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (!check.failure) {
          const { done, value } = await reader.read();
          const good = done ? check.end() : value ? check.push(value) : null;
          if (check.failure) cancel(check.failure);
          if (good) return controller.enqueue(good);
          if (done && !check.failure) return controller.close();
        }
        controller.error(check.failure);
      },
      cancel,
    },
    { highWaterMark: 0 },
  );
}
