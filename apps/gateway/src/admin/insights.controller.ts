import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ZAuditQuery, ZInsightsQuery, type TAuditPage, type TStatsResponse, type TUsageResponse } from '@babble-buddy/shared';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { CurrentActor } from './current-actor.decorator';
import { InsightsService } from './insights.service';

/**
 * Cross-tenant reads: the dashboard, usage and the audit log. No `:tenantId` in these paths, so the
 * service limits them to the caller's tenants (`tenantsInScope`).
 */
@Controller('api/v1/admin')
@UseGuards(AdminAuthGuard)
export class InsightsController {
  constructor(private readonly insights: InsightsService) {}

  @Get('stats')
  stats(@CurrentActor() actor: Actor, @Query() query: unknown): Promise<TStatsResponse> {
    return this.insights.stats(actor, parseWith(ZInsightsQuery, query, 'query'));
  }

  @Get('usage')
  usage(@CurrentActor() actor: Actor, @Query() query: unknown): Promise<TUsageResponse> {
    return this.insights.usage(actor, parseWith(ZInsightsQuery, query, 'query'));
  }

  /** Admins and owners (of the tenants concerned) and platform owners. */
  @Get('audit')
  audit(@CurrentActor() actor: Actor, @Query() query: unknown): Promise<TAuditPage> {
    return this.insights.audit(actor, parseWith(ZAuditQuery, query, 'query'));
  }
}
