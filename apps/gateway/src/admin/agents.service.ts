import { Inject, Injectable } from '@nestjs/common';
import type { Agent, DbClient } from '@babble-buddy/db';
import { ErrorCode, type TAgent, type TAgentInput, type TAgentUpdate } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService, changes, type DbTx } from './audit.service';
import { assertTenantExists } from './tenant-scope';

export function toAgentDto(agent: Agent): TAgent {
  return {
    id: agent.id,
    tenantId: agent.tenantId,
    name: agent.name,
    systemPrompt: agent.systemPrompt,
    isDefault: agent.isDefault,
    createdAt: agent.createdAt.toISOString(),
    updatedAt: agent.updatedAt.toISOString(),
  };
}

/** Prompts are logged by size, not content. */
function promptFacts(prompt: string): { promptChars: number } {
  return { promptChars: prompt.length };
}

/**
 * Agents (personas) with their system prompts. Each tenant with agents has exactly one default:
 * the first agent becomes it, making another the default unsets the old one, and deleting the
 * default promotes the oldest remaining agent. Writes lock the tenant row, so concurrent writes
 * cannot leave two defaults or none.
 */
@Injectable()
export class AgentsService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string): Promise<TAgent[]> {
    await assertTenantExists(this.db, tenantId);
    const agents = await this.db.agent.findMany({ where: { tenantId }, orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }] });
    return agents.map(toAgentDto);
  }

  async create(actor: Actor, tenantId: string, input: TAgentInput): Promise<TAgent> {
    const agent = await this.db.$transaction(async (tx) => {
      await lockTenant(tx, tenantId);
      const existing = await tx.agent.count({ where: { tenantId } });
      const isDefault = existing === 0 || input.isDefault === true;
      if (isDefault) await tx.agent.updateMany({ where: { tenantId, isDefault: true }, data: { isDefault: false } });
      const agent = await tx.agent.create({ data: { tenantId, name: input.name, systemPrompt: input.systemPrompt, isDefault } });
      await this.audit.record(actor, { tenantId, action: 'agent.create', target: agent.id, details: { name: agent.name, isDefault, ...promptFacts(agent.systemPrompt) } }, tx);
      return agent;
    });
    return toAgentDto(agent);
  }

  async update(actor: Actor, tenantId: string, agentId: string, input: TAgentUpdate): Promise<TAgent> {
    const agent = await this.db.$transaction(async (tx) => {
      await lockTenant(tx, tenantId);
      const before = await tx.agent.findFirst({ where: { id: agentId, tenantId } });
      if (!before) throw new AppError(ErrorCode.NotFound, 'Agent not found');
      if (input.isDefault === false && before.isDefault) {
        throw new AppError(ErrorCode.Conflict, 'A tenant always has one default agent: make another agent the default instead');
      }
      if (input.isDefault === true && !before.isDefault) {
        await tx.agent.updateMany({ where: { tenantId, isDefault: true }, data: { isDefault: false } });
      }
      const agent = await tx.agent.update({ where: { id: before.id }, data: input });
      const { systemPrompt, ...rest } = input;
      await this.audit.record(
        actor,
        {
          tenantId,
          action: 'agent.update',
          target: agent.id,
          details: { changes: changes(before, rest), ...(systemPrompt !== undefined && systemPrompt !== before.systemPrompt ? { systemPromptChanged: true, ...promptFacts(systemPrompt) } : {}) },
        },
        tx,
      );
      return agent;
    });
    return toAgentDto(agent);
  }

  async remove(actor: Actor, tenantId: string, agentId: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await lockTenant(tx, tenantId);
      const agent = await tx.agent.findFirst({ where: { id: agentId, tenantId } });
      if (!agent) throw new AppError(ErrorCode.NotFound, 'Agent not found');
      await tx.agent.delete({ where: { id: agent.id } });
      let promoted: string | null = null;
      if (agent.isDefault) {
        const next = await tx.agent.findFirst({ where: { tenantId }, orderBy: { createdAt: 'asc' } });
        if (next) {
          await tx.agent.update({ where: { id: next.id }, data: { isDefault: true } });
          promoted = next.id;
        }
      }
      await this.audit.record(actor, { tenantId, action: 'agent.delete', target: agent.id, details: { name: agent.name, wasDefault: agent.isDefault, newDefaultId: promoted } }, tx);
    });
  }

  /** CLI `tenant set-prompt`: the default agent's system prompt, creating the agent when there is none. */
  async setDefaultPrompt(actor: Actor, tenantId: string, systemPrompt: string): Promise<TAgent> {
    const current = await this.db.agent.findFirst({ where: { tenantId, isDefault: true } });
    if (current) return this.update(actor, tenantId, current.id, { systemPrompt });
    return this.create(actor, tenantId, { name: 'Assistant', systemPrompt, isDefault: true });
  }
}

/** Serialises agent writes per tenant (and 404s a tenant that does not exist). */
async function lockTenant(tx: DbTx, tenantId: string): Promise<void> {
  const rows = await tx.$queryRaw<unknown[]>`SELECT 1 FROM tenants WHERE id = ${tenantId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
}
