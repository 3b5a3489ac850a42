import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { REDIS } from '../infra/tokens';

export interface RateBucket {
  /** What is limited, e.g. `key:<id>`, `session:<id>`, `ip:<addr>`. */
  name: string;
  limit: number;
  /**
   * The bucket was just made for this request (a session id the gateway generated), so it cannot be over
   * its limit: it is counted without the request waiting for Redis.
   */
  fresh?: boolean;
}

const WINDOW_MS = 60_000;

/**
 * A bucket whose limit is this many times a lease's minimum size or more is counted through leases
 * (below); smaller limits are counted in Redis per request, exactly.
 */
const LEASE_SHARE = 50;
const MIN_LEASE = 4;
const MAX_LEASE = 100;
/** A leased bucket's permits are refilled in the background once fewer than this share of a lease is left. */
const REFILL_BELOW = 0.5;
/** Leases kept before expired ones are swept. */
const SWEEP_ABOVE = 1024;

/** Fixed one-minute windows, all of a request's buckets counted in one Redis round trip. */
const CONSUME = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[1]) end
  out[#out + 1] = n
  out[#out + 1] = redis.call('PTTL', key)
end
return out`;

/** Takes ARGV[1] permits of the window at once: the new count and the window's time left. */
const LEASE = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return {n, redis.call('PTTL', KEYS[1])}`;

type RateLimitRedis = Redis & {
  bbRateLimit(numKeys: number, ...args: string[]): Promise<number[]>;
  bbRateLease(key: string, size: string, windowMs: string): Promise<[number, number]>;
};

/** Permits of one bucket's current window held by this process. */
interface Lease {
  limit: number;
  left: number;
  /** When the window ends, by this process's clock (a little early: measured from before the request). */
  endsAt: number;
  /** The window's count reached the limit: nothing more is granted until it ends. */
  exhausted: boolean;
}

/**
 * Rate limits in Redis, shared by every gateway process.
 *
 * Buckets with large limits (a server's secret key) are counted through leases: a process takes a
 * block of permits from the bucket's Redis counter (a fiftieth of the limit, 4 to 100) and hands them
 * out locally, refilling in the background while half a block is left. Requests then wait for no
 * Redis round trip at all; the count in Redis never passes the limit, and what a process may hold
 * unused (one block, until the window ends) is the most the bucket can under-admit by, per process.
 * Small limits (sessions, addresses, the default key limit) are counted per request, exactly.
 */
@Injectable()
export class RateLimitService {
  private readonly redis: RateLimitRedis;
  private readonly leases = new Map<string, Lease>();
  private readonly refills = new Map<string, Promise<void>>();

  constructor(@Inject(REDIS) redis: Redis) {
    // Defined commands run by EVALSHA: each script is sent once, not with every request.
    if (!('bbRateLimit' in redis)) redis.defineCommand('bbRateLimit', { lua: CONSUME });
    if (!('bbRateLease' in redis)) redis.defineCommand('bbRateLease', { numberOfKeys: 1, lua: LEASE });
    this.redis = redis as RateLimitRedis;
  }

  /** Counts one request against every bucket; throws RATE_LIMITED (with Retry-After) when any is over. */
  async consume(buckets: RateBucket[]): Promise<void> {
    const counted: RateBucket[] = [];
    const leased: Promise<{ bucket: RateBucket; retryAfterMs: number }>[] = [];
    for (const bucket of buckets) {
      if (bucket.fresh) this.countFresh(bucket);
      else if (leaseSize(bucket.limit) > 0) leased.push(this.takeLeased(bucket).then((retryAfterMs) => ({ bucket, retryAfterMs })));
      else counted.push(bucket);
    }
    const [exact, ...fromLeases] = await Promise.all([this.countExactly(counted), ...leased]);
    let retryAfterMs = 0;
    let over: RateBucket | undefined;
    for (const { bucket, retryAfterMs: wait } of [...exact, ...fromLeases]) {
      if (wait > retryAfterMs) {
        retryAfterMs = wait;
        over = bucket;
      }
    }
    if (over) {
      const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
      throw new AppError(
        ErrorCode.RateLimited,
        `Too many requests (${over.limit} a minute for this ${scopeOf(over)}); retry in ${seconds} s`,
        { retryAfterSeconds: seconds, scope: scopeOf(over) },
        { 'Retry-After': String(seconds) },
      );
    }
  }

  /** One request per bucket in one round trip; how long each over-limit bucket must wait (0: within its limit). */
  private async countExactly(buckets: RateBucket[]): Promise<{ bucket: RateBucket; retryAfterMs: number }[]> {
    if (buckets.length === 0) return [];
    const result = await this.redis.bbRateLimit(buckets.length, ...buckets.map((b) => redisKey(b)), String(WINDOW_MS));
    return buckets.map((bucket, i) => {
      const count = result[i * 2] ?? 0;
      const ttl = result[i * 2 + 1] ?? WINDOW_MS;
      return { bucket, retryAfterMs: count > bucket.limit ? Math.max(1, ttl) : 0 };
    });
  }

  /** Counted in the background: the request goes on (a lost count errs on the caller's side). */
  private countFresh(bucket: RateBucket): void {
    this.redis.bbRateLimit(1, redisKey(bucket), String(WINDOW_MS)).catch(() => undefined);
  }

  /** One permit from this process's lease, refilled from Redis when empty; 0, or how long until the window ends. */
  private async takeLeased(bucket: RateBucket): Promise<number> {
    const size = leaseSize(bucket.limit);
    // Bounded: waiters that arrive together share each refill, and may find it taken by the others.
    for (let refills = 0; refills < 4; refills++) {
      const lease = this.current(bucket);
      if (lease && lease.left > 0) {
        lease.left--;
        if (!lease.exhausted && lease.left < size * REFILL_BELOW) void this.refill(bucket).catch(() => undefined);
        return 0;
      }
      if (lease?.exhausted) return Math.max(1, lease.endsAt - Date.now());
      await this.refill(bucket);
    }
    // Still nothing left after several refills (a burst far above the lease size): count this one exactly.
    const [counted] = await this.countExactly([bucket]);
    return counted?.retryAfterMs ?? 0;
  }

  /** This process's lease for the bucket in the current window, if any. */
  private current(bucket: RateBucket): Lease | undefined {
    const lease = this.leases.get(bucket.name);
    return lease && lease.endsAt > Date.now() && lease.limit === bucket.limit ? lease : undefined;
  }

  /** Takes the next block of the bucket's permits; one request in flight per bucket. */
  private refill(bucket: RateBucket): Promise<void> {
    const inFlight = this.refills.get(bucket.name);
    if (inFlight) return inFlight;
    const size = leaseSize(bucket.limit);
    const sentAt = Date.now();
    const request = this.redis
      .bbRateLease(redisKey(bucket), String(size), String(WINDOW_MS))
      .then(([count, ttl]) => {
        // Of the block, the permits at or below the limit are ours.
        const granted = Math.max(0, Math.min(size, bucket.limit - (count - size)));
        const held = count === size ? undefined : this.current(bucket); // count === size: a new window began with this block
        if (this.leases.size > SWEEP_ABOVE) this.sweep();
        this.leases.set(bucket.name, {
          limit: bucket.limit,
          left: (held?.left ?? 0) + granted,
          endsAt: sentAt + (ttl > 0 ? ttl : WINDOW_MS),
          exhausted: granted < size,
        });
      })
      .finally(() => this.refills.delete(bucket.name));
    this.refills.set(bucket.name, request);
    return request;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [name, lease] of this.leases) if (lease.endsAt <= now) this.leases.delete(name);
  }
}

/** Permits taken at once for a bucket with this limit; 0 when it is counted per request. */
export function leaseSize(limit: number): number {
  const size = Math.floor(limit / LEASE_SHARE);
  return size < MIN_LEASE ? 0 : Math.min(size, MAX_LEASE);
}

function redisKey(bucket: RateBucket): string {
  return `bb:rl:${bucket.name}`;
}

/** `key`, `session` or `ip`: what the caller should slow down. */
function scopeOf(bucket: RateBucket): string {
  return bucket.name.split(':').find((part) => part === 'key' || part === 'session' || part === 'ip') ?? 'caller';
}
