import { z } from 'zod';
import { ZChatRequest, ZStreamEvent } from './chat.schema';
import { ZKnowledgeSearchResponse, ZKnowledgeSearchResult } from './retrieval.schema';

/**
 * The `origin` of conversations started in the admin playground (a browser origin is always
 * `scheme://host`, so this never collides with a visitor's): the Conversations page marks them.
 */
export const PLAYGROUND_ORIGIN = 'playground';

/**
 * POST /api/v1/admin/tenants/:tenantId/playground/chat: one visitor turn, answered by the real chat
 * pipeline. `sessionId` continues a playground conversation of this tenant (never a visitor's);
 * omitted, a new one starts. `agentId` omitted: the tenant's default agent.
 */
const chat = ZChatRequest.shape;
export const ZPlaygroundChatRequest = z.strictObject({ message: chat.message, sessionId: chat.sessionId, agentId: chat.agentId, context: chat.context });
export type TPlaygroundChatRequest = z.infer<typeof ZPlaygroundChatRequest>;

/** One message of the prompt, exactly as the model received it. */
export const ZPromptMessage = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
export type TPromptMessage = z.infer<typeof ZPromptMessage>;

/** What retrieval found for the turn: the passages given to the model, in the order they are cited ([1] is rank 1). */
export const ZPlaygroundRetrieval = ZKnowledgeSearchResponse.pick({ mode: true, embeddingModel: true }).extend({
  /** What was searched for: the question, or its rewrite for a follow-up. */
  query: z.string(),
  results: z.array(ZKnowledgeSearchResult),
});
export type TPlaygroundRetrieval = z.infer<typeof ZPlaygroundRetrieval>;

const debugBase = { messageId: z.string() };

/** Sent once the prompt is assembled, before the model is called. */
export const ZPlaygroundPromptEvent = z.object({
  type: z.literal('debug_prompt'),
  ...debugBase,
  /** null: nothing was retrieved (no ready knowledge for this agent, or nothing matched). */
  retrieval: ZPlaygroundRetrieval.nullable(),
  messages: z.array(ZPromptMessage),
  promptTokensEstimate: z.number().int(),
  /** Oldest history turns left out to stay within the history budget. */
  droppedTurns: z.number().int(),
});

/** Sent just before `done`: the figures of the model call that answered (as stored in llm_requests). */
export const ZPlaygroundUsageEvent = z.object({
  type: z.literal('debug_usage'),
  ...debugBase,
  provider: z.string(),
  model: z.string(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  /** null for a knowledge-only answer (no model answered). */
  ttftMs: z.number().nullable(),
  latencyMs: z.number().nullable(),
  /** USD from the model config's prices or the built-in table; null when the model's price is unknown. */
  costUsd: z.number().nullable(),
  knowledgeOnly: z.boolean(),
  /** Models tried first that failed (fallbacks, or every model for a knowledge-only answer). */
  failedAttempts: z.array(z.object({ provider: z.string(), model: z.string(), error: z.string() })),
});

export const ZPlaygroundDebugEvent = z.discriminatedUnion('type', [ZPlaygroundPromptEvent, ZPlaygroundUsageEvent]);
export type TPlaygroundDebugEvent = z.infer<typeof ZPlaygroundDebugEvent>;

/**
 * The playground's SSE events: the public chat stream's (`meta`, `chunk`, `citation`, `tool`, `done`,
 * `error`, with their sequence numbers) plus `debug_prompt` and `debug_usage` (no `id:` line, no seq).
 */
export const ZPlaygroundEvent = z.union([ZStreamEvent, ZPlaygroundDebugEvent]);
export type TPlaygroundEvent = z.infer<typeof ZPlaygroundEvent>;
