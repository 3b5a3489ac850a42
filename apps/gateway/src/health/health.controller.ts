import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { DbClient } from '@babble-buddy/db';
import type { Redis } from 'ioredis';
import type { THealthReady } from '@babble-buddy/shared';
import { DB, REDIS } from '../infra/tokens';
import { LlmHealthService } from './llm-health.service';

/** Public: liveness and readiness for orchestrators and operators. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly llm: LlmHealthService,
  ) {}

  @Get()
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when Postgres and Redis answer (a model being down degrades, it does not fail readiness). */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<THealthReady> {
    const details: Record<string, string> = {};
    const [db, redis, llm] = await Promise.all([
      this.db.$queryRaw`SELECT 1`.then(() => 'ok' as const, (e: unknown) => ((details.db = String(e)), 'error' as const)),
      withTimeout(this.redis.ping(), 2000).then(() => 'ok' as const, (e: unknown) => ((details.redis = String(e)), 'error' as const)),
      this.llm.check(),
    ]);
    const llmDown = Object.values(llm).some((s) => s === 'unreachable');
    const status = db === 'error' || redis === 'error' ? 'error' : llmDown ? 'degraded' : 'ok';
    res.status(status === 'error' ? 503 : 200);
    return { status, checks: { db, redis, llm }, ...(Object.keys(details).length ? { details } : {}) };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}
