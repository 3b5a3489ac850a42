import type { AssembledPrompt, ChatStreamEvent, LlmError } from '@babble-buddy/ai';
import type { TPlaygroundDebugEvent } from '@babble-buddy/shared';
import { describeLlmError, type TurnDebugSink } from '../chat/chat.service';
import { embeddedWith, searchResults } from '../retrieval/knowledge-search.service';
import { KNOWLEDGE_ONLY_MODEL, KNOWLEDGE_ONLY_PROVIDER, type TurnKnowledge } from '../retrieval/turn-knowledge';

type DebugWriter = (event: TPlaygroundDebugEvent) => void;

/**
 * A playground turn's debug events. The pipeline may report the prompt before the caller has opened
 * its stream (the turn starts in the background): events wait until `attach`, then go out at once.
 */
export class PlaygroundDebug implements TurnDebugSink {
  private pending: TPlaygroundDebugEvent[] = [];
  private write: DebugWriter | null = null;
  private messageId = '';

  attach(messageId: string, write: DebugWriter): void {
    this.messageId = messageId;
    this.write = write;
    for (const event of this.pending) write({ ...event, messageId });
    this.pending = [];
  }

  prompt(knowledge: TurnKnowledge | null, prompt: AssembledPrompt): void {
    const { result, embeddingModel } = knowledge?.search ?? { result: null, embeddingModel: null };
    this.send({
      type: 'debug_prompt',
      messageId: this.messageId,
      retrieval:
        knowledge && result
          ? {
              query: knowledge.query,
              mode: result.mode,
              embeddingModel: embeddedWith(result, embeddingModel),
              results: searchResults(result.hits),
            }
          : null,
      messages: prompt.messages.map(({ role, content }) => ({ role, content })),
      promptTokensEstimate: Math.round(prompt.promptTokensEstimate),
      droppedTurns: prompt.droppedTurns,
    });
  }

  answered(done: Extract<ChatStreamEvent, { type: 'done' }> | null, failed: readonly LlmError[]): void {
    const failedAttempts = failed.map((error) => ({ provider: error.provider, model: error.model, error: describeLlmError(error) }));
    this.send(
      done
        ? {
            type: 'debug_usage',
            messageId: this.messageId,
            provider: done.provider,
            model: done.model,
            promptTokens: done.usage.promptTokens,
            completionTokens: done.usage.completionTokens,
            ttftMs: Math.round(done.ttftMs),
            latencyMs: Math.round(done.latencyMs),
            // Rounded as llm_requests stores it, so the Conversations page shows the same figure.
            costUsd: done.costUsd === null ? null : Number(done.costUsd.toFixed(6)),
            knowledgeOnly: false,
            failedAttempts,
          }
        : {
            type: 'debug_usage',
            messageId: this.messageId,
            provider: KNOWLEDGE_ONLY_PROVIDER,
            model: KNOWLEDGE_ONLY_MODEL,
            promptTokens: 0,
            completionTokens: 0,
            ttftMs: null,
            latencyMs: null,
            costUsd: 0,
            knowledgeOnly: true,
            failedAttempts,
          },
    );
  }

  private send(event: TPlaygroundDebugEvent): void {
    if (this.write) this.write(event);
    else this.pending.push(event);
  }
}
