import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ZAgentInput, ZAgentParams, ZAgentUpdate, ZTenantParams, type TAgent } from '@babble-buddy/shared';
import { AdminAuthGuard, MinRole } from '../auth/admin-auth.guard';
import { parseWith } from '../common/validation';
import type { Actor } from './actor';
import { AgentsService } from './agents.service';
import { CurrentActor } from './current-actor.decorator';

@Controller('api/v1/admin/tenants/:tenantId/agents')
@UseGuards(AdminAuthGuard)
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  list(@Param() params: unknown): Promise<TAgent[]> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.agents.list(tenantId);
  }

  @Post()
  @MinRole('admin')
  create(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TAgent> {
    const { tenantId } = parseWith(ZTenantParams, params, 'path');
    return this.agents.create(actor, tenantId, parseWith(ZAgentInput, body));
  }

  @Patch(':agentId')
  @MinRole('admin')
  update(@CurrentActor() actor: Actor, @Param() params: unknown, @Body() body: unknown): Promise<TAgent> {
    const { tenantId, agentId } = parseWith(ZAgentParams, params, 'path');
    return this.agents.update(actor, tenantId, agentId, parseWith(ZAgentUpdate, body));
  }

  @Delete(':agentId')
  @MinRole('admin')
  @HttpCode(204)
  async remove(@CurrentActor() actor: Actor, @Param() params: unknown): Promise<void> {
    const { tenantId, agentId } = parseWith(ZAgentParams, params, 'path');
    await this.agents.remove(actor, tenantId, agentId);
  }
}
