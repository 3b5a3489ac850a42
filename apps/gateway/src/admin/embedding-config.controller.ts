import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ZEmbeddingConfigInput, ZTenantParams, type TEmbeddingConfig } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { CurrentActor } from './current-actor.decorator';
import { EmbeddingConfigService } from './embedding-config.service';

@Controller('api/v1/admin/tenants/:tenantId/embedding')
@UseGuards(AdminAuthGuard)
export class EmbeddingConfigController {
  constructor(private readonly embedding: EmbeddingConfigService) {}

  @Get()
  get(@Param() params: unknown): Promise<TEmbeddingConfig> {
    return this.embedding.get(parseWith(ZTenantParams, params, 'path').tenantId);
  }

  @Put()
  @MinRole('admin')
  save(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TEmbeddingConfig> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.embedding.save(actor, tenantId, parseWith(ZEmbeddingConfigInput, body));
  }

  /** Back to the deployment default; answers the config now in effect. */
  @Delete()
  @MinRole('admin')
  reset(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<TEmbeddingConfig> {
    return this.embedding.reset(actor, parseWith(ZTenantParams, params, 'path').tenantId);
  }
}
