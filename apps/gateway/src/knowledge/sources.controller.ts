import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import {
  ZAddUrlRequest,
  ZListSourcesQuery,
  ZSourceParams,
  ZTenantParams,
  ZUploadFields,
  type TKnowledgeSource,
  type TKnowledgeSourceDetail,
  type TSourcePage,
  type TUploadFilesResponse,
} from '@babble-buddy/shared';
import type { Actor } from '../admin/actor';
import { CurrentActor } from '../admin/current-actor.decorator';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import { SourcesService } from './sources.service';
import { UploadInterceptor } from './upload.interceptor';

/** Knowledge sources of a tenant: viewers read, admins and owners change. */
@Controller('api/v1/admin/tenants/:tenantId/knowledge')
@UseGuards(AdminAuthGuard)
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Get('sources')
  list(@Param() params: unknown, @Query() query: unknown): Promise<TSourcePage> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.sources.list(tenantId, parseWith(ZListSourcesQuery, query, 'query'));
  }

  @Get('sources/:sourceId')
  get(@Param() params: unknown): Promise<TKnowledgeSourceDetail> {
    const { tenantId, sourceId } = parseWith(ZSourceParams, params, 'path');
    return this.sources.get(tenantId, sourceId);
  }

  /** multipart/form-data: one or more `files`, optional `agentId`. */
  @Post('files')
  @MinRole('admin')
  @UseInterceptors(UploadInterceptor)
  upload(@CurrentActor() actor: Actor, @Param() params: unknown, @Req() request: Request): Promise<TUploadFilesResponse> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    const fields = parseWith(ZUploadFields, { ...(request.body as object | undefined) }, 'form fields');
    const files = (request.files as Express.Multer.File[] | undefined) ?? [];
    return this.sources.addFiles(
      actor,
      tenantId,
      files.map((file) => ({ filename: file.originalname, mimeType: file.mimetype && file.mimetype !== 'application/octet-stream' ? file.mimetype : null, bytes: file.buffer })),
      fields,
    );
  }

  @Post('urls')
  @MinRole('admin')
  addUrl(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TKnowledgeSource> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.sources.addUrl(actor, tenantId, parseWith(ZAddUrlRequest, body));
  }

  @Delete('sources/:sourceId')
  @MinRole('admin')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<void> {
    const { tenantId, sourceId } = parseWith(ZSourceParams, params, 'path');
    await this.sources.remove(actor, tenantId, sourceId);
  }

  /** 202: the source is queued again; follow it on GET sources/:id or the admin socket. */
  @Post('sources/:sourceId/reindex')
  @MinRole('admin')
  @HttpCode(202)
  reindex(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<TKnowledgeSource> {
    const { tenantId, sourceId } = parseWith(ZSourceParams, params, 'path');
    return this.sources.reindex(actor, tenantId, sourceId);
  }
}
