import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Prisma, preparedQuery, type Conversation, type DbClient, type PreparedStatement } from '@babble-buddy/db';
import type { ChatTurn } from '@babble-buddy/ai';
import { ErrorCode, ZCitation, type THistoryResponse, type THostContext } from '@babble-buddy/shared';
import { z } from 'zod';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import { KNOWLEDGE_ONLY_PROVIDER } from '../retrieval/turn-knowledge';

const HISTORY_FETCH_LIMIT = 60;

/**
 * The two writes of every turn, on the path to the first token and at its end: prepared statements
 * (see `preparedQuery`), each ONE statement (one round trip, atomic).
 *
 * STORE_TURN stores the user's message and the assistant's placeholder, creating the conversation on
 * first use; a session key owned by another tenant matches no row, so nothing is stored.
 */
const STORE_TURN: PreparedStatement = {
  name: 'bb_store_turn',
  text: `
    WITH conv AS (
      INSERT INTO conversations (id, tenant_id, agent_id, session_key, origin, host_context, message_count, last_activity_at, created_at, updated_at)
      VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::jsonb, 1, now(), now(), now())
      ON CONFLICT (session_key) DO UPDATE SET
        message_count = conversations.message_count + 1,
        last_activity_at = now(),
        updated_at = now(),
        host_context = COALESCE(EXCLUDED.host_context, conversations.host_context),
        agent_id = COALESCE(conversations.agent_id, EXCLUDED.agent_id)
      WHERE conversations.tenant_id = $2::uuid
      RETURNING id, session_key, host_context, (xmax = 0) AS inserted
    ), user_message AS (
      INSERT INTO messages (id, tenant_id, conversation_id, role, content, status, client_message_id, created_at, updated_at)
      SELECT $7::uuid, $2::uuid, conv.id, 'user'::"MessageRole", $8::text, 'complete'::"MessageStatus", $9::text, $10::timestamptz, $10::timestamptz FROM conv
    ), assistant_message AS (
      INSERT INTO messages (id, tenant_id, conversation_id, role, content, status, reply_to_id, created_at, updated_at)
      SELECT $11::uuid, $2::uuid, conv.id, 'assistant'::"MessageRole", '', 'streaming'::"MessageStatus", $7::uuid, $12::timestamptz, $12::timestamptz FROM conv
    )
    SELECT id, session_key, host_context, inserted FROM conv`,
};

/** FINISH_TURN: the assistant message's text, status and figures, the conversation's counters, a `llm_requests` row per model call. */
const FINISH_TURN: PreparedStatement = {
  name: 'bb_finish_turn',
  text: `
    WITH m AS (
      UPDATE messages SET
        content = $4::text, status = $5::text::"MessageStatus", citations = $6::jsonb,
        prompt_tokens = $7::int, completion_tokens = $8::int, latency_ms = $9::int, ttft_ms = $10::int,
        provider = $11::text, model = $12::text, error = $13::jsonb, updated_at = now()
      WHERE id = $1::uuid AND tenant_id = $2::uuid
      RETURNING id
    ), c AS (
      UPDATE conversations SET message_count = message_count + 1, last_activity_at = now(), updated_at = now()
      WHERE id = $3::uuid AND tenant_id = $2::uuid
      RETURNING id
    )
    INSERT INTO llm_requests (id, tenant_id, conversation_id, message_id, provider, model, status, prompt_tokens,
                              completion_tokens, cost_usd, latency_ms, ttft_ms, error, created_at)
    SELECT gen_random_uuid(), $2::uuid, c.id, m.id, r.provider, r.model, r.status::"LlmRequestStatus",
           r.prompt_tokens, r.completion_tokens, r.cost_usd, r.latency_ms, r.ttft_ms, r.error, now()
    FROM jsonb_to_recordset($14::jsonb) AS r(provider text, model text, status text, prompt_tokens int,
           completion_tokens int, cost_usd numeric(12, 6), latency_ms int, ttft_ms int, error text)
    LEFT JOIN m ON true LEFT JOIN c ON true`,
};

/** What the pipeline needs of a conversation while answering. */
export interface TurnConversation {
  id: string;
  tenantId: string;
  sessionKey: string;
  hostContext: Record<string, unknown> | null;
  /** Created by this turn: there is no earlier history to load. */
  isNew: boolean;
}

interface StoredRow {
  id: string;
  session_key: string;
  host_context: unknown;
  inserted: boolean;
}

export interface StoredTurn {
  conversation: TurnConversation;
  userMessageId: string;
  assistantMessageId: string;
  /** True when this clientMessageId was seen before: nothing new was stored or started. */
  duplicate: boolean;
}

/** One row of `llm_requests` written when a turn ends. */
export interface FinishedRequest {
  provider: string;
  model: string;
  status: 'ok' | 'error';
  promptTokens?: number;
  completionTokens?: number;
  /** USD, already rounded to 6 decimals. */
  costUsd?: number | null;
  latencyMs: number;
  ttftMs?: number | null;
  error?: string | null;
}

/** How a turn ended: the assistant message's final state and the model calls it took. */
export interface FinishedTurn {
  tenantId: string;
  conversationId: string;
  messageId: string;
  content: string;
  status: 'complete' | 'failed';
  citations?: unknown[];
  promptTokens?: number | null;
  completionTokens?: number | null;
  latencyMs?: number | null;
  ttftMs?: number | null;
  provider?: string | null;
  model?: string | null;
  error?: { code: string; message: string } | null;
  requests: FinishedRequest[];
}

/** Conversations and their messages; every lookup is scoped to the caller's tenant. */
@Injectable()
export class ConversationsService {
  constructor(@Inject(DB) private readonly db: DbClient) {}

  /**
   * Writes the end of a turn in ONE statement (one round trip, atomic): the assistant message's text, status
   * and figures, the conversation's counters, and a `llm_requests` row per model call.
   */
  async finishTurn(turn: FinishedTurn): Promise<void> {
    const requests = JSON.stringify(
      turn.requests.map((r) => ({
        provider: r.provider,
        model: r.model,
        status: r.status,
        prompt_tokens: r.promptTokens ?? 0,
        completion_tokens: r.completionTokens ?? 0,
        cost_usd: r.costUsd ?? null,
        latency_ms: Math.round(r.latencyMs),
        ttft_ms: r.ttftMs === undefined || r.ttftMs === null ? null : Math.round(r.ttftMs),
        error: r.error ? r.error.slice(0, 1000) : null,
      })),
    );
    const round = (n: number | null | undefined): number | null => (n === undefined || n === null ? null : Math.round(n));
    await preparedQuery(this.db, FINISH_TURN, [
      turn.messageId,
      turn.tenantId,
      turn.conversationId,
      turn.content,
      turn.status,
      JSON.stringify(turn.citations ?? []),
      round(turn.promptTokens),
      round(turn.completionTokens),
      round(turn.latencyMs),
      round(turn.ttftMs),
      turn.provider ?? null,
      turn.model ?? null,
      turn.error ? JSON.stringify(turn.error) : null,
      requests,
    ]);
  }

  async find(tenantId: string, sessionId: string): Promise<Conversation | null> {
    const conversation = await this.db.conversation.findUnique({ where: { sessionKey: sessionId } });
    return conversation && conversation.tenantId === tenantId ? conversation : null;
  }

  async existsElsewhere(tenantId: string, sessionId: string): Promise<boolean> {
    return (await this.db.conversation.count({ where: { sessionKey: sessionId, tenantId: { not: tenantId } } })) > 0;
  }

  /**
   * Stores the user's message (before any model is called) and the assistant's placeholder, creating
   * the conversation on first use, in ONE statement: this sits on the path to the first token.
   * A session id owned by another tenant stores nothing and is SESSION_NOT_FOUND; a repeated
   * clientMessageId returns the pair stored the first time.
   */
  async storeTurn(
    tenantId: string,
    sessionKey: string,
    input: { content: string; clientMessageId?: string; context?: THostContext; origin?: string | null; agentId?: string | null },
  ): Promise<StoredTurn> {
    if (input.clientMessageId) {
      const previous = await this.findByClientId(tenantId, sessionKey, input.clientMessageId);
      if (previous) return previous;
    }
    const userMessageId = randomUUID();
    const assistantMessageId = randomUUID();
    // Explicit times: one statement would otherwise give both messages the same instant.
    const at = Date.now();
    const context = input.context ? JSON.stringify(input.context) : null;
    let rows: StoredRow[];
    try {
      ({ rows } = await preparedQuery<StoredRow>(this.db, STORE_TURN, [
        randomUUID(),
        tenantId,
        input.agentId ?? null,
        sessionKey,
        input.origin ?? null,
        context,
        userMessageId,
        input.content,
        input.clientMessageId ?? null,
        new Date(at),
        assistantMessageId,
        new Date(at + 1),
      ]));
    } catch (error) {
      if (input.clientMessageId && isUniqueViolation(error)) {
        const previous = await this.findByClientId(tenantId, sessionKey, input.clientMessageId);
        if (previous) return previous;
      }
      throw error;
    }
    const row = rows[0];
    if (!row) throw sessionNotFound();
    return {
      conversation: { id: row.id, tenantId, sessionKey: row.session_key, hostContext: (row.host_context as Record<string, unknown> | null) ?? null, isNew: row.inserted },
      userMessageId,
      assistantMessageId,
      duplicate: false,
    };
  }

  private async findByClientId(tenantId: string, sessionKey: string, clientMessageId: string): Promise<StoredTurn | null> {
    const userMessage = await this.db.message.findFirst({
      where: { tenantId, clientMessageId, conversation: { sessionKey } },
      include: { conversation: true },
    });
    if (!userMessage) return null;
    const assistantMessage = await this.db.message.findFirst({ where: { replyToId: userMessage.id, tenantId }, select: { id: true } });
    if (!assistantMessage) return null;
    const { conversation } = userMessage;
    return {
      conversation: { id: conversation.id, tenantId, sessionKey, hostContext: (conversation.hostContext as Record<string, unknown> | null) ?? null, isNew: false },
      userMessageId: userMessage.id,
      assistantMessageId: assistantMessage.id,
      duplicate: true,
    };
  }

  /** Earlier turns for the prompt, oldest first; failed answers and empty placeholders are left out. */
  async promptHistory(conversation: TurnConversation, beforeMessageId: string): Promise<ChatTurn[]> {
    if (conversation.isNew) return [];
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
        ...(m.provider === KNOWLEDGE_ONLY_PROVIDER ? { knowledgeOnly: true } : {}),
        createdAt: m.createdAt.toISOString(),
        updatedAt: m.updatedAt.toISOString(),
      })),
    };
  }
}

export function sessionNotFound(): AppError {
  return new AppError(ErrorCode.SessionNotFound, 'No such session for this tenant');
}

/** A unique constraint refused the write (from Prisma, or from Postgres itself through `preparedQuery`). */
function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) return error.code === 'P2002';
  return (error as { code?: unknown } | null)?.code === '23505';
}
