import { Inject, Injectable } from '@nestjs/common';
import { knowledgeVersionKey, type DbClient } from '@babble-buddy/db';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DB, LOGGER, REDIS } from '../infra/tokens';
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

interface Cached {
  version: string | null;
  loadedAt: number;
  state: KnowledgeState;
}

/** A change made without bumping the version (a manual SQL edit) is seen after this long at most. */
const MAX_AGE_MS = 60_000;
/** While Redis cannot be asked, cached states are trusted this long. */
const REDIS_DOWN_MAX_AGE_MS = 5_000;
const REDIS_DOWN = Symbol('redis down');

/**
 * Per-tenant knowledge state, cached in memory and checked against the version in Redis that
 * ingestion and admin bump on every change (`markKnowledgeChanged` in packages/db). A chat turn of a
 * tenant without knowledge costs one pipelined Redis GET and no database query.
 */
@Injectable()
export class KnowledgeStateService {
  private readonly cache = new Map<string, Cached>();
  private readonly loading = new Map<string, Promise<KnowledgeState>>();

  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly search: KnowledgeSearchService,
  ) {}

  async forTenant(tenantId: string): Promise<KnowledgeState> {
    const version = await this.redis.get(knowledgeVersionKey(tenantId)).catch((): typeof REDIS_DOWN => REDIS_DOWN);
    const cached = this.cache.get(tenantId);
    if (cached) {
      const age = Date.now() - cached.loadedAt;
      if (version === REDIS_DOWN ? age < REDIS_DOWN_MAX_AGE_MS : cached.version === version && age < MAX_AGE_MS) return cached.state;
    }
    return this.load(tenantId, version === REDIS_DOWN ? null : version);
  }

  /** One load per tenant and version at a time, however many turns ask at once. */
  private load(tenantId: string, version: string | null): Promise<KnowledgeState> {
    const key = `${tenantId}:${version ?? ''}`;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.read(tenantId)
        .then((state) => {
          this.cache.set(tenantId, { version, loadedAt: Date.now(), state });
          return state;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
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
