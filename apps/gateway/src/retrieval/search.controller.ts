import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ZKnowledgeSearchRequest, ZTenantParams, type TKnowledgeSearchResponse } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import { KnowledgeSearchService } from './knowledge-search.service';

/** The knowledge base's search preview for operators (any member, viewers included). */
@Controller('api/v1/admin/tenants/:tenantId/knowledge')
@UseGuards(AdminAuthGuard)
export class KnowledgeSearchController {
  constructor(private readonly search: KnowledgeSearchService) {}

  @Post('search')
  @HttpCode(200)
  @MinRole('viewer')
  run(@Param() params: unknown, @Body() body: unknown): Promise<TKnowledgeSearchResponse> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.search.adminSearch(tenantId, parseWith(ZKnowledgeSearchRequest, body));
  }
}
