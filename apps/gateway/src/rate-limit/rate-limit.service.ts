import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { REDIS } from '../infra/tokens';

export interface RateBucket {
  /** What is limited, e.g. `key:<id>`, `session:<id>`, `ip:<addr>`. */
  name: string;
  limit: number;
}

const WINDOW_MS = 60_000;

/** Fixed one-minute windows, all of a request's buckets counted in one Redis round trip. */
const CONSUME = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  out[#out + 1] = n
  out[#out + 1] = redis.call('PTTL', key)
end
return out`;

type RateLimitRedis = Redis & { bbRateLimit(numKeys: number, ...args: string[]): Promise<number[]> };

@Injectable()
export class RateLimitService {
  private readonly redis: RateLimitRedis;

  constructor(@Inject(REDIS) redis: Redis) {
    // A defined command runs by EVALSHA: the script is sent once, not with every request.
    if (!('bbRateLimit' in redis)) redis.defineCommand('bbRateLimit', { lua: CONSUME });
    this.redis = redis as RateLimitRedis;
  }

  /** Counts one request against every bucket; throws RATE_LIMITED (with Retry-After) when any is over. */
  async consume(buckets: RateBucket[]): Promise<void> {
    if (buckets.length === 0) return;
    const keys = buckets.map((bucket) => `bb:rl:${bucket.name}`);
    const result = await this.redis.bbRateLimit(keys.length, ...keys, String(WINDOW_MS));
    let retryAfterMs = 0;
    let over: RateBucket | undefined;
    buckets.forEach((bucket, i) => {
      const count = result[i * 2] ?? 0;
      const ttl = result[i * 2 + 1] ?? WINDOW_MS;
      if (count > bucket.limit && ttl > retryAfterMs) {
        retryAfterMs = ttl;
        over = bucket;
      }
    });
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
}

/** `key`, `session` or `ip`: what the caller should slow down. */
function scopeOf(bucket: RateBucket): string {
  return bucket.name.split(':').find((part) => part === 'key' || part === 'session' || part === 'ip') ?? 'caller';
}
