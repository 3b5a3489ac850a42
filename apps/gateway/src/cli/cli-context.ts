import { createDbClient, type DbClient } from '@babble-buddy/db';
import { AdminUsersService } from '../admin/admin-users.service';
import { AgentsService } from '../admin/agents.service';
import { AuditService } from '../admin/audit.service';
import { KeysService } from '../admin/keys.service';
import { LlmConfigService } from '../admin/llm-config.service';
import { TenantsService } from '../admin/tenants.service';
import { WidgetConfigService } from '../widget/widget-config.service';
import { KnowledgeQueue } from '../knowledge/knowledge-queue.service';
import { SourcesService } from '../knowledge/sources.service';
import { KnowledgeSearchService } from '../retrieval/knowledge-search.service';
import { loadCliConfig, type CliConfig } from './cli.config';

/** The CLI waits longer for a query embedding than a chat turn does: nobody is waiting for a first token. */
const CLI_EMBED_TIMEOUT_MS = 15_000;

/**
 * The admin API's own services, constructed without Nest over one small database pool. The
 * environment is read and the pool opened on first use, so `--help` and argument errors need neither.
 */
export class CliContext {
  private configValue: CliConfig | undefined;
  private dbValue: DbClient | undefined;
  private queueValue: KnowledgeQueue | undefined;

  get config(): CliConfig {
    this.configValue ??= loadCliConfig();
    return this.configValue;
  }

  get db(): DbClient {
    this.dbValue ??= createDbClient(this.config.databaseUrl, { poolSize: 2 });
    return this.dbValue;
  }

  private get audit(): AuditService {
    return new AuditService(this.db);
  }

  tenants(): TenantsService {
    return new TenantsService(this.db, this.audit);
  }

  keys(): KeysService {
    return new KeysService(this.db, this.audit);
  }

  agents(): AgentsService {
    return new AgentsService(this.db, this.audit);
  }

  widgetConfig(): WidgetConfigService {
    return new WidgetConfigService(this.db, this.audit);
  }

  adminUsers(): AdminUsersService {
    return new AdminUsersService(this.db, this.audit);
  }

  /** With `secrets`, provider API keys can be stored (needs ENCRYPTION_KEY). */
  llmConfig(options: { secrets: boolean }): LlmConfigService {
    return new LlmConfigService(this.db, this.audit, options.secrets ? this.config.secretBox() : null);
  }

  /** Knowledge sources; with `queue`, changes are queued for the worker (needs REDIS_URL). */
  knowledge(options: { queue: boolean }): SourcesService {
    const { knowledge } = this.config;
    if (options.queue) {
      this.queueValue ??= new KnowledgeQueue({ redisUrl: this.config.redisUrl(), prefix: knowledge.queuePrefix, attempts: knowledge.attempts, backoffMs: knowledge.backoffMs });
    }
    return new SourcesService(this.db, this.audit, this.queueValue ?? null, { maxFileBytes: knowledge.maxFileBytes });
  }

  knowledgeSearch(): KnowledgeSearchService {
    return new KnowledgeSearchService(this.db, this.config.optionalSecretBox(), {
      embeddingDefaults: this.config.embeddingDefaults(),
      embedTimeoutMs: CLI_EMBED_TIMEOUT_MS,
    });
  }

  async close(): Promise<void> {
    await this.queueValue?.close();
    await this.dbValue?.$disconnect();
  }
}
