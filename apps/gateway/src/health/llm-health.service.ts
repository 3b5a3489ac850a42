import { Inject, Injectable } from '@nestjs/common';
import { checkProvider, type ProviderName } from '@babble-buddy/ai';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';

export interface EnvProvider {
  provider: ProviderName;
  model: string;
  baseUrl: string;
  apiKey?: string;
}

/** The providers configured in the environment: the default for tenants without their own settings. */
@Injectable()
export class LlmHealthService {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  /** Primary first; the other provider follows as a fallback when it is configured and fallback is on. */
  envProviders(): EnvProvider[] {
    const ollama: EnvProvider = { provider: 'ollama', model: this.config.OLLAMA_MODEL, baseUrl: this.config.OLLAMA_BASE_URL };
    const openai: EnvProvider | null = this.config.OPENAI_API_KEY
      ? { provider: 'openai', model: this.config.OPENAI_MODEL, baseUrl: this.config.OPENAI_BASE_URL, apiKey: this.config.OPENAI_API_KEY }
      : null;
    const ordered = this.config.LLM_PROVIDER === 'openai' ? [openai, ollama] : [ollama, openai];
    const [primary, secondary] = ordered;
    const list = [primary, this.config.LLM_FALLBACK ? secondary : null].filter((p): p is EnvProvider => p !== null && p !== undefined);
    return list;
  }

  async check(): Promise<Record<string, 'connected' | 'unreachable'>> {
    const providers = this.envProviders();
    const results = await Promise.all(
      providers.map(async (p) => [p.provider, (await checkProvider({ provider: p.provider, baseUrl: p.baseUrl, ...(p.apiKey ? { apiKey: p.apiKey } : {}) }, { timeoutMs: 2000 })).status] as const),
    );
    return Object.fromEntries(results);
  }
}
