import { join } from 'node:path';
import { requireBuilt, requireFrom, ROOT } from './workspace.mjs';

/** The gateway's default DATABASE_POOL_SIZE. */
export const GATEWAY_POOL_SIZE = 20;

/**
 * The gateway's own turn writes — its built ConversationsService — on a pool like the gateway's, for
 * benches that make those writes without the gateway around them.
 */
export async function openTurnWrites(databaseUrl, { tenantId, agentId, model, poolSize = GATEWAY_POOL_SIZE }) {
  requireFrom(join(ROOT, 'apps/gateway'), 'reflect-metadata'); // the service's Nest decorators need it
  const { createDbClient } = requireBuilt('packages/db/dist/index.js', '@babble-buddy/db');
  const { ConversationsService } = requireBuilt('apps/gateway/dist/chat/conversations.service.js', '@babble-buddy/gateway');
  const db = createDbClient(databaseUrl, { poolSize, keepOpen: true });
  await db.$connect(); // a client never connected ignores $disconnect, and its pool would outlive the database
  const conversations = new ConversationsService(db);
  return {
    /** The user's message and the answer's placeholder, committed, as the gateway stores them before the model is called. */
    store: (sessionKey, content) => conversations.storeTurn(tenantId, sessionKey, { content, origin: null, agentId }),
    /**
     * The answer's text and figures, the conversation's counters and one llm_requests row, as the gateway
     * finishes a turn: complete, or failed with `error` ({ code, message }).
     */
    finish: (stored, { content, error = null, usage, latencyMs, ttftMs }) => {
      const figures = { ...usage, latencyMs, ttftMs };
      return conversations.finishTurn({
        tenantId,
        conversationId: stored.conversation.id,
        messageId: stored.assistantMessageId,
        content,
        status: error ? 'failed' : 'complete',
        provider: 'ollama',
        model,
        citations: [],
        error,
        ...figures,
        requests: [{ provider: 'ollama', model, status: error ? 'error' : 'ok', costUsd: null, error: error?.message ?? null, ...figures }],
      });
    },
    close: () => db.$disconnect(),
  };
}
