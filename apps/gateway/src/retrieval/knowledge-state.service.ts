import { Inject, Injectable } from '@nestjs/common';
import type { DbClient } from '@babble-buddy/db';
import type { Logger } from 'pino';
import { TenantCache } from '../infra/tenant-cache';
import { DB, LOGGER } from '../infra/tokens';
import { KnowledgeSearchService, type TenantEmbedder } from './knowledge-search.service';

/** What a chat turn needs to know before it searches. */
export interface KnowledgeState {
  /** The tenant has ready sources for all its agents. */
  tenantWide: boolean;
  /** Agents with ready sources of their own. */
  agents: ReadonlySet<string>;
  /** Its embedding model; null for full-text search (none configured, or its settings are unusable). */
  embedder: TenantEmbedder | null;
}

export const NO_KNOWLEDGE: KnowledgeState = { tenantWide: false, agents: new Set(), embedder: null };

/** Whether a turn answered by `agentId` has anything to search. */
export function hasKnowledgeFor(state: KnowledgeState, agentId: string | null): boolean {
  return state.tenantWide || (agentId !== null && state.agents.has(agentId));
}

/**
 * Per-tenant knowledge state, cached in memory (TenantCache) and dropped when Postgres notifies a change to the
 * tenant's sources or embedding settings, whoever makes it (worker, admin API, CLI, SQL). A chat turn of a tenant
 * without knowledge costs no query and no round trip.
 */
@Injectable()
export class KnowledgeStateService {
  private readonly states;

  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly search: KnowledgeSearchService,
    cache: TenantCache,
  ) {
    this.states = cache.store<KnowledgeState>();
  }

  async forTenant(tenantId: string): Promise<KnowledgeState> {
    return (await this.states.get(tenantId, async () => ({ tenantId, value: await this.read(tenantId) }))) ?? NO_KNOWLEDGE;
  }

  private async read(tenantId: string): Promise<KnowledgeState> {
    const owners = await this.db.knowledgeSource.findMany({ where: { tenantId, status: 'ready' }, select: { agentId: true }, distinct: ['agentId'] });
    const tenantWide = owners.some((o) => o.agentId === null);
    const agents = new Set(owners.flatMap((o) => (o.agentId === null ? [] : [o.agentId])));
    if (!tenantWide && agents.size === 0) return { tenantWide, agents, embedder: null };
    let embedder: TenantEmbedder | null = null;
    try {
      embedder = await this.search.embedderFor(tenantId);
    } catch (error) {
      this.logger.warn({ tenantId, err: error instanceof Error ? error.message : String(error) }, 'embedding settings unusable; full-text search only');
    }
    return { tenantWide, agents, embedder };
  }
}
