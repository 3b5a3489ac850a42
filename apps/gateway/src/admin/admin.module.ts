import { Module } from '@nestjs/common';
import { AdminConversationsController } from './admin-conversations.controller';
import { AdminConversationsService } from './admin-conversations.service';
import { AdminUsersService } from './admin-users.service';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { AuditService } from './audit.service';
import { AdminAuthController } from './auth.controller';
import { EmbeddingConfigController } from './embedding-config.controller';
import { EmbeddingConfigService } from './embedding-config.service';
import { InsightsController } from './insights.controller';
import { InsightsService } from './insights.service';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';
import { LlmConfigController } from './llm-config.controller';
import { LlmConfigService } from './llm-config.service';
import { LoginService } from './login.service';
import { MembersController } from './members.controller';
import { SetupController } from './setup.controller';
import { SetupService } from './setup.service';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** Admin REST under /api/v1/admin. The CLI (src/cli) constructs the same services without Nest. */
@Module({
  controllers: [
    SetupController,
    AdminAuthController,
    TenantsController,
    KeysController,
    LlmConfigController,
    EmbeddingConfigController,
    AgentsController,
    MembersController,
    AdminConversationsController,
    InsightsController,
  ],
  providers: [
    AuditService,
    AdminUsersService,
    LoginService,
    SetupService,
    TenantsService,
    KeysService,
    LlmConfigService,
    EmbeddingConfigService,
    AgentsService,
    AdminConversationsService,
    InsightsService,
  ],
  exports: [AuditService, AdminUsersService, TenantsService, KeysService, LlmConfigService, AgentsService],
})
export class AdminModule {}
