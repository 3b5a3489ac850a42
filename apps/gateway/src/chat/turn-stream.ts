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
 * One assistant answer being written. Events get consecutive sequence numbers, go to live listeners at
 * once, and are appended to a Redis stream so a client that reconnects (to this gateway or another)
 * can replay everything after the last sequence it saw.
 */
export class TurnStream {
  private readonly events: TStreamEvent[] = [];
  private readonly listeners = new Set<TurnListener>();
  private nextSeq = 0;
  private finishedAt: number | null = null;
  /** Events not yet in Redis: written in batches, since local readers are served from memory. */
  private unlogged: string[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly messageId: string,
    readonly sessionId: string,
    readonly tenantId: string,
    private readonly redis: Redis,
  ) {
    void this.redis.expire(turnEventsKey(messageId), TURN_EVENTS_TTL_SECONDS).catch(() => undefined);
  }

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
    this.unlogged.push(JSON.stringify(stamped));
    if (isTerminal(stamped)) {
      this.finishedAt = Date.now();
      this.flush();
    } else {
      this.flushTimer ??= setTimeout(() => this.flush(), LOG_BATCH_MS);
    }
    for (const listener of this.listeners) listener(stamped);
    if (this.finished) this.listeners.clear();
    return stamped;
  }

  /** Appends pending events to the Redis stream in one pipeline (order is kept on one connection). */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.unlogged.length === 0) return;
    const key = turnEventsKey(this.messageId);
    const pipeline = this.redis.pipeline();
    for (const event of this.unlogged) pipeline.xadd(key, '*', 'e', event);
    if (this.finished) pipeline.expire(key, TURN_EVENTS_TTL_SECONDS);
    this.unlogged = [];
    void pipeline.exec().catch(() => undefined);
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
