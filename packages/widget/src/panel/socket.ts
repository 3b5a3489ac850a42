/**
 * A small socket.io client for one namespace over WebSocket only: Engine.IO protocol 4 (open, ping
 * → pong, message) carrying socket.io protocol 5 packets (CONNECT with auth, EVENT with ack ids,
 * ACK, CONNECT_ERROR, DISCONNECT) — what socket.io 4 servers speak. JSON payloads only (no binary
 * attachments). It makes one connection; reconnecting and resuming are the transport's job, since
 * they need our own state (session token, sequence numbers).
 *
 * Why not socket.io-client: it is 12.5 KiB gzipped, most of it long-polling, upgrades, binary
 * packets and a reconnection manager we would still have to drive ourselves; this is about 1 KiB.
 */

/** Engine.IO packet types (first character of a frame). */
const EIO = { open: '0', close: '1', ping: '2', pong: '3', message: '4' } as const;
/** socket.io packet types (first character after the Engine.IO `4`). */
const SIO = { connect: '0', disconnect: '1', event: '2', ack: '3', connectError: '4' } as const;

export interface SocketHandlers {
  connect(): void;
  /** The server refused the CONNECT (authentication): its message and `data` (our `{ code }`). */
  refused(message: string, data: unknown): void;
  /** The connection ended (network, server, or `close()`); `wasConnected` says if CONNECT had succeeded. */
  closed(wasConnected: boolean): void;
  event(name: string, payload: unknown): void;
}

export type WebSocketLike = Pick<WebSocket, 'send' | 'close' | 'readyState'> & {
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
};
export type WebSocketFactory = (url: string) => WebSocketLike;

/** Encodes one socket.io packet as an Engine.IO message frame. */
export function encodePacket(type: string, namespace: string, data?: unknown, ackId?: number): string {
  const nsp = namespace === '/' ? '' : `${namespace},`;
  return `${EIO.message}${type}${nsp}${ackId ?? ''}${data === undefined ? '' : JSON.stringify(data)}`;
}

export interface DecodedPacket {
  type: string;
  namespace: string;
  ackId: number | null;
  data: unknown;
}

/** Decodes the socket.io packet inside an Engine.IO message frame (the text after the leading `4`). */
export function decodePacket(text: string): DecodedPacket | null {
  const type = text[0];
  if (type === undefined || !/[0-6]/.test(type)) return null;
  let rest = text.slice(1);
  let namespace = '/';
  if (rest.startsWith('/')) {
    const comma = rest.indexOf(',');
    namespace = comma === -1 ? rest : rest.slice(0, comma);
    rest = comma === -1 ? '' : rest.slice(comma + 1);
  }
  const digits = /^\d+/.exec(rest)?.[0];
  const ackId = digits ? Number(digits) : null;
  if (digits) rest = rest.slice(digits.length);
  let data: unknown;
  if (rest) {
    try {
      data = JSON.parse(rest);
    } catch {
      return null;
    }
  }
  return { type, namespace, ackId, data };
}

/** `http(s)://host[/path]` → the Engine.IO WebSocket endpoint under it. */
export function engineUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/socket.io/`;
  url.search = 'EIO=4&transport=websocket';
  return url.href;
}

export class IoSocket {
  private ws: WebSocketLike | null = null;
  private connected = false;
  private ended = false;
  private nextAck = 0;
  private readonly acks = new Map<number, { done: (value: unknown) => void; timer: ReturnType<typeof setTimeout> }>();
  private heartbeat: ReturnType<typeof setTimeout> | null = null;
  private heartbeatMs = 45_000;

  constructor(
    private readonly url: string,
    private readonly namespace: string,
    private readonly auth: Record<string, unknown>,
    private readonly handlers: SocketHandlers,
    private readonly createSocket: WebSocketFactory = (u) => new WebSocket(u) as unknown as WebSocketLike,
  ) {}

  get isConnected(): boolean {
    return this.connected;
  }

  open(): void {
    let ws: WebSocketLike;
    try {
      ws = this.createSocket(this.url);
    } catch {
      setTimeout(() => this.end(), 0);
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => this.onFrame(typeof event.data === 'string' ? event.data : '');
    ws.onclose = () => this.end();
    ws.onerror = () => this.end();
  }

  /** Sends an event; with `ackTimeoutMs` resolves with the server's ack (or rejects on timeout/close). */
  emit(name: string, payload: unknown): void;
  emit(name: string, payload: unknown, ackTimeoutMs: number): Promise<unknown>;
  emit(name: string, payload: unknown, ackTimeoutMs?: number): Promise<unknown> | void {
    if (ackTimeoutMs === undefined) {
      this.write(encodePacket(SIO.event, this.namespace, [name, payload]));
      return;
    }
    return new Promise((resolve, reject) => {
      if (!this.connected) return reject(new Error('not connected'));
      const id = this.nextAck++;
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error('ack timeout'));
      }, ackTimeoutMs);
      this.acks.set(id, {
        timer,
        done: (value) => (value instanceof Error ? reject(value) : resolve(value)),
      });
      this.write(encodePacket(SIO.event, this.namespace, [name, payload], id));
    });
  }

  close(): void {
    if (this.connected) this.write(encodePacket(SIO.disconnect, this.namespace));
    this.end();
  }

  private write(frame: string): void {
    if (this.ws && this.ws.readyState === 1) this.ws.send(frame);
  }

  private onFrame(frame: string): void {
    const kind = frame[0];
    if (kind === EIO.open) {
      try {
        const { pingInterval, pingTimeout } = JSON.parse(frame.slice(1)) as { pingInterval?: number; pingTimeout?: number };
        if (pingInterval && pingTimeout) this.heartbeatMs = pingInterval + pingTimeout;
      } catch {
        // keep the default
      }
      this.alive();
      this.write(encodePacket(SIO.connect, this.namespace, this.auth));
    } else if (kind === EIO.ping) {
      this.alive();
      this.ws?.send(EIO.pong);
    } else if (kind === EIO.close) {
      this.end();
    } else if (kind === EIO.message) {
      const packet = decodePacket(frame.slice(1));
      if (!packet || packet.namespace !== this.namespace) return;
      this.onPacket(packet);
    }
  }

  private onPacket(packet: DecodedPacket): void {
    switch (packet.type) {
      case SIO.connect:
        this.connected = true;
        this.handlers.connect();
        break;
      case SIO.connectError: {
        const error = (packet.data ?? {}) as { message?: string; data?: unknown };
        this.handlers.refused(error.message ?? 'refused', error.data);
        this.end();
        break;
      }
      case SIO.disconnect:
        this.end();
        break;
      case SIO.event:
        if (Array.isArray(packet.data) && typeof packet.data[0] === 'string') this.handlers.event(packet.data[0], packet.data[1]);
        break;
      case SIO.ack: {
        const pending = packet.ackId === null ? undefined : this.acks.get(packet.ackId);
        if (!pending || packet.ackId === null) return;
        this.acks.delete(packet.ackId);
        clearTimeout(pending.timer);
        pending.done(Array.isArray(packet.data) ? packet.data[0] : undefined);
        break;
      }
    }
  }

  /** No ping within pingInterval + pingTimeout means the connection is dead even if no close came. */
  private alive(): void {
    if (this.heartbeat) clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(() => this.end(), this.heartbeatMs);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const wasConnected = this.connected;
    this.connected = false;
    if (this.heartbeat) clearTimeout(this.heartbeat);
    for (const [id, pending] of this.acks) {
      clearTimeout(pending.timer);
      pending.done(new Error('connection closed'));
      this.acks.delete(id);
    }
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
    this.handlers.closed(wasConnected);
  }
}
