import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MalformedFrameError } from './errors';
import { modelFetch } from './model-fetch';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A local HTTP server whose handler each test sets; counts the TCP connections it accepted. */
describe('modelFetch', () => {
  let server: Server;
  let url = '';
  let handler: Handler = (_req, res) => res.end();
  const connections = new Set<Socket>();
  let accepted = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => handler(req, res, body));
    });
    server.on('connection', (socket) => {
      accepted++;
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const socket of connections) socket.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  });

  async function readAll(response: Response): Promise<{ text: string; error?: unknown }> {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { text };
        text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      return { text, error };
    }
  }

  it('sends method, headers and body, and returns status, headers and body like fetch', async () => {
    handler = (req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen': `${req.method} ${req.headers['x-test']} ${req.headers['content-length']}` });
      res.end(JSON.stringify({ echoed: JSON.parse(body) }));
    };
    const response = await modelFetch()(`${url}/api/chat`, { method: 'POST', headers: { 'x-test': 'yes' }, body: JSON.stringify({ hello: 'wörld' }) });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-seen')).toBe('POST yes 18');
    expect(await response.json()).toEqual({ echoed: { hello: 'wörld' } });
  });

  it('passes an error status and its body through (the client reads the message)', async () => {
    handler = (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"model \\"nope\\" not found"}');
    };
    const response = await modelFetch()(`${url}/api/chat`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'model "nope" not found' });
  });

  it('streams NDJSON as it arrives, lines cut across chunks and multi-byte characters included', async () => {
    const lines = ['{"t":"héllo"}', '{"t":"wörld ✓"}', '{"done":true}'].map((l) => `${l}\n`).join('');
    const bytes = Buffer.from(lines);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // Cut inside a line and inside the 3-byte ✓.
      const cuts = [5, bytes.indexOf(Buffer.from('✓')) + 1, bytes.length];
      let at = 0;
      const next = (): void => {
        const end = cuts.shift();
        if (end === undefined) return void res.end();
        res.write(bytes.subarray(at, end));
        at = end;
        setTimeout(next, 5);
      };
      next();
    };
    const { text, error } = await readAll(await modelFetch()(`${url}/api/chat`, { method: 'POST', body: '{}' }));
    expect(error).toBeUndefined();
    expect(text).toBe(lines);
  });

  it('errors an NDJSON body at the first line that is not JSON, after every good line before it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"t":"a"}\n{"t":"b"}\n');
      res.end('{"t": nope\n{"t":"never"}\n');
    };
    const { text, error } = await readAll(await modelFetch()(`${url}/api/chat`, { method: 'POST', body: '{}' }));
    expect(text).toBe('{"t":"a"}\n{"t":"b"}\n');
    expect(error).toBeInstanceOf(MalformedFrameError);
    expect((error as Error).message).toContain('{"t": nope');
  });

  it.each([
    ['a line that is not JSON', (res: ServerResponse) => res.end('{"t":"c"}\n{"t": nope\n'), { message: 'invalid JSON line: {"t": nope' }],
    ['a connection cut mid-body', (res: ServerResponse) => (res.write('{"t":"c"}\n'), setTimeout(() => res.socket?.destroy(), 20)), { code: 'ECONNRESET' }],
  ] as const)('hands a slow reader every good line that arrived before %s, then the error', async (_what, end, expected) => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"t":"a"}\n');
      setTimeout(() => (res.write('{"t":"b"}\n'), setTimeout(() => end(res), 10)), 10);
    };
    const response = await modelFetch()(`${url}/api/chat`, { method: 'POST', body: '{}' });
    // Nothing is read until the body has failed: the good lines wait in the stream meanwhile.
    await new Promise((done) => setTimeout(done, 150));
    const { text, error } = await readAll(response);
    expect(text).toBe('{"t":"a"}\n{"t":"b"}\n{"t":"c"}\n');
    expect(error).toMatchObject(expected);
  });

  it.each(['init', 'options'] as const)('stops a body being read when the %s signal aborts', async (which) => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((done) => (closed = done));
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write('{"t":"first"}\n');
      res.on('close', closed);
    };
    const controller = new AbortController();
    const fetchImpl = modelFetch(which === 'options' ? { signal: controller.signal } : {});
    const response = await fetchImpl(`${url}/api/chat`, { method: 'POST', body: '{}', ...(which === 'init' ? { signal: controller.signal } : {}) });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"t":"first"}\n');
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    await serverSawClose;
  });

  it('refuses to start with an already-aborted signal, and reports a closed port as ECONNREFUSED', async () => {
    const aborted = AbortSignal.abort();
    await expect(modelFetch({ signal: aborted })(`${url}/api/chat`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ name: 'AbortError' });
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((done) => closed.close(() => done()));
    await expect(modelFetch()(`http://127.0.0.1:${port}/api/chat`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('keeps the connection alive across calls, and an abort after a finished body leaves it usable', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end('{"done":true}\n');
    };
    const before = accepted;
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const response = await modelFetch({ signal: controller.signal })(`${url}/api/chat`, { method: 'POST', body: '{}' });
      expect((await readAll(response)).text).toBe('{"done":true}\n');
      controller.abort(); // what streamChat does when an attempt ends, whatever happened
    }
    expect(accepted - before).toBe(1);
  });

  it('sends a request once more, on a fresh connection, when the pooled one turns out closed by the server', async () => {
    // The server ends a connection at its second request, as one that closed an idle keep-alive socket
    // just as the client reused it: the client sees a reset before any response.
    const requestsOn = new WeakMap<Socket, number>();
    const seen: { n: number; connection: string | undefined }[] = [];
    handler = (req, res, body) => {
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      seen.push({ n, connection: req.headers.connection });
      if (n > 1) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    };
    const call = modelFetch();
    expect(await (await call(`${url}/api/chat`, { method: 'POST', body: '{"call":1}' })).json()).toEqual({ call: 1 });
    const second = await call(`${url}/api/chat`, { method: 'POST', body: '{"call":2}' });
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ call: 2 });
    expect(seen.map((s) => s.n)).toEqual([1, 2, 1]);
    expect(seen[2]?.connection).toBe('close'); // its own connection, not another pooled one
  });

  it('sends a request only once more, and never again on a fresh connection or once a response began', async () => {
    const calls: string[] = [];
    let mode: 'serve' | 'reset' | 'cut' = 'serve';
    const flaky = createServer((req, res) => {
      calls.push(mode);
      if (mode === 'reset') return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (mode === 'cut') {
        res.write('{"t":"a"}\n');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.end('{"done":true}\n');
    });
    await new Promise<void>((done) => flaky.listen(0, '127.0.0.1', done));
    const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    try {
      mode = 'reset'; // a fresh connection reset: the server may have read it, so no second try
      await expect(modelFetch()(`${flakyUrl}/api/chat`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(calls).toEqual(['reset']);

      mode = 'serve';
      await readAll(await modelFetch()(`${flakyUrl}/api/chat`, { method: 'POST', body: '{}' }));
      mode = 'reset'; // pooled connection reset: one more try on a fresh connection, reset too, then the error
      await expect(modelFetch()(`${flakyUrl}/api/chat`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(calls).toEqual(['reset', 'serve', 'reset', 'reset']);

      mode = 'serve';
      await readAll(await modelFetch()(`${flakyUrl}/api/chat`, { method: 'POST', body: '{}' }));
      mode = 'cut'; // cut mid-answer on a pooled connection: the body errors, nothing is sent again
      const cut = await modelFetch()(`${flakyUrl}/api/chat`, { method: 'POST', body: '{}' });
      const read = await readAll(cut);
      expect(read.text).toBe('{"t":"a"}\n');
      expect(read.error).toBeDefined();
      expect(calls).toEqual(['reset', 'serve', 'reset', 'reset', 'serve', 'cut']);
    } finally {
      flaky.closeAllConnections();
      await new Promise<void>((done) => flaky.close(() => done()));
    }
  });

  it('answers HEAD and 204 with no body', async () => {
    handler = (req, res) => {
      res.writeHead(req.method === 'HEAD' ? 200 : 204);
      res.end();
    };
    const head = await modelFetch()(`${url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    const empty = await modelFetch()(`${url}/`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });
});
