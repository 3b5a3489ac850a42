import { Body, Controller, Delete, Get, Param, Put, UseGuards } from '@nestjs/common';
import { ZEmbeddingConfigInput, ZKnowledgeSettings, ZTenantParams, type TEmbeddingConfig, type TEmbeddingConfigUpdate, type TKnowledgeSettings } from '@babble-buddy/shared';
import type { Actor } from '../admin/actor';
import { CurrentActor } from '../admin/current-actor.decorator';
import { AdminAuthGuard, MinRole, PlatformOwnerOnly } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import { KnowledgeSettingsService } from './knowledge-settings.service';

@Controller('api/v1/admin/tenants/:tenantId/knowledge')
@UseGuards(AdminAuthGuard)
export class KnowledgeSettingsController {
  constructor(private readonly settings: KnowledgeSettingsService) {}

  /** The tenant's embedding model, or the deployment default it falls back to. */
  @Get('embedding')
  getEmbedding(@Param() params: unknown): Promise<TEmbeddingConfig> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.settings.getEmbedding(tenantId);
  }

  /** Changing the model re-embeds every source in the background (`reindexing: true`). */
  @Put('embedding')
  @MinRole('admin')
  setEmbedding(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TEmbeddingConfigUpdate> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.settings.setEmbedding(actor, tenantId, parseWith(ZEmbeddingConfigInput, body));
  }

  @Delete('embedding')
  @MinRole('admin')
  resetEmbedding(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<TEmbeddingConfigUpdate> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.settings.resetEmbedding(actor, tenantId);
  }

  @Get('settings')
  getSettings(@Param() params: unknown): Promise<TKnowledgeSettings> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.settings.getSettings(tenantId);
  }

  /**
   * Letting a tenant's URL sources reach private addresses opens the server's network to it, so
   * only platform owners may change the allow-list.
   */
  @Put('settings')
  @PlatformOwnerOnly()
  setSettings(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TKnowledgeSettings> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.settings.setSettings(actor, tenantId, parseWith(ZKnowledgeSettings, body));
  }
}
