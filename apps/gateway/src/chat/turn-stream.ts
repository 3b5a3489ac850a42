import type { Redis } from 'ioredis';
import type { TStreamEvent } from '@babble-buddy/shared';

/** How long a finished answer's events stay in Redis for late resumes. */
export const TURN_EVENTS_TTL_SECONDS = 15 * 60;

/** Longest an event waits before it reaches Redis (where other gateway instances resume from). */
const LOG_BATCH_MS = 25;

export type TurnListener = (event: TStreamEvent) => void;

export function turnEventsKey(messageId: string): string {
  return `bb:turn:${messageId}`;
}

export function isTerminal(event: TStreamEvent): boolean {
  return event.type === 'done' || event.type === 'error';
}

/**
 * Appends the events of every live answer of this process to their Redis streams, in one pipeline
 * per batch window for all answers together: at 50 concurrent answers that is one round trip every
 * 25 ms instead of one per answer per token. Events of one answer keep their order (one connection,
 * one pipeline, appended in emit order).
 */
export class TurnLog {
  /** Serialized events waiting for the next batch, by answer. */
  private pending = new Map<string, string[]>();
  /** Answers whose stream has no TTL yet (set with their first batch) or must get a fresh one (finished). */
  private expiring = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: Redis) {}

  append(messageId: string, event: string, options: { first: boolean; last: boolean }): void {
    const queue = this.pending.get(messageId);
    if (queue) queue.push(event);
    else this.pending.set(messageId, [event]);
    if (options.first || options.last) this.expiring.add(messageId);
    // A finished answer goes out at once: a reader on another instance is waiting for its end.
    if (options.last) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), LOG_BATCH_MS);
  }

  /** Writes everything pending in one pipeline; failures are dropped (local readers are served from memory). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const [messageId, events] of this.pending) {
      const key = turnEventsKey(messageId);
      for (const event of events) pipeline.xadd(key, '*', 'e', event);
      // EXPIRE after the first XADD: the stream exists then, and disappears even if this process dies mid-answer.
      if (this.expiring.has(messageId)) pipeline.expire(key, TURN_EVENTS_TTL_SECONDS);
    }
    this.pending = new Map();
    this.expiring.clear();
    void pipeline.exec().catch(() => undefined);
  }
}

/**
 * One assistant answer being written. Events get consecutive sequence numbers, go to live listeners at
 * once, and are appended to a Redis stream so a client that reconnects (to this gateway or another)
 * can replay everything after the last sequence it saw.
 */
export class TurnStream {
  private readonly events: TStreamEvent[] = [];
  private readonly listeners = new Set<TurnListener>();
  private nextSeq = 0;
  private finishedAt: number | null = null;

  constructor(
    readonly messageId: string,
    readonly sessionId: string,
    readonly tenantId: string,
    /** Where events go for readers on other instances (in batches: local readers are served from memory). */
    private readonly log: TurnLog,
  ) {}

  get finished(): boolean {
    return this.finishedAt !== null;
  }

  get finishedSince(): number | null {
    return this.finishedAt;
  }

  /** Stamps the event with the next sequence number and delivers it. */
  emit<E extends DistributiveOmit<TStreamEvent, 'seq' | 'messageId'>>(event: E): TStreamEvent {
    if (this.finished) throw new Error(`turn ${this.messageId} already finished`);
    const stamped = { ...event, messageId: this.messageId, seq: this.nextSeq++ } as TStreamEvent;
    this.events.push(stamped);
    const last = isTerminal(stamped);
    if (last) this.finishedAt = Date.now();
    this.log.append(this.messageId, JSON.stringify(stamped), { first: stamped.seq === 0, last });
    for (const listener of this.listeners) listener(stamped);
    if (this.finished) this.listeners.clear();
    return stamped;
  }

  /** Replays what came after `afterSeq`, then follows live; returns the unsubscribe function. */
  subscribe(afterSeq: number, listener: TurnListener): () => void {
    for (const event of this.events) if (event.seq > afterSeq) listener(event);
    if (this.finished) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
