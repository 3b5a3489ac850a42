import { basename } from 'node:path';
import { embeddingModelLabel, type DbClient, type KnowledgeSource } from '@babble-buddy/db';
import {
  crawl,
  embeddingText,
  ensureOk,
  IngestError,
  safeFetch,
  type ChunkDraft,
  type ChunkingOptions,
  type FetchPolicy,
  type ParseSandbox,
} from '@babble-buddy/ingest';
import { KnowledgeErrorCode, ZKnowledgeSettings, ZKnowledgeSourceOptions, type TIngestSourceJob } from '@babble-buddy/shared';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config';
import { StaleEmbeddingError, type ChunkStore } from './chunk-store';
import type { Embedder } from './embedder';
import { ProgressReporter, SourceGoneError, type SourceRef } from './progress';

/** Tries to store with the model current at commit time before the job gives up (the model changed under it). */
const MAX_STALE_RETRIES = 3;
const ACCEPT = 'text/html,application/xhtml+xml,text/markdown,text/plain,text/csv,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document;q=0.9,*/*;q=0.5';

export type IngestOutcome = { stored: true; chunkCount: number; pages?: number } | { stored: false; reason: string };

/** An error inside a crawl page that must end the crawl (the embedding model is down), not just skip the page. */
class CrawlAbort extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

export interface SourceIngestionDeps {
  db: DbClient;
  publisher: Redis;
  store: ChunkStore;
  embedder: Embedder;
  sandbox: ParseSandbox;
  config: WorkerConfig;
  logger: Logger;
}

/**
 * One source from its bytes (an upload, a web page, a whole crawl) to stored chunks:
 * parsing → embedding → ready, with progress on the row and on Redis pub/sub.
 */
export class SourceIngestion {
  private readonly chunking: ChunkingOptions;

  constructor(private readonly deps: SourceIngestionDeps) {
    this.chunking = { chunkTokens: deps.config.CHUNK_TOKENS, overlapTokens: deps.config.CHUNK_OVERLAP_TOKENS };
  }

  reporter(source: SourceRef): ProgressReporter {
    return new ProgressReporter(this.deps.db, this.deps.publisher, source);
  }

  async run(job: TIngestSourceJob, signal: AbortSignal): Promise<IngestOutcome> {
    const source = await this.deps.db.knowledgeSource.findFirst({ where: { id: job.sourceId, tenantId: job.tenantId } });
    if (!source) return { stored: false, reason: 'the source was deleted' };
    const progress = this.reporter(source);
    if (job.mode === 'embed') return this.reembed(source, progress, signal);
    await progress.update({ status: 'parsing', stage: source.kind === 'url' ? 'fetching' : 'parsing', progress: 2, errorCode: null, errorMessage: null });
    if (source.kind === 'file') return this.ingestFile(source, progress, signal);
    if (source.kind === 'url' && source.url) {
      const options = ZKnowledgeSourceOptions.safeParse(source.options);
      const crawlLimits = options.success ? options.data.crawl : undefined;
      return crawlLimits ? this.crawlSite(source, crawlLimits, progress, signal) : this.ingestPage(source, progress, signal);
    }
    throw new IngestError(KnowledgeErrorCode.UnsupportedType, `Sources of kind "${source.kind}" cannot be ingested`);
  }

  private async ingestFile(source: KnowledgeSource, progress: ProgressReporter, signal: AbortSignal): Promise<IngestOutcome> {
    const blob = await this.deps.db.knowledgeBlob.findUnique({ where: { sourceId: source.id } });
    if (!blob) throw new IngestError(KnowledgeErrorCode.ParseFailed, 'The uploaded file is no longer stored; upload it again');
    const parsed = await this.deps.sandbox.parse({ bytes: blob.data, filename: source.filename, mimeType: source.mimeType, title: source.title, chunking: this.chunking }, signal);
    await progress.update({ status: 'parsing', stage: 'chunking', progress: 25 });
    const stored = await this.embedAndStore(source, parsed.chunks, { title: parsed.title ?? undefined, pageCount: parsed.pageCount }, progress, signal);
    return { stored: true, chunkCount: stored };
  }

  private async ingestPage(source: KnowledgeSource, progress: ProgressReporter, signal: AbortSignal): Promise<IngestOutcome> {
    const url = source.url ?? '';
    const resource = ensureOk(await safeFetch(url, await this.fetchPolicy(source.tenantId), { signal, accept: ACCEPT }));
    await progress.update({ status: 'parsing', stage: 'parsing', progress: 15 });
    const parsed = await this.deps.sandbox.parse(
      { bytes: resource.bytes, mimeType: resource.contentType, url: resource.url, filename: filenameOf(resource.url), title: source.title, chunking: this.chunking },
      signal,
    );
    const stored = await this.embedAndStore(source, parsed.chunks, { title: parsed.title ?? undefined, pageCount: parsed.pageCount }, progress, signal);
    return { stored: true, chunkCount: stored };
  }

  /**
   * A bounded same-site crawl. Each page becomes a source of its own under the crawl (parent_id), so
   * citations name the page; the crawl's row counts pages and chunks. Pages of an earlier run that
   * this run did not reach are removed.
   */
  private async crawlSite(source: KnowledgeSource, limits: { maxPages: number; maxDepth: number }, progress: ProgressReporter, signal: AbortSignal): Promise<IngestOutcome> {
    const policy = await this.fetchPolicy(source.tenantId);
    const startUrl = source.url ?? '';
    await progress.update({ status: 'parsing', stage: 'crawling', progress: 2 });
    let title: string | null = null;
    let summary;
    try {
      summary = await crawl(startUrl, limits, {
        userAgent: this.deps.config.CRAWL_USER_AGENT,
        maxCrawlDelayMs: this.deps.config.CRAWL_MAX_DELAY_MS,
        signal,
        fetch: (url) => safeFetch(url, policy, { signal, accept: ACCEPT }),
        onPage: async ({ url, resource }) => {
          const parsed = await this.deps.sandbox.parse({ bytes: resource.bytes, mimeType: resource.contentType, url, filename: filenameOf(url), chunking: this.chunking }, signal);
          title ??= parsed.title;
          try {
            const page = await this.deps.store.crawlPage(source, url, parsed.title ?? url);
            const pageSource = { ...source, id: page.id, parentId: source.id };
            await this.embedAndStore(pageSource, parsed.chunks, { pageCount: parsed.pageCount }, this.reporter(pageSource), signal);
          } catch (error) {
            throw new CrawlAbort(error);
          }
          return { stored: true, links: parsed.links };
        },
        onProgress: ({ stored }) => {
          progress.update({ status: 'parsing', stage: 'crawling', progress: 2 + (93 * stored) / limits.maxPages }).catch(() => undefined);
        },
      });
    } catch (error) {
      throw error instanceof CrawlAbort ? error.reason : error;
    }
    if (summary.stored.length === 0) {
      const why = summary.skipped[0]?.reason;
      throw new IngestError(KnowledgeErrorCode.EmptyDocument, `No page of ${new URL(startUrl).origin} had readable text${why ? ` (${why})` : ''}`);
    }
    const removed = await this.deps.store.removeOtherPages(source.id, summary.stored);
    const totals = await this.deps.db.knowledgeSource.aggregate({ where: { parentId: source.id }, _sum: { chunkCount: true }, _count: true });
    const chunkCount = totals._sum.chunkCount ?? 0;
    const label = await this.deps.embedder.label(source.tenantId);
    await this.deps.db.knowledgeSource.update({
      where: { id: source.id },
      data: { ...(title ? { title } : {}), embeddingModel: label, indexedAt: new Date(), errorCode: null, errorMessage: null },
    });
    await progress.update({ status: 'ready', stage: 'ready', progress: 100, chunkCount, pageCount: totals._count });
    this.deps.logger.info({ sourceId: source.id, pages: summary.stored.length, skipped: summary.skipped.length, removed, chunkCount }, 'crawl stored');
    return { stored: true, chunkCount, pages: summary.stored.length };
  }

  /**
   * Embeds with the tenant's model and replaces the source's chunks. The model is checked again at
   * commit time, inside the transaction; if it changed meanwhile the vectors are computed again.
   */
  private async embedAndStore(source: SourceRef & { agentId: string | null }, chunks: ChunkDraft[], extra: { title?: string; pageCount?: number | null }, progress: ProgressReporter, signal: AbortSignal): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const config = await this.deps.embedder.config(source.tenantId);
      await progress.update({ status: 'embedding', stage: 'embedding', progress: 30 });
      const embedded = await this.deps.embedder.embed(
        config,
        chunks.map((chunk) => chunk.embeddingText),
        { signal, onBatch: (done, total) => progress.update({ status: 'embedding', stage: 'embedding', progress: 30 + (60 * done) / total }) },
      );
      signal.throwIfAborted();
      await progress.update({ status: 'embedding', stage: 'storing', progress: 92 });
      try {
        const stored = await this.deps.store.replaceChunks({
          tenantId: source.tenantId,
          sourceId: source.id,
          agentId: source.agentId,
          chunks,
          ...embedded,
          currentLabel: (tx) => this.deps.embedder.label(source.tenantId, tx),
          source: extra,
        });
        await progress.update({ status: 'ready', stage: 'ready', progress: 100, chunkCount: stored.chunkCount });
        return stored.chunkCount;
      } catch (error) {
        if (error instanceof StaleEmbeddingError && attempt < MAX_STALE_RETRIES) continue;
        throw error;
      }
    }
  }

  /** New vectors for a source's stored chunks (the tenant's embedding model changed); the texts stay. */
  private async reembed(source: KnowledgeSource, progress: ProgressReporter, signal: AbortSignal): Promise<IngestOutcome> {
    for (let attempt = 1; ; attempt++) {
      const chunks = await this.deps.store.chunksOf(source.id, source.tenantId);
      if (chunks.length === 0) return { stored: false, reason: 'no chunks to re-embed' };
      const config = await this.deps.embedder.config(source.tenantId);
      const label = config ? embeddingModelLabel(config) : null;
      const current = (chunk: (typeof chunks)[number]) => chunk.embeddingModel === label && (!config?.dimensions || chunk.embeddingDims === config.dimensions);
      if (chunks.every(current)) return { stored: false, reason: 'already embedded with the current model' };
      await progress.update({ status: 'embedding', stage: 'embedding', progress: 5, errorCode: null, errorMessage: null });
      const texts = chunks.map((chunk) => embeddingText(chunk.content, chunk.metadata as { title?: string; headings?: string[] }));
      const embedded = await this.deps.embedder.embed(config, texts, { signal, onBatch: (done, total) => progress.update({ status: 'embedding', stage: 'embedding', progress: 5 + (85 * done) / total }) });
      signal.throwIfAborted();
      await progress.update({ status: 'embedding', stage: 'storing', progress: 92 });
      try {
        const updated = await this.deps.store.updateEmbeddings({
          tenantId: source.tenantId,
          sourceId: source.id,
          chunkIds: chunks.map((chunk) => chunk.id),
          ...embedded,
          currentLabel: (tx) => this.deps.embedder.label(source.tenantId, tx),
        });
        if (updated) {
          await progress.update({ status: 'ready', stage: 'ready', progress: 100, chunkCount: chunks.length });
          return { stored: true, chunkCount: chunks.length };
        }
      } catch (error) {
        if (!(error instanceof StaleEmbeddingError)) throw error;
      }
      if (attempt >= MAX_STALE_RETRIES) throw new IngestError(KnowledgeErrorCode.EmbeddingFailed, 'The source kept changing while it was re-embedded', { retryable: true });
    }
  }

  /** The tenant's allow-list of private hosts (tenants.settings.knowledge), with the worker's caps. */
  private async fetchPolicy(tenantId: string): Promise<FetchPolicy> {
    const tenant = await this.deps.db.tenant.findUnique({ where: { id: tenantId }, select: { settings: true } });
    if (!tenant) throw new SourceGoneError(tenantId);
    const settings = ZKnowledgeSettings.safeParse((tenant.settings as { knowledge?: unknown } | null)?.knowledge);
    return {
      allowedPrivateHosts: settings.success ? settings.data.allowedPrivateHosts : [],
      userAgent: this.deps.config.CRAWL_USER_AGENT,
      maxBytes: this.deps.config.FETCH_MAX_BYTES,
      timeoutMs: this.deps.config.FETCH_TIMEOUT_MS,
      maxRedirects: 5,
    };
  }
}

/** The last path segment of a URL ("guide.pdf"), which helps recognise files served without a useful Content-Type. */
function filenameOf(url: string): string | null {
  try {
    const name = basename(new URL(url).pathname);
    return name.includes('.') ? name : null;
  } catch {
    return null;
  }
}
