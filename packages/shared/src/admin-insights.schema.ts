import { z } from 'zod';
import { ZUuid } from './common.schema';
import { ZTenantStatus } from './admin.schema';

/** An IANA time zone ("Europe/Paris", "UTC"): days in series and usage are counted in it. */
export const ZTimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Paris or UTC');

/** Longest range a dashboard or usage query may span. */
export const INSIGHTS_MAX_DAYS = 366;

/**
 * Query of GET /api/v1/admin/stats and /usage. Without tenantId: every tenant the caller may see
 * (all of them for platform owners). Default range: the last 30 days up to now.
 */
export const ZInsightsQuery = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    tz: ZTimeZone.default('UTC'),
    tenantId: ZUuid.optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: 'from must be before to', path: ['from'] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= INSIGHTS_MAX_DAYS * 86_400_000, {
    message: `at most ${INSIGHTS_MAX_DAYS} days`,
    path: ['to'],
  });
export type TInsightsQuery = z.input<typeof ZInsightsQuery>;

/** One day (in the query's time zone) of activity. */
export const ZStatsPoint = z.object({
  /** YYYY-MM-DD */
  date: z.string(),
  conversations: z.number().int(),
  messages: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** USD, for model calls with a known price. */
  costUsd: z.number(),
});
export type TStatsPoint = z.infer<typeof ZStatsPoint>;

export const ZStatsTotals = ZStatsPoint.omit({ date: true }).extend({
  llmRequests: z.number().int(),
  llmErrors: z.number().int(),
});
export type TStatsTotals = z.infer<typeof ZStatsTotals>;

export const ZTenantStats = ZStatsTotals.extend({
  tenantId: z.string(),
  name: z.string(),
  status: ZTenantStatus,
  activeConversations: z.number().int(),
});
export type TTenantStats = z.infer<typeof ZTenantStats>;

export const ZStatsResponse = z.object({
  from: z.string(),
  to: z.string(),
  tz: z.string(),
  /** Every day of the range, zeros included. */
  series: z.array(ZStatsPoint),
  totals: ZStatsTotals,
  /** Conversations not closed with activity in the last `activeWindowMinutes`. */
  activeConversations: z.number().int(),
  activeWindowMinutes: z.number().int(),
  /** One row per tenant in scope, busiest first. */
  tenants: z.array(ZTenantStats),
});
export type TStatsResponse = z.infer<typeof ZStatsResponse>;

/** Model calls of one tenant, provider and model on one day. */
export const ZUsageRow = z.object({
  date: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  provider: z.string(),
  model: z.string(),
  requests: z.number().int(),
  errors: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** Null when no call of the group has a known price. */
  costUsd: z.number().nullable(),
  avgLatencyMs: z.number().nullable(),
  avgTtftMs: z.number().nullable(),
});
export type TUsageRow = z.infer<typeof ZUsageRow>;

export const ZUsageResponse = z.object({ from: z.string(), to: z.string(), tz: z.string(), rows: z.array(ZUsageRow) });
export type TUsageResponse = z.infer<typeof ZUsageResponse>;

/** GET /api/v1/admin/audit: newest first, `before` is the previous page's `nextCursor`. */
export const ZAuditQuery = z.strictObject({
  tenantId: ZUuid.optional(),
  /** An exact action (`key.create`) or a family (`key.`). */
  action: z
    .string()
    .max(64)
    .regex(/^[a-z][a-z0-9_.-]*$/, 'an action such as key.create, or a family such as key.')
    .optional(),
  before: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TAuditQuery = Omit<z.input<typeof ZAuditQuery>, 'limit'> & { limit?: number };

export const ZAuditEntry = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  tenantName: z.string().nullable(),
  actorId: z.string().nullable(),
  /** Null for CLI operators and for accounts deleted since. */
  actorEmail: z.string().nullable(),
  channel: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

export const ZAuditPage = z.object({ entries: z.array(ZAuditEntry), nextCursor: z.string().nullable() });
export type TAuditPage = z.infer<typeof ZAuditPage>;
