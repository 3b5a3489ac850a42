import { Inject, Injectable } from '@nestjs/common';
import { Prisma, type DbClient } from '@babble-buddy/db';
import {
  ErrorCode,
  ZAuditQuery,
  ZInsightsQuery,
  type TAuditPage,
  type TStatsPoint,
  type TStatsResponse,
  type TTenantStats,
  type TUsageResponse,
} from '@babble-buddy/shared';
import type { z } from 'zod';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { tenantsInScope } from './tenant-scope';

/** A conversation counts as active when it is not closed and had activity this recently. */
export const ACTIVE_WINDOW_MINUTES = 5;
const DEFAULT_RANGE_DAYS = 30;

type InsightsQuery = z.output<typeof ZInsightsQuery>;
type AuditQuery = z.output<typeof ZAuditQuery>;

interface Range {
  from: Date;
  to: Date;
  tz: string;
}

/** Postgres sums come back as bigint (or numeric as text); the dashboard's numbers fit a double. */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function rangeOf(query: InsightsQuery): Range {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * 86_400_000);
  return { from, to, tz: query.tz };
}

interface SeriesRow {
  date: string;
  conversations: unknown;
  messages: unknown;
  prompt_tokens: unknown;
  completion_tokens: unknown;
  cost_usd: unknown;
  requests: unknown;
  errors: unknown;
}

interface TenantRow {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  conversations: unknown;
  messages: unknown;
  prompt_tokens: unknown;
  completion_tokens: unknown;
  cost_usd: unknown;
  requests: unknown;
  errors: unknown;
  active: unknown;
}

interface UsageRow {
  date: string;
  tenant_id: string;
  tenant_name: string;
  provider: string;
  model: string;
  requests: unknown;
  errors: unknown;
  prompt_tokens: unknown;
  completion_tokens: unknown;
  cost_usd: unknown;
  avg_latency_ms: unknown;
  avg_ttft_ms: unknown;
}

/**
 * Dashboard, usage and audit queries. Each aggregates in Postgres over the (tenant_id, created_at)
 * indexes of conversations, messages and llm_requests, for the tenants the caller may see.
 */
@Injectable()
export class InsightsService {
  constructor(@Inject(DB) private readonly db: DbClient) {}

  async stats(actor: Actor, query: InsightsQuery): Promise<TStatsResponse> {
    const tenantIds = await tenantsInScope(this.db, actor, query.tenantId, 'viewer');
    const range = rangeOf(query);
    const [series, tenants] = await Promise.all([this.series(tenantIds, range), this.perTenant(tenantIds, range)]);
    const totals = { conversations: 0, messages: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, llmRequests: 0, llmErrors: 0 };
    for (const tenant of tenants) {
      for (const field of Object.keys(totals) as (keyof typeof totals)[]) totals[field] += tenant[field];
    }
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      tz: range.tz,
      series,
      totals,
      activeConversations: tenants.reduce((sum, tenant) => sum + tenant.activeConversations, 0),
      activeWindowMinutes: ACTIVE_WINDOW_MINUTES,
      tenants,
    };
  }

  /** Every day of the range in the query's time zone, with zeros for quiet days. */
  private async series(tenantIds: string[], { from, to, tz }: Range): Promise<TStatsPoint[]> {
    const rows = await this.db.$queryRaw<SeriesRow[]>`
      WITH days AS (
        SELECT d::date AS day
        FROM generate_series((${from}::timestamptz AT TIME ZONE ${tz})::date,
                             ((${to}::timestamptz - interval '1 millisecond') AT TIME ZONE ${tz})::date,
                             interval '1 day') AS d
      ), conv AS (
        SELECT (created_at AT TIME ZONE ${tz})::date AS day, count(*) AS n
        FROM conversations
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1
      ), msg AS (
        SELECT (created_at AT TIME ZONE ${tz})::date AS day, count(*) AS n
        FROM messages
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1
      ), req AS (
        SELECT (created_at AT TIME ZONE ${tz})::date AS day,
               sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
               sum(cost_usd)::float8 AS cost_usd, count(*) AS requests, count(*) FILTER (WHERE status = 'error') AS errors
        FROM llm_requests
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1
      )
      SELECT to_char(days.day, 'YYYY-MM-DD') AS date, conv.n AS conversations, msg.n AS messages,
             req.prompt_tokens, req.completion_tokens, req.cost_usd, req.requests, req.errors
      FROM days
      LEFT JOIN conv ON conv.day = days.day
      LEFT JOIN msg ON msg.day = days.day
      LEFT JOIN req ON req.day = days.day
      ORDER BY days.day`;
    return rows.map((row) => ({
      date: row.date,
      conversations: num(row.conversations),
      messages: num(row.messages),
      promptTokens: num(row.prompt_tokens),
      completionTokens: num(row.completion_tokens),
      costUsd: num(row.cost_usd),
    }));
  }

  private async perTenant(tenantIds: string[], { from, to }: Range): Promise<TTenantStats[]> {
    const rows = await this.db.$queryRaw<TenantRow[]>`
      SELECT t.id, t.name, t.status, c.n AS conversations, m.n AS messages, r.prompt_tokens, r.completion_tokens,
             r.cost_usd, r.requests, r.errors, a.n AS active
      FROM tenants t
      LEFT JOIN (
        SELECT tenant_id, count(*) AS n FROM conversations
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1
      ) c ON c.tenant_id = t.id
      LEFT JOIN (
        SELECT tenant_id, count(*) AS n FROM messages
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1
      ) m ON m.tenant_id = t.id
      LEFT JOIN (
        SELECT tenant_id, sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens,
               sum(cost_usd)::float8 AS cost_usd, count(*) AS requests, count(*) FILTER (WHERE status = 'error') AS errors
        FROM llm_requests
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND created_at >= ${from} AND created_at < ${to}
        GROUP BY 1
      ) r ON r.tenant_id = t.id
      LEFT JOIN (
        SELECT tenant_id, count(*) AS n FROM conversations
        WHERE tenant_id = ANY(${tenantIds}::uuid[]) AND status <> 'closed'
          AND last_activity_at > now() - make_interval(mins => ${ACTIVE_WINDOW_MINUTES})
        GROUP BY 1
      ) a ON a.tenant_id = t.id
      WHERE t.id = ANY(${tenantIds}::uuid[])
      ORDER BY coalesce(m.n, 0) DESC, t.name`;
    return rows.map((row) => ({
      tenantId: row.id,
      name: row.name,
      status: row.status,
      conversations: num(row.conversations),
      messages: num(row.messages),
      promptTokens: num(row.prompt_tokens),
      completionTokens: num(row.completion_tokens),
      costUsd: num(row.cost_usd),
      llmRequests: num(row.requests),
      llmErrors: num(row.errors),
      activeConversations: num(row.active),
    }));
  }

  /** Model calls per day (in the query's time zone), tenant, provider and model; newest day first. */
  async usage(actor: Actor, query: InsightsQuery): Promise<TUsageResponse> {
    const tenantIds = await tenantsInScope(this.db, actor, query.tenantId, 'viewer');
    const { from, to, tz } = rangeOf(query);
    const rows = await this.db.$queryRaw<UsageRow[]>`
      SELECT to_char((r.created_at AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS date, r.tenant_id, t.name AS tenant_name,
             r.provider, r.model, count(*) AS requests, count(*) FILTER (WHERE r.status = 'error') AS errors,
             sum(r.prompt_tokens) AS prompt_tokens, sum(r.completion_tokens) AS completion_tokens,
             sum(r.cost_usd)::float8 AS cost_usd, avg(r.latency_ms)::float8 AS avg_latency_ms, avg(r.ttft_ms)::float8 AS avg_ttft_ms
      FROM llm_requests r JOIN tenants t ON t.id = r.tenant_id
      WHERE r.tenant_id = ANY(${tenantIds}::uuid[]) AND r.created_at >= ${from} AND r.created_at < ${to}
      GROUP BY 1, 2, 3, 4, 5
      ORDER BY 1 DESC, t.name, r.provider, r.model`;
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      tz,
      rows: rows.map((row) => ({
        date: row.date,
        tenantId: row.tenant_id,
        tenantName: row.tenant_name,
        provider: row.provider,
        model: row.model,
        requests: num(row.requests),
        errors: num(row.errors),
        promptTokens: num(row.prompt_tokens),
        completionTokens: num(row.completion_tokens),
        costUsd: numOrNull(row.cost_usd),
        avgLatencyMs: row.avg_latency_ms === null ? null : Math.round(num(row.avg_latency_ms)),
        avgTtftMs: row.avg_ttft_ms === null ? null : Math.round(num(row.avg_ttft_ms)),
      })),
    };
  }

  /**
   * Admin actions, newest first. Admins and owners see their tenants' entries; platform owners also
   * see platform-level ones (tenant deletions, accounts) when they do not filter by tenant.
   */
  async audit(actor: Actor, query: AuditQuery): Promise<TAuditPage> {
    const tenantIds = await tenantsInScope(this.db, actor, query.tenantId, 'admin');
    if (!actor.isPlatformOwner && tenantIds.length === 0) throw new AppError(ErrorCode.Forbidden, 'The audit log needs the admin role or higher');
    const scope: Prisma.AuditLogWhereInput =
      actor.isPlatformOwner && !query.tenantId ? { OR: [{ tenantId: { in: tenantIds } }, { tenantId: null }] } : { tenantId: { in: tenantIds } };
    const action: Prisma.AuditLogWhereInput = query.action ? (query.action.endsWith('.') ? { action: { startsWith: query.action } } : { action: query.action }) : {};
    const cursor = query.before ? decodeCursor(query.before) : null;
    const before: Prisma.AuditLogWhereInput = cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : {};
    const rows = await this.db.auditLog.findMany({
      where: { AND: [scope, action, before] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
      include: { actor: { select: { email: true } }, tenant: { select: { name: true } } },
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      entries: page.map((row) => ({
        id: row.id,
        tenantId: row.tenantId,
        tenantName: row.tenant?.name ?? null,
        actorId: row.actorId,
        actorEmail: row.actor?.email ?? null,
        channel: row.channel,
        action: row.action,
        target: row.target,
        details: (row.details && typeof row.details === 'object' && !Array.isArray(row.details) ? row.details : {}) as Record<string, unknown>,
        createdAt: row.createdAt.toISOString(),
      })),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}

/** Keyset cursors: the last row's time and id, opaque to clients. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    const date = typeof at === 'string' ? new Date(at) : new Date(NaN);
    if (Number.isNaN(date.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad cursor');
    return { at: date, id };
  } catch {
    throw new AppError(ErrorCode.ValidationFailed, 'Invalid query: cursor: not one this API returned', { issues: [{ path: 'cursor', message: 'not one this API returned' }] });
  }
}
