import { Inject, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer, type OnGatewayInit } from '@nestjs/websockets';
import type { DbClient } from '@babble-buddy/db';
import {
  ADMIN_NAMESPACE,
  ErrorCode,
  KNOWLEDGE_PROGRESS_CHANNEL,
  ZKnowledgeProgressEvent,
  ZKnowledgeSubscribe,
  type AdminClientToServerEvents,
  type AdminServerToClientEvents,
  type TAdminAck,
} from '@babble-buddy/shared';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/app-error';
import { DB, LOGGER, REDIS } from '../infra/tokens';

type SocketData = { userId: string };
type AdminNamespace = Namespace<AdminClientToServerEvents, AdminServerToClientEvents, Record<string, never>, SocketData>;
type AdminSocket = Socket<AdminClientToServerEvents, AdminServerToClientEvents, Record<string, never>, SocketData>;

const tenantRoom = (tenantId: string) => `knowledge:${tenantId}`;

/**
 * socket.io `/admin`: signed-in operators (admin login token in `auth.token`) subscribe to a tenant
 * they belong to (any role) or, as platform owners, to any tenant, and receive `knowledge_progress`
 * for its sources. The worker publishes progress on Redis; every gateway instance relays it to its
 * own sockets, so it does not matter which instance an admin is connected to.
 */
@WebSocketGateway({ namespace: ADMIN_NAMESPACE, cors: { origin: true }, transports: ['websocket', 'polling'] })
export class KnowledgeProgressGateway implements OnGatewayInit, OnModuleDestroy {
  @WebSocketServer() private namespace!: AdminNamespace;
  private subscriber: Redis | undefined;

  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly tokens: TokensService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(namespace: AdminNamespace): void {
    namespace.use((socket, next) => {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null;
      try {
        if (!token) throw new AppError(ErrorCode.Unauthenticated, 'Sign in first: pass the admin token as auth.token');
        socket.data = { userId: this.tokens.verifyAdmin(token) };
        next();
      } catch (error) {
        const failure = new Error(error instanceof AppError ? error.message : 'Authentication failed') as Error & { data: unknown };
        failure.data = { code: error instanceof AppError ? error.code : ErrorCode.Unauthenticated };
        next(failure);
      }
    });
    namespace.on('connection', (socket) => this.onConnection(socket));
    this.relay(namespace);
  }

  private onConnection(socket: AdminSocket): void {
    socket.on('knowledge_subscribe', (payload, ack) => {
      void this.subscribe(socket, payload).then((result) => respond(ack, result));
    });
    socket.on('knowledge_unsubscribe', (payload, ack) => {
      const parsed = ZKnowledgeSubscribe.safeParse(payload);
      if (parsed.success) void socket.leave(tenantRoom(parsed.data.tenantId));
      respond(ack, parsed.success ? { ok: true } : failure(ErrorCode.ValidationFailed, 'tenantId must be a UUID'));
    });
  }

  /**
   * Membership is read from the database at each subscription (not from the token), so a removed
   * member cannot subscribe again, and tenants the user cannot see answer like tenants that do not exist.
   */
  private async subscribe(socket: AdminSocket, payload: unknown): Promise<TAdminAck> {
    const parsed = ZKnowledgeSubscribe.safeParse(payload);
    if (!parsed.success) return failure(ErrorCode.ValidationFailed, 'tenantId must be a UUID');
    const { tenantId } = parsed.data;
    try {
      const user = await this.db.adminUser.findUnique({ where: { id: socket.data.userId }, select: { isPlatformOwner: true, memberships: { where: { tenantId }, select: { role: true } } } });
      if (!user) return failure(ErrorCode.Unauthenticated, 'This account no longer exists');
      const allowed = user.isPlatformOwner ? (await this.db.tenant.count({ where: { id: tenantId } })) > 0 : user.memberships.length > 0;
      if (!allowed) return failure(ErrorCode.NotFound, 'Tenant not found');
      await socket.join(tenantRoom(tenantId));
      return { ok: true };
    } catch (error) {
      this.logger.error({ err: error }, 'knowledge_subscribe failed');
      return failure(ErrorCode.Internal, 'Subscription failed');
    }
  }

  private relay(namespace: AdminNamespace): void {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, message: string) => {
      let event;
      try {
        event = ZKnowledgeProgressEvent.parse(JSON.parse(message));
      } catch {
        this.logger.warn('ignored a malformed knowledge progress message');
        return;
      }
      namespace.to(tenantRoom(event.tenantId)).emit('knowledge_progress', event);
    });
    subscriber.subscribe(KNOWLEDGE_PROGRESS_CHANNEL).catch((error: unknown) => this.logger.error({ err: error }, 'cannot subscribe to knowledge progress'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => undefined);
  }
}

function failure(code: ErrorCode, message: string): TAdminAck {
  return { ok: false, error: { code, message } };
}

function respond(ack: unknown, result: TAdminAck): void {
  if (typeof ack === 'function') (ack as (value: TAdminAck) => void)(result);
}
