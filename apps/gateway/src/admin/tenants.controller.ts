import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ZCreateTenantRequest,
  ZTenantParams,
  ZUpdateTenantRequest,
  type TCreateTenantResponse,
  type TTenant,
} from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole, PlatformOwnerOnly } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { CurrentActor } from './current-actor.decorator';
import { TenantsService } from './tenants.service';

@Controller('api/v1/admin/tenants')
@UseGuards(AdminAuthGuard)
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  list(@CurrentActor() actor: Actor): Promise<TTenant[]> {
    return this.tenants.list(actor);
  }

  @Post()
  @PlatformOwnerOnly()
  create(@CurrentActor() actor: Actor, @Body() body: unknown): Promise<TCreateTenantResponse> {
    return this.tenants.create(actor, parseWith(ZCreateTenantRequest, body));
  }

  @Get(':tenantId')
  get(@Param() params: unknown): Promise<TTenant> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.tenants.get(tenantId);
  }

  @Patch(':tenantId')
  @MinRole('admin')
  update(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TTenant> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.tenants.update(actor, tenantId, parseWith(ZUpdateTenantRequest, body));
  }

  /** Platform owners only; the service says so after the guard has hidden other tenants behind 404s. */
  @Delete(':tenantId')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<void> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    await this.tenants.remove(actor, tenantId);
  }
}
