import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type Conversation, type DbClient, type Message } from '@babble-buddy/db';
import type { ChatTurn } from '@babble-buddy/ai';
import { ErrorCode, ZCitation, type THistoryResponse, type THostContext } from '@babble-buddy/shared';
import { z } from 'zod';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';

const HISTORY_FETCH_LIMIT = 60;

export interface StoredTurn {
  conversation: Conversation;
  userMessage: Message;
  assistantMessage: Message;
  /** True when this clientMessageId was seen before: nothing new was stored or started. */
  duplicate: boolean;
}

/** Conversations and their messages; every lookup is scoped to the caller's tenant. */
@Injectable()
export class ConversationsService {
  constructor(@Inject(DB) private readonly db: DbClient) {}

  /** The caller's conversation for this session id, created on first use; another tenant's id is not found. */
  async resolve(tenantId: string, sessionKey: string, init: { origin?: string | null; agentId?: string | null }): Promise<Conversation> {
    const existing = await this.db.conversation.findUnique({ where: { sessionKey } });
    if (existing) {
      if (existing.tenantId !== tenantId) throw sessionNotFound();
      return existing;
    }
    try {
      return await this.db.conversation.create({
        data: { tenantId, sessionKey, origin: init.origin ?? null, agentId: init.agentId ?? null },
      });
    } catch (error) {
      // Two first messages raced: use the row the other one made (if it is ours).
      if (isUniqueViolation(error)) return this.resolve(tenantId, sessionKey, init);
      throw error;
    }
  }

  async find(tenantId: string, sessionId: string): Promise<Conversation | null> {
    const conversation = await this.db.conversation.findUnique({ where: { sessionKey: sessionId } });
    return conversation && conversation.tenantId === tenantId ? conversation : null;
  }

  async existsElsewhere(tenantId: string, sessionId: string): Promise<boolean> {
    return (await this.db.conversation.count({ where: { sessionKey: sessionId, tenantId: { not: tenantId } } })) > 0;
  }

  /**
   * Stores the user's message (before any model is called) and the assistant's placeholder in one
   * transaction. A repeated clientMessageId returns the pair stored the first time.
   */
  async storeTurn(conversation: Conversation, input: { content: string; clientMessageId?: string; context?: THostContext }): Promise<StoredTurn> {
    if (input.clientMessageId) {
      const previous = await this.findByClientId(conversation, input.clientMessageId);
      if (previous) return previous;
    }
    try {
      // Explicit times: inside one transaction the database clock would give both rows the same instant.
      const at = Date.now();
      return await this.db.$transaction(async (tx) => {
        const userMessage = await tx.message.create({
          data: { tenantId: conversation.tenantId, conversationId: conversation.id, role: 'user', content: input.content, clientMessageId: input.clientMessageId ?? null, createdAt: new Date(at) },
        });
        const assistantMessage = await tx.message.create({
          data: { tenantId: conversation.tenantId, conversationId: conversation.id, role: 'assistant', content: '', status: 'streaming', replyToId: userMessage.id, createdAt: new Date(at + 1) },
        });
        const updated = await tx.conversation.update({
          where: { id: conversation.id },
          data: {
            messageCount: { increment: 1 },
            lastActivityAt: new Date(),
            ...(input.context ? { hostContext: input.context as Prisma.InputJsonValue } : {}),
          },
        });
        return { conversation: updated, userMessage, assistantMessage, duplicate: false };
      });
    } catch (error) {
      if (input.clientMessageId && isUniqueViolation(error)) {
        const previous = await this.findByClientId(conversation, input.clientMessageId);
        if (previous) return previous;
      }
      throw error;
    }
  }

  private async findByClientId(conversation: Conversation, clientMessageId: string): Promise<StoredTurn | null> {
    const userMessage = await this.db.message.findUnique({ where: { conversationId_clientMessageId: { conversationId: conversation.id, clientMessageId } } });
    if (!userMessage) return null;
    const assistantMessage = await this.db.message.findFirst({ where: { replyToId: userMessage.id, tenantId: conversation.tenantId } });
    if (!assistantMessage) return null;
    return { conversation, userMessage, assistantMessage, duplicate: true };
  }

  /** Earlier turns for the prompt, oldest first; failed answers and empty placeholders are left out. */
  async promptHistory(conversation: Conversation, beforeMessageId: string): Promise<ChatTurn[]> {
    const rows = await this.db.message.findMany({
      where: {
        conversationId: conversation.id,
        tenantId: conversation.tenantId,
        id: { not: beforeMessageId },
        OR: [{ role: 'user' }, { role: { in: ['assistant', 'operator'] }, status: 'complete' }],
      },
      orderBy: { createdAt: 'desc' },
      take: HISTORY_FETCH_LIMIT,
    });
    return rows
      .reverse()
      .filter((m) => m.content.length > 0)
      .map((m) => ({ role: m.role === 'user' ? 'user' : 'assistant', content: m.content }));
  }

  async history(tenantId: string, sessionId: string, limit: number): Promise<THistoryResponse> {
    const conversation = await this.find(tenantId, sessionId);
    if (!conversation) return { sessionId, status: 'open', messages: [] };
    const rows = await this.db.message.findMany({
      where: { conversationId: conversation.id, tenantId, role: { in: ['user', 'assistant', 'operator'] } },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return {
      sessionId,
      status: conversation.status,
      messages: rows.reverse().map((m) => ({
        id: m.id,
        role: m.role,
        content: m.content,
        status: m.status,
        citations: z.array(ZCitation).catch([]).parse(m.citations),
        createdAt: m.createdAt.toISOString(),
        updatedAt: m.updatedAt.toISOString(),
      })),
    };
  }
}

export function sessionNotFound(): AppError {
  return new AppError(ErrorCode.SessionNotFound, 'No such session for this tenant');
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
