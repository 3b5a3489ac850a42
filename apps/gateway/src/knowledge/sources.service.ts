import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DbClient, KnowledgeSource, Prisma } from '@babble-buddy/db';
import {
  ErrorCode,
  KNOWLEDGE_JOBS,
  ZKnowledgeSourceOptions,
  type TAddUrlRequest,
  type TDuplicateFile,
  type TKnowledgeSource,
  type TKnowledgeSourceDetail,
  type TListSourcesQuery,
  type TSourcePage,
  type TUploadFilesResponse,
} from '@babble-buddy/shared';
import type { Actor } from '../admin/actor';
import { AuditService } from '../admin/audit.service';
import { isUniqueViolation } from '../admin/db-errors';
import { assertTenantExists } from '../admin/tenant-scope';
import { AppError } from '../common/app-error';
import { DB } from '../infra/tokens';
import { KnowledgeQueue } from './knowledge-queue.service';

export const KNOWLEDGE_LIMITS = Symbol('KNOWLEDGE_LIMITS');

export interface KnowledgeLimits {
  maxFileBytes: number;
}

export interface UploadedFile {
  filename: string;
  mimeType: string | null;
  bytes: Buffer;
}

/** Crawl pages listed with their crawl: the crawl bounds allow 500. */
const MAX_PAGES_LISTED = 500;

export function toSourceDto(source: KnowledgeSource): TKnowledgeSource {
  const options = ZKnowledgeSourceOptions.safeParse(source.options);
  return {
    id: source.id,
    tenantId: source.tenantId,
    agentId: source.agentId,
    parentId: source.parentId,
    kind: source.kind,
    title: source.title,
    url: source.url,
    filename: source.filename,
    mimeType: source.mimeType,
    sizeBytes: source.sizeBytes,
    checksum: source.checksum,
    crawl: options.success ? (options.data.crawl ?? null) : null,
    status: source.status,
    stage: source.stage,
    progress: source.progress,
    errorCode: source.errorCode,
    errorMessage: source.errorMessage,
    chunkCount: source.chunkCount,
    pageCount: source.pageCount,
    embeddingModel: source.embeddingModel,
    indexedAt: source.indexedAt?.toISOString() ?? null,
    createdAt: source.createdAt.toISOString(),
    updatedAt: source.updatedAt.toISOString(),
  };
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}

/**
 * A tenant's knowledge sources: uploads (stored with their bytes, deduplicated by sha256), URLs and
 * crawls, deletion and reindexing. Every change is queued for the worker and audited; the gateway
 * itself never parses a document.
 */
@Injectable()
export class SourcesService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
    /** Null for CLI commands that never queue (list, rm). */
    @Inject(KnowledgeQueue) private readonly queue: KnowledgeQueue | null,
    @Inject(KNOWLEDGE_LIMITS) private readonly limits: KnowledgeLimits,
  ) {}

  async list(tenantId: string, query: TListSourcesQuery): Promise<TSourcePage> {
    await assertTenantExists(this.db, tenantId);
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await this.db.knowledgeSource.findMany({
      where: {
        tenantId,
        parentId: null,
        ...(query.status ? { status: query.status } : {}),
        ...(cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { sources: page.map(toSourceDto), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  async get(tenantId: string, sourceId: string): Promise<TKnowledgeSourceDetail> {
    const source = await this.find(tenantId, sourceId);
    const pages = await this.db.knowledgeSource.findMany({ where: { tenantId, parentId: source.id }, orderBy: { url: 'asc' }, take: MAX_PAGES_LISTED });
    return { ...toSourceDto(source), pages: pages.map(toSourceDto) };
  }

  /**
   * Stores the files and queues them. A file whose sha256 the tenant already has is not stored again:
   * it is answered in `duplicates` with the source that holds it (409 when every file is one).
   */
  async addFiles(actor: Actor, tenantId: string, files: UploadedFile[], options: { agentId?: string } = {}): Promise<TUploadFilesResponse> {
    if (files.length === 0) throw new AppError(ErrorCode.ValidationFailed, 'No files: send them as multipart/form-data in the "files" field');
    for (const file of files) {
      if (file.bytes.byteLength > this.limits.maxFileBytes) {
        throw new AppError(ErrorCode.PayloadTooLarge, `"${file.filename}" is larger than the ${formatBytes(this.limits.maxFileBytes)} limit per file; nothing was stored`, { limitBytes: this.limits.maxFileBytes });
      }
    }
    await assertTenantExists(this.db, tenantId);
    if (options.agentId) await this.assertAgent(tenantId, options.agentId);
    const incoming = files.map((file) => ({ ...file, filename: cleanFilename(file.filename), checksum: createHash('sha256').update(file.bytes).digest('hex') }));

    const { created, duplicates } = await this.db.$transaction(async (tx) => {
      const existing = await tx.knowledgeSource.findMany({
        where: { tenantId, kind: 'file', checksum: { in: incoming.map((file) => file.checksum) } },
        select: { id: true, checksum: true },
      });
      const known = new Map(existing.map((row) => [row.checksum ?? '', row.id]));
      const created: KnowledgeSource[] = [];
      const duplicates: TDuplicateFile[] = [];
      for (const file of incoming) {
        const existingId = known.get(file.checksum);
        if (existingId) {
          duplicates.push({ filename: file.filename, existingSourceId: existingId });
          continue;
        }
        const source = await tx.knowledgeSource.create({
          data: {
            tenantId,
            agentId: options.agentId ?? null,
            kind: 'file',
            title: file.filename,
            filename: file.filename,
            mimeType: file.mimeType,
            sizeBytes: file.bytes.byteLength,
            checksum: file.checksum,
            stage: 'queued',
            blob: { create: { tenantId, data: file.bytes as Buffer<ArrayBuffer> } },
          },
        });
        known.set(file.checksum, source.id);
        created.push(source);
      }
      if (created.length > 0) {
        await this.audit.record(
          actor,
          { tenantId, action: 'knowledge.upload', target: null, details: { files: created.map((s) => ({ id: s.id, filename: s.filename, sizeBytes: s.sizeBytes })), duplicates } },
          tx,
        );
      }
      return { created, duplicates };
    }).catch(async (error: unknown) => {
      // Someone uploaded the same file at the same moment: answer as a duplicate of theirs.
      if (!isUniqueViolation(error)) throw error;
      const rows = await this.db.knowledgeSource.findMany({ where: { tenantId, kind: 'file', checksum: { in: incoming.map((f) => f.checksum) } }, select: { id: true, checksum: true } });
      const byChecksum = new Map(rows.map((row) => [row.checksum, row.id]));
      return { created: [] as KnowledgeSource[], duplicates: incoming.flatMap((f) => (byChecksum.has(f.checksum) ? [{ filename: f.filename, existingSourceId: byChecksum.get(f.checksum) ?? '' }] : [])) };
    });

    if (created.length === 0) {
      const first = duplicates[0];
      throw new AppError(
        ErrorCode.Conflict,
        duplicates.length === 1 && first ? `"${first.filename}" is already in the knowledge base (source ${first.existingSourceId})` : 'Every file is already in the knowledge base',
        { duplicates, ...(first ? { existingSourceId: first.existingSourceId } : {}) },
      );
    }
    await this.enqueueNew(created);
    return { sources: created.map(toSourceDto), duplicates };
  }

  async addUrl(actor: Actor, tenantId: string, request: TAddUrlRequest): Promise<TKnowledgeSource> {
    await assertTenantExists(this.db, tenantId);
    if (request.agentId) await this.assertAgent(tenantId, request.agentId);
    const url = new URL(request.url);
    url.hash = '';
    const source = await this.db.$transaction(async (tx) => {
      const source = await tx.knowledgeSource.create({
        data: {
          tenantId,
          agentId: request.agentId ?? null,
          kind: 'url',
          title: request.title ?? url.toString(),
          url: url.toString(),
          options: request.crawl ? { crawl: request.crawl } : {},
          stage: 'queued',
        },
      });
      await this.audit.record(actor, { tenantId, action: 'knowledge.add_url', target: source.id, details: { url: source.url, ...(request.crawl ? { crawl: request.crawl } : {}) } }, tx);
      return source;
    });
    await this.enqueueNew([source]);
    return toSourceDto(source);
  }

  /** Removes the source with its chunks, stored bytes and (for a crawl) its pages. */
  async remove(actor: Actor, tenantId: string, sourceId: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const source = await this.find(tenantId, sourceId, tx);
      const pages = await tx.knowledgeSource.count({ where: { parentId: source.id } });
      await tx.knowledgeSource.delete({ where: { id: source.id } });
      await this.audit.record(
        actor,
        { tenantId, action: 'knowledge.delete', target: source.id, details: { kind: source.kind, title: source.title, chunks: source.chunkCount, ...(pages ? { pages } : {}) } },
        tx,
      );
    });
  }

  /** Reads the source again (the stored file, or the web) and rebuilds its chunks. */
  async reindex(actor: Actor, tenantId: string, sourceId: string): Promise<TKnowledgeSource> {
    const source = await this.db.$transaction(async (tx) => {
      await this.find(tenantId, sourceId, tx);
      const source = await tx.knowledgeSource.update({
        where: { id: sourceId },
        data: { status: 'queued', stage: 'queued', progress: 0, errorCode: null, errorMessage: null },
      });
      await this.audit.record(actor, { tenantId, action: 'knowledge.reindex', target: source.id, details: { kind: source.kind, title: source.title } }, tx);
      return source;
    });
    await this.enqueueOrFail([source], 'reindex');
    return toSourceDto(source);
  }

  /** The tenant a source belongs to (the CLI names sources by id alone). */
  async tenantOf(sourceId: string): Promise<string> {
    const source = await this.db.knowledgeSource.findUnique({ where: { id: sourceId }, select: { tenantId: true } });
    if (!source) throw new AppError(ErrorCode.NotFound, 'Knowledge source not found');
    return source.tenantId;
  }

  private async enqueueNew(sources: KnowledgeSource[]): Promise<void> {
    await this.enqueueOrFail(sources, 'created');
  }

  /**
   * Queues one full ingestion per source. When Redis is unreachable the sources are marked failed
   * (so none waits forever as "queued") and the caller gets SERVICE_UNAVAILABLE.
   */
  private async enqueueOrFail(sources: KnowledgeSource[], reason: 'created' | 'reindex'): Promise<void> {
    if (!this.queue) throw new Error('this SourcesService was built without a job queue');
    try {
      await this.queue.enqueueMany(
        KNOWLEDGE_JOBS.ingestSource,
        sources.map((source) => ({ tenantId: source.tenantId, sourceId: source.id, mode: 'full', reason })),
      );
    } catch (error) {
      await this.db.knowledgeSource.updateMany({
        where: { id: { in: sources.map((source) => source.id) } },
        data: { status: 'failed', stage: 'failed', errorCode: 'INGEST_FAILED', errorMessage: 'The job queue was unreachable; reindex the source to try again' },
      });
      throw error;
    }
  }

  /** The tenant's source, or 404 (another tenant's id looks exactly like one that does not exist). */
  private async find(tenantId: string, sourceId: string, client: DbClient | Prisma.TransactionClient = this.db): Promise<KnowledgeSource> {
    const source = await client.knowledgeSource.findFirst({ where: { id: sourceId, tenantId } });
    if (!source) {
      await assertTenantExists(client, tenantId);
      throw new AppError(ErrorCode.NotFound, 'Knowledge source not found');
    }
    return source;
  }

  private async assertAgent(tenantId: string, agentId: string): Promise<void> {
    if ((await this.db.agent.count({ where: { id: agentId, tenantId } })) === 0) throw new AppError(ErrorCode.NotFound, 'Agent not found');
  }
}

/** A file name without directories or control characters, at most 255 characters. */
function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || 'upload').slice(0, 255);
}

function encodeCursor(source: KnowledgeSource): string {
  return Buffer.from(`${source.createdAt.toISOString()}|${source.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time ?? '');
  if (!id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new AppError(ErrorCode.ValidationFailed, 'Invalid query: cursor: not a cursor from a previous page');
  }
  return { createdAt, id };
}
