import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  assemblePrompt,
  LlmAbortedError,
  LlmStreamError,
  LlmUnavailableError,
  streamChat,
  type AssembledPrompt,
  type ChatStreamEvent,
  type ChatTurn,
  type LlmError,
  type ProviderConfig,
} from '@babble-buddy/ai';
import type { DbClient } from '@babble-buddy/db';
import { ErrorCode, type TChatRequest, type TChatResponse, type TStreamEvent } from '@babble-buddy/shared';
import type { Logger } from 'pino';
import type { ChatPrincipal } from '../auth/principal';
import { AppError } from '../common/app-error';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { TenantCache } from '../infra/tenant-cache';
import { DB, LOGGER } from '../infra/tokens';
import { RateLimitService, type RateBucket } from '../rate-limit/rate-limit.service';
import type { KnowledgeState } from '../retrieval/knowledge-state.service';
import { RetrievalService } from '../retrieval/retrieval.service';
import { KNOWLEDGE_ONLY_MODEL, KNOWLEDGE_ONLY_PROVIDER, type TurnKnowledge } from '../retrieval/turn-knowledge';
import { ConversationsService, sessionNotFound, type FinishedRequest, type TurnConversation } from './conversations.service';
import { ProvidersService } from './providers.service';
import type { TurnStream } from './turn-stream';
import { TurnsService } from './turns.service';

/** The longest an answer may take before it is cut off and stored as failed. */
const MAX_GENERATION_MS = 5 * 60_000;

export interface TurnCaller {
  principal: ChatPrincipal;
  ip: string | undefined;
  origin: string | undefined;
}

export interface TurnOptions {
  /** OpenAI-compatible callers bring their own history instead of the stored one. */
  history?: ChatTurn[];
  /** Extra system text from the caller, after the agent's prompt. */
  extraSystem?: string;
  temperature?: number;
  maxTokens?: number;
  /** The admin playground's view into the turn; absent on every other turn, which then does nothing extra. */
  debug?: TurnDebugSink;
}

/** Told what a turn was built from and what it cost (the admin playground's debug panel). */
export interface TurnDebugSink {
  /** Once the prompt is assembled, before any model is called: what retrieval found (null: nothing) and the prompt as sent. */
  prompt(knowledge: TurnKnowledge | null, prompt: AssembledPrompt): void;
  /**
   * Just before `done`: the model call that answered (null for a knowledge-only answer) and the
   * attempts that failed before it.
   */
  answered(done: Extract<ChatStreamEvent, { type: 'done' }> | null, failed: readonly LlmError[]): void;
}

export interface StartedTurn {
  sessionId: string;
  userMessageId: string;
  messageId: string;
  duplicate: boolean;
}

interface TurnAgent {
  id: string;
  systemPrompt: string;
}

/** The chat pipeline (SPEC "Chat pipeline"): authenticate → persist → assemble → stream → persist. */
@Injectable()
export class ChatService {
  /** Agents by `tenant:id` or `tenant:default`, dropped when Postgres notifies a change (TenantCache). */
  private readonly agents;

  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly rateLimit: RateLimitService,
    private readonly conversations: ConversationsService,
    private readonly providers: ProvidersService,
    private readonly turns: TurnsService,
    private readonly retrieval: RetrievalService,
    cache: TenantCache,
  ) {
    this.agents = cache.store<TurnAgent | null>();
  }

  /**
   * Stores the user's message and starts the answer in the background (it runs to its end even if
   * the caller goes away, so a reconnecting client can resume). Returns once the message is stored.
   */
  async start(caller: TurnCaller, request: TChatRequest, options: TurnOptions = {}): Promise<StartedTurn> {
    const { principal } = caller;
    if (principal.kind === 'widget' && request.sessionId && request.sessionId !== principal.sessionId) throw sessionNotFound();
    const sessionId = principal.kind === 'widget' ? principal.sessionId : (request.sessionId ?? randomUUID());
    // Whether the tenant has knowledge (cached per process, invalidated by Postgres) is looked up alongside.
    const knowledgeState = this.retrieval.stateFor(principal.tenantId);
    // Reads that do not depend on each other run together; nothing is written before the rate limit passes.
    const [, agent, providers] = await Promise.all([
      this.rateLimit.consume(this.buckets(caller, sessionId, sessionId !== request.sessionId && principal.kind !== 'widget')),
      this.agentFor(principal.tenantId, request.agentId),
      this.providers.forTenant(principal.tenantId, {
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      }),
    ]);
    const stored = await this.conversations.storeTurn(principal.tenantId, sessionId, {
      content: request.message,
      origin: caller.origin ?? null,
      agentId: agent?.id ?? null,
      ...(request.clientMessageId ? { clientMessageId: request.clientMessageId } : {}),
      ...(request.context ? { context: request.context } : {}),
    });
    const started: StartedTurn = {
      sessionId: stored.conversation.sessionKey,
      userMessageId: stored.userMessageId,
      messageId: stored.assistantMessageId,
      duplicate: stored.duplicate,
    };
    if (stored.duplicate) return started;

    const turn = this.turns.open(started.messageId, started.sessionId, principal.tenantId);
    turn.emit({ type: 'meta', sessionId: started.sessionId, userMessageId: started.userMessageId });
    void this.generate(turn, stored.conversation, providers, {
      userMessage: request.message,
      userMessageId: started.userMessageId,
      agentId: agent?.id ?? null,
      knowledgeState,
      systemPrompt: agent?.systemPrompt ?? null,
      options,
    }).catch((error: unknown) => this.logger.error({ err: error, messageId: started.messageId }, 'answer pipeline failed'));
    return started;
  }

  /** Starts a turn and waits for the whole answer (REST and non-streaming OpenAI calls). */
  async complete(caller: TurnCaller, request: TChatRequest, options: TurnOptions = {}): Promise<TChatResponse> {
    const started = await this.start(caller, request, options);
    const result: { done?: Extract<TStreamEvent, { type: 'done' }>; error?: Extract<TStreamEvent, { type: 'error' }>; citations: TChatResponse['citations'] } = { citations: [] };
    await this.turns.follow({ tenantId: caller.principal.tenantId }, started.messageId, 0, (event) => {
      if (event.type === 'done') result.done = event;
      else if (event.type === 'error') result.error = event;
      else if (event.type === 'citation') result.citations.push(event.citation);
    });
    if (!result.done) {
      const error = result.error;
      throw new AppError(error?.code ?? ErrorCode.ModelStreamFailed, error?.message ?? 'The answer failed', {
        sessionId: started.sessionId,
        userMessageId: started.userMessageId,
        messageId: started.messageId,
        partial: error?.partial ?? '',
      });
    }
    return {
      response: result.done.response,
      sessionId: started.sessionId,
      messageId: started.messageId,
      userMessageId: started.userMessageId,
      citations: result.citations,
      usage: result.done.usage,
      model: result.done.model,
      provider: result.done.provider,
      ...(result.done.knowledgeOnly ? { knowledgeOnly: true } : {}),
    };
  }

  /** `newSession`: the session id was generated for this request, so its bucket starts now. */
  private buckets(caller: TurnCaller, sessionId: string, newSession: boolean): RateBucket[] {
    const { principal } = caller;
    const buckets: RateBucket[] = [{ name: `key:${principal.keyId}`, limit: principal.rateLimitPerMinute ?? this.config.RATE_LIMIT_KEY_PER_MINUTE }];
    buckets.push({ name: `session:${principal.tenantId}:${sessionId}`, limit: this.config.RATE_LIMIT_SESSION_PER_MINUTE, ...(newSession ? { fresh: true } : {}) });
    // Servers with secret keys call from one address for all their users; browsers are limited per address.
    if (principal.kind === 'widget' && caller.ip) buckets.push({ name: `ip:${caller.ip}`, limit: this.config.RATE_LIMIT_IP_PER_MINUTE });
    return buckets;
  }

  /** The agent the turn speaks as: the requested one (404 when not the tenant's), else the default, else none. */
  private async agentFor(tenantId: string, agentId: string | undefined): Promise<TurnAgent | null> {
    const agent = await this.agents.get(`${tenantId}:${agentId ?? 'default'}`, async () => {
      const row = await this.db.agent.findFirst({
        where: agentId ? { id: agentId, tenantId } : { tenantId, isDefault: true },
        select: { id: true, systemPrompt: true },
      });
      return { tenantId, value: row };
    });
    if (agentId && !agent) throw new AppError(ErrorCode.NotFound, 'No such agent for this tenant');
    return agent ?? null;
  }

  private async generate(
    turn: TurnStream,
    conversation: TurnConversation,
    providers: ProviderConfig[],
    input: {
      userMessage: string;
      userMessageId: string;
      agentId: string | null;
      knowledgeState: Promise<KnowledgeState>;
      systemPrompt: string | null;
      options: TurnOptions;
    },
  ): Promise<void> {
    const messageId = turn.messageId;
    const tenantId = conversation.tenantId;
    let text = '';
    let knowledge: TurnKnowledge | null = null;
    try {
      const history = input.options.history ?? (await this.conversations.promptHistory(conversation, input.userMessageId));
      knowledge = await this.retrieval.forTurn({ tenantId, state: input.knowledgeState, agentId: input.agentId, question: input.userMessage, history, providers });
      const systemPrompt = [input.systemPrompt, input.options.extraSystem].filter(Boolean).join('\n\n') || null;
      const prompt = assemblePrompt({
        systemPrompt,
        ...(knowledge ? { passages: knowledge.passages } : {}),
        history,
        hostContext: conversation.hostContext,
        userMessage: input.userMessage,
        historyTokenBudget: this.config.HISTORY_TOKEN_BUDGET,
      });
      input.options.debug?.prompt(knowledge, prompt);

      const failedAttempts: Extract<ChatStreamEvent, { type: 'attempt_failed' }>[] = [];
      for await (const event of streamChat(providers, prompt.messages, { signal: AbortSignal.timeout(MAX_GENERATION_MS) })) {
        if (event.type === 'token') {
          text += event.text;
          turn.emit({ type: 'chunk', text: event.text });
          for (const citation of knowledge?.onText(text) ?? []) turn.emit({ type: 'citation', citation });
        } else if (event.type === 'attempt_failed') {
          failedAttempts.push(event);
          this.logger.warn({ messageId, provider: event.provider, model: event.model, kind: event.error.kind, willFallback: event.willFallback }, 'model attempt failed');
        } else if (event.type === 'done') {
          const citations = knowledge?.finish(event.text);
          await this.conversations.finishTurn({
            tenantId,
            conversationId: conversation.id,
            messageId,
            content: event.text,
            status: 'complete',
            promptTokens: event.usage.promptTokens,
            completionTokens: event.usage.completionTokens,
            latencyMs: event.latencyMs,
            ttftMs: event.ttftMs,
            provider: event.provider,
            model: event.model,
            citations: citations?.all ?? [],
            requests: [
              ...failedAttempts.map((a) => failedRequest(a.error, a.latencyMs)),
              {
                provider: event.provider,
                model: event.model,
                status: 'ok',
                promptTokens: event.usage.promptTokens,
                completionTokens: event.usage.completionTokens,
                costUsd: event.costUsd === null ? null : Number(event.costUsd.toFixed(6)),
                latencyMs: event.latencyMs,
                ttftMs: event.ttftMs,
              },
            ],
          });
          for (const citation of citations?.fresh ?? []) turn.emit({ type: 'citation', citation });
          input.options.debug?.answered(event, failedAttempts.map((a) => a.error));
          turn.emit({ type: 'done', response: event.text, usage: event.usage, model: event.model, provider: event.provider, ttftMs: Math.round(event.ttftMs) });
        }
      }
    } catch (error) {
      if (knowledge && error instanceof LlmUnavailableError) {
        try {
          return await this.answerFromKnowledge(turn, conversation, knowledge, error, input.options.debug);
        } catch (storeError) {
          this.logger.error({ err: storeError, messageId }, 'storing the knowledge-only answer failed');
        }
      }
      await this.fail(turn, conversation, error, text);
    }
  }

  /**
   * Knowledge-only mode: no model answered, but the knowledge base had passages. The answer is those
   * passages, labelled as search results, with their citations; stored complete, provider "knowledge".
   */
  private async answerFromKnowledge(turn: TurnStream, conversation: TurnConversation, knowledge: TurnKnowledge, error: LlmUnavailableError, debug?: TurnDebugSink): Promise<void> {
    const messageId = turn.messageId;
    const { text, citations } = knowledge.knowledgeOnly();
    await this.conversations.finishTurn({
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      messageId,
      content: text,
      status: 'complete',
      citations,
      provider: KNOWLEDGE_ONLY_PROVIDER,
      model: KNOWLEDGE_ONLY_MODEL,
      promptTokens: 0,
      completionTokens: 0,
      requests: error.attempts.map((attempt) => failedRequest(attempt, 0)),
    });
    this.logger.warn({ messageId, passages: citations.length }, 'no model reachable; answered with knowledge-base search results');
    turn.emit({ type: 'chunk', text });
    for (const citation of citations) turn.emit({ type: 'citation', citation });
    debug?.answered(null, error.attempts);
    turn.emit({ type: 'done', response: text, usage: { promptTokens: 0, completionTokens: 0 }, model: KNOWLEDGE_ONLY_MODEL, provider: KNOWLEDGE_ONLY_PROVIDER, ttftMs: null, knowledgeOnly: true });
  }

  /** A failed answer keeps its partial text, is marked failed, and the caller gets an error event. */
  private async fail(turn: TurnStream, conversation: TurnConversation, error: unknown, relayed: string): Promise<void> {
    const messageId = turn.messageId;
    let code: ErrorCode = ErrorCode.ModelStreamFailed;
    let message = 'The answer failed';
    let partial = relayed;
    const requests: FinishedRequest[] = [];
    if (error instanceof LlmUnavailableError) {
      code = ErrorCode.ModelUnavailable;
      message = 'No AI model is reachable right now; your message was saved';
      for (const attempt of error.attempts) requests.push(failedRequest(attempt, 0));
    } else if (error instanceof LlmStreamError) {
      message = 'The model stopped in the middle of its answer';
      partial = error.partialText;
      requests.push({
        ...failedRequest(error.cause, error.latencyMs),
        promptTokens: error.usage.promptTokens,
        completionTokens: error.usage.completionTokens,
        ttftMs: error.ttftMs,
      });
    } else if (error instanceof LlmAbortedError) {
      message = 'The answer took too long and was stopped';
      partial = error.partialText;
    } else {
      this.logger.error({ err: error, messageId }, 'unexpected failure while answering');
    }
    try {
      await this.conversations.finishTurn({
        tenantId: conversation.tenantId,
        conversationId: conversation.id,
        messageId,
        content: partial,
        status: 'failed',
        error: { code, message },
        requests,
      });
    } finally {
      if (!turn.finished) turn.emit({ type: 'error', code, message, partial });
    }
  }
}

function failedRequest(error: LlmError, latencyMs: number): FinishedRequest {
  return {
    provider: error.provider,
    model: error.model,
    status: 'error',
    latencyMs,
    error: describeLlmError(error),
  };
}

/** A failed model call as recorded in llm_requests: `unreachable: …`, `http 401: …`. */
export function describeLlmError(error: LlmError): string {
  return `${error.kind}${error.status ? ` ${error.status}` : ''}: ${error.message}`;
}
