import { Controller, Delete, Get, HttpCode, Param, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import {
  ZConversationExportQuery,
  ZConversationListQuery,
  ZConversationParams,
  ZTenantParams,
  type TConversationDetail,
  type TConversationPage,
} from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { AdminConversationsService } from './admin-conversations.service';
import { CurrentActor } from './current-actor.decorator';
import { exportFilename, transcriptCsv, transcriptJson } from './transcript-export';

/** Every member may read and export; deleting needs an admin. */
@Controller('api/v1/admin/tenants/:tenantId/conversations')
@UseGuards(AdminAuthGuard)
export class AdminConversationsController {
  constructor(private readonly conversations: AdminConversationsService) {}

  @Get()
  list(@Param() params: unknown, @Query() query: unknown): Promise<TConversationPage> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.conversations.list(tenantId, parseWith(ZConversationListQuery, query, 'query'));
  }

  @Get(':conversationId')
  get(@Param() params: unknown): Promise<TConversationDetail> {
    const { tenantId, conversationId } = parseWith(ZConversationParams, params, 'path');
    return this.conversations.get(tenantId, conversationId);
  }

  /** The transcript as a download: `?format=json` (default) or `csv`. */
  @Get(':conversationId/export')
  async export(@CurrentActor() actor: Actor, @Param() params: unknown, @Query() query: unknown, @Res() response: Response): Promise<void> {
    const { tenantId, conversationId } = parseWith(ZConversationParams, params, 'path');
    const { format } = parseWith(ZConversationExportQuery, query, 'query');
    const detail = await this.conversations.get(tenantId, conversationId);
    await this.conversations.recordExport(actor, tenantId, detail, format);
    response
      .status(200)
      .set({
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
        'content-disposition': `attachment; filename="${exportFilename(detail, format)}"`,
        'cache-control': 'no-store',
      })
      .send(format === 'csv' ? transcriptCsv(detail) : transcriptJson(detail));
  }

  @Delete(':conversationId')
  @MinRole('admin')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<void> {
    const { tenantId, conversationId } = parseWith(ZConversationParams, params, 'path');
    await this.conversations.remove(actor, tenantId, conversationId);
  }
}
