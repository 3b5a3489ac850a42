import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import WebSocket from 'ws';
import { decodePacket, encodePacket, engineUrl, IoSocket, type SocketHandlers, type WebSocketLike } from './socket';

/** Our client against the real socket.io 4 server (the gateway's), over a real WebSocket. */
describe('IoSocket against a socket.io server', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;

  beforeAll(async () => {
    http = createServer();
    io = new Server(http, { transports: ['websocket'], pingInterval: 150, pingTimeout: 150 });
    const chat = io.of('/chat');
    chat.use((socket, next) => {
      if (socket.handshake.auth.token === 'good') return next();
      next(Object.assign(new Error('Token expired; start a new session'), { data: { code: 'INVALID_SESSION_TOKEN' } }));
    });
    chat.on('connection', (socket) => {
      socket.emit('hello', { text: 'héllo ✓', n: 1 });
      socket.on('echo', (payload: unknown, ack: (value: unknown) => void) => ack({ ok: true, payload }));
      socket.on('bye', () => socket.disconnect(true));
      socket.on('note', (payload: unknown) => socket.emit('noted', payload));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    url = engineUrl(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    io.close();
    await new Promise((resolve) => http.close(resolve));
  });

  function open(token: string) {
    const events: [string, unknown][] = [];
    let resolveConnected!: () => void;
    let resolveClosed!: (wasConnected: boolean) => void;
    let resolveRefused!: (value: { message: string; data: unknown }) => void;
    const connected = new Promise<void>((r) => (resolveConnected = r));
    const closed = new Promise<boolean>((r) => (resolveClosed = r));
    const refused = new Promise<{ message: string; data: unknown }>((r) => (resolveRefused = r));
    const handlers: SocketHandlers = {
      connect: () => resolveConnected(),
      refused: (message, data) => resolveRefused({ message, data }),
      closed: (wasConnected) => resolveClosed(wasConnected),
      event: (name, payload) => events.push([name, payload]),
    };
    const socket = new IoSocket(url, '/chat', { token }, handlers, (u) => new WebSocket(u) as unknown as WebSocketLike);
    socket.open();
    return { socket, events, connected, closed, refused };
  }

  it('connects with auth, receives events, gets acks in any order, and answers pings', async () => {
    const { socket, events, connected, closed } = open('good');
    await connected;
    expect(socket.isConnected).toBe(true);
    const acks = await Promise.all([socket.emit('echo', { n: 1 }, 2000), socket.emit('echo', { n: 2, text: 'ünïcode "quotes"' }, 2000)]);
    expect(acks).toEqual([
      { ok: true, payload: { n: 1 } },
      { ok: true, payload: { n: 2, text: 'ünïcode "quotes"' } },
    ]);
    // Several ping intervals pass: it keeps answering, so the server keeps it.
    await new Promise((resolve) => setTimeout(resolve, 700));
    socket.emit('note', { after: 'pings' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual([
      ['hello', { text: 'héllo ✓', n: 1 }],
      ['noted', { after: 'pings' }],
    ]);
    socket.close();
    expect(await closed).toBe(true);
    expect(socket.isConnected).toBe(false);
  });

  it('reports a refused handshake with the server’s message and data, then closes', async () => {
    const { refused, closed } = open('expired');
    expect(await refused).toEqual({ message: 'Token expired; start a new session', data: { code: 'INVALID_SESSION_TOKEN' } });
    expect(await closed).toBe(false);
  });

  it('notices a server-side disconnect, and fails pending acks instead of hanging', async () => {
    const { socket, connected, closed } = open('good');
    await connected;
    const pending = socket.emit('never-acked', {}, 5000);
    socket.emit('bye', {});
    expect(await closed).toBe(true);
    await expect(pending).rejects.toThrow('connection closed');
  });

  it('reports a close when nothing listens', async () => {
    let done!: (value: boolean) => void;
    const closed = new Promise<boolean>((resolve) => (done = resolve));
    const handlers: SocketHandlers = { connect: () => undefined, refused: () => undefined, closed: (wasConnected) => done(wasConnected), event: () => undefined };
    const socket = new IoSocket('ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket', '/chat', {}, handlers, (u) => new WebSocket(u) as unknown as WebSocketLike);
    socket.open();
    expect(await closed).toBe(false);
  });
});

describe('packets', () => {
  it('encodes and decodes socket.io packets inside Engine.IO message frames', () => {
    expect(encodePacket('2', '/chat', ['send_message', { message: 'hi' }], 7)).toBe('42/chat,7["send_message",{"message":"hi"}]');
    expect(encodePacket('0', '/chat', { token: 't' })).toBe('40/chat,{"token":"t"}');
    expect(encodePacket('1', '/')).toBe('41');
    expect(decodePacket('3/chat,12[{"ok":true}]')).toEqual({ type: '3', namespace: '/chat', ackId: 12, data: [{ ok: true }] });
    expect(decodePacket('2["x"]')).toEqual({ type: '2', namespace: '/', ackId: null, data: ['x'] });
    expect(decodePacket('2/chat,{broken')).toBeNull();
    expect(decodePacket('9')).toBeNull();
  });

  it('points at the Engine.IO WebSocket endpoint under the API URL', () => {
    expect(engineUrl('https://chat.example.com')).toBe('wss://chat.example.com/socket.io/?EIO=4&transport=websocket');
    expect(engineUrl('http://127.0.0.1:3000/base/')).toBe('ws://127.0.0.1:3000/base/socket.io/?EIO=4&transport=websocket');
  });
});
