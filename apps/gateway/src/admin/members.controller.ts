import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ZAddMemberRequest, ZMemberParams, ZTenantParams, type TMember } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { AdminUsersService } from './admin-users.service';
import { CurrentActor } from './current-actor.decorator';

@Controller('api/v1/admin/tenants/:tenantId/members')
@UseGuards(AdminAuthGuard)
export class MembersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  list(@Param() params: unknown): Promise<TMember[]> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.users.listMembers(tenantId);
  }

  /** Adds a member (creating the account when the e-mail is new) or changes a member's role. */
  @Post()
  @MinRole('admin')
  async add(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TMember> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    const { member } = await this.users.addMember(actor, tenantId, parseWith(ZAddMemberRequest, body));
    return member;
  }

  @Delete(':userId')
  @MinRole('admin')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<void> {
    const { tenantId, userId } = parseWith(ZMemberParams, params, 'path');
    await this.users.removeMember(actor, tenantId, userId);
  }
}
