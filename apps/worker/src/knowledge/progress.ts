import type { DbClient } from '@babble-buddy/db';
import { KNOWLEDGE_PROGRESS_CHANNEL, type TKnowledgeProgressEvent, type TKnowledgeSourceStatus, type TKnowledgeStage } from '@babble-buddy/shared';
import type { Redis } from 'ioredis';

/** The source was deleted while its job ran: the job ends quietly, nothing is stored. */
export class SourceGoneError extends Error {
  constructor(sourceId: string) {
    super(`source ${sourceId} no longer exists`);
    this.name = 'SourceGoneError';
  }
}

export interface SourceRef {
  id: string;
  tenantId: string;
  parentId: string | null;
}

export interface ProgressUpdate {
  status: TKnowledgeSourceStatus;
  stage: TKnowledgeStage;
  progress: number;
  chunkCount?: number;
  pageCount?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** Progress writes closer together than this (same status and stage) are skipped, except the last. */
const MIN_INTERVAL_MS = 400;

/**
 * Writes a source's status, stage and percent to its row and announces it on Redis pub/sub, where
 * the gateway relays it to admins watching that tenant. Frequent percent changes within one stage
 * are thinned out; status and stage changes always go through.
 */
export class ProgressReporter {
  private last: { status: string; stage: string; progress: number; at: number } | null = null;

  constructor(
    private readonly db: DbClient,
    private readonly publisher: Redis,
    readonly source: SourceRef,
  ) {}

  async update(update: ProgressUpdate): Promise<void> {
    const progress = Math.max(0, Math.min(100, Math.round(update.progress)));
    const now = Date.now();
    const last = this.last;
    const sameStep = last !== null && last.status === update.status && last.stage === update.stage;
    if (sameStep && (progress === last.progress || now - last.at < MIN_INTERVAL_MS) && update.chunkCount === undefined) return;
    this.last = { status: update.status, stage: update.stage, progress, at: now };
    const row = await this.db.knowledgeSource
      .update({
        where: { id: this.source.id },
        data: {
          status: update.status,
          stage: update.stage,
          progress,
          ...(update.chunkCount !== undefined ? { chunkCount: update.chunkCount } : {}),
          ...(update.pageCount !== undefined ? { pageCount: update.pageCount } : {}),
          ...(update.errorCode !== undefined ? { errorCode: update.errorCode } : {}),
          ...(update.errorMessage !== undefined ? { errorMessage: update.errorMessage } : {}),
        },
        select: { chunkCount: true, pageCount: true, errorCode: true, errorMessage: true },
      })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'P2025') throw new SourceGoneError(this.source.id);
        throw error;
      });
    await publishProgress(this.publisher, {
      tenantId: this.source.tenantId,
      sourceId: this.source.id,
      parentId: this.source.parentId,
      status: update.status,
      stage: update.stage,
      progress,
      chunkCount: row.chunkCount,
      pageCount: row.pageCount,
      errorCode: row.errorCode,
      errorMessage: row.errorMessage,
      at: new Date(now).toISOString(),
    });
  }
}

/** Announces a source's state; losing an announcement is harmless (the row is the truth), so failures are swallowed. */
export async function publishProgress(publisher: Redis, event: TKnowledgeProgressEvent): Promise<void> {
  await publisher.publish(KNOWLEDGE_PROGRESS_CHANNEL, JSON.stringify(event)).catch(() => undefined);
}
