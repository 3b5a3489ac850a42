import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord } from './conversation';
import type { RecordedRequest } from './fake-llm.types';

/** One request/response pair, with its body already read and a signal that fires when the client goes away. */
export interface Exchange {
  readonly request: RecordedRequest;
  /** Why `request.body` is null for a request that needed one; undefined when the body is a JSON object. */
  readonly bodyProblem: BodyProblem | undefined;
  readonly res: ServerResponse;
  /** Aborted when the connection closes before the response finished (client abort, setDown, close). */
  readonly signal: AbortSignal;
  /** `process.hrtime.bigint()` when the request arrived, for Ollama's nanosecond durations. */
  readonly startedAt: bigint;
}

export type BodyProblem = 'empty' | 'malformed' | 'not-an-object';

export function createExchange(req: IncomingMessage, res: ServerResponse, rawBody: string, protocolOf: (path: string) => RecordedRequest['protocol']): Exchange {
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const { body, problem } = parseJsonObject(rawBody);
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return {
    request: {
      protocol: protocolOf(path),
      method: req.method ?? 'GET',
      path,
      headers: flattenHeaders(req.headers),
      body,
      rawBody,
      at: Date.now(),
    },
    bodyProblem: problem,
    res,
    signal: controller.signal,
    startedAt: process.hrtime.bigint(),
  };
}

export function readRawBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > limitBytes) {
        reject(new RangeError(`request body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.once('error', reject);
  });
}

export function sendJson(exchange: Exchange, status: number, payload: unknown): void {
  send(exchange, status, 'application/json; charset=utf-8', JSON.stringify(payload));
}

export function send(exchange: Exchange, status: number, contentType: string, body: string): void {
  const { res } = exchange;
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(exchange.request.method === 'HEAD' ? undefined : body);
}

/** Waits `ms`, or less if the signal aborts first; the timer never outlives an aborted request. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
  });
}

/** Drops the connection without finishing the response, as a crashing model server would. */
export function destroyConnection(exchange: Exchange): void {
  exchange.res.socket?.destroy();
  exchange.res.destroy();
}

function parseJsonObject(rawBody: string): { body: Record<string, unknown> | null; problem: BodyProblem | undefined } {
  if (rawBody.trim() === '') return { body: null, problem: 'empty' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { body: null, problem: 'malformed' };
  }
  if (!isRecord(parsed)) return { body: null, problem: 'not-an-object' };
  return { body: parsed, problem: undefined };
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
