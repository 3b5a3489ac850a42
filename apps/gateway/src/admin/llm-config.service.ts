import { Inject, Injectable, Optional } from '@nestjs/common';
import { checkProvider } from '@babble-buddy/ai';
import { SecretBox, type DbClient, type LlmConfig } from '@babble-buddy/db';
import { ErrorCode, type TListModelsRequest, type TLlmConfig, type TLlmConfigInput, type TLlmTestResult } from '@babble-buddy/shared';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService, changes } from './audit.service';
import { assertTenantExists } from './tenant-scope';

export const LLM_TEST_TIMEOUT_MS = 5000;

/** The provider API key stays write-only: the DTO only says whether one is stored. */
export function toLlmConfigDto(config: LlmConfig): TLlmConfig {
  return {
    id: config.id,
    tenantId: config.tenantId,
    priority: config.priority,
    provider: config.provider,
    model: config.model,
    baseUrl: config.baseUrl,
    hasApiKey: config.apiKeyEncrypted !== null,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    embeddingModel: config.embeddingModel,
    inputPricePer1M: config.inputPricePer1M,
    outputPricePer1M: config.outputPricePer1M,
    enabled: config.enabled,
    updatedAt: config.updatedAt.toISOString(),
  };
}

/** A tenant's models: priority 0 is the primary, 1..9 fallbacks tried in order. */
@Injectable()
export class LlmConfigService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
    /** Needed only to store or use provider API keys; the CLI passes null when ENCRYPTION_KEY is not set. */
    @Optional() @Inject(SecretBox) private readonly secrets: SecretBox | null = null,
  ) {}

  async list(tenantId: string): Promise<TLlmConfig[]> {
    await assertTenantExists(this.db, tenantId);
    const configs = await this.db.llmConfig.findMany({ where: { tenantId }, orderBy: { priority: 'asc' } });
    return configs.map(toLlmConfigDto);
  }

  /**
   * Creates or replaces the config at `priority`. Every field is replaced, except `apiKey`:
   * omitted keeps the stored key, null clears it, a string is encrypted and stored.
   */
  async upsert(actor: Actor, tenantId: string, priority: number, input: TLlmConfigInput): Promise<TLlmConfig> {
    await assertTenantExists(this.db, tenantId);
    const apiKey =
      input.apiKey === undefined ? {} : input.apiKey === null ? { apiKeyEncrypted: null, apiKeyKeyId: null } : { apiKeyEncrypted: this.box().encrypt(input.apiKey), apiKeyKeyId: this.box().keyId };
    const fields = {
      provider: input.provider,
      model: input.model,
      baseUrl: input.baseUrl ?? null,
      temperature: input.temperature ?? null,
      maxTokens: input.maxTokens ?? null,
      embeddingModel: input.embeddingModel ?? null,
      inputPricePer1M: input.inputPricePer1M ?? null,
      outputPricePer1M: input.outputPricePer1M ?? null,
      enabled: input.enabled ?? true,
    };
    const config = await this.db.$transaction(async (tx) => {
      const before = await tx.llmConfig.findUnique({ where: { tenantId_priority: { tenantId, priority } } });
      const config = await tx.llmConfig.upsert({
        where: { tenantId_priority: { tenantId, priority } },
        create: { tenantId, priority, ...fields, ...apiKey },
        update: { ...fields, ...apiKey },
      });
      const apiKeyChange = input.apiKey === undefined ? 'kept' : input.apiKey === null ? 'cleared' : 'set';
      await this.audit.record(
        actor,
        {
          tenantId,
          action: before ? 'llm.update' : 'llm.create',
          target: config.id,
          details: { priority, ...(before ? { changes: changes(before, fields) } : { ...fields }), apiKey: apiKeyChange },
        },
        tx,
      );
      return config;
    });
    return toLlmConfigDto(config);
  }

  async remove(actor: Actor, tenantId: string, priority: number): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const config = await tx.llmConfig.findUnique({ where: { tenantId_priority: { tenantId, priority } } });
      if (!config) throw new AppError(ErrorCode.NotFound, `No model configured at priority ${priority}`);
      await tx.llmConfig.delete({ where: { id: config.id } });
      await this.audit.record(actor, { tenantId, action: 'llm.delete', target: config.id, details: { priority, provider: config.provider, model: config.model } }, tx);
    });
  }

  /** Asks the stored provider for its models, with the stored (decrypted) key. Never throws for an unreachable provider. */
  async test(tenantId: string, priority: number): Promise<TLlmTestResult> {
    const config = await this.db.llmConfig.findUnique({ where: { tenantId_priority: { tenantId, priority } } });
    if (!config) throw new AppError(ErrorCode.NotFound, `No model configured at priority ${priority}`);
    let apiKey: string | undefined;
    try {
      apiKey = this.decryptKey(config);
    } catch (error) {
      return { status: 'unreachable', latencyMs: 0, error: `The stored API key cannot be decrypted (${(error as Error).message}); save it again` };
    }
    return probe({ provider: config.provider, baseUrl: config.baseUrl, apiKey, model: config.model });
  }

  /**
   * The same check for settings being edited and not saved yet: latency and the provider's models, or
   * its exact error. Without a new API key, the key stored at `priority` is used if that config has the
   * same provider (so an operator can list models without typing the key again).
   */
  async listModels(tenantId: string, request: TListModelsRequest): Promise<TLlmTestResult> {
    await assertTenantExists(this.db, tenantId);
    let apiKey = request.apiKey;
    if (apiKey === undefined && request.priority !== undefined) {
      const stored = await this.db.llmConfig.findUnique({ where: { tenantId_priority: { tenantId, priority: request.priority } } });
      if (stored && stored.provider === request.provider) {
        try {
          apiKey = this.decryptKey(stored);
        } catch (error) {
          return { status: 'unreachable', latencyMs: 0, error: `The stored API key cannot be decrypted (${(error as Error).message}); enter it again` };
        }
      }
    }
    return probe({ provider: request.provider, baseUrl: request.baseUrl ?? null, apiKey, model: request.model });
  }

  private decryptKey(config: LlmConfig): string | undefined {
    return config.apiKeyEncrypted ? this.box().decrypt(config.apiKeyEncrypted) : undefined;
  }

  private box(): SecretBox {
    if (!this.secrets) throw new Error('ENCRYPTION_KEY is needed to store or use provider API keys');
    return this.secrets;
  }
}

async function probe(target: { provider: TLlmConfig['provider']; baseUrl: string | null; apiKey: string | undefined; model: string | undefined }): Promise<TLlmTestResult> {
  const result = await checkProvider(
    { provider: target.provider, ...(target.baseUrl ? { baseUrl: target.baseUrl } : {}), ...(target.apiKey ? { apiKey: target.apiKey } : {}) },
    { timeoutMs: LLM_TEST_TIMEOUT_MS },
  );
  return {
    status: result.status,
    latencyMs: result.latencyMs,
    ...(result.error ? { error: result.error } : {}),
    ...(result.models ? { models: result.models } : {}),
    ...(result.models && target.model ? { modelAvailable: servesModel(result.models, target.model) } : {}),
  };
}

/** Ollama answers to "llama3.2" with "llama3.2:latest" and the other way round. */
export function servesModel(models: readonly string[], model: string): boolean {
  const untag = (name: string) => name.replace(/:latest$/, '');
  return models.some((listed) => listed === model || untag(listed) === untag(model));
}
