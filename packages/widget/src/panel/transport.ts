import type {
  ErrorCode,
  TCitation,
  THistoryResponse,
  THostContext,
  TResponseChunk,
  TResponseComplete,
  TSendMessageAck,
  TStreamEvent,
  TTypingEvent,
  TWidgetSessionResponse,
} from '@babble-buddy/shared';
import { readSse } from '@babble-buddy/shared';
import { engineUrl, IoSocket } from './socket';

export type Status = 'connecting' | 'online' | 'offline' | 'reconnecting';

export interface Outgoing {
  clientMessageId: string;
  message: string;
  context?: THostContext;
}

export interface Done {
  status: 'complete' | 'failed';
  response: string;
  citations: TCitation[];
  error?: { code: ErrorCode; message: string };
}

export interface TransportEvents {
  status(status: Status): void;
  /** The server stored the message (first time or, after a retry, the earlier copy). */
  accepted(clientMessageId: string, ids: { userMessageId: string; messageId: string }): void;
  /** The server refused a message for good (validation, rate limit…): it is out of the queue. */
  rejected(clientMessageId: string, error: { code: ErrorCode | 'NETWORK_ERROR'; message: string; retryAfterMs?: number }): void;
  chunk(messageId: string, text: string): void;
  citation(messageId: string, citation: TCitation): void;
  done(messageId: string, done: Done): void;
  typing(from: TTypingEvent['from'], isTyping: boolean): void;
  /** The key or origin was refused: nothing will work until the page changes. */
  fatal(error: { code: ErrorCode; message: string }): void;
  /** The queue changed (persist it, so a reload sends what is left). */
  outbox(items: Outgoing[]): void;
}

export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK_ERROR',
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Codes after which retrying cannot help until an operator changes something. */
const FATAL: readonly string[] = ['ORIGIN_NOT_ALLOWED', 'INVALID_KEY', 'KEY_REVOKED', 'KEY_EXPIRED', 'WRONG_KEY_KIND', 'TENANT_SUSPENDED'];
const ACK_TIMEOUT_MS = 15_000;
/** WebSocket attempts that never connected (while HTTP works) before we use server-sent events instead. */
const SOCKET_TRIES_BEFORE_SSE = 2;

/**
 * Talks to the gateway for the panel: the widget session (token), history, and the live connection
 * (socket.io, or SSE over fetch when WebSockets are blocked). Keeps an ordered outbox of messages
 * with client ids, sent when connected (a resend of the same id is answered once by the server), and
 * the last sequence number of every answer being written, so that after any drop the answer resumes
 * after it: every event is delivered at most once, in order, and `done` carries the exact final text.
 */
export class Transport {
  private token: { value: string; expiresAt: number } | null = null;
  private tokenRequest: Promise<string> | null = null;
  sessionId: string | null;
  private mode: 'socket' | 'sse' = 'socket';
  private socket: IoSocket | null = null;
  private socketFailures = 0;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private connected = false;
  private flushing = false;
  private fatalError = false;
  /** Answers being written: last sequence number seen. */
  private readonly inflight = new Map<string, number>();
  /** SSE requests in progress, aborted when going offline. */
  private readonly streams = new Set<AbortController>();
  private outboxItems: Outgoing[];
  private readonly onOnline = () => {
    this.attempts = 0;
    this.connect();
  };
  private readonly onOffline = () => this.disconnect('offline');

  constructor(
    private readonly apiUrl: string,
    private readonly appToken: string,
    storedSessionId: string | null,
    outbox: Outgoing[],
    private readonly on: TransportEvents,
    options: { mode?: 'socket' | 'sse' } = {},
  ) {
    this.sessionId = storedSessionId;
    this.outboxItems = outbox;
    if (options.mode) this.mode = options.mode;
  }

  get queue(): readonly Outgoing[] {
    return this.outboxItems;
  }

  /**
   * Opens (or continues) the session and returns its history (null for a new session, or when the
   * key or origin is refused); keeps trying while the gateway is unreachable. Then stays connected
   * until stop().
   */
  async start(): Promise<THistoryResponse | null> {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    let history: THistoryResponse | null = null;
    for (;;) {
      if (this.stopped) return null;
      try {
        const hadSession = this.sessionId !== null;
        await this.ensureToken();
        if (hadSession) history = await this.history();
        break;
      } catch (error) {
        if (this.handleHttpError(error) || this.stopped) return null;
        this.on.status(navigator.onLine ? 'reconnecting' : 'offline');
        await this.pause(error);
      }
    }
    for (const message of history?.messages ?? []) {
      if (message.role === 'assistant' && message.status === 'streaming') this.inflight.set(message.id, 0);
    }
    this.connect();
    return history;
  }

  /** Waits out a backoff step (or less, when the browser comes back online). */
  private pause(error: unknown): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        window.removeEventListener('online', done);
        resolve();
      };
      const timer = setTimeout(done, this.backoff(error));
      window.addEventListener('online', done);
    });
  }

  private backoff(error?: unknown): number {
    const hinted = error instanceof HttpError ? error.retryAfterMs : undefined;
    const delay = hinted ?? Math.min(10_000, 400 * 2 ** this.attempts) * (0.75 + Math.random() / 2);
    this.attempts++;
    return delay;
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.disconnect('offline');
  }

  /** Forgets the conversation: the next start() opens a new session. */
  reset(): void {
    this.stop();
    this.inflight.clear();
    this.outboxItems = [];
    this.on.outbox([]);
    this.sessionId = null;
    this.token = null;
  }

  /** Queues a message; it goes out when connected, in order. */
  send(item: Outgoing): void {
    this.outboxItems.push(item);
    this.on.outbox(this.outboxItems);
    void this.flush();
  }

  typing(isTyping: boolean): void {
    if (this.mode === 'socket' && this.socket?.isConnected) this.socket.emit(isTyping ? 'typing_start' : 'typing_stop', {});
  }

  // ── session ─────────────────────────────────────────────────────────────

  /** A valid session token, from memory or a new session request (one at a time). */
  private ensureToken(): Promise<string> {
    if (this.token && this.token.expiresAt - Date.now() > 60_000) return Promise.resolve(this.token.value);
    this.tokenRequest ??= this.openSession().finally(() => (this.tokenRequest = null));
    return this.tokenRequest;
  }

  private async openSession(): Promise<string> {
    let session: TWidgetSessionResponse;
    try {
      session = await this.http<TWidgetSessionResponse>('POST', '/api/v1/widget/session', this.sessionId ? { sessionId: this.sessionId } : {}, this.appToken);
    } catch (error) {
      // A stored session the gateway does not know for this key: start afresh.
      if (error instanceof HttpError && error.code === 'SESSION_NOT_FOUND' && this.sessionId) {
        this.sessionId = null;
        return this.openSession();
      }
      throw error;
    }
    this.token = { value: session.token, expiresAt: Date.parse(session.expiresAt) };
    this.sessionId = session.sessionId;
    return session.token;
  }

  private async history(): Promise<THistoryResponse | null> {
    if (!this.sessionId) return null;
    return this.http<THistoryResponse>('GET', `/api/v1/sessions/${encodeURIComponent(this.sessionId)}/history?limit=200`, undefined, await this.ensureToken());
  }

  private async http<T>(method: string, path: string, body: unknown, bearer: string, signal?: AbortSignal): Promise<T> {
    const response = await this.request(method, path, body, bearer, signal);
    return (await response.json()) as T;
  }

  private async request(method: string, path: string, body: unknown, bearer: string, signal?: AbortSignal, accept = 'application/json'): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        credentials: 'omit',
        headers: { authorization: `Bearer ${bearer}`, accept, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw new HttpError('NETWORK_ERROR', String((error as Error)?.message ?? error), 0);
    }
    if (response.ok) return response;
    const payload = (await response.json().catch(() => null)) as { error?: { code?: ErrorCode; message?: string } } | null;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new HttpError(payload?.error?.code ?? 'INTERNAL', payload?.error?.message ?? `HTTP ${response.status}`, response.status, retryAfter > 0 ? retryAfter * 1000 : undefined);
  }

  /** True when the error ends everything (reported as fatal); refreshes the token after token errors. */
  private handleHttpError(error: unknown): boolean {
    if (!(error instanceof HttpError)) return false;
    if (FATAL.includes(error.code)) {
      if (!this.fatalError) this.on.fatal({ code: error.code as ErrorCode, message: error.message });
      this.fatalError = true;
      this.stop();
      return true;
    }
    if (error.code === 'INVALID_SESSION_TOKEN' || error.code === 'UNAUTHENTICATED') this.token = null;
    return false;
  }

  // ── connection ──────────────────────────────────────────────────────────

  private connect(): void {
    if (this.stopped || this.connected || this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!navigator.onLine) return this.on.status('offline');
    this.on.status(this.attempts === 0 ? 'connecting' : 'reconnecting');
    if (this.mode === 'sse') {
      // SSE has no standing connection: being online is enough; requests are made as needed.
      void this.ensureToken().then(
        () => this.online(),
        (error: unknown) => {
          if (!this.handleHttpError(error)) this.retryLater(error);
        },
      );
      return;
    }
    void this.ensureToken().then(
      (token) => {
        if (this.stopped || this.socket) return;
        const socket: IoSocket = new IoSocket(engineUrl(this.apiUrl), '/chat', { token }, {
          connect: () => {
            this.socketFailures = 0;
            this.online();
          },
          refused: (message, data) => {
            const code = ((data ?? {}) as { code?: ErrorCode }).code ?? 'UNAUTHENTICATED';
            this.handleHttpError(new HttpError(code, message, 401));
            // A refused handshake is an answer: the socket itself works.
            this.socketFailures = -1;
          },
          closed: (wasConnected) => {
            if (this.socket !== socket) return;
            this.socket = null;
            this.connected = false;
            if (this.stopped) return;
            if (!wasConnected && this.socketFailures >= 0 && ++this.socketFailures >= SOCKET_TRIES_BEFORE_SSE) {
              // HTTP answers but WebSockets never open (a proxy or firewall): use server-sent events.
              this.mode = 'sse';
              this.attempts = 0;
              return this.connect();
            }
            if (this.socketFailures < 0) this.socketFailures = 0;
            this.retryLater();
          },
          event: (name, payload) => this.onSocketEvent(name, payload),
        });
        this.socket = socket;
        socket.open();
      },
      (error: unknown) => {
        if (!this.handleHttpError(error)) this.retryLater(error);
      },
    );
  }

  private online(): void {
    if (this.stopped) return;
    this.connected = true;
    this.attempts = 0;
    this.on.status('online');
    for (const [messageId, afterSeq] of this.inflight) void this.resume(messageId, afterSeq);
    void this.flush();
  }

  private disconnect(status: Status): void {
    this.connected = false;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    for (const controller of this.streams) controller.abort();
    this.streams.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.stopped) this.on.status(status);
  }

  private retryLater(error?: unknown): void {
    if (this.stopped || this.retryTimer) return;
    this.connected = false;
    this.on.status(navigator.onLine ? 'reconnecting' : 'offline');
    const delay = this.backoff(error);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  // ── sending ─────────────────────────────────────────────────────────────

  /** Sends the outbox in order, one at a time, while connected. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.connected && !this.stopped && this.outboxItems.length > 0) {
        const item = this.outboxItems[0]!;
        const outcome = this.mode === 'socket' ? await this.sendOverSocket(item) : await this.sendOverSse(item);
        if (outcome === 'retry') break;
        this.outboxItems = this.outboxItems.filter((queued) => queued !== item);
        this.on.outbox(this.outboxItems);
      }
    } finally {
      this.flushing = false;
    }
  }

  private payload(item: Outgoing) {
    return {
      message: item.message,
      clientMessageId: item.clientMessageId,
      ...(this.sessionId ? { sessionId: this.sessionId } : {}),
      ...(item.context ? { context: item.context } : {}),
    };
  }

  /** 'sent' (accepted or refused for good) or 'retry' (no answer: stays first in the queue). */
  private async sendOverSocket(item: Outgoing): Promise<'sent' | 'retry'> {
    const socket = this.socket;
    if (!socket) return 'retry';
    let ack: TSendMessageAck;
    try {
      ack = (await socket.emit('send_message', this.payload(item), ACK_TIMEOUT_MS)) as TSendMessageAck;
    } catch {
      // No ack (dropped or too slow): the same client id goes again after reconnecting.
      if (this.socket === socket) this.disconnect('reconnecting');
      this.retryLater();
      return 'retry';
    }
    if (!ack || typeof ack !== 'object') return 'retry';
    if (ack.ok) {
      this.sessionId = ack.sessionId;
      if (!this.inflight.has(ack.messageId)) this.inflight.set(ack.messageId, 0);
      this.on.accepted(item.clientMessageId, { userMessageId: ack.userMessageId, messageId: ack.messageId });
      return 'sent';
    }
    return this.refused(item, new HttpError(ack.error.code, ack.error.message, 400));
  }

  private refused(item: Outgoing, error: HttpError): 'sent' | 'retry' {
    if (this.handleHttpError(error)) return 'retry';
    if (error.code === 'INVALID_SESSION_TOKEN' || error.code === 'UNAUTHENTICATED' || error.code === 'NETWORK_ERROR' || error.code === 'INTERNAL') {
      this.disconnect('reconnecting');
      this.retryLater();
      return 'retry';
    }
    this.on.rejected(item.clientMessageId, { code: error.code, message: error.message, ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}) });
    return 'sent';
  }

  private async sendOverSse(item: Outgoing): Promise<'sent' | 'retry'> {
    const controller = new AbortController();
    this.streams.add(controller);
    let response: Response;
    try {
      response = await this.request('POST', '/api/v1/chat/stream', this.payload(item), await this.ensureToken(), controller.signal, 'text/event-stream');
    } catch (error) {
      this.streams.delete(controller);
      const failure = error instanceof HttpError ? error : new HttpError('NETWORK_ERROR', String(error), 0);
      return this.refused(item, failure);
    }
    // The stream is read in the background; the send counts as done once the server has stored it (meta).
    return new Promise((resolve) => {
      let accepted = false;
      void this.readStream(response, controller, (event) => {
        if (event.type === 'meta' && !accepted) {
          accepted = true;
          this.sessionId = event.sessionId;
          if (!this.inflight.has(event.messageId)) this.inflight.set(event.messageId, -1);
          this.on.accepted(item.clientMessageId, { userMessageId: event.userMessageId, messageId: event.messageId });
          resolve('sent');
        }
      }).then((messageId) => {
        if (!accepted) {
          // Cut off before the server confirmed: the same client id goes again.
          this.retryLater();
          resolve('retry');
        } else if (messageId) this.resumeLater(messageId);
      });
    });
  }

  // ── receiving ───────────────────────────────────────────────────────────

  /** Delivers an event once, in order; false when it was seen already. */
  private fresh(messageId: string, seq: number): boolean {
    const last = this.inflight.get(messageId);
    if (last === undefined || seq <= last) return false;
    this.inflight.set(messageId, seq);
    return true;
  }

  private finish(messageId: string, done: Done): void {
    if (!this.inflight.has(messageId)) return;
    this.inflight.delete(messageId);
    this.on.done(messageId, done);
  }

  private onSocketEvent(name: string, payload: unknown): void {
    if (!payload || typeof payload !== 'object') return;
    if (name === 'response_chunk') {
      const chunk = payload as TResponseChunk;
      if (this.fresh(chunk.messageId, chunk.seq)) this.on.chunk(chunk.messageId, chunk.text);
    } else if (name === 'response_complete') {
      const complete = payload as TResponseComplete;
      this.finish(complete.messageId, { status: complete.status, response: complete.response, citations: complete.citations ?? [], ...(complete.error ? { error: complete.error } : {}) });
    } else if (name === 'typing') {
      const typing = payload as TTypingEvent;
      if (typing.from !== 'visitor') this.on.typing(typing.from, typing.isTyping);
    }
  }

  /** SSE events of one answer (POST stream or resume); resolves with the message id when cut off early, else null. */
  private async readStream(response: Response, controller: AbortController, onEvent: (event: TStreamEvent) => void = () => undefined): Promise<string | null> {
    let messageId: string | null = null;
    let ended = false;
    try {
      if (!response.body) return null;
      for await (const frame of readSse(response.body)) {
        let event: TStreamEvent;
        try {
          event = { type: frame.event, ...JSON.parse(frame.data) } as TStreamEvent;
        } catch {
          continue;
        }
        messageId = event.messageId;
        onEvent(event);
        if (event.type === 'done' || event.type === 'error') ended = true;
        if (!this.fresh(event.messageId, event.seq)) continue;
        if (event.type === 'chunk') this.on.chunk(event.messageId, event.text);
        else if (event.type === 'citation') this.on.citation(event.messageId, event.citation);
        else if (event.type === 'done') this.finish(event.messageId, { status: 'complete', response: event.response, citations: [] });
        else if (event.type === 'error') this.finish(event.messageId, { status: 'failed', response: event.partial, citations: [], error: { code: event.code, message: event.message } });
        if (ended) break;
      }
    } catch {
      // Network drop or abort: resumed below or after reconnecting.
    } finally {
      this.streams.delete(controller);
    }
    return ended ? null : messageId;
  }

  private resumeLater(messageId: string): void {
    if (this.stopped || !this.inflight.has(messageId)) return;
    if (this.connected && navigator.onLine) {
      // A stream cut while we still think we are online: try again shortly.
      setTimeout(() => void this.resume(messageId, this.inflight.get(messageId) ?? 0), 300);
    }
  }

  private async resume(messageId: string, afterSeq: number): Promise<void> {
    if (this.stopped || !this.inflight.has(messageId)) return;
    const from = Math.max(0, afterSeq);
    if (this.mode === 'socket') {
      const socket = this.socket;
      if (!socket?.isConnected) return;
      try {
        const ack = (await socket.emit('resume', { messageId, afterSeq: from }, ACK_TIMEOUT_MS)) as { ok: boolean; error?: { code: ErrorCode; message: string } };
        if (!ack.ok && ack.error?.code === 'MESSAGE_NOT_FOUND') this.finish(messageId, { status: 'failed', response: '', citations: [], error: ack.error });
      } catch {
        // Dropped again: the next connect resumes.
      }
      return;
    }
    const controller = new AbortController();
    this.streams.add(controller);
    try {
      const response = await this.request('GET', `/api/v1/messages/${encodeURIComponent(messageId)}/stream?afterSeq=${from}`, undefined, await this.ensureToken(), controller.signal, 'text/event-stream');
      const cut = await this.readStream(response, controller);
      if (cut) this.resumeLater(cut);
    } catch (error) {
      this.streams.delete(controller);
      if (error instanceof HttpError && error.code === 'MESSAGE_NOT_FOUND') {
        this.finish(messageId, { status: 'failed', response: '', citations: [], error: { code: error.code, message: error.message } });
      } else if (!this.handleHttpError(error)) this.resumeLater(messageId);
    }
  }
}
