import { z } from 'zod';
import { ZErrorCode } from './errors';
import { ZUuid } from './common.schema';
import { ZHttpUrl } from './admin.schema';

// ── Queues and jobs (gateway → Redis → worker) ──────────────────────────────────────────────────

/** BullMQ queue names. Never rename one: jobs already waiting in Redis live under these names. */
export const QUEUES = {
  knowledge: 'bb-knowledge',
} as const;

/** Job names on the knowledge queue. Never rename one. */
export const KNOWLEDGE_JOBS = {
  /** Fetch or read, parse, chunk, embed and store one source (a file, a page, or a whole crawl). */
  ingestSource: 'ingest-source',
  /** Re-embed every source of a tenant (its embedding model changed) by fanning out ingest jobs. */
  reindexTenant: 'reindex-tenant',
} as const;

/**
 * `full` reads the source again (file bytes, or the web) and rebuilds its chunks; `embed` keeps the
 * stored chunk texts and only computes new vectors (what an embedding model change needs).
 */
export const ZIngestMode = z.enum(['full', 'embed']);
export type TIngestMode = z.infer<typeof ZIngestMode>;

export const ZIngestSourceJob = z.strictObject({
  tenantId: ZUuid,
  sourceId: ZUuid,
  mode: ZIngestMode,
  /** Why: shown in logs and audit trails. */
  reason: z.enum(['created', 'reindex', 'embedding-model-changed']),
});
export type TIngestSourceJob = z.infer<typeof ZIngestSourceJob>;

export const ZReindexTenantJob = z.strictObject({
  tenantId: ZUuid,
  /** The tenant's embedding model label after the change ("ollama:nomic-embed-text"), null for full text only. */
  embeddingModel: z.string().nullable(),
});
export type TReindexTenantJob = z.infer<typeof ZReindexTenantJob>;

/** Every knowledge job: its name and the schema its payload must satisfy (the worker parses it again). */
export const KNOWLEDGE_JOB_PAYLOADS = {
  [KNOWLEDGE_JOBS.ingestSource]: ZIngestSourceJob,
  [KNOWLEDGE_JOBS.reindexTenant]: ZReindexTenantJob,
} as const;
export type TKnowledgeJobName = keyof typeof KNOWLEDGE_JOB_PAYLOADS;
export type TKnowledgeJobPayload<N extends TKnowledgeJobName> = z.infer<(typeof KNOWLEDGE_JOB_PAYLOADS)[N]>;

/**
 * Retry policy of knowledge jobs (BullMQ job options, kept free of BullMQ types): five attempts with
 * exponential backoff from 2 s (2, 4, 8, 16 s); finished jobs are trimmed, failed ones kept a week.
 */
export const KNOWLEDGE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Redis pub/sub channel on which the worker announces every source status change (payload: ZKnowledgeProgressEvent). */
export const KNOWLEDGE_PROGRESS_CHANNEL = 'bb:knowledge:progress';

// ── Sources ─────────────────────────────────────────────────────────────────────────────────────

export const ZKnowledgeSourceKind = z.enum(['file', 'url', 'text']);
export type TKnowledgeSourceKind = z.infer<typeof ZKnowledgeSourceKind>;

/** queued → parsing → embedding → ready, or failed (with `errorCode` and `errorMessage`). */
export const ZKnowledgeSourceStatus = z.enum(['queued', 'parsing', 'embedding', 'ready', 'failed']);
export type TKnowledgeSourceStatus = z.infer<typeof ZKnowledgeSourceStatus>;

/** Finer than the status: what the worker is doing right now. */
export const ZKnowledgeStage = z.enum([
  'queued',
  'fetching',
  'crawling',
  'parsing',
  'chunking',
  'embedding',
  'storing',
  'ready',
  'failed',
  /** An attempt failed for a passing reason (model down, database hiccup); another follows with backoff. */
  'retrying',
]);
export type TKnowledgeStage = z.infer<typeof ZKnowledgeStage>;

/** Why a source failed. Clients branch on these, never on the message. Never rename one. */
export const KnowledgeErrorCode = {
  UnsupportedType: 'UNSUPPORTED_TYPE',
  EncryptedPdf: 'ENCRYPTED_PDF',
  EmptyDocument: 'EMPTY_DOCUMENT',
  ParseFailed: 'PARSE_FAILED',
  TooLarge: 'TOO_LARGE',
  UrlUnreachable: 'URL_UNREACHABLE',
  BlockedAddress: 'BLOCKED_ADDRESS',
  RobotsDisallowed: 'ROBOTS_DISALLOWED',
  EmbeddingFailed: 'EMBEDDING_FAILED',
  IngestFailed: 'INGEST_FAILED',
} as const;
export type KnowledgeErrorCode = (typeof KnowledgeErrorCode)[keyof typeof KnowledgeErrorCode];
export const ZKnowledgeErrorCode = z.enum(Object.values(KnowledgeErrorCode) as [KnowledgeErrorCode, ...KnowledgeErrorCode[]]);

export const CRAWL_LIMITS = { maxPages: 500, maxDepth: 5 } as const;

export const ZCrawlOptions = z.strictObject({
  /** Pages stored at most, the start page included. */
  maxPages: z.number().int().min(1).max(CRAWL_LIMITS.maxPages).default(20),
  /** Links followed from the start page: 0 = the start page (and the sitemap's pages) only. */
  maxDepth: z.number().int().min(0).max(CRAWL_LIMITS.maxDepth).default(2),
});
export type TCrawlOptions = z.infer<typeof ZCrawlOptions>;

/** What `options` holds on a source row. */
export const ZKnowledgeSourceOptions = z.object({ crawl: ZCrawlOptions.optional() });
export type TKnowledgeSourceOptions = z.infer<typeof ZKnowledgeSourceOptions>;

export const ZKnowledgeSource = z.object({
  id: z.string(),
  tenantId: z.string(),
  agentId: z.string().nullable(),
  /** Set on the pages of a crawl: the crawl's own source. */
  parentId: z.string().nullable(),
  kind: ZKnowledgeSourceKind,
  title: z.string(),
  url: z.string().nullable(),
  filename: z.string().nullable(),
  mimeType: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  checksum: z.string().nullable(),
  crawl: ZCrawlOptions.nullable(),
  status: ZKnowledgeSourceStatus,
  stage: z.string().nullable(),
  /** 0–100. */
  progress: z.number().int(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  chunkCount: z.number().int(),
  /** PDF pages, or the pages a crawl stored. */
  pageCount: z.number().int().nullable(),
  embeddingModel: z.string().nullable(),
  indexedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TKnowledgeSource = z.infer<typeof ZKnowledgeSource>;

/** One source with, for a crawl, the pages it stored. */
export const ZKnowledgeSourceDetail = ZKnowledgeSource.extend({ pages: z.array(ZKnowledgeSource) });
export type TKnowledgeSourceDetail = z.infer<typeof ZKnowledgeSourceDetail>;

export const ZSourceParams = z.object({ tenantId: ZUuid, sourceId: ZUuid });

export const ZListSourcesQuery = z.strictObject({
  status: ZKnowledgeSourceStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type TListSourcesQuery = z.infer<typeof ZListSourcesQuery>;

/** Top-level sources (crawl pages are under their crawl), newest first. */
export const ZSourcePage = z.object({ sources: z.array(ZKnowledgeSource), nextCursor: z.string().nullable() });
export type TSourcePage = z.infer<typeof ZSourcePage>;

/** `POST …/knowledge/urls`: one page, or a bounded same-site crawl when `crawl` is given. */
export const ZAddUrlRequest = z.strictObject({
  url: ZHttpUrl,
  title: z.string().trim().min(1).max(300).optional(),
  agentId: ZUuid.optional(),
  crawl: ZCrawlOptions.optional(),
});
export type TAddUrlRequest = z.infer<typeof ZAddUrlRequest>;

/** Non-file fields of the multipart `POST …/knowledge/files` (files go in the repeatable `files` field). */
export const ZUploadFields = z.strictObject({ agentId: ZUuid.optional() });

export const ZDuplicateFile = z.object({ filename: z.string(), existingSourceId: z.string() });
export type TDuplicateFile = z.infer<typeof ZDuplicateFile>;

/**
 * 201 when at least one file was stored; files already in the knowledge base (same sha256) are listed
 * in `duplicates` with the source that holds them. When every file is a duplicate the answer is 409
 * CONFLICT with `details.duplicates`.
 */
export const ZUploadFilesResponse = z.object({ sources: z.array(ZKnowledgeSource), duplicates: z.array(ZDuplicateFile) });
export type TUploadFilesResponse = z.infer<typeof ZUploadFilesResponse>;

/**
 * `chunks.metadata` as the worker writes it: where a passage comes from, for citations (title, page,
 * url) and for context (heading path). Readers should parse with this schema and tolerate absences.
 */
export const ZChunkMetadata = z.object({
  type: z.enum(['pdf', 'docx', 'csv', 'html', 'markdown', 'text']),
  /** The document's title (PDF metadata, <title>, first heading) or the file name. */
  title: z.string().optional(),
  /** 1-based PDF page. */
  page: z.number().int().positive().optional(),
  /** The nearest heading, and the path down to it (["Billing", "Refunds"]). */
  heading: z.string().optional(),
  headings: z.array(z.string()).optional(),
  /** First and last CSV data row in the chunk (1-based, header excluded). */
  rows: z.object({ from: z.number().int(), to: z.number().int() }).optional(),
  /** The web page a URL source's chunk came from. */
  url: z.string().optional(),
  /** Section index within the document, and the chunk's character offset inside it. */
  section: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative().optional(),
});
export type TChunkMetadata = z.infer<typeof ZChunkMetadata>;

// ── Per-tenant knowledge settings ───────────────────────────────────────────────────────────────

export const ZEmbeddingProvider = z.enum(['ollama', 'openai', 'none']);
export type TEmbeddingProvider = z.infer<typeof ZEmbeddingProvider>;

/** `PUT …/knowledge/embedding`: the tenant's embedding model; provider `none` means full-text search only. */
export const ZEmbeddingConfigInput = z
  .strictObject({
    provider: ZEmbeddingProvider,
    model: z.string().trim().min(1).max(200).optional(),
    baseUrl: ZHttpUrl.nullish(),
    /** Write-only: stored encrypted. `null` clears it; omit to keep the stored one. */
    apiKey: z.string().min(1).max(500).nullish(),
    /** Asked of models that can shorten their vectors (OpenAI text-embedding-3-*). */
    dimensions: z.number().int().min(8).max(4096).nullish(),
  })
  .refine((value) => value.provider === 'none' || value.model !== undefined, { message: 'model is required unless provider is none', path: ['model'] });
export type TEmbeddingConfigInput = z.infer<typeof ZEmbeddingConfigInput>;

export const ZEmbeddingConfig = z.object({
  tenantId: z.string(),
  /** `tenant`: the tenant's own setting; `default`: the deployment's EMBEDDING_* environment. */
  source: z.enum(['tenant', 'default']),
  provider: ZEmbeddingProvider,
  model: z.string().nullable(),
  baseUrl: z.string().nullable(),
  hasApiKey: z.boolean(),
  dimensions: z.number().int().nullable(),
  /** "ollama:nomic-embed-text", stored on chunks; null when searching by full text only. */
  label: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type TEmbeddingConfig = z.infer<typeof ZEmbeddingConfig>;

/** The answer to changing the model: sources are re-embedded in the background when the model changed. */
export const ZEmbeddingConfigUpdate = z.object({ config: ZEmbeddingConfig, reindexing: z.boolean() });
export type TEmbeddingConfigUpdate = z.infer<typeof ZEmbeddingConfigUpdate>;

/** A host name or an IP address (v4, or v6 in brackets or bare), lower-cased. */
export const ZAllowedHost = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(253)
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[?[0-9a-f:.]+\]?)$/, 'a host name or an IP address, without scheme or port')
  .transform((value) => value.replace(/^\[|\]$/g, ''));

/**
 * Knowledge settings of a tenant. `allowedPrivateHosts` lets URL sources reach hosts that resolve to
 * private, loopback or link-local addresses (an intranet wiki, say); only platform owners may change it.
 */
export const ZKnowledgeSettings = z.strictObject({ allowedPrivateHosts: z.array(ZAllowedHost).max(50) });
export type TKnowledgeSettings = z.infer<typeof ZKnowledgeSettings>;

// ── Progress events (Redis pub/sub → gateway → admin socket) ───────────────────────────────────

export const ZKnowledgeProgressEvent = z.object({
  tenantId: z.string(),
  sourceId: z.string(),
  parentId: z.string().nullable(),
  status: ZKnowledgeSourceStatus,
  stage: ZKnowledgeStage,
  progress: z.number().int().min(0).max(100),
  chunkCount: z.number().int(),
  pageCount: z.number().int().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  at: z.string(),
});
export type TKnowledgeProgressEvent = z.infer<typeof ZKnowledgeProgressEvent>;

/**
 * socket.io namespace for signed-in operators: `auth: { token }` with the admin login token. Clients
 * subscribe per tenant (any role of that tenant, or a platform owner) and receive its events.
 */
export const ADMIN_NAMESPACE = '/admin';

export const ZKnowledgeSubscribe = z.strictObject({ tenantId: ZUuid });
export type TKnowledgeSubscribe = z.infer<typeof ZKnowledgeSubscribe>;

export const ZAdminAck = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.object({ code: ZErrorCode, message: z.string() }) }),
]);
export type TAdminAck = z.infer<typeof ZAdminAck>;

export interface AdminServerToClientEvents {
  knowledge_progress: (event: TKnowledgeProgressEvent) => void;
}
export interface AdminClientToServerEvents {
  knowledge_subscribe: (payload: TKnowledgeSubscribe, ack: (result: TAdminAck) => void) => void;
  knowledge_unsubscribe: (payload: TKnowledgeSubscribe, ack: (result: TAdminAck) => void) => void;
}

// ── Deployment defaults shared by the gateway and the worker ───────────────────────────────────

/**
 * The embedding environment both the gateway (retrieval) and the worker (ingestion) parse, so they
 * agree on the model of tenants that have none of their own. Each app merges these fields into its
 * own config schema.
 */
export const ZEmbeddingEnv = z.object({
  /** ollama (default), openai, or none (full-text search only). */
  EMBEDDING_PROVIDER: ZEmbeddingProvider.default('ollama'),
  /** Default nomic-embed-text (Ollama) or text-embedding-3-small (OpenAI). */
  EMBEDDING_MODEL: z.string().min(1).optional(),
  /** Default OLLAMA_BASE_URL or OPENAI_BASE_URL. */
  EMBEDDING_BASE_URL: z.url().optional(),
  /** Default OPENAI_API_KEY. */
  EMBEDDING_API_KEY: z.string().min(1).optional(),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(8).max(4096).optional(),
});
export type TEmbeddingEnv = z.infer<typeof ZEmbeddingEnv>;

export const DEFAULT_EMBEDDING_MODELS = { ollama: 'nomic-embed-text', openai: 'text-embedding-3-small' } as const;

/**
 * The deployment default as `resolveEmbeddingConfig` (packages/db) takes it, with each provider's
 * deployment endpoint for tenants that name a provider but no base URL or key of their own.
 */
export function embeddingDefaultsFromEnv(
  env: TEmbeddingEnv,
  fallbacks: { ollamaBaseUrl: string; openaiBaseUrl: string; openaiApiKey?: string | undefined },
): {
  provider: TEmbeddingProvider;
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  dimensions?: number;
  providers: { ollama: { baseUrl: string }; openai: { baseUrl: string; apiKey?: string } };
} {
  const providers = {
    ollama: { baseUrl: fallbacks.ollamaBaseUrl },
    openai: { baseUrl: fallbacks.openaiBaseUrl, ...(fallbacks.openaiApiKey ? { apiKey: fallbacks.openaiApiKey } : {}) },
  };
  const provider = env.EMBEDDING_PROVIDER;
  if (provider === 'none') return { provider, providers };
  const apiKey = env.EMBEDDING_API_KEY ?? (provider === 'openai' ? fallbacks.openaiApiKey : undefined);
  return {
    provider,
    model: env.EMBEDDING_MODEL ?? DEFAULT_EMBEDDING_MODELS[provider],
    baseUrl: env.EMBEDDING_BASE_URL ?? providers[provider].baseUrl,
    ...(apiKey ? { apiKey } : {}),
    ...(env.EMBEDDING_DIMENSIONS ? { dimensions: env.EMBEDDING_DIMENSIONS } : {}),
    providers,
  };
}
