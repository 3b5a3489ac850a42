import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ZTenantParams, ZWidgetConfigUpdate, type TWidgetConfig } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import { WidgetConfigService } from '../widget/widget-config.service';
import type { Actor } from './actor';
import { CurrentActor } from './current-actor.decorator';

/** The tenant's widget look and behaviour, and the origins all its publishable keys accept. */
@Controller('api/v1/admin/tenants/:tenantId/widget')
@UseGuards(AdminAuthGuard)
export class WidgetConfigController {
  constructor(private readonly widget: WidgetConfigService) {}

  @Get()
  get(@Param() params: unknown): Promise<TWidgetConfig> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.widget.get(tenantId);
  }

  /** Sets the fields given; omitted fields keep their value and `null` restores a field's default. */
  @Put()
  @MinRole('admin')
  update(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TWidgetConfig> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.widget.update(actor, tenantId, parseWith(ZWidgetConfigUpdate, body));
  }
}
