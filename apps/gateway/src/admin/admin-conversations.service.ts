import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Prisma, type DbClient } from '@babble-buddy/db';
import {
  ErrorCode,
  SNIPPET_MATCH_END,
  SNIPPET_MATCH_START,
  ZCitation,
  ZConversationListQuery,
  ZToolCallRecord,
  type TConversationDetail,
  type TConversationPage,
  type TConversationStatus,
  type TConversationSummary,
  type TTranscriptMessage,
} from '@babble-buddy/shared';
import { z } from 'zod';
import { turnEventsKey } from '../chat/turn-stream';
import { AppError } from '../common/app-error';
import { DB, REDIS } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService } from './audit.service';
import { decodeCursor, encodeCursor } from './insights.service';
import { assertTenantExists } from './tenant-scope';

type ListQuery = z.output<typeof ZConversationListQuery>;

const FIRST_MESSAGE_CHARS = 200;
const MAX_SEARCH_TERMS = 16;
const HEADLINE_OPTIONS = `StartSel=${SNIPPET_MATCH_START}, StopSel=${SNIPPET_MATCH_END}, MaxWords=30, MinWords=12, ShortWord=0, MaxFragments=1`;

/**
 * A search box's text as a tsquery: every word must match, each as a prefix ("refu" finds "refund").
 * Words are letters and digits only, so the query cannot carry tsquery operators. Null: no words.
 */
export function toPrefixQuery(text: string): string | null {
  const words = text
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, MAX_SEARCH_TERMS);
  return words.length ? words.map((word) => `${word.toLowerCase()}:*`).join(' & ') : null;
}

interface SummaryRow {
  id: string;
  session_key: string;
  status: TConversationStatus;
  visitor_id: string | null;
  email: string | null;
  origin: string | null;
  agent_id: string | null;
  agent_name: string | null;
  message_count: number;
  first_message: string | null;
  snippet: string | null;
  positive: unknown;
  negative: unknown;
  created_at: Date;
  last_activity_at: Date;
}

function toSummary(row: SummaryRow): TConversationSummary {
  return {
    id: row.id,
    sessionId: row.session_key,
    status: row.status,
    visitorId: row.visitor_id,
    email: row.email,
    origin: row.origin,
    agentId: row.agent_id,
    agentName: row.agent_name,
    messageCount: row.message_count,
    firstMessage: row.first_message,
    snippet: row.snippet,
    feedback: { positive: Number(row.positive ?? 0), negative: Number(row.negative ?? 0) },
    createdAt: row.created_at.toISOString(),
    lastActivityAt: row.last_activity_at.toISOString(),
  };
}

const ZStoredError = z.object({ code: z.string(), message: z.string() });

/** Conversations as operators see them: search, transcripts, export and deletion. Always within one tenant. */
@Injectable()
export class AdminConversationsService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly audit: AuditService,
  ) {}

  /** Most recently active first, keyset-paginated; `q` goes through the messages' full-text index. */
  async list(tenantId: string, query: ListQuery): Promise<TConversationPage> {
    await assertTenantExists(this.db, tenantId);
    const tsquery = query.q === undefined ? undefined : toPrefixQuery(query.q);
    if (tsquery === null) return { items: [], nextCursor: null };
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const filters: Prisma.Sql[] = [Prisma.sql`c.tenant_id = ${tenantId}::uuid`];
    if (query.status) filters.push(Prisma.sql`c.status = ${query.status}::"ConversationStatus"`);
    if (query.from) filters.push(Prisma.sql`c.last_activity_at >= ${new Date(query.from)}`);
    if (query.to) filters.push(Prisma.sql`c.last_activity_at < ${new Date(query.to)}`);
    if (query.feedback) filters.push(feedbackFilter(query.feedback));
    if (tsquery) {
      filters.push(Prisma.sql`c.id IN (
        SELECT m.conversation_id FROM messages m
        WHERE m.tenant_id = ${tenantId}::uuid AND to_tsvector('simple', m.content) @@ to_tsquery('simple', ${tsquery}))`);
    }
    if (cursor) filters.push(Prisma.sql`(c.last_activity_at, c.id) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
    const snippet = tsquery
      ? Prisma.sql`(SELECT ts_headline('simple', m.content, to_tsquery('simple', ${tsquery}), ${HEADLINE_OPTIONS})
                    FROM messages m
                    WHERE m.conversation_id = p.id AND to_tsvector('simple', m.content) @@ to_tsquery('simple', ${tsquery})
                    ORDER BY m.created_at LIMIT 1)`
      : Prisma.sql`NULL::text`;
    // The page is chosen first; the per-row extras are computed for its rows only.
    const rows = await this.db.$queryRaw<SummaryRow[]>`
      SELECT p.*, a.name AS agent_name,
        (SELECT left(m.content, ${FIRST_MESSAGE_CHARS}) FROM messages m
          WHERE m.conversation_id = p.id AND m.role = 'user' ORDER BY m.created_at LIMIT 1) AS first_message,
        (SELECT count(*) FROM messages m WHERE m.conversation_id = p.id AND m.feedback > 0) AS positive,
        (SELECT count(*) FROM messages m WHERE m.conversation_id = p.id AND m.feedback < 0) AS negative,
        ${snippet} AS snippet
      FROM (
        SELECT c.id, c.session_key, c.status, c.visitor_id, c.email, c.origin, c.agent_id, c.message_count, c.created_at, c.last_activity_at
        FROM conversations c
        WHERE ${Prisma.join(filters, ' AND ')}
        ORDER BY c.last_activity_at DESC, c.id DESC
        LIMIT ${query.limit + 1}
      ) p
      LEFT JOIN agents a ON a.id = p.agent_id
      ORDER BY p.last_activity_at DESC, p.id DESC`;
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return { items: page.map(toSummary), nextCursor: rows.length > query.limit && last ? encodeCursor(last.last_activity_at, last.id) : null };
  }

  async get(tenantId: string, conversationId: string): Promise<TConversationDetail> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, tenantId }, include: { agent: { select: { name: true } } } });
    if (!conversation) throw new AppError(ErrorCode.NotFound, 'Conversation not found');
    const [messages, costs] = await Promise.all([
      this.db.message.findMany({ where: { conversationId, tenantId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      this.db.llmRequest.groupBy({ by: ['messageId'], where: { conversationId, tenantId }, _sum: { costUsd: true }, _count: { _all: true } }),
    ]);
    const costByMessage = new Map(costs.map((row) => [row.messageId, row._sum.costUsd === null ? null : Number(row._sum.costUsd)]));
    const transcript: TTranscriptMessage[] = messages.map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      status: m.status,
      citations: z.array(ZCitation).catch([]).parse(m.citations),
      toolCalls: z.array(ZToolCallRecord).catch([]).parse(m.toolCalls),
      promptTokens: m.promptTokens,
      completionTokens: m.completionTokens,
      latencyMs: m.latencyMs,
      ttftMs: m.ttftMs,
      provider: m.provider,
      model: m.model,
      costUsd: costByMessage.get(m.id) ?? null,
      error: ZStoredError.nullable().catch(null).parse(m.error),
      feedback: m.feedback,
      replyToId: m.replyToId,
      createdAt: m.createdAt.toISOString(),
    }));
    const priced = costs.filter((row) => row._sum.costUsd !== null);
    const firstUser = messages.find((m) => m.role === 'user');
    return {
      conversation: {
        id: conversation.id,
        sessionId: conversation.sessionKey,
        status: conversation.status,
        visitorId: conversation.visitorId,
        email: conversation.email,
        origin: conversation.origin,
        agentId: conversation.agentId,
        agentName: conversation.agent?.name ?? null,
        messageCount: conversation.messageCount,
        firstMessage: firstUser ? firstUser.content.slice(0, FIRST_MESSAGE_CHARS) : null,
        snippet: null,
        feedback: {
          positive: messages.filter((m) => (m.feedback ?? 0) > 0).length,
          negative: messages.filter((m) => (m.feedback ?? 0) < 0).length,
        },
        createdAt: conversation.createdAt.toISOString(),
        lastActivityAt: conversation.lastActivityAt.toISOString(),
        hostContext: isRecord(conversation.hostContext) ? conversation.hostContext : null,
      },
      messages: transcript,
      totals: {
        promptTokens: transcript.reduce((sum, m) => sum + (m.promptTokens ?? 0), 0),
        completionTokens: transcript.reduce((sum, m) => sum + (m.completionTokens ?? 0), 0),
        costUsd: priced.length ? priced.reduce((sum, row) => sum + Number(row._sum.costUsd), 0) : null,
        llmRequests: costs.reduce((sum, row) => sum + row._count._all, 0),
      },
    };
  }

  /** Exports are recorded in the audit log: they carry visitors' words out of the system. */
  async recordExport(actor: Actor, tenantId: string, detail: TConversationDetail, format: string): Promise<void> {
    await this.audit.record(actor, { tenantId, action: 'conversation.export', target: detail.conversation.id, details: { format, messages: detail.messages.length } });
  }

  /**
   * Deletes the conversation and its messages for good (model-call rows stay for usage, without a link
   * to it), and the answers' resume logs in Redis. The audit entry records the deletion, not the content.
   */
  async remove(actor: Actor, tenantId: string, conversationId: string): Promise<void> {
    const messageIds = await this.db.$transaction(async (tx) => {
      const conversation = await tx.conversation.findFirst({ where: { id: conversationId, tenantId }, select: { id: true, sessionKey: true } });
      if (!conversation) throw new AppError(ErrorCode.NotFound, 'Conversation not found');
      const messages = await tx.message.findMany({ where: { conversationId, tenantId }, select: { id: true } });
      await tx.conversation.delete({ where: { id: conversation.id } });
      await this.audit.record(actor, { tenantId, action: 'conversation.delete', target: conversation.id, details: { sessionId: conversation.sessionKey, messages: messages.length } }, tx);
      return messages.map((m) => m.id);
    });
    for (let i = 0; i < messageIds.length; i += 500) {
      await this.redis.del(...messageIds.slice(i, i + 500).map(turnEventsKey));
    }
  }
}

function feedbackFilter(feedback: NonNullable<ListQuery['feedback']>): Prisma.Sql {
  const rated = (condition: Prisma.Sql) => Prisma.sql`EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND ${condition})`;
  switch (feedback) {
    case 'any':
      return rated(Prisma.sql`m.feedback IS NOT NULL`);
    case 'positive':
      return rated(Prisma.sql`m.feedback > 0`);
    case 'negative':
      return rated(Prisma.sql`m.feedback < 0`);
    case 'none':
      return Prisma.sql`NOT ${rated(Prisma.sql`m.feedback IS NOT NULL`)}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
