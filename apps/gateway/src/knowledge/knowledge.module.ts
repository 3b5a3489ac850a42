import { Module } from '@nestjs/common';
import { embeddingDefaultsFromEnv } from '@babble-buddy/shared';
import { AdminModule } from '../admin/admin.module';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG } from '../config/config';
import { LOGGER } from '../infra/tokens';
import type { GatewayConfig } from '../config/config.schema';
import { KnowledgeProgressGateway } from './knowledge-progress.gateway';
import { KnowledgeQueue, queueSettings } from './knowledge-queue.service';
import { EMBEDDING_DEFAULTS, KnowledgeSettingsService } from './knowledge-settings.service';
import { KnowledgeSettingsController } from './knowledge-settings.controller';
import { KNOWLEDGE_LIMITS, SourcesService } from './sources.service';
import { SourcesController } from './sources.controller';
import { UploadInterceptor } from './upload.interceptor';

/**
 * Knowledge base administration: sources (uploads, URLs, crawls), the tenant's embedding model and
 * fetch allow-list, and live ingestion progress on the admin socket. The worker does the ingesting.
 */
@Module({
  imports: [AdminModule],
  controllers: [SourcesController, KnowledgeSettingsController],
  providers: [
    {
      provide: KnowledgeQueue,
      inject: [GATEWAY_CONFIG, LOGGER],
      useFactory: (config: GatewayConfig, logger: Logger) => {
        let lastLogged = 0;
        return new KnowledgeQueue({
          ...queueSettings(config),
          // Once a minute at most: ioredis retries every few hundred ms while Redis is away.
          onConnectionError: (error) => {
            if (Date.now() - lastLogged < 60_000) return;
            lastLogged = Date.now();
            logger.warn({ err: error }, 'job queue: Redis unreachable; knowledge changes answer 503 until it is back');
          },
        });
      },
    },
    { provide: KNOWLEDGE_LIMITS, inject: [GATEWAY_CONFIG], useFactory: (config: GatewayConfig) => ({ maxFileBytes: config.KNOWLEDGE_MAX_FILE_BYTES }) },
    {
      provide: EMBEDDING_DEFAULTS,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) =>
        embeddingDefaultsFromEnv(config, { ollamaBaseUrl: config.OLLAMA_BASE_URL, openaiBaseUrl: config.OPENAI_BASE_URL, openaiApiKey: config.OPENAI_API_KEY }),
    },
    SourcesService,
    KnowledgeSettingsService,
    UploadInterceptor,
    KnowledgeProgressGateway,
  ],
  exports: [SourcesService, KnowledgeSettingsService, KnowledgeQueue, EMBEDDING_DEFAULTS],
})
export class KnowledgeModule {}
