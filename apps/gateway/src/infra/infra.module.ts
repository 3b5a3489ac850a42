import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { createDbClient, SecretBox, type DbClient } from '@babble-buddy/db';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { TenantCache } from './tenant-cache';
import { DB, LOGGER, REDIS } from './tokens';

/** Process-wide Postgres (Prisma), Redis, the secrets box and logger, shared by every feature module. */
@Global()
@Module({
  providers: [
    {
      provide: DB,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig): DbClient => createDbClient(config.DATABASE_URL, { poolSize: config.DATABASE_POOL_SIZE, keepOpen: true }),
    },
    {
      provide: REDIS,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig): Redis =>
        // Auto-pipelining sends the commands of one tick in one write: answers XADD a lot.
        new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true }),
    },
    // Secrets at rest (provider API keys): one box for chat and admin alike.
    { provide: SecretBox, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => new SecretBox(config.ENCRYPTION_KEY) },
    TenantCache,
  ],
  exports: [DB, REDIS, SecretBox, TenantCache],
})
export class InfraModule implements OnApplicationShutdown {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.db.$disconnect(), this.redis.quit()]);
    this.logger.info('connections closed');
  }
}
