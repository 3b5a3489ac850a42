import { Body, Controller, Delete, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ZCreateKeyRequest, ZKeyParams, ZTenantParams, ZUpdateKeyRequest, type TApiKey, type TCreatedKey } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { CurrentActor } from './current-actor.decorator';
import { KeysService } from './keys.service';

@Controller('api/v1/admin/tenants/:tenantId/keys')
@UseGuards(AdminAuthGuard)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  list(@Param() params: unknown): Promise<TApiKey[]> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.keys.list(tenantId);
  }

  @Post()
  @MinRole('admin')
  create(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TCreatedKey> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.keys.create(actor, tenantId, parseWith(ZCreateKeyRequest, body));
  }

  /** Changes name, origins, rate limit or expiry; the key itself stays the same. */
  @Patch(':keyId')
  @MinRole('admin')
  update(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TApiKey> {
    const { tenantId, keyId } = parseWith(ZKeyParams, params, 'path');
    return this.keys.update(actor, tenantId, keyId, parseWith(ZUpdateKeyRequest, body));
  }

  /** Revokes the key (it stays listed, with revokedAt) and returns it. */
  @Delete(':keyId')
  @MinRole('admin')
  revoke(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<TApiKey> {
    const { tenantId, keyId } = parseWith(ZKeyParams, params, 'path');
    return this.keys.revoke(actor, tenantId, keyId);
  }
}
