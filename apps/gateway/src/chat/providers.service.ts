import { Inject, Injectable } from '@nestjs/common';
import type { ProviderConfig } from '@babble-buddy/ai';
import { SecretBox, type DbClient } from '@babble-buddy/db';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { LlmHealthService } from '../health/llm-health.service';
import { DB } from '../infra/tokens';

/** Which models answer a tenant: its own configs by priority, else the environment's default providers. */
@Injectable()
export class ProvidersService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly health: LlmHealthService,
    private readonly box: SecretBox,
  ) {}

  async forTenant(tenantId: string, overrides: { temperature?: number; maxTokens?: number } = {}): Promise<ProviderConfig[]> {
    const timeoutMs = this.config.LLM_FIRST_TOKEN_TIMEOUT_MS;
    const rows = await this.db.llmConfig.findMany({ where: { tenantId, enabled: true }, orderBy: { priority: 'asc' } });
    const configs: ProviderConfig[] =
      rows.length > 0
        ? rows.map((row) => ({
            id: row.id,
            provider: row.provider,
            model: row.model,
            timeoutMs,
            ...(row.baseUrl ? { baseUrl: row.baseUrl } : {}),
            ...(row.apiKeyEncrypted ? { apiKey: this.box.decrypt(row.apiKeyEncrypted) } : {}),
            ...(row.temperature !== null ? { temperature: row.temperature } : {}),
            ...(row.maxTokens !== null ? { maxTokens: row.maxTokens } : {}),
            ...(row.inputPricePer1M !== null ? { inputPricePer1M: row.inputPricePer1M } : {}),
            ...(row.outputPricePer1M !== null ? { outputPricePer1M: row.outputPricePer1M } : {}),
          }))
        : this.health.envProviders().map((p) => ({ provider: p.provider, model: p.model, baseUrl: p.baseUrl, timeoutMs, ...(p.apiKey ? { apiKey: p.apiKey } : {}) }));
    return configs.map((c) => ({
      ...c,
      ...(overrides.temperature !== undefined ? { temperature: overrides.temperature } : {}),
      ...(overrides.maxTokens !== undefined ? { maxTokens: overrides.maxTokens } : {}),
    }));
  }
}
