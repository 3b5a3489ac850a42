import { Inject, Injectable } from '@nestjs/common';
import { passagesFromHits, rewriteWithModel, searchQueryFor, type ChatTurn, type ProviderConfig, type SearchQuery } from '@babble-buddy/ai';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { LOGGER } from '../infra/tokens';
import { KnowledgeSearchService } from './knowledge-search.service';
import { hasKnowledgeFor, KnowledgeStateService, NO_KNOWLEDGE, type KnowledgeState } from './knowledge-state.service';
import { TurnKnowledge } from './turn-knowledge';

export interface TurnQuestion {
  tenantId: string;
  /** From `stateFor`, started early so the lookup overlaps the turn's other work. */
  state: Promise<KnowledgeState>;
  /** The answering agent: it sees tenant-wide sources and its own. */
  agentId: string | null;
  question: string;
  /** Earlier turns, oldest first (for follow-up questions). */
  history: readonly ChatTurn[];
  /** The tenant's models, for the optional model rewrite of follow-ups. */
  providers: readonly ProviderConfig[];
}

/**
 * The chat pipeline's retrieval step: for every user turn of a tenant with knowledge, search (the
 * question, or its rewrite when it is a follow-up) and hand back the passages and citation tracking.
 * A tenant (or agent) without knowledge returns at once. Retrieval never fails a turn: errors are
 * logged and the model answers without passages.
 */
@Injectable()
export class RetrievalService {
  constructor(
    private readonly state: KnowledgeStateService,
    private readonly search: KnowledgeSearchService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The tenant's knowledge state (cached; one Redis read). Never rejects: when it cannot be read,
   * the turn goes on without knowledge. Start it early and hand it to `forTurn`.
   */
  stateFor(tenantId: string): Promise<KnowledgeState> {
    return this.state.forTenant(tenantId).catch((error: unknown) => {
      this.logger.error({ err: error, tenantId }, 'knowledge state unavailable; answering without knowledge');
      return NO_KNOWLEDGE;
    });
  }

  async forTurn(input: TurnQuestion): Promise<TurnKnowledge | null> {
    try {
      const state = await input.state;
      if (!hasKnowledgeFor(state, input.agentId)) return null;
      const query = await this.searchQuery(input);
      const { result } = await this.search.search({
        tenantId: input.tenantId,
        scope: { agentId: input.agentId },
        query: query.text,
        k: this.config.RETRIEVAL_TOP_K,
        minSimilarity: this.config.RETRIEVAL_MIN_SIMILARITY,
        embedder: state.embedder,
      });
      if (result.hits.length === 0) return null;
      return new TurnKnowledge(passagesFromHits(result.hits), query.text, { result, embeddingModel: state.embedder?.label ?? null });
    } catch (error) {
      this.logger.error({ err: error, tenantId: input.tenantId }, 'retrieval failed; answering without knowledge');
      return null;
    }
  }

  private async searchQuery(input: TurnQuestion): Promise<SearchQuery> {
    const first = input.providers[0];
    if (this.config.RETRIEVAL_REWRITE === 'model' && first) {
      return rewriteWithModel(first, input.question, input.history, { timeoutMs: this.config.RETRIEVAL_REWRITE_TIMEOUT_MS });
    }
    return searchQueryFor(input.question, input.history);
  }
}
