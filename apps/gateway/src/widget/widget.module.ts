import { Module } from '@nestjs/common';
import { AuditService } from '../admin/audit.service';
import { ChatModule } from '../chat/chat.module';
import { WidgetAssetsController } from './widget-assets.controller';
import { WidgetAssetsService } from './widget-assets.service';
import { WidgetConfigService } from './widget-config.service';
import { WidgetController } from './widget.controller';
import { WidgetOriginsService } from './widget-origins.service';

/** What the embeddable widget talks to: its script files, its config, its sessions; and CORS by key origins. */
@Module({
  imports: [ChatModule],
  controllers: [WidgetController, WidgetAssetsController],
  providers: [WidgetConfigService, WidgetOriginsService, WidgetAssetsService, AuditService],
  exports: [WidgetConfigService, WidgetOriginsService],
})
export class WidgetModule {}
