import { Inject, Injectable } from '@nestjs/common';
import type { DbClient } from '@babble-buddy/db';
import { ErrorCode, PLAYGROUND_ORIGIN, type TPlaygroundChatRequest } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { ChatService, type StartedTurn, type TurnDebugSink } from '../chat/chat.service';
import { ConversationsService, sessionNotFound } from '../chat/conversations.service';
import { DB } from '../infra/tokens';

export interface PlaygroundOperator {
  tenantId: string;
  userId: string;
  ip: string | undefined;
}

/**
 * Playground turns: the real chat pipeline (rate limit, stored messages, retrieval, prompt, model,
 * citations, llm_requests) for one tenant, as a visitor would get it. Conversations are stored with
 * origin "playground"; a playground session never continues a visitor's conversation.
 */
@Injectable()
export class PlaygroundService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly chat: ChatService,
    private readonly conversations: ConversationsService,
  ) {}

  async start(operator: PlaygroundOperator, request: TPlaygroundChatRequest, debug: TurnDebugSink): Promise<StartedTurn> {
    const { tenantId } = operator;
    const [tenant, existing] = await Promise.all([
      this.db.tenant.findUnique({ where: { id: tenantId }, select: { status: true } }),
      request.sessionId ? this.conversations.find(tenantId, request.sessionId) : null,
    ]);
    if (!tenant) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
    // As for its keys: a suspended tenant's assistant does not answer.
    if (tenant.status !== 'active') throw new AppError(ErrorCode.TenantSuspended, 'This tenant is suspended');
    if (existing && existing.origin !== PLAYGROUND_ORIGIN) throw sessionNotFound();
    return this.chat.start(
      {
        principal: { kind: 'operator', tenantId, keyId: `operator:${operator.userId}`, userId: operator.userId, rateLimitPerMinute: null },
        ip: operator.ip,
        origin: PLAYGROUND_ORIGIN,
      },
      request,
      { debug },
    );
  }
}
