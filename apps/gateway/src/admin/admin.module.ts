import { Module } from '@nestjs/common';
import { WidgetModule } from '../widget/widget.module';
import { AdminUsersService } from './admin-users.service';
import { AgentsController } from './agents.controller';
import { AgentsService } from './agents.service';
import { AuditService } from './audit.service';
import { AdminAuthController } from './auth.controller';
import { KeysController } from './keys.controller';
import { KeysService } from './keys.service';
import { LlmConfigController } from './llm-config.controller';
import { LlmConfigService } from './llm-config.service';
import { LoginService } from './login.service';
import { MembersController } from './members.controller';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';
import { WidgetConfigController } from './widget.controller';

/** Admin REST under /api/v1/admin. The CLI (src/cli) constructs the same services without Nest. */
@Module({
  imports: [WidgetModule],
  controllers: [AdminAuthController, TenantsController, KeysController, LlmConfigController, AgentsController, MembersController, WidgetConfigController],
  providers: [
    AuditService,
    AdminUsersService,
    LoginService,
    TenantsService,
    KeysService,
    LlmConfigService,
    AgentsService,
  ],
  exports: [AuditService, AdminUsersService, TenantsService, KeysService, LlmConfigService, AgentsService],
})
export class AdminModule {}
