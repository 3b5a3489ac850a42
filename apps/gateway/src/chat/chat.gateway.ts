import { Inject, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  CHAT_NAMESPACE,
  ErrorCode,
  ZResume,
  ZSendMessage,
  ZTyping,
  type ChatClientToServerEvents,
  type ChatServerToClientEvents,
  type TResumeAck,
  type TSendMessageAck,
  type TStreamEvent,
} from '@babble-buddy/shared';
import { ChatAuthService } from '../auth/chat-auth.service';
import type { ChatPrincipal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { LOGGER } from '../infra/tokens';
import { ChatService } from './chat.service';
import { TurnsService } from './turns.service';

type SocketData = { principal: ChatPrincipal; ip: string };
type ChatNamespace = Namespace<ChatClientToServerEvents, ChatServerToClientEvents, Record<string, never>, SocketData>;
type ChatSocket = Socket<ChatClientToServerEvents, ChatServerToClientEvents, Record<string, never>, SocketData>;

const sessionRoom = (tenantId: string, sessionId: string) => `session:${tenantId}:${sessionId}`;

/**
 * socket.io chat (`/chat`). Connections authenticate in the handshake (`auth.token`: widget session
 * token or secret key); every event payload is parsed with the shared schemas.
 */
@WebSocketGateway({ namespace: CHAT_NAMESPACE, transports: ['websocket', 'polling'] })
export class ChatGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() private namespace!: ChatNamespace;
  private readonly aborts = new WeakMap<Socket, AbortController>();

  constructor(
    private readonly auth: ChatAuthService,
    private readonly chat: ChatService,
    private readonly turns: TurnsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(namespace: ChatNamespace): void {
    namespace.use((socket, next) => {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
      this.auth
        .authenticate(token, socket.handshake.headers.origin)
        .then((principal) => {
          socket.data = { principal, ip: socket.handshake.address };
          next();
        })
        .catch((error: unknown) => {
          const failure = new Error(error instanceof AppError ? error.message : 'Authentication failed') as Error & { data: unknown };
          failure.data = { code: error instanceof AppError ? error.code : ErrorCode.Unauthenticated };
          next(failure);
        });
    });
    namespace.on('connection', (socket) => this.onConnection(socket));
  }

  private onConnection(socket: ChatSocket): void {
    const { principal } = socket.data;
    const controller = new AbortController();
    this.aborts.set(socket, controller);
    if (principal.kind === 'widget') void socket.join(sessionRoom(principal.tenantId, principal.sessionId));
    socket.on('disconnect', () => controller.abort());

    socket.on('send_message', (payload, ack) => {
      void this.sendMessage(socket, payload, controller.signal).then((result) => respond(ack, result));
    });
    socket.on('resume', (payload, ack) => {
      void this.resume(socket, payload, controller.signal, (result) => respond(ack, result));
    });
    socket.on('typing_start', (payload) => this.typing(socket, payload, true));
    socket.on('typing_stop', (payload) => this.typing(socket, payload, false));
  }

  private async sendMessage(socket: ChatSocket, payload: unknown, signal: AbortSignal): Promise<TSendMessageAck> {
    const { principal, ip } = socket.data;
    try {
      const request = parseWith(ZSendMessage, payload, 'send_message payload');
      const started = await this.chat.start({ principal, ip, origin: socket.handshake.headers.origin }, request);
      if (principal.kind === 'secret') void socket.join(sessionRoom(principal.tenantId, started.sessionId));
      // The ack goes out first, so the client knows the ids before the first chunk.
      setImmediate(() => void this.relay(socket, started.messageId, started.sessionId, 0, signal));
      return { ok: true, sessionId: started.sessionId, userMessageId: started.userMessageId, messageId: started.messageId };
    } catch (error) {
      return this.ackError(error);
    }
  }

  private async resume(socket: ChatSocket, payload: unknown, signal: AbortSignal, ack: (result: TResumeAck) => void): Promise<void> {
    const { principal } = socket.data;
    try {
      const { messageId, afterSeq } = parseWith(ZResume, payload, 'resume payload');
      const reader = { tenantId: principal.tenantId, ...(principal.kind === 'widget' ? { sessionId: principal.sessionId } : {}) };
      const sessionId = await this.turns.assertReadable(reader, messageId);
      const live = this.turns.get(messageId);
      ack({ ok: true, messageId, status: live && !live.finished ? 'streaming' : 'complete' });
      await this.relay(socket, messageId, sessionId, afterSeq, signal);
    } catch (error) {
      ack(this.ackError(error));
    }
  }

  /** Sends an answer's events after `afterSeq` to one socket, as response_chunk / response_complete. */
  private async relay(socket: ChatSocket, messageId: string, sessionId: string, afterSeq: number, signal: AbortSignal): Promise<void> {
    const { principal } = socket.data;
    const reader = { tenantId: principal.tenantId, ...(principal.kind === 'widget' ? { sessionId: principal.sessionId } : {}) };
    const citations: Extract<TStreamEvent, { type: 'citation' }>['citation'][] = [];
    let lastChunkSeq = afterSeq;
    try {
      await this.turns.follow(reader, messageId, afterSeq, (event) => {
        if (event.type === 'meta') sessionId = event.sessionId;
        else if (event.type === 'chunk') {
          lastChunkSeq = event.seq;
          socket.emit('response_chunk', { messageId, sessionId, seq: event.seq, text: event.text });
        } else if (event.type === 'citation') citations.push(event.citation);
        else if (event.type === 'tool') socket.emit('action_performed', { sessionId, messageId, name: event.name, status: event.status });
        else if (event.type === 'done') {
          socket.emit('response_complete', {
            messageId,
            sessionId,
            seq: Math.max(event.seq, lastChunkSeq + 1),
            status: 'complete',
            response: event.response,
            citations,
            usage: event.usage,
            ...(event.knowledgeOnly ? { knowledgeOnly: true } : {}),
          });
        } else if (event.type === 'error') {
          const usage = { promptTokens: 0, completionTokens: 0 };
          socket.emit('response_complete', { messageId, sessionId, seq: Math.max(event.seq, lastChunkSeq + 1), status: 'failed', response: event.partial, citations, usage, error: { code: event.code, message: event.message } });
          socket.emit('error', { code: event.code, message: event.message, messageId });
        }
      }, signal);
    } catch (error) {
      socket.emit('error', { ...this.ackErrorBody(error), messageId });
    }
  }

  private typing(socket: ChatSocket, payload: unknown, isTyping: boolean): void {
    const { principal } = socket.data;
    const parsed = ZTyping.safeParse(payload ?? {});
    if (!parsed.success) return void socket.emit('error', { code: ErrorCode.ValidationFailed, message: 'Invalid typing payload' });
    const sessionId = principal.kind === 'widget' ? principal.sessionId : parsed.data.sessionId;
    if (!sessionId) return;
    socket.to(sessionRoom(principal.tenantId, sessionId)).emit('typing', { sessionId, from: 'visitor', isTyping });
  }

  private ackError(error: unknown): { ok: false; error: { code: ErrorCode; message: string } } {
    return { ok: false, error: this.ackErrorBody(error) };
  }

  private ackErrorBody(error: unknown): { code: ErrorCode; message: string } {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    this.logger.error({ err: error }, 'socket handler failed');
    return { code: ErrorCode.Internal, message: 'Internal error' };
  }

  onModuleDestroy(): void {
    this.namespace?.disconnectSockets(true);
  }
}

function respond<T>(ack: unknown, result: T): void {
  if (typeof ack === 'function') (ack as (value: T) => void)(result);
}
