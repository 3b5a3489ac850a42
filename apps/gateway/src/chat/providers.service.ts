import { Inject, Injectable } from '@nestjs/common';
import type { ProviderConfig } from '@babble-buddy/ai';
import { SecretBox, type DbClient } from '@babble-buddy/db';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { LlmHealthService } from '../health/llm-health.service';
import { TenantCache } from '../infra/tenant-cache';
import { DB } from '../infra/tokens';

/** Which models answer a tenant: its own configs by priority, else the environment's default providers. */
@Injectable()
export class ProvidersService {
  /** The tenant's own configs, decrypted once; dropped when Postgres notifies a change (TenantCache). */
  private readonly tenantConfigs;

  constructor(
    @Inject(DB) private readonly db: DbClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly health: LlmHealthService,
    private readonly box: SecretBox,
    cache: TenantCache,
  ) {
    this.tenantConfigs = cache.store<ProviderConfig[]>();
  }

  async forTenant(tenantId: string, overrides: { temperature?: number; maxTokens?: number } = {}): Promise<ProviderConfig[]> {
    const configs = (await this.tenantConfigs.get(tenantId, async () => ({ tenantId, value: await this.load(tenantId) }))) ?? [];
    // Shared with other requests: never mutated, copied when a request overrides a setting.
    if (overrides.temperature === undefined && overrides.maxTokens === undefined) return configs;
    return configs.map((c) => ({
      ...c,
      ...(overrides.temperature !== undefined ? { temperature: overrides.temperature } : {}),
      ...(overrides.maxTokens !== undefined ? { maxTokens: overrides.maxTokens } : {}),
    }));
  }

  private async load(tenantId: string): Promise<ProviderConfig[]> {
    const timeoutMs = this.config.LLM_FIRST_TOKEN_TIMEOUT_MS;
    const rows = await this.db.llmConfig.findMany({ where: { tenantId, enabled: true }, orderBy: { priority: 'asc' } });
    return rows.length > 0
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
  }
}
