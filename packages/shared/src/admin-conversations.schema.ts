import { z } from 'zod';
import { ZCitation, ZMessageRole, ZMessageStatus, ZUuid } from './common.schema';
import { ZErrorCode } from './errors';

export const ZConversationStatus = z.enum(['open', 'handoff', 'closed']);
export type TConversationStatus = z.infer<typeof ZConversationStatus>;

/** `any`: some message was rated; `positive`/`negative`: some message was rated so; `none`: nothing rated. */
export const ZFeedbackFilter = z.enum(['any', 'positive', 'negative', 'none']);
export type TFeedbackFilter = z.infer<typeof ZFeedbackFilter>;

/** Longest full-text query accepted. */
export const CONVERSATION_SEARCH_MAX_CHARS = 200;

/**
 * GET tenants/:tenantId/conversations. Most recently active first; `from`/`to` bound the last activity;
 * `q` searches message text (every word, prefixes match: "refu" finds "refund").
 */
export const ZConversationListQuery = z.strictObject({
  status: ZConversationStatus.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  feedback: ZFeedbackFilter.optional(),
  q: z.string().trim().min(1).max(CONVERSATION_SEARCH_MAX_CHARS).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
/** What a client sends (the query string's `limit` is coerced from text on the server). */
export type TConversationListQuery = Omit<z.input<typeof ZConversationListQuery>, 'limit'> & { limit?: number };

export const ZConversationSummary = z.object({
  id: z.string(),
  /** The public session id the widget and SDK carry. */
  sessionId: z.string(),
  status: ZConversationStatus,
  visitorId: z.string().nullable(),
  email: z.string().nullable(),
  origin: z.string().nullable(),
  agentId: z.string().nullable(),
  agentName: z.string().nullable(),
  messageCount: z.number().int(),
  /** The visitor's first message, cut to 200 characters. */
  firstMessage: z.string().nullable(),
  /**
   * With `q`: the best matching passage; the matched words are wrapped in U+0002 … U+0003
   * (render them highlighted; the text is never HTML).
   */
  snippet: z.string().nullable(),
  feedback: z.object({ positive: z.number().int(), negative: z.number().int() }),
  createdAt: z.string(),
  lastActivityAt: z.string(),
});
export type TConversationSummary = z.infer<typeof ZConversationSummary>;

/** Marks around matched words in `snippet`. */
export const SNIPPET_MATCH_START = '\u0002';
export const SNIPPET_MATCH_END = '\u0003';

export const ZConversationPage = z.object({ items: z.array(ZConversationSummary), nextCursor: z.string().nullable() });
export type TConversationPage = z.infer<typeof ZConversationPage>;

/** A tool the model called while answering, as recorded with the message. */
export const ZToolCallRecord = z.looseObject({
  name: z.string(),
  id: z.string().optional(),
  arguments: z.unknown().optional(),
  result: z.unknown().optional(),
  status: z.string().optional(),
  durationMs: z.number().optional(),
});
export type TToolCallRecord = z.infer<typeof ZToolCallRecord>;

export const ZTranscriptMessage = z.object({
  id: z.string(),
  role: ZMessageRole,
  content: z.string(),
  status: ZMessageStatus,
  citations: z.array(ZCitation),
  toolCalls: z.array(ZToolCallRecord),
  promptTokens: z.number().int().nullable(),
  completionTokens: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  ttftMs: z.number().int().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  /** Sum over the model calls made for this message (fallback attempts included); null when unpriced. */
  costUsd: z.number().nullable(),
  error: z.object({ code: ZErrorCode.or(z.string()), message: z.string() }).nullable(),
  /** Visitor rating: positive is good, negative is bad. */
  feedback: z.number().int().nullable(),
  replyToId: z.string().nullable(),
  createdAt: z.string(),
});
export type TTranscriptMessage = z.infer<typeof ZTranscriptMessage>;

export const ZConversationDetail = z.object({
  conversation: ZConversationSummary.extend({ hostContext: z.record(z.string(), z.unknown()).nullable() }),
  messages: z.array(ZTranscriptMessage),
  totals: z.object({
    promptTokens: z.number().int(),
    completionTokens: z.number().int(),
    costUsd: z.number().nullable(),
    llmRequests: z.number().int(),
  }),
});
export type TConversationDetail = z.infer<typeof ZConversationDetail>;

export const ZConversationExportFormat = z.enum(['json', 'csv']);
export type TConversationExportFormat = z.infer<typeof ZConversationExportFormat>;
export const ZConversationExportQuery = z.strictObject({ format: ZConversationExportFormat.default('json') });

export const ZConversationParams = z.object({ tenantId: ZUuid, conversationId: ZUuid });
