import type { DbClient } from '@babble-buddy/db';
import { isIngestError } from '@babble-buddy/ingest';
import {
  KNOWLEDGE_JOBS,
  KnowledgeErrorCode,
  ZIngestSourceJob,
  ZReindexTenantJob,
  type TIngestSourceJob,
  type TReindexTenantJob,
} from '@babble-buddy/shared';
import { UnrecoverableError, WaitingError, type Job, type JobsOptions, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { enqueueMany } from './knowledge-queue';
import { SourceGoneError } from './progress';
import type { IngestOutcome, SourceIngestion } from './source-ingestion';

export type KnowledgeJobResult = IngestOutcome | { enqueued: number };

const MAX_ERROR_MESSAGE = 1000;

/**
 * The knowledge queue's processor: parses every payload again with the shared schema, runs the job,
 * and decides what a failure means. Final failures (a bad file, the last attempt) mark the source
 * failed with its code and end the job for good; passing ones (a model or site that is down) are
 * retried by BullMQ with exponential backoff. On shutdown a running job is handed back to the queue
 * untouched, so another worker (or this one, restarted) does it from the start.
 */
export class KnowledgeProcessor {
  private stopping = false;

  constructor(
    private readonly db: DbClient,
    private readonly ingestion: SourceIngestion,
    private readonly queue: Queue,
    private readonly jobOptions: JobsOptions,
    private readonly logger: Logger,
  ) {}

  /** From now on, an aborted job goes back to the queue instead of failing. */
  beginShutdown(): void {
    this.stopping = true;
  }

  readonly process = async (job: Job, token?: string, signal?: AbortSignal): Promise<KnowledgeJobResult> => {
    const abort = signal ?? new AbortController().signal;
    const log = this.logger.child({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1 });
    switch (job.name) {
      case KNOWLEDGE_JOBS.ingestSource:
        return this.ingest(job, parsePayload(ZIngestSourceJob, job), token, abort, log);
      case KNOWLEDGE_JOBS.reindexTenant:
        return this.reindexTenant(parsePayload(ZReindexTenantJob, job), log);
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  };

  private async ingest(job: Job, payload: TIngestSourceJob, token: string | undefined, signal: AbortSignal, log: Logger): Promise<KnowledgeJobResult> {
    const sourceLog = log.child({ tenantId: payload.tenantId, sourceId: payload.sourceId, mode: payload.mode });
    const started = Date.now();
    try {
      const outcome = await this.ingestion.run(payload, signal);
      sourceLog.info({ ms: Date.now() - started, ...outcome }, 'source ingested');
      return outcome;
    } catch (error) {
      if (error instanceof SourceGoneError) {
        sourceLog.info('source deleted while it was ingested; nothing stored');
        return { stored: false, reason: 'the source was deleted' };
      }
      if (this.stopping && signal.aborted) {
        await this.requeue(job, token, payload, sourceLog);
        throw new WaitingError();
      }
      const attempts = job.opts.attempts ?? 1;
      const retryable = isIngestError(error) ? error.retryable : true;
      const final = !retryable || job.attemptsMade + 1 >= attempts;
      const code = isIngestError(error) ? error.code : KnowledgeErrorCode.IngestFailed;
      const message = truncate(isIngestError(error) ? error.message : `Ingestion failed unexpectedly: ${(error as Error)?.message ?? String(error)}`);
      const reporter = this.ingestion.reporter({ id: payload.sourceId, tenantId: payload.tenantId, parentId: await this.parentOf(payload.sourceId) });
      if (final) {
        sourceLog.warn({ code, err: isIngestError(error) ? undefined : error }, `source failed: ${message}`);
        await reporter.update({ status: 'failed', stage: 'failed', progress: 0, errorCode: code, errorMessage: message }).catch(() => undefined);
        throw new UnrecoverableError(message);
      }
      sourceLog.warn({ code, err: isIngestError(error) ? undefined : error }, `attempt failed, retrying: ${message}`);
      await reporter
        .update({ status: 'queued', stage: 'retrying', progress: 0, errorCode: code, errorMessage: `Attempt ${job.attemptsMade + 1} of ${attempts} failed (${message}); retrying` })
        .catch(() => undefined);
      throw error;
    }
  }

  /** Back to the waiting list without spending an attempt: the job was fine, the worker is stopping. */
  private async requeue(job: Job, token: string | undefined, payload: TIngestSourceJob, log: Logger): Promise<void> {
    await job.moveToWait(token);
    const reporter = this.ingestion.reporter({ id: payload.sourceId, tenantId: payload.tenantId, parentId: await this.parentOf(payload.sourceId) });
    await reporter.update({ status: 'queued', stage: 'queued', progress: 0 }).catch(() => undefined);
    log.info('worker stopping: job handed back to the queue');
  }

  /**
   * A tenant's embedding model changed: every source gets a job. Sources with chunks re-embed their
   * stored texts; sources that failed because of the old model are ingested again in full.
   */
  private async reindexTenant(payload: TReindexTenantJob, log: Logger): Promise<KnowledgeJobResult> {
    const sources = await this.db.knowledgeSource.findMany({
      where: { tenantId: payload.tenantId, OR: [{ status: { not: 'failed' } }, { errorCode: KnowledgeErrorCode.EmbeddingFailed }] },
      select: { id: true, status: true, parentId: true },
    });
    const jobs = sources
      .filter((source) => source.status !== 'failed' || source.parentId === null)
      .map((source) => ({
        tenantId: payload.tenantId,
        sourceId: source.id,
        mode: source.status === 'failed' ? ('full' as const) : ('embed' as const),
        reason: 'embedding-model-changed' as const,
      }));
    await enqueueMany(this.queue, KNOWLEDGE_JOBS.ingestSource, jobs, this.jobOptions);
    log.info({ tenantId: payload.tenantId, embeddingModel: payload.embeddingModel, enqueued: jobs.length }, 'tenant reindex enqueued');
    return { enqueued: jobs.length };
  }

  /**
   * A job that BullMQ failed on its own (stalled more often than allowed): its source must not stay
   * "parsing" forever.
   */
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job || job.name !== KNOWLEDGE_JOBS.ingestSource || error instanceof UnrecoverableError) return;
    const payload = ZIngestSourceJob.safeParse(job.data);
    if (!payload.success || (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(error.message))) return;
    await this.db.knowledgeSource
      .updateMany({
        where: { id: payload.data.sourceId, status: { notIn: ['ready', 'failed'] } },
        data: { status: 'failed', stage: 'failed', errorCode: KnowledgeErrorCode.IngestFailed, errorMessage: truncate(`Ingestion stopped: ${error.message}`) },
      })
      .catch(() => undefined);
  }

  private async parentOf(sourceId: string): Promise<string | null> {
    const row = await this.db.knowledgeSource.findUnique({ where: { id: sourceId }, select: { parentId: true } }).catch(() => null);
    return row?.parentId ?? null;
  }
}

function parsePayload<T>(schema: { safeParse(data: unknown): { success: true; data: T } | { success: false; error: { message: string } } }, job: Job): T {
  const result = schema.safeParse(job.data);
  if (!result.success) throw new UnrecoverableError(`invalid ${job.name} payload: ${result.error.message}`);
  return result.data;
}

function truncate(message: string): string {
  return message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message;
}
