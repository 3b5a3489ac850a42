import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ZListModelsRequest, ZLlmConfigInput, ZLlmParams, ZTenantParams, type TLlmConfig, type TLlmTestResult } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { CurrentActor } from './current-actor.decorator';
import { LlmConfigService } from './llm-config.service';

@Controller('api/v1/admin/tenants/:tenantId/llm')
@UseGuards(AdminAuthGuard)
export class LlmConfigController {
  constructor(private readonly llm: LlmConfigService) {}

  @Get()
  list(@Param() params: unknown): Promise<TLlmConfig[]> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.llm.list(tenantId);
  }

  /**
   * Lists the models of settings not saved yet (and so tests them). The gateway makes the request, so
   * only admins may point it at a URL.
   */
  @Post('models')
  @MinRole('admin')
  @HttpCode(200)
  models(@Param() params: unknown, @Body() body: unknown): Promise<TLlmTestResult> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.llm.listModels(tenantId, parseWith(ZListModelsRequest, body));
  }

  @Put(':priority')
  @MinRole('admin')
  upsert(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TLlmConfig> {
    const { tenantId, priority } = parseWith(ZLlmParams, params, 'path');
    return this.llm.upsert(actor, tenantId, priority, parseWith(ZLlmConfigInput, body));
  }

  @Delete(':priority')
  @MinRole('admin')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<void> {
    const { tenantId, priority } = parseWith(ZLlmParams, params, 'path');
    await this.llm.remove(actor, tenantId, priority);
  }

  /** Connection test with the stored settings and key; 200 whether or not the provider answers. */
  @Post(':priority/test')
  @MinRole('admin')
  @HttpCode(200)
  test(@Param() params: unknown): Promise<TLlmTestResult> {
    const { tenantId, priority } = parseWith(ZLlmParams, params, 'path');
    return this.llm.test(tenantId, priority);
  }
}
