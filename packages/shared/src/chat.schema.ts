import { z } from 'zod';
import { ZErrorCode } from './errors';
import { ZCitation, ZHostContext, ZMessageRole, ZMessageStatus, ZSessionId, ZUsage, ZUuid } from './common.schema';

export const CHAT_MESSAGE_MAX_CHARS = 8000;

export const ZChatRequest = z.strictObject({
  message: z.string().trim().min(1, 'message is empty').max(CHAT_MESSAGE_MAX_CHARS),
  /** Omit to start a new conversation; the response carries the id to continue it. */
  sessionId: ZSessionId.optional(),
  /** Host-app context for this turn (page, plan, cart…). */
  context: ZHostContext.optional(),
  /** Idempotency key: a retried send with the same id is stored and answered once. */
  clientMessageId: z.string().min(1).max(128).optional(),
  agentId: ZUuid.optional(),
});
export type TChatRequest = z.infer<typeof ZChatRequest>;

export const ZChatResponse = z.object({
  response: z.string(),
  sessionId: z.string(),
  messageId: z.string(),
  userMessageId: z.string(),
  citations: z.array(ZCitation),
  usage: ZUsage,
  model: z.string(),
  provider: z.string(),
  /**
   * No model was reachable: `response` is the knowledge base's best passages, labelled as search
   * results (provider "knowledge"), not a written answer. Absent on normal answers.
   */
  knowledgeOnly: z.boolean().optional(),
});
export type TChatResponse = z.infer<typeof ZChatResponse>;

/** SSE events of POST /api/v1/chat/stream; `event:` carries the type, `data:` the JSON below. */
const streamBase = { messageId: z.string(), seq: z.number().int().nonnegative() };
export const ZStreamEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('meta'), ...streamBase, sessionId: z.string(), userMessageId: z.string() }),
  z.object({ type: z.literal('chunk'), ...streamBase, text: z.string() }),
  z.object({ type: z.literal('citation'), ...streamBase, citation: ZCitation }),
  z.object({ type: z.literal('tool'), ...streamBase, name: z.string(), status: z.enum(['started', 'finished', 'failed']) }),
  z.object({ type: z.literal('done'), ...streamBase, response: z.string(), usage: ZUsage, model: z.string(), provider: z.string(), ttftMs: z.number().nullable(), knowledgeOnly: z.boolean().optional() }),
  z.object({ type: z.literal('error'), ...streamBase, code: ZErrorCode, message: z.string(), partial: z.string() }),
]);
export type TStreamEvent = z.infer<typeof ZStreamEvent>;
export type TStreamEventType = TStreamEvent['type'];

export const ZHistoryMessage = z.object({
  id: z.string(),
  role: ZMessageRole,
  content: z.string(),
  status: ZMessageStatus,
  citations: z.array(ZCitation),
  /** A knowledge-only answer (search results given while no model was reachable). */
  knowledgeOnly: z.boolean().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type THistoryMessage = z.infer<typeof ZHistoryMessage>;

export const ZHistoryResponse = z.object({
  sessionId: z.string(),
  status: z.enum(['open', 'handoff', 'closed']),
  messages: z.array(ZHistoryMessage),
});
export type THistoryResponse = z.infer<typeof ZHistoryResponse>;

export const ZHistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
