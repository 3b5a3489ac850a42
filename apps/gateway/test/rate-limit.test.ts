import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from '../src/common/app-error';
import { leaseSize, RateLimitService, type RateBucket } from '../src/rate-limit/rate-limit.service';
import { REDIS_URL } from './harness';

/** The outcome of one request against `buckets`: admitted, or the RATE_LIMITED error's Retry-After. */
async function attempt(service: RateLimitService, buckets: RateBucket[]): Promise<{ ok: true } | { ok: false; retryAfter: number }> {
  try {
    await service.consume(buckets);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== ErrorCode.RateLimited) throw error;
    return { ok: false, retryAfter: Number(error.headers?.['Retry-After']) };
  }
}

describe('rate limits in Redis', () => {
  // Two gateway processes: each has its own connection and its own leases.
  const redisA = new Redis(REDIS_URL);
  const redisB = new Redis(REDIS_URL);
  const a = new RateLimitService(redisA);
  const b = new RateLimitService(redisB);
  const bucket = (limit: number, extra: Partial<RateBucket> = {}): RateBucket => ({ name: `test:key:${randomUUID()}`, limit, ...extra });

  afterAll(async () => {
    await Promise.all([redisA.quit(), redisB.quit()]);
  });

  it('counts a small limit per request, exactly, across processes', async () => {
    const limited = bucket(5);
    expect(leaseSize(5)).toBe(0);
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await attempt(i % 2 ? a : b, [limited]));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    for (const refused of results.slice(5)) {
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
      if (!refused.ok) expect(refused.retryAfter).toBeLessThanOrEqual(60);
    }
    expect(Number(await redisA.get(`bb:rl:${limited.name}`))).toBe(7);
  });

  it('leases a large limit: two processes never admit more than the limit, and hold back at most a lease each', async () => {
    const limit = 500;
    const size = leaseSize(limit);
    expect(size).toBe(10);
    const leased = bucket(limit);
    // Bursts from both processes at once, more than the limit in all.
    const results = [];
    for (let burst = 0; burst < 12; burst++) {
      results.push(...(await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(i % 3 ? a : b, [leased])))));
    }
    const admitted = results.filter((r) => r.ok).length;
    expect(admitted).toBeLessThanOrEqual(limit);
    expect(admitted).toBeGreaterThanOrEqual(limit - 2 * size);
    for (const refused of results.filter((r) => !r.ok)) {
      if (!refused.ok) expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
      if (!refused.ok) expect(refused.retryAfter).toBeLessThanOrEqual(60);
    }
    // The window's count in Redis covers everything admitted; the window expires.
    expect(Number(await redisA.get(`bb:rl:${leased.name}`))).toBeGreaterThanOrEqual(admitted);
    expect(await redisA.pttl(`bb:rl:${leased.name}`)).toBeGreaterThan(0);
  });

  it('a process holding leased permits admits without waiting for Redis, refilling in the background', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const service = new RateLimitService(redis);
      const leased = bucket(100_000);
      const size = leaseSize(100_000);
      await service.consume([leased]);
      const leases = jest.spyOn(redis as unknown as { bbRateLease: () => Promise<unknown> }, 'bbRateLease');
      const exact = jest.spyOn(redis as unknown as { bbRateLimit: () => Promise<unknown> }, 'bbRateLimit');
      // Requests within the half of the block that is left go through without a Redis command.
      for (let i = 0; i < size / 2 - 1; i++) await service.consume([leased]);
      expect(leases).not.toHaveBeenCalled();
      // Below half a block one refill goes out, and the requests after it do not wait for it.
      for (let i = 0; i < size / 2; i++) await service.consume([leased]);
      expect(leases).toHaveBeenCalledTimes(1);
      expect(exact).not.toHaveBeenCalled();
      expect(Number(await redis.get(`bb:rl:${leased.name}`))).toBe(2 * size);
    } finally {
      await redis.quit();
    }
  });

  it('a bucket made for this request is counted without being waited for, and counts for the next one', async () => {
    const session = bucket(1, { fresh: true });
    await a.consume([session]);
    for (let waited = 0; (await redisA.get(`bb:rl:${session.name}`)) === null && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(Number(await redisA.get(`bb:rl:${session.name}`))).toBe(1);
    const again = await attempt(b, [{ name: session.name, limit: 1 }]);
    expect(again).toMatchObject({ ok: false });
  });

  it('one over-limit bucket refuses the request, naming its scope', async () => {
    const key = bucket(1_000);
    const ip = { name: `ip:${randomUUID()}`, limit: 1 };
    await a.consume([key, ip]);
    await expect(a.consume([key, ip])).rejects.toMatchObject({ code: ErrorCode.RateLimited, details: { scope: 'ip' } });
  });
});
