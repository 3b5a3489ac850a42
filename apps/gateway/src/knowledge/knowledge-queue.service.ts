import type { OnApplicationShutdown } from '@nestjs/common';
import {
  ErrorCode,
  KNOWLEDGE_JOB_OPTIONS,
  KNOWLEDGE_JOB_PAYLOADS,
  QUEUES,
  type TKnowledgeJobName,
  type TKnowledgeJobPayload,
} from '@babble-buddy/shared';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { AppError } from '../common/app-error';
import type { GatewayConfig } from '../config/config.schema';

/** How long an enqueue may wait for Redis before the request is answered 503. */
const ENQUEUE_TIMEOUT_MS = 5000;

export interface KnowledgeQueueSettings {
  redisUrl: string;
  prefix: string;
  attempts: number;
  backoffMs: number;
  /** Default 5 s. */
  enqueueTimeoutMs?: number;
  /**
   * Connection errors while Redis is away (ioredis retries on its own). Enqueues fail with
   * SERVICE_UNAVAILABLE meanwhile, which is what callers see; this is for logs.
   */
  onConnectionError?: (error: Error) => void;
}

export function queueSettings(config: Pick<GatewayConfig, 'REDIS_URL' | 'QUEUE_PREFIX' | 'INGEST_ATTEMPTS' | 'INGEST_BACKOFF_MS'>): KnowledgeQueueSettings {
  return { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, attempts: config.INGEST_ATTEMPTS, backoffMs: config.INGEST_BACKOFF_MS };
}

/**
 * The gateway's side of the knowledge queue: typed jobs (name → shared zod payload), parsed before
 * they reach Redis, with the deployment's retry policy. The gateway never runs jobs.
 */
export class KnowledgeQueue implements OnApplicationShutdown {
  private readonly connection: Redis;
  private readonly queue: Queue;
  private readonly options: JobsOptions;
  private readonly timeoutMs: number;

  constructor(settings: KnowledgeQueueSettings) {
    this.timeoutMs = settings.enqueueTimeoutMs ?? ENQUEUE_TIMEOUT_MS;
    this.connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.queue = new Queue(QUEUES.knowledge, { connection: this.connection, prefix: settings.prefix });
    this.queue.on('error', settings.onConnectionError ?? (() => undefined));
    this.options = { ...KNOWLEDGE_JOB_OPTIONS, attempts: settings.attempts, backoff: { type: 'exponential', delay: settings.backoffMs } };
  }

  /** Adds one job; SERVICE_UNAVAILABLE when Redis does not take it in time. */
  async enqueue<N extends TKnowledgeJobName>(name: N, payload: TKnowledgeJobPayload<N>): Promise<void> {
    await this.enqueueMany(name, [payload]);
  }

  async enqueueMany<N extends TKnowledgeJobName>(name: N, payloads: TKnowledgeJobPayload<N>[]): Promise<void> {
    if (payloads.length === 0) return;
    const schema = KNOWLEDGE_JOB_PAYLOADS[name];
    const jobs = payloads.map((payload) => ({ name, data: schema.parse(payload), opts: this.options }));
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue.addBulk(jobs),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      throw new AppError(ErrorCode.ServiceUnavailable, `The job queue (Redis) is unreachable (${(error as Error).message}); nothing was queued, try again`);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.connection.quit().catch(() => undefined);
  }
}
