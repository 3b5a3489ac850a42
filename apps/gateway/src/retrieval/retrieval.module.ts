import { Module } from '@nestjs/common';
import { SecretBox, type DbClient } from '@babble-buddy/db';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG } from '../config/config';
import { embeddingDefaults, type GatewayConfig } from '../config/config.schema';
import { DB, LOGGER } from '../infra/tokens';
import { KnowledgeSearchService } from './knowledge-search.service';
import { KnowledgeStateService } from './knowledge-state.service';
import { RetrievalService } from './retrieval.service';
import { KnowledgeSearchController } from './search.controller';

/** Retrieval: the chat pipeline's knowledge step and the admin search preview (ingestion lives in the knowledge module). */
@Module({
  controllers: [KnowledgeSearchController],
  providers: [
    {
      provide: KnowledgeSearchService,
      inject: [DB, SecretBox, GATEWAY_CONFIG, LOGGER],
      useFactory: (db: DbClient, secrets: SecretBox, config: GatewayConfig, logger: Logger) =>
        new KnowledgeSearchService(db, secrets, { embeddingDefaults: embeddingDefaults(config), embedTimeoutMs: config.RETRIEVAL_EMBED_TIMEOUT_MS }, logger),
    },
    KnowledgeStateService,
    RetrievalService,
  ],
  exports: [RetrievalService, KnowledgeSearchService],
})
export class RetrievalModule {}
