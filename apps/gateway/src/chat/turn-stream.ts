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
 * Appends a batch to the answers' streams: KEYS are the streams, ARGV[1] the TTL, then for each key
 * its event count, whether to (re)set its TTL, and its events. The TTL is set after the first XADD:
 * the stream exists then, and disappears even if this process dies mid-answer.
 */
const APPEND_TURN_EVENTS = `
local at = 2
for _, key in ipairs(KEYS) do
  local count = tonumber(ARGV[at])
  local expire = ARGV[at + 1] == '1'
  at = at + 2
  for i = at, at + count - 1 do redis.call('XADD', key, '*', 'e', ARGV[i]) end
  at = at + count
  if expire then redis.call('EXPIRE', key, ARGV[1]) end
end
return #KEYS`;

type TurnLogRedis = Redis & { bbAppendTurnEvents(numKeys: number, ...args: string[]): Promise<number> };

/**
 * Appends the events of every live answer of this process to their Redis streams, in one script call
 * per batch window for all answers together (and one for each answer's last event): at 50 concurrent
 * answers about one command every 25 ms instead of one per answer per token. A command per event made
 * about an eighth of the gateway's garbage per streamed token. Events of one answer keep their order.
 */
export class TurnLog {
  /** Serialized events waiting for the next batch, by answer. */
  private pending = new Map<string, string[]>();
  /** Answers whose stream has no TTL yet (set with their first batch) or must get a fresh one (finished). */
  private expiring = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly redis: TurnLogRedis;

  constructor(redis: Redis) {
    // A defined command runs by EVALSHA: the script is sent once, not with every batch.
    if (!('bbAppendTurnEvents' in redis)) redis.defineCommand('bbAppendTurnEvents', { lua: APPEND_TURN_EVENTS });
    this.redis = redis as TurnLogRedis;
  }

  /** Queues one event; for an answer's last event, flushes at once and returns when Redis has it (or failed). */
  append(messageId: string, event: string, options: { first: boolean; last: boolean }): Promise<void> | undefined {
    const queue = this.pending.get(messageId);
    if (queue) queue.push(event);
    else this.pending.set(messageId, [event]);
    if (options.first || options.last) this.expiring.add(messageId);
    // A finished answer goes out at once: a reader on another instance is waiting for its end.
    if (options.last) return this.flush();
    this.timer ??= setTimeout(() => void this.flush(), LOG_BATCH_MS);
    return undefined;
  }

  /**
   * Writes everything pending in one command; resolves once Redis answered. Failures are dropped: local
   * readers are served from memory while the answer is live, and from the database after.
   */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return Promise.resolve();
    const keys: string[] = [];
    const args: string[] = [String(TURN_EVENTS_TTL_SECONDS)];
    for (const [messageId, events] of this.pending) {
      keys.push(turnEventsKey(messageId));
      args.push(String(events.length), this.expiring.has(messageId) ? '1' : '0', ...events);
    }
    this.pending = new Map();
    this.expiring.clear();
    return this.redis.bbAppendTurnEvents(keys.length, ...keys, ...args).then(
      () => undefined,
      () => undefined,
    );
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
  private ended = false;

  constructor(
    readonly messageId: string,
    readonly sessionId: string,
    readonly tenantId: string,
    /** Where events go for readers on other instances (in batches: local readers are served from memory). */
    private readonly log: TurnLog,
    /** Called once the last event is in Redis (or writing it failed): from then on readers need no copy in memory. */
    private readonly onLogged?: (turn: TurnStream) => void,
  ) {}

  get finished(): boolean {
    return this.ended;
  }

  /** Stamps the event with the next sequence number and delivers it. */
  emit<E extends DistributiveOmit<TStreamEvent, 'seq' | 'messageId'>>(event: E): TStreamEvent {
    if (this.finished) throw new Error(`turn ${this.messageId} already finished`);
    const stamped = { ...event, messageId: this.messageId, seq: this.nextSeq++ } as TStreamEvent;
    this.events.push(stamped);
    const last = isTerminal(stamped);
    if (last) this.ended = true;
    const logged = this.log.append(this.messageId, JSON.stringify(stamped), { first: stamped.seq === 0, last });
    for (const listener of this.listeners) listener(stamped);
    if (this.finished) {
      this.listeners.clear();
      void logged?.then(() => this.onLogged?.(this));
    }
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
