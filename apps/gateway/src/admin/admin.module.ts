import { Module } from '@nestjs/common';
import { WidgetModule } from '../widget/widget.module';
import { AdminConversationsController } from './admin-conversations.controller';
import { AdminConversationsService } from './admin-conversations.service';
import { AdminUsersService } from './admin-users.service';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { AuditService } from './audit.service';
import { AdminAuthController } from './auth.controller';
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
import { WidgetConfigController } from './widget.controller';

/** Admin REST under /api/v1/admin. The CLI (src/cli) constructs the same services without Nest. */
@Module({
  imports: [WidgetModule],
  controllers: [
    SetupController,
    AdminAuthController,
    TenantsController,
    KeysController,
    LlmConfigController,
    AgentsController,
    MembersController,
    WidgetConfigController,
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
    AgentsService,
    AdminConversationsService,
    InsightsService,
  ],
  exports: [AuditService, AdminUsersService, TenantsService, KeysService, LlmConfigService, AgentsService],
})
export class AdminModule {}
