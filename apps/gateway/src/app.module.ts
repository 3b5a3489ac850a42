import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { GATEWAY_CONFIG } from './config/config';
import type { GatewayConfig } from './config/config.schema';
import { HealthModule } from './health/health.module';
import { InfraModule } from './infra/infra.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { LOGGER } from './infra/tokens';
import { PlaygroundModule } from './playground/playground.module';
import { RetrievalModule } from './retrieval/retrieval.module';
import { WidgetModule } from './widget/widget.module';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [InfraModule, AuthModule, HealthModule, ChatModule, WidgetModule, AdminModule, KnowledgeModule, RetrievalModule, PlaygroundModule],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [GATEWAY_CONFIG, LOGGER],
    };
  }
}
