import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { DbClient } from '@babble-buddy/db';
import type { Redis } from 'ioredis';
import { ErrorCode, ZCitation, ZErrorCode, ZStreamEvent } from '@babble-buddy/shared';
import { z } from 'zod';
import { AppError } from '../common/app-error';
import { DB, REDIS } from '../infra/tokens';
import { KNOWLEDGE_ONLY_PROVIDER } from '../retrieval/turn-knowledge';
import { isTerminal, TurnLog, turnEventsKey, TurnStream, type TurnListener } from './turn-stream';

const RESUME_BLOCK_MS = 10_000;
const RESUME_MAX_MS = 10 * 60_000;

/** Who may read an answer: the tenant, and for widget callers only their own session. */
export interface TurnReader {
  tenantId: string;
  sessionId?: string;
}

/**
 * Live answers of this process, and resume for any answer: from memory while it is being written here,
 * from the Redis stream when another gateway writes it or it has just finished, from the database once
 * that stream has expired.
 *
 * A finished answer leaves memory as soon as its last event is in Redis. Keeping finished answers
 * around (it was a minute) held every token event of thousands of answers in the old generation, so
 * each major GC had more to mark and came more often, for replays Redis serves anyway.
 */
@Injectable()
export class TurnsService implements OnModuleDestroy {
  private readonly live = new Map<string, TurnStream>();
  private readonly blockingClients = new Set<Redis>();
  private readonly log: TurnLog;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(DB) private readonly db: DbClient,
  ) {
    this.log = new TurnLog(redis);
  }

  open(messageId: string, sessionId: string, tenantId: string): TurnStream {
    const turn = new TurnStream(messageId, sessionId, tenantId, this.log, (logged) => {
      if (this.live.get(logged.messageId) === logged) this.live.delete(logged.messageId);
    });
    this.live.set(messageId, turn);
    return turn;
  }

  get(messageId: string): TurnStream | undefined {
    return this.live.get(messageId);
  }

  /** The answer's session id; throws MESSAGE_NOT_FOUND unless the reader may read this answer. */
  async assertReadable(reader: TurnReader, messageId: string): Promise<string> {
    const local = this.live.get(messageId);
    if (local) {
      if (local.tenantId !== reader.tenantId || (reader.sessionId && local.sessionId !== reader.sessionId)) throw notFound();
      return local.sessionId;
    }
    const message = await this.db.message.findFirst({
      where: { id: messageId, tenantId: reader.tenantId, role: 'assistant', ...(reader.sessionId ? { conversation: { sessionKey: reader.sessionId } } : {}) },
      select: { conversation: { select: { sessionKey: true } } },
    });
    if (!message) throw notFound();
    return message.conversation.sessionKey;
  }

  /**
   * Delivers every event after `afterSeq` then follows the answer to its end. Resolves when the
   * terminal event was delivered or `signal` fired. Unknown or foreign ids are MESSAGE_NOT_FOUND.
   */
  async follow(reader: TurnReader, messageId: string, afterSeq: number, listener: TurnListener, signal?: AbortSignal): Promise<void> {
    const local = this.live.get(messageId);
    if (local) {
      if (local.tenantId !== reader.tenantId || (reader.sessionId && local.sessionId !== reader.sessionId)) throw notFound();
      await new Promise<void>((resolve) => {
        const unsubscribe = local.subscribe(afterSeq, (event) => {
          listener(event);
          if (isTerminal(event)) resolve();
        });
        if (local.finished) resolve();
        signal?.addEventListener('abort', () => (unsubscribe(), resolve()), { once: true });
      });
      return;
    }
    const message = await this.db.message.findFirst({
      where: { id: messageId, tenantId: reader.tenantId, role: 'assistant', ...(reader.sessionId ? { conversation: { sessionKey: reader.sessionId } } : {}) },
    });
    if (!message) throw notFound();
    if (await this.followRedis(messageId, afterSeq, listener, signal)) return;
    // Nothing in Redis (expired, or the writer died): the database has the last word.
    // The answer's chunk boundaries are gone; the final event carries the whole text to reconcile with.
    const last = Number.MAX_SAFE_INTEGER;
    if (message.status === 'complete') {
      const citations = z.array(ZCitation).catch([]).parse(message.citations);
      for (const citation of citations) listener({ type: 'citation', messageId, seq: last - 1, citation });
      listener({
        type: 'done',
        messageId,
        seq: last,
        response: message.content,
        usage: { promptTokens: message.promptTokens ?? 0, completionTokens: message.completionTokens ?? 0 },
        model: message.model ?? '',
        provider: message.provider ?? '',
        ttftMs: message.ttftMs,
        ...(message.provider === KNOWLEDGE_ONLY_PROVIDER ? { knowledgeOnly: true } : {}),
      });
      return;
    }
    const error = z.object({ code: ZErrorCode.catch(ErrorCode.ModelStreamFailed), message: z.string() }).nullable().catch(null).parse(message.error);
    listener({
      type: 'error',
      messageId,
      seq: last,
      code: error?.code ?? ErrorCode.ModelStreamFailed,
      message: message.status === 'failed' ? (error?.message ?? 'The answer failed') : 'The answer was interrupted and cannot be resumed',
      partial: message.content,
    });
  }

  /** Replays and follows an answer through its Redis stream; false when the stream does not exist. */
  private async followRedis(messageId: string, afterSeq: number, listener: TurnListener, signal?: AbortSignal): Promise<boolean> {
    const key = turnEventsKey(messageId);
    const entries = await this.redis.xrange(key, '-', '+');
    if (entries.length === 0) return false;
    let lastId = '0-0';
    const deliver = (fields: string[]): boolean => {
      const event = ZStreamEvent.parse(JSON.parse(fields[1] ?? 'null'));
      if (event.seq > afterSeq) listener(event);
      return isTerminal(event);
    };
    for (const [id, fields] of entries) {
      lastId = id;
      if (deliver(fields)) return true;
    }
    const blocking = this.redis.duplicate();
    this.blockingClients.add(blocking);
    const deadline = Date.now() + RESUME_MAX_MS;
    try {
      while (!signal?.aborted && Date.now() < deadline) {
        const result = await blocking.xread('BLOCK', RESUME_BLOCK_MS, 'STREAMS', key, lastId);
        if (!result) {
          if ((await this.redis.exists(key)) === 0) return true;
          continue;
        }
        for (const [, streamEntries] of result) {
          for (const [id, fields] of streamEntries) {
            lastId = id;
            if (deliver(fields)) return true;
          }
        }
      }
      return true;
    } finally {
      this.blockingClients.delete(blocking);
      blocking.disconnect();
    }
  }

  onModuleDestroy(): void {
    void this.log.flush();
    for (const client of this.blockingClients) client.disconnect();
  }
}

function notFound(): AppError {
  return new AppError(ErrorCode.MessageNotFound, 'No such message in this session');
}
