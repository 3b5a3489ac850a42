import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { ZChatResponse, ZHistoryResponse, ZStreamEvent, type TChatRequest, type TChatResponse, type THistoryResponse, type TStreamEvent } from '../chat.schema';
import { CHAT_NAMESPACE, type ChatClientToServerEvents, type ChatServerToClientEvents } from '../socket.schema';
import { ZWidgetSessionResponse, type TWidgetSessionResponse } from '../widget.schema';
import { BabbleBuddyError, send } from './http';
import { readEvents } from './sse';

export { BabbleBuddyError };

export interface ClientOptions {
  /** The gateway's base URL, e.g. https://chat.example.com */
  apiUrl: string;
  /** A secret key (server side) or a publishable key (browser; a widget session is created for you). */
  key: string;
  fetch?: typeof fetch;
}

export type ChatSocket = Socket<ChatServerToClientEvents, ChatClientToServerEvents>;
type IoFactory = (uri: string, options?: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface StreamOptions {
  signal?: AbortSignal;
}

export interface BabbleBuddyClient {
  /** Ask and wait for the whole answer. */
  chat(request: TChatRequest): Promise<TChatResponse>;
  /** Ask and read the answer as it is written (SSE): `for await (const event of client.stream(...))`. */
  stream(request: TChatRequest, options?: StreamOptions): AsyncGenerator<TStreamEvent>;
  /** Continue reading an answer after `afterSeq` (after a dropped connection). */
  resume(messageId: string, afterSeq: number, options?: StreamOptions): AsyncGenerator<TStreamEvent>;
  history(sessionId: string): Promise<THistoryResponse>;
  /** A typed socket.io connection to the chat namespace; pass `io` from socket.io-client. */
  socket(io: IoFactory, options?: Partial<ManagerOptions & SocketOptions>): Promise<ChatSocket>;
  /** The widget session (publishable keys only). */
  session(sessionId?: string): Promise<TWidgetSessionResponse>;
}

export function createClient(options: ClientOptions): BabbleBuddyClient {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const publishable = options.key.startsWith('pk_');
  let widgetSession: TWidgetSessionResponse | null = null;

  async function request(path: string, init: RequestInit & { auth?: string }): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${init.auth ?? (await bearer())}`);
    if (init.body !== undefined) headers.set('content-type', 'application/json');
    return send(doFetch, `${apiUrl}${path}`, { ...init, headers }, apiUrl);
  }

  async function session(sessionId?: string): Promise<TWidgetSessionResponse> {
    if (!publishable) throw new BabbleBuddyError('WRONG_KEY_KIND', 'widget sessions need a publishable key', 0);
    const response = await request('/api/v1/widget/session', {
      method: 'POST',
      auth: options.key,
      body: JSON.stringify(sessionId ? { sessionId } : {}),
    });
    widgetSession = ZWidgetSessionResponse.parse(await response.json());
    return widgetSession;
  }

  async function bearer(sessionId?: string): Promise<string> {
    if (!publishable) return options.key;
    const fresh = widgetSession && Date.parse(widgetSession.expiresAt) - Date.now() > 30_000;
    if (!fresh || (sessionId && widgetSession?.sessionId !== sessionId)) await session(sessionId ?? widgetSession?.sessionId);
    return widgetSession!.token;
  }

  return {
    session,
    async chat(body) {
      const response = await request('/api/v1/chat', { method: 'POST', body: JSON.stringify(body), auth: await bearer(body.sessionId) });
      return ZChatResponse.parse(await response.json());
    },
    async *stream(body, streamOptions = {}) {
      const response = await request('/api/v1/chat/stream', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { accept: 'text/event-stream' },
        auth: await bearer(body.sessionId),
        ...(streamOptions.signal ? { signal: streamOptions.signal } : {}),
      });
      yield* readEvents(response, ZStreamEvent);
    },
    async *resume(messageId, afterSeq, streamOptions = {}) {
      const response = await request(`/api/v1/messages/${encodeURIComponent(messageId)}/stream?afterSeq=${afterSeq}`, {
        method: 'GET',
        headers: { accept: 'text/event-stream' },
        ...(streamOptions.signal ? { signal: streamOptions.signal } : {}),
      });
      yield* readEvents(response, ZStreamEvent);
    },
    async history(sessionId) {
      const response = await request(`/api/v1/sessions/${encodeURIComponent(sessionId)}/history`, { method: 'GET', auth: await bearer(sessionId) });
      return ZHistoryResponse.parse(await response.json());
    },
    async socket(io, socketOptions = {}) {
      const token = await bearer();
      return io(`${apiUrl}${CHAT_NAMESPACE}`, { transports: ['websocket'], ...socketOptions, auth: { token } }) as ChatSocket;
    },
  };
}
