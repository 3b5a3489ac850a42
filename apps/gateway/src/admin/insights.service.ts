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

/** A GROUPING SETS row: per tenant (day null) or per day (tenant_id null). */
interface GroupRow {
  tenant_id: string | null;
  day: string | null;
  n?: unknown;
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  cost_usd?: unknown;
  errors?: unknown;
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
    const { from, to, tz } = rangeOf(query);
    // One pass over each table gives both the days and the tenants (GROUPING SETS), all in parallel.
    const byDayAndTenant = (table: Prisma.Sql, measures: Prisma.Sql) => this.db.$queryRaw<GroupRow[]>`
      SELECT tenant_id, to_char(day, 'YYYY-MM-DD') AS day, ${measures}
      FROM (
        SELECT r.*, (r.created_at AT TIME ZONE ${tz})::date AS day FROM ${table} r
        WHERE r.tenant_id = ANY(${tenantIds}::uuid[]) AND r.created_at >= ${from} AND r.created_at < ${to}
      ) rows
      GROUP BY GROUPING SETS ((tenant_id), (day))`;
    const [days, conversations, messages, requests, tenants] = await Promise.all([
      this.db.$queryRaw<{ day: string }[]>`
        SELECT to_char(d, 'YYYY-MM-DD') AS day
        FROM generate_series((${from}::timestamptz AT TIME ZONE ${tz})::date,
                             ((${to}::timestamptz - interval '1 millisecond') AT TIME ZONE ${tz})::date,
                             interval '1 day') AS d`,
      byDayAndTenant(Prisma.sql`conversations`, Prisma.sql`count(*) AS n`),
      byDayAndTenant(Prisma.sql`messages`, Prisma.sql`count(*) AS n`),
      byDayAndTenant(
        Prisma.sql`llm_requests`,
        Prisma.sql`sum(prompt_tokens) AS prompt_tokens, sum(completion_tokens) AS completion_tokens, sum(cost_usd)::float8 AS cost_usd,
                   count(*) AS n, count(*) FILTER (WHERE status = 'error') AS errors`,
      ),
      this.db.$queryRaw<{ id: string; name: string; status: 'active' | 'suspended'; active: unknown }[]>`
        SELECT t.id, t.name, t.status,
               (SELECT count(*) FROM conversations c
                 WHERE c.tenant_id = t.id AND c.status <> 'closed'
                   AND c.last_activity_at > now() - make_interval(mins => ${ACTIVE_WINDOW_MINUTES})) AS active
        FROM tenants t WHERE t.id = ANY(${tenantIds}::uuid[])`,
    ]);
    const perDay = new Map(days.map(({ day }) => [day, { date: day, conversations: 0, messages: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 }]));
    const perTenant = new Map<string, TTenantStats>(
      tenants.map((t) => [
        t.id,
        { tenantId: t.id, name: t.name, status: t.status, conversations: 0, messages: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, llmRequests: 0, llmErrors: 0, activeConversations: num(t.active) },
      ]),
    );
    const add = (rows: GroupRow[], apply: (target: TStatsPoint | TTenantStats, row: GroupRow) => void) => {
      for (const row of rows) {
        const target = row.tenant_id ? perTenant.get(row.tenant_id) : row.day ? perDay.get(row.day) : undefined;
        if (target) apply(target, row);
      }
    };
    add(conversations, (target, row) => (target.conversations += num(row.n)));
    add(messages, (target, row) => (target.messages += num(row.n)));
    add(requests, (target, row) => {
      target.promptTokens += num(row.prompt_tokens);
      target.completionTokens += num(row.completion_tokens);
      target.costUsd += num(row.cost_usd);
      if ('llmRequests' in target) {
        target.llmRequests += num(row.n);
        target.llmErrors += num(row.errors);
      }
    });
    const tenantRows = [...perTenant.values()].sort((a, b) => b.messages - a.messages || a.name.localeCompare(b.name));
    const totals = { conversations: 0, messages: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, llmRequests: 0, llmErrors: 0 };
    for (const tenant of tenantRows) {
      for (const field of Object.keys(totals) as (keyof typeof totals)[]) totals[field] += tenant[field];
    }
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      tz,
      series: [...perDay.values()],
      totals,
      activeConversations: tenantRows.reduce((sum, tenant) => sum + tenant.activeConversations, 0),
      activeWindowMinutes: ACTIVE_WINDOW_MINUTES,
      tenants: tenantRows,
    };
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
